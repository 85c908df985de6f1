// The export pipeline end to end — tracer, batch processor, exporter, transport — against real loopback
// collectors that misbehave on script.
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TracingOptions } from '../../src/config.js';
import { setDiagLogger } from '../../src/diag.js';
import { AuditTracer } from '../../src/trace/AuditTracer.js';
import { closedPortUrl, TestCollector, type ScriptedResponse } from '../helpers/collector.js';
import { decodeOtlpProtobuf, otlpSpans } from '../helpers/otlpDecode.js';

const FAST_RETRY = { initialBackoffMs: 5, maxBackoffMs: 20 };

function tracerFor(collector: TestCollector | string, options: TracingOptions = {}): AuditTracer {
  return new AuditTracer({
    serviceName: 'shop',
    exporterType: 'otlp',
    exporterEndpoint: typeof collector === 'string' ? collector : collector.url,
    protocol: 'http/json',
    retry: FAST_RETRY,
    batch: { scheduledDelayMs: 20 },
    ...options,
  });
}

function endSpans(tracer: AuditTracer, count: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const span = tracer.startSpan(`work ${i}`, null, { kind: 'internal' });
    ids.push(span.spanId);
    span.finish();
  }
  return ids;
}

function spanIdsIn(body: unknown): string[] {
  return otlpSpans(body as Record<string, unknown>).map((span) => span.spanId as string);
}

