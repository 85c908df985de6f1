import { expect } from 'chai';
import { SpanStore, spanLine } from '../src/SpanStore.js';
import { checkoutTrace, nextTraceId, record } from './helpers/spans.js';

describe('SpanStore', () => {
  it('groups spans by trace and keeps the summary the list shows', () => {
    const store = new SpanStore({ maxSpans: 100, maxBytes: 1e9 });
    const spans = checkoutTrace(1000, { failPricing: true });
    expect(store.add(spans)).to.equal(6);
    const trace = store.get(spans[0].traceId)!;
    expect(trace.spans).to.have.length(6);
    expect(trace).to.include({ start: 1000, end: 1040, errorCount: 5 });
    expect(Object.fromEntries(trace.services)).to.deep.equal({ gateway: 2, inventory: 3, pricing: 1 });
    expect(trace.bytes).to.equal(spans.reduce((total, span) => total + spanLine(span).length, 0));
  });

  it('ignores a span received twice', () => {
    const store = new SpanStore({ maxSpans: 100, maxBytes: 1e9 });
    const spans = checkoutTrace(1000);
    store.add(spans);
    expect(store.add([spans[2]])).to.equal(0);
    expect(store.getStats()).to.include({ spans: 6, duplicates: 1 });
  });

  it('evicts whole traces, the one written to longest ago first, to stay within the span limit', () => {
    const store = new SpanStore({ maxSpans: 13, maxBytes: 1e9 });
    const [a, b, c] = [checkoutTrace(1000), checkoutTrace(2000), checkoutTrace(3000)];
    store.add(a);
    store.add(b);
    // a gets one more span: it is now the most recently written, so b goes when c arrives.
    store.add([record({ traceId: a[0].traceId, parentSpanId: a[0].spanId, name: 'late', service: 'gateway', start: 1030, duration: 1 })]);
    store.add(c);
    expect(store.get(b[0].traceId)).to.equal(undefined);
    expect(store.get(a[0].traceId)!.spans).to.have.length(7);
    expect(store.get(c[0].traceId)!.spans).to.have.length(6);
    expect(store.getStats()).to.include({ traces: 2, spans: 13, evictedTraces: 1, evictedSpans: 6 });
  });

  it('evicts to stay within the byte limit, and refuses a span larger than the whole limit', () => {
    const one = checkoutTrace(1000);
    const bytes = one.reduce((total, span) => total + spanLine(span).length, 0);
    const store = new SpanStore({ maxSpans: 1e6, maxBytes: Math.floor(bytes * 2.5) });
    for (let i = 0; i < 10; i++) store.add(checkoutTrace(2000 + i));
    const stats = store.getStats();
    expect(stats.traces).to.equal(2);
    expect(stats.bytes).to.be.at.most(bytes * 2.5);
    const huge = record({ traceId: nextTraceId(), name: 'x'.repeat(bytes * 3), service: 's', start: 1, duration: 1 });
    expect(store.add([huge])).to.equal(0);
    expect(store.getStats().tooLarge).to.equal(1);
  });
});

describe('SpanStore, spans that are not JSON', () => {
  it('skips and counts a span whose log fields cannot be written, keeping the rest of the batch', () => {
    const store = new SpanStore({ maxSpans: 100, maxBytes: 1e9 });
    const [good, ...rest] = checkoutTrace(1000);
    const bad = { ...rest[0], logs: [{ timestamp: 1, level: 'info' as const, message: 'x', fields: { big: 1n } }] };
    expect(store.add([good, bad, rest[1]])).to.equal(2);
    expect(store.getStats()).to.include({ spans: 2, unserializable: 1 });
  });
});
