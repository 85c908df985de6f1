import { expect } from 'chai';
import { getActiveSpan, withSpan, type AuditSpan } from '@audit-tracing/core';
import { context, ROOT_CONTEXT, SpanKind, trace, type Span, type Tracer } from '@opentelemetry/api';
import { BridgeSpan, BridgeTracer, MAX_CACHED_TRACERS } from '../src/index.js';
import { forgetWarning, useBridge } from './helpers/bridge.js';

const ours = (span: Span) => (span as BridgeSpan).span;

describe('BridgeTracer: OpenTelemetry tracers on our tracer', () => {
  const bridge = useBridge();
  const otel = (): Tracer => trace.getTracerProvider().getTracer('@example/lib', '2.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.27.0' });

  it('one tracer, and one scope object, per name, version and schema URL', () => {
    const provider = trace.getTracerProvider();
    const a = provider.getTracer('lib', '1.0.0');
    expect(provider.getTracer('lib', '1.0.0')).to.equal(a);
    expect(provider.getTracer('lib', '1.0.1')).to.not.equal(a);
    expect(a).to.be.instanceOf(BridgeTracer);
    expect((a as BridgeTracer).scope).to.deep.equal({ name: 'lib', version: '1.0.0' });
    expect(Object.isFrozen((a as BridgeTracer).scope)).to.equal(true);
  });

  it('startSpan takes kind, attributes, links and start time, and a parent from the context given', async () => {
    const parent = bridge.tracer.startSpan('parent');
    const link = { context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 } };
    const startTime = Math.floor(performance.timeOrigin) + 5;
    const span = otel().startSpan('SELECT', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql' }, links: [link], startTime }, trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ traceId: parent.traceId, spanId: parent.spanId, traceFlags: 1 })));
    span.end();
    parent.finish();
    await bridge.tracer.forceFlush();
    const record = bridge.exporter.getFinishedSpans().find((s) => s.spanId === span.spanContext().spanId)!;
    expect(record.kind).to.equal('client');
    expect(record.parentSpanId).to.equal(parent.spanId);
    expect(record.traceId).to.equal(parent.traceId);
    expect(record.tags).to.deep.equal({ 'db.system': 'postgresql' });
    expect(record.links[0].context.spanId).to.equal(link.context.spanId);
    expect(record.startTime).to.equal(startTime);
    expect(record.component).to.equal('@example/lib');
    expect(record.instrumentationScope).to.deep.equal({ name: '@example/lib', version: '2.0.0', schemaUrl: 'https://opentelemetry.io/schemas/1.27.0' });
  });

  it('an explicit context wins over the active span', () => {
    const active = bridge.tracer.startSpan('active');
    const span = withSpan(active, () => otel().startSpan('explicit root', {}, ROOT_CONTEXT));
    expect(ours(span).traceId).to.not.equal(active.traceId);
    span.end();
    active.finish();
  });

  describe('startActiveSpan, every overload', () => {
    it('(name, fn)', () => {
      const seen = otel().startActiveSpan('a', (span) => {
        span.end();
        return [getActiveSpan(), ours(span)];
      });
      expect(seen[0]).to.equal(seen[1]);
    });

    it('(name, options, fn)', () => {
      const kind = otel().startActiveSpan('b', { kind: SpanKind.PRODUCER, attributes: { n: 1 } }, (span) => {
        span.end();
        expect(getActiveSpan()).to.equal(ours(span));
        return ours(span).kind;
      });
      expect(kind).to.equal('producer');
    });

    it('(name, options, context, fn): the span is a child of the context given, and active in fn', () => {
      const parent = otel().startSpan('parent');
      const otherActive = bridge.tracer.startSpan('active elsewhere');
      withSpan(otherActive, () =>
        otel().startActiveSpan('c', {}, trace.setSpan(context.active(), parent), (span) => {
          expect(getActiveSpan()).to.equal(ours(span));
          expect(ours(span).parentSpanId).to.equal(parent.spanContext().spanId);
          span.end();
        }),
      );
      parent.end();
      otherActive.finish();
    });

    it('returns what fn returns, promises included, and the span stays active across await', async () => {
      const value = await otel().startActiveSpan('async', async (span) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        expect(getActiveSpan()).to.equal(ours(span));
        span.end();
        return 'done';
      });
      expect(value).to.equal('done');
    });
  });

  it('nests spans of the API and of our own tracer in one trace', async () => {
    await otel().startActiveSpan('outer (theirs)', async (outer) => {
      const middle = bridge.tracer.startSpan('middle (ours)');
      await withSpan(middle, () =>
        otel().startActiveSpan('inner (theirs)', async (inner) => {
          inner.end();
        }),
      );
      middle.finish();
      outer.end();
    });
    await bridge.tracer.forceFlush();
    const spans = bridge.exporter.getFinishedSpans();
    const byName = Object.fromEntries(spans.map((s) => [s.operationName, s]));
    expect(new Set(spans.map((s) => s.traceId)).size).to.equal(1);
    expect(byName['middle (ours)'].parentSpanId).to.equal(byName['outer (theirs)'].spanId);
    expect(byName['inner (theirs)'].parentSpanId).to.equal(byName['middle (ours)'].spanId);
    expect(byName['middle (ours)'].instrumentationScope).to.equal(undefined);
  });
});

describe('BridgeTracer given null where the API expects objects', () => {
  const bridge = useBridge();

  it('starts a span under the active context, as for undefined', () => {
    const parent = bridge.tracer.startSpan('parent');
    const span = withSpan(parent, () => trace.getTracer('t').startSpan('nulls', null as never, null as never));
    expect(ours(span).parentSpanId).to.equal(parent.spanId);
    span.end();
    parent.finish();
  });
});

describe('AuditTracerProvider keeps a bounded number of tracers', () => {
  const bridge = useBridge();

  it(`keeps ${MAX_CACHED_TRACERS}, then makes tracers afresh with one warning`, () => {
    forgetWarning('opentelemetry.tracers');
    const provider = trace.getTracerProvider();
    for (let i = 0; i < MAX_CACHED_TRACERS; i++) provider.getTracer(`lib-${i}`);
    expect(provider.getTracer('lib-0')).to.equal(provider.getTracer('lib-0'));
    const extra = provider.getTracer('one too many');
    expect(provider.getTracer('one too many')).to.not.equal(extra);
    expect(bridge.warnings.filter((w) => w.includes(`more than ${MAX_CACHED_TRACERS} distinct tracers`))).to.have.length(1);
    const span = extra.startSpan('still works');
    expect((ours(span) as AuditSpan).instrumentationScope?.name).to.equal('one too many');
    span.end();
  });
});
