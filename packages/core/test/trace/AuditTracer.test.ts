import { expect } from 'chai';
import { AuditTracer, InMemoryExporter, isValidSpanId, isValidTraceId, TRACE_FLAG_RANDOM, TRACE_FLAG_SAMPLED, type AuditSpan } from '@audit-tracing/core';

function newTracer(extra: Record<string, unknown> = {}) {
  const exporter = new InMemoryExporter();
  const tracer = new AuditTracer({ exporter, processor: 'simple', serviceName: 'unit', ...extra });
  return { tracer, exporter };
}

describe('AuditTracer', () => {
  it('starts a root span with valid ids, the random flag and the sampled flag', () => {
    const { tracer } = newTracer();
    const span = tracer.startSpan('root');
    expect(isValidTraceId(span.traceId)).to.equal(true);
    expect(isValidSpanId(span.spanId)).to.equal(true);
    expect(span.parentSpanId).to.equal(undefined);
    expect(span.traceFlags).to.equal(TRACE_FLAG_RANDOM | TRACE_FLAG_SAMPLED);
    expect(span.isRecording()).to.equal(true);
  });

  it('gives a child the parent trace id, a new span id and the parent as parentSpanId', () => {
    const { tracer } = newTracer();
    const parent = tracer.startSpan('parent', undefined, { component: 'db' });
    const child = tracer.createChildSpan(parent, 'child');
    expect(child.traceId).to.equal(parent.traceId);
    expect(child.spanId).to.not.equal(parent.spanId);
    expect(child.parentSpanId).to.equal(parent.spanId);
    expect(child.component).to.equal('db');
  });

  it('uses the active span as parent unless told to start a root', () => {
    const { tracer } = newTracer();
    const parent = tracer.startSpan('parent');
    tracer.withSpan(parent, () => {
      expect(tracer.startSpan('implicit').parentSpanId).to.equal(parent.spanId);
      expect(tracer.startSpan('explicit-root', null).parentSpanId).to.equal(undefined);
      expect(tracer.startSpan('option-root', undefined, { root: true }).traceId).to.not.equal(parent.traceId);
    });
  });

  it('continues a remote context, keeping its flags and tracestate', () => {
    const { tracer } = newTracer();
    const remote = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1, sampled: true, traceState: 'k=v', isRemote: true };
    const span = tracer.startSpan('server', remote, { kind: 'server' });
    expect(span.traceId).to.equal(remote.traceId);
    expect(span.parentSpanId).to.equal(remote.spanId);
    expect(span.traceFlags).to.equal(TRACE_FLAG_SAMPLED); // no random bit: the caller did not promise one
    expect(span.traceState).to.equal('k=v');
    expect(span.kind).to.equal('server');
  });

  it('keeps an incoming correlation id as a tag and on every descendant', () => {
    const { tracer } = newTracer();
    const remote = { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceFlags: 0, isRemote: true, correlationId: 'order-42' };
    const span = tracer.startSpan('server', remote);
    expect(span.tags['correlation.id']).to.equal('order-42');
    expect(tracer.createChildSpan(span, 'child').correlationId).to.equal('order-42');
    expect(tracer.injectContext(span).correlationId).to.equal('order-42');
  });

  it('records tags, logs and status, and ignores changes after finish', async () => {
    const { tracer, exporter } = newTracer();
    const tags = { a: 1 };
    const span = tracer.startSpan('op', undefined, { tags });
    expect(span.tags).to.deep.equal(tags);
    expect(span.tags).to.not.equal(tags); // copied: the caller's object is never kept
    span.setTag('b', 'x').setTags({ c: true }).log('info', 'hello', { n: 1 }).setStatus('ERROR', 'bad');
    span.finish();
    const end = span.endTime;
    span.setTag('late', 1).log('info', 'late').setStatus('OK');
    span.finish();
    expect(span.endTime).to.equal(end);
    expect(span.tags).to.deep.equal({ a: 1, b: 'x', c: true });
    expect(span.logs).to.have.length(1);
    expect(span.logs[0]).to.include({ level: 'info', message: 'hello' });
    expect(span.status).to.deep.equal({ code: 'ERROR', message: 'bad' });
    await tracer.forceFlush();
    expect(exporter.getFinishedSpans()).to.have.length(1); // finish is idempotent: exported once
  });

  it('timestamps a log now or at the time given, and keeps the instrumentation scope it was started with', async () => {
    const { tracer, exporter } = newTracer();
    const scope = Object.freeze({ name: '@opentelemetry/instrumentation-pg', version: '0.77.0' });
    const span = tracer.startSpan('op', undefined, { instrumentationScope: scope });
    span.log('info', 'then', undefined, 1_700_000_000_123.5).log('info', 'now', { n: 1 }).log('info', 'bad time', undefined, Number.NaN);
    span.finish();
    expect(span.logs[0].timestamp).to.equal(1_700_000_000_123.5);
    expect(span.logs[1].timestamp).to.be.at.least(span.startTime);
    expect(span.logs[2].timestamp).to.be.a('number').and.not.NaN;
    await tracer.forceFlush();
    expect(exporter.getFinishedSpans()[0].instrumentationScope).to.equal(scope);
    expect((tracer.startSpan('own') as AuditSpan).instrumentationScope).to.equal(undefined);
  });

  it('measures duration from the monotonic clock in epoch ms', async () => {
    const { tracer } = newTracer();
    const before = Date.now();
    const span = tracer.startSpan('timed');
    await new Promise((resolve) => setTimeout(resolve, 20));
    tracer.finishSpan(span);
    expect(span.startTime).to.be.within(before - 50, Date.now() + 50);
    expect(span.duration).to.be.at.least(15);
    expect(span.duration).to.equal((span.endTime as number) - span.startTime);
  });

  it('lists active spans and the spans of a trace', () => {
    const { tracer } = newTracer();
    const root = tracer.startSpan('root');
    const child = tracer.createChildSpan(root, 'child');
    tracer.startSpan('other', null);
    expect(tracer.getActiveSpans()).to.have.length(3);
    child.finish();
    expect(tracer.getActiveSpans()).to.have.length(2);
    expect(tracer.getTraceSpans(root.traceId).map((s) => s.operationName)).to.deep.equal(['root', 'child']);
  });

  it('keeps a bounded number of finished spans', () => {
    const { tracer } = newTracer({ maxFinishedSpans: 10 });
    const root = tracer.startSpan('root');
    for (let i = 0; i < 100; i++) tracer.createChildSpan(root, `c${i}`).finish();
    const spans = tracer.getTraceSpans(root.traceId);
    expect(spans).to.have.length(11); // the active root + the last 10 finished
    expect(spans.at(-1)?.operationName).to.equal('c99');
  });

  it('expires spans never finished and counts them', () => {
    const { tracer } = newTracer({ maxActiveSpanAgeMs: 1000 });
    tracer.startSpan('leaked', undefined, { startTime: Date.now() - 5000 });
    tracer.startSpan('fresh');
    tracer.cleanup();
    expect(tracer.getActiveSpans().map((s) => s.operationName)).to.deep.equal(['fresh']);
    expect(tracer.getStats().spansExpired).to.equal(1);
  });

  it('drops finished spans older than their time to live', () => {
    const { tracer } = newTracer({ finishedSpanTtlMs: 1000 });
    const span = tracer.startSpan('old', undefined, { startTime: Date.now() - 5000 });
    span.finish(Date.now() - 4000);
    expect(tracer.getTraceSpans(span.traceId)).to.have.length(0);
  });

  it('bounds the active set', () => {
    const { tracer } = newTracer({ maxActiveSpans: 5 });
    for (let i = 0; i < 20; i++) tracer.startSpan(`s${i}`, null);
    expect(tracer.getActiveSpans()).to.have.length(5);
  });

  it('counts started, finished and exported spans', async () => {
    const { tracer } = newTracer();
    for (let i = 0; i < 3; i++) tracer.startSpan('s', null).finish();
    tracer.startSpan('open', null);
    await tracer.forceFlush();
    expect(tracer.getStats()).to.include({ spansStarted: 4, spansFinished: 3, spansExported: 3, activeSpans: 1 });
  });

  it('returns the design TraceContext from injectContext', () => {
    const { tracer } = newTracer();
    const parent = tracer.startSpan('p');
    const span = tracer.createChildSpan(parent, 'c');
    expect(tracer.injectContext(span)).to.deep.equal({
      traceId: span.traceId,
      spanId: span.spanId,
      parentSpanId: parent.spanId,
      traceFlags: span.traceFlags,
      sampled: true,
    });
  });

  it('writes the default header formats with injectHeaders and reads them back', () => {
    const { tracer } = newTracer();
    const span = tracer.startSpan('p');
    const headers = tracer.injectHeaders(span);
    expect(headers).to.have.keys('traceparent', 'x-trace-id', 'x-span-id');
    expect(headers.traceparent).to.equal(`00-${span.traceId}-${span.spanId}-03`);
    const context = tracer.extractContext(headers);
    expect(context).to.include({ traceId: span.traceId, spanId: span.spanId, sampled: true });
  });

  it('does not overwrite a header the caller set', () => {
    const { tracer } = newTracer();
    const span = tracer.startSpan('p');
    const headers = tracer.injectHeaders(span, { 'X-Trace-Id': 'mine' } as Record<string, string>);
    expect(headers['X-Trace-Id']).to.equal('mine');
    expect(headers).to.not.have.property('x-trace-id');
  });

  it('writes into a WHATWG Headers carrier', () => {
    const { tracer } = newTracer();
    const span = tracer.startSpan('p');
    const headers = tracer.injectHeaders(span, new Headers());
    expect(headers.get('traceparent')).to.equal(`00-${span.traceId}-${span.spanId}-03`);
  });

  it('extractContext returns null for missing or malformed headers, never throws', () => {
    const { tracer } = newTracer();
    expect(tracer.extractContext({})).to.equal(null);
    expect(tracer.extractContext({ traceparent: 'garbage' })).to.equal(null);
    expect(tracer.extractContext(null as never)).to.equal(null);
    expect(tracer.extractContext(42 as never)).to.equal(null);
  });

  it('records nothing when disabled but still propagates ids', async () => {
    const { tracer, exporter } = newTracer({ enabled: false });
    const span = tracer.startSpan('off');
    expect(span.isRecording()).to.equal(false);
    expect(isValidTraceId(span.traceId)).to.equal(true);
    expect(tracer.injectHeaders(span).traceparent).to.match(/-02$/);
    span.finish();
    await tracer.forceFlush();
    expect(exporter.getFinishedSpans()).to.have.length(0);
  });

  it('records nothing after shutdown', async () => {
    const { tracer, exporter } = newTracer();
    tracer.startSpan('before').finish();
    await tracer.shutdown();
    await tracer.shutdown();
    const after = tracer.startSpan('after');
    after.finish();
    expect(after.isRecording()).to.equal(false);
    expect(exporter.getFinishedSpans().map((s) => s.operationName)).to.deep.equal(['before']);
  });

  it('keeps working when the processor throws', () => {
    const exporter = {
      export: () => {
        throw new Error('boom');
      },
      shutdown: async () => {},
    };
    const tracer = new AuditTracer({ exporter, processor: 'simple' });
    expect(() => tracer.startSpan('s').finish()).to.not.throw();
    expect(tracer.getStats().exportFailures).to.equal(1);
  });
});
