// OpenTelemetry's own http instrumentation next to our adapters: what happens by default (two server spans,
// which the bridge warns about), and the documented combination that gives each request one server span and
// each outbound call one client span and one set of trace headers.
import { expect } from 'chai';
import express from 'express';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { AuditTracer, InMemoryExporter, setDiagLogger, suppressTracing } from '@audit-tracing/core';
import { auditTracing } from '@audit-tracing/express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { TestCollector } from '../../core/test/helpers/collector.js';
import { registerOpenTelemetry } from '../src/index.js';
import { forgetWarning } from './helpers/bridge.js';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadHttp = () => require('node:http') as typeof import('node:http');

describe("with OpenTelemetry's http instrumentation registered too", function () {
  this.timeout(20_000);
  let exporter: InMemoryExporter;
  let tracer: AuditTracer;
  let unregister: () => void;
  let instrumentation: HttpInstrumentation | undefined;
  let downstream: Server;
  let downstreamUrl: string;
  const received: IncomingHttpHeaders[] = [];
  const warnings: string[] = [];

  before(async () => {
    downstream = loadHttp().createServer((req, res) => {
      received.push(req.headers);
      res.end('ok');
    });
    await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve));
    downstreamUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}/stock`;
  });
  after(() => new Promise<void>((resolve) => downstream.close(() => resolve())));

  beforeEach(() => {
    exporter = new InMemoryExporter();
    tracer = new AuditTracer({ serviceName: 'shop', exporter, processor: 'simple' });
    unregister = registerOpenTelemetry({ tracer });
    received.length = 0;
    setDiagLogger({ warn: (m) => warnings.push(m), error: (m) => warnings.push(m) });
    forgetWarning('opentelemetry.duplicate:@opentelemetry/instrumentation-http');
  });
  afterEach(async () => {
    instrumentation?.disable();
    instrumentation = undefined;
    unregister();
    setDiagLogger(undefined);
    warnings.length = 0;
    await tracer.shutdown();
  });

  /** The instrumentation patches `node:http` when it is required after `enable`. */
  function instrument(config: ConstructorParameters<typeof HttpInstrumentation>[0] = {}): void {
    instrumentation = new HttpInstrumentation(config);
    instrumentation.enable();
    loadHttp();
  }

  function shop() {
    const app = express();
    app.use(auditTracing({ tracer }));
    app.get('/buy', async (_req, res) => {
      await new Promise<void>((resolve, reject) => loadHttp().get(downstreamUrl, (r) => r.resume().on('end', resolve)).on('error', reject));
      res.send('bought');
    });
    return app;
  }

  /**
   * The test's own request, sent with tracing suppressed (the instrumentation would trace it too), to a server
   * started outside the suppression (or everything it serves would be suppressed).
   */
  async function get(app: express.Express, path: string): Promise<void> {
    const server = loadHttp().createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await suppressTracing(
        () =>
          new Promise<void>((resolve, reject) =>
            request(server)
              .get(path)
              .expect(200)
              .end((error) => (error ? reject(error) : resolve())),
          ),
      );
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  it('by default: each request gets two server spans, and the bridge says so once', async () => {
    instrument();
    await get(shop(), '/buy');
    await tracer.forceFlush();
    // The downstream server is traced by the instrumentation too; only the shop's own request counts here.
    const servers = exporter.getFinishedSpans().filter((s) => s.kind === 'server' && !JSON.stringify(s.tags).includes('/stock'));
    expect(servers.map((s) => s.instrumentationScope?.name ?? 'ours').sort()).to.deep.equal(['@opentelemetry/instrumentation-http', 'ours']);
    expect(warnings.filter((w) => w.includes('two server spans'))).to.have.length(1);
    expect(warnings[0]).to.include('disableIncomingRequestInstrumentation: true');
  });

  it('the documented combination: one server span (ours), one client span (theirs), one set of trace headers', async () => {
    instrument({ disableIncomingRequestInstrumentation: true });
    await get(shop(), '/buy');
    await tracer.forceFlush();
    const spans = exporter.getFinishedSpans();
    const servers = spans.filter((s) => s.kind === 'server');
    const clients = spans.filter((s) => s.kind === 'client');
    expect(servers, 'one server span').to.have.length(1);
    expect(servers[0].instrumentationScope).to.equal(undefined);
    expect(clients, 'one client span').to.have.length(1);
    expect(clients[0].instrumentationScope?.name).to.equal('@opentelemetry/instrumentation-http');
    expect(clients[0].parentSpanId).to.equal(servers[0].spanId);
    expect(clients[0].traceId).to.equal(servers[0].traceId);
    expect(received).to.have.length(1);
    const headers = received[0];
    expect(headers.traceparent).to.equal(`00-${clients[0].traceId}-${clients[0].spanId}-03`);
    expect(headers['x-trace-id']).to.equal(clients[0].traceId);
  });

  it("our exporter's own requests are not traced by it, and carry no trace headers", async () => {
    instrument({ disableIncomingRequestInstrumentation: true });
    const collector = await TestCollector.start();
    const otlpTracer = new AuditTracer({ serviceName: 'shop', exporterType: 'otlp', exporterEndpoint: collector.url, protocol: 'http/json', compression: 'none', processor: 'simple' });
    try {
      unregister();
      unregister = registerOpenTelemetry({ tracer: otlpTracer });
      otlpTracer.startSpan('work').finish();
      await otlpTracer.forceFlush();
      await collector.waitForRequests(1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(collector.requests).to.have.length(1);
      expect(collector.requests[0].headers).to.not.have.property('traceparent');
      const names = JSON.parse(collector.requests[0].body.toString()).resourceSpans[0].scopeSpans.flatMap((s: { spans: { name: string }[] }) => s.spans.map((x) => x.name));
      expect(names).to.deep.equal(['work']);
    } finally {
      await otlpTracer.shutdown();
      await collector.close();
    }
  });
});