describe('export pipeline against misbehaving collectors', () => {
  let collector: TestCollector | undefined;
  let tracer: AuditTracer | undefined;
  const warnings: string[] = [];

  async function start(script: ScriptedResponse[], options: TracingOptions = {}, fallback?: ScriptedResponse): Promise<AuditTracer> {
    collector = await TestCollector.start({ script, fallback });
    tracer = tracerFor(collector, options);
    return tracer;
  }

  beforeEach(() => setDiagLogger({ warn: (m) => warnings.push(m), error: (m) => warnings.push(m) }));
  afterEach(async () => {
    await tracer?.shutdown();
    await collector?.close();
    tracer = undefined;
    collector = undefined;
    setDiagLogger(undefined);
    warnings.length = 0;
  });

  it('503, 503, then 200: delivered exactly once, two retries counted', async () => {
    const t = await start([{ status: 503 }, { status: 503 }, { status: 200 }]);
    const ids = endSpans(t, 5);
    await t.forceFlush();
    await sleep(50);
    expect(collector!.requests).to.have.length(3);
    for (const body of collector!.jsonBodies()) expect(spanIdsIn(body)).to.deep.equal(ids);
    expect(t.getStats()).to.deep.include({ spansStarted: 5, spansFinished: 5, spansExported: 5, exportAttempts: 3, exportRetries: 2, exportFailures: 0 });
    expect(t.getStats().spansDropped).to.deep.equal({});
  });

  it('400: no retry, the failure and its spans counted', async () => {
    const t = await start([{ status: 400, body: 'bad request' }]);
    endSpans(t, 4);
    await t.forceFlush();
    await sleep(50);
    expect(collector!.requests).to.have.length(1);
    expect(t.getStats()).to.deep.include({ spansExported: 0, exportAttempts: 1, exportRetries: 0, exportFailures: 1 });
    expect(t.getStats().spansDropped).to.deep.equal({ export_failed: 4 });
    expect(warnings.some((w) => w.includes('400'))).to.equal(true);
  });

  it('429 with Retry-After: 1: the next try waits at least a second', async function () {
    this.timeout(10_000);
    const t = await start([{ status: 429, headers: { 'retry-after': '1' } }, { status: 200 }]);
    endSpans(t, 2);
    await t.forceFlush();
    const [first, second] = collector!.requests;
    expect(second.receivedAt - first.receivedAt).to.be.at.least(1000);
    expect(t.getStats()).to.deep.include({ spansExported: 2, exportRetries: 1 });
  });

  it('a collector that hangs: the request times out and is retried', async () => {
    const t = await start(['hang', { status: 200 }], { exportTimeoutMs: 150 });
    const ids = endSpans(t, 3);
    const started = performance.now();
    await t.forceFlush();
    expect(performance.now() - started).to.be.at.least(140);
    expect(collector!.requests).to.have.length(2);
    expect(spanIdsIn(collector!.jsonBodies()[1])).to.deep.equal(ids);
    expect(t.getStats()).to.deep.include({ spansExported: 3, exportAttempts: 2, exportRetries: 1, exportFailures: 0 });
  });

  it('a request stuck on a collector that answers again is cut and retried within about a second, not at its timeout', async () => {
    // The first request hangs for good (its request timeout is the default 10 s); the collector answers everything
    // after it: the probe (an empty body) and the retry.
    const t = await start(['hang'], {}, { status: 200 });
    const ids = endSpans(t, 3);
    const started = performance.now();
    await t.forceFlush({ timeoutMs: 8000 });
    const took = performance.now() - started;
    expect(took).to.be.below(3000);
    const bodies = collector!.jsonBodies() as { resourceSpans: unknown[] }[];
    expect(bodies).to.have.length(3);
    expect(bodies[1].resourceSpans).to.deep.equal([]); // the probe carries no span
    expect(spanIdsIn(bodies[2])).to.deep.equal(ids);
    expect(t.getStats()).to.deep.include({ spansExported: 3, exportRetries: 1, exportFailures: 0 });
  });

  it('a partial success: rejected spans are counted as dropped', async () => {
    const partial = JSON.stringify({ partialSuccess: { rejectedSpans: '2', errorMessage: 'spans too old' } });
    const t = await start([{ status: 200, headers: { 'content-type': 'application/json' }, body: partial }]);
    endSpans(t, 5);
    await t.forceFlush();
    expect(t.getStats()).to.deep.include({ spansExported: 3, exportFailures: 0 });
    expect(t.getStats().spansDropped).to.deep.equal({ rejected: 2 });
    expect(warnings.some((w) => w.includes('rejected 2 of 5 spans: spans too old'))).to.equal(true);
  });

  it('bodies are gzip-compressed by default and decode', async () => {
    const t = await start([], { protocol: 'http/protobuf' });
    const ids = endSpans(t, 3);
    await t.forceFlush();
    const [request] = collector!.requests;
    expect(request.headers['content-encoding']).to.equal('gzip');
    expect(request.headers['content-type']).to.equal('application/x-protobuf');
    expect([...request.rawBody.subarray(0, 2)]).to.deep.equal([0x1f, 0x8b]);
    expect(request.rawBody.length).to.be.below(request.body.length);
    expect(spanIdsIn(decodeOtlpProtobuf(request.body))).to.deep.equal(ids);
  });

  it('shutdown flushes everything queued, across many batches, to a slow collector', async () => {
    const t = await start([], { batch: { scheduledDelayMs: 60_000, maxExportBatchSize: 100 } }, { status: 200, delayMs: 30 });
    const ids = endSpans(t, 350);
    await t.shutdown();
    // Several exports run at once: every span arrives, once, in whatever order the requests finished.
    const received = collector!.jsonBodies().flatMap(spanIdsIn);
    expect([...received].sort()).to.deep.equal([...ids].sort());
    expect(t.getStats()).to.deep.include({ spansExported: 350, exportAttempts: 4 });
    endSpans(t, 2); // after shutdown: not recorded
    expect(t.getStats().spansExported).to.equal(350);
  });

  it('a collector that is down: the app serves at full speed, spans are dropped after the retries and counted', async function () {
    this.timeout(20_000);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const down = await closedPortUrl();
      tracer = tracerFor(down, { batch: { scheduledDelayMs: 10, maxExportBatchSize: 50 }, retry: { initialBackoffMs: 20, maxBackoffMs: 50 } });
      const traced = tracer;
      const served = async (withTracing: boolean) => {
        const server = http.createServer((req, res) => {
          if (!withTracing) return res.end('ok');
          const span = traced.startSpan(`${req.method} ${req.url}`, null, { kind: 'server', component: 'http' });
          res.on('finish', () => span.finish());
          traced.withSpan(span, () => res.end('ok'));
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const { port } = server.address() as AddressInfo;
        const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
        const get = () =>
          new Promise<number>((resolve, reject) => {
            http.get({ host: '127.0.0.1', port, path: '/item', agent }, (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            }).on('error', reject);
          });
        const started = performance.now();
        const statuses: number[] = [];
        for (let round = 0; round < 20; round++) statuses.push(...(await Promise.all(Array.from({ length: 10 }, get))));
        const elapsed = performance.now() - started;
        agent.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        return { statuses, elapsed };
      };

      const baseline = await served(false);
      const withDeadCollector = await served(true);
      expect(withDeadCollector.statuses).to.have.length(200);
      expect(withDeadCollector.statuses.every((status) => status === 200)).to.equal(true);
      // full speed: the dead collector costs the app nothing it can feel
      expect(withDeadCollector.elapsed).to.be.below(baseline.elapsed * 3 + 250);

      await tracer.forceFlush();
      const stats = tracer.getStats();
      expect(stats.spansFinished).to.equal(200);
      expect(stats.spansExported).to.equal(0);
      expect(stats.spansDropped.export_failed).to.equal(200);
      expect(stats.exportRetries).to.equal(10 * stats.exportFailures);
      expect(stats.exportAttempts).to.equal(11 * stats.exportFailures);
      // reported once per process at most (an earlier test may already have used that once)
      expect(warnings.filter((w) => w.includes('spans failed'))).to.have.length.at.most(1);
      await sleep(20);
      expect(unhandled).to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
