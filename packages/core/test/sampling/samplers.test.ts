import { expect } from 'chai';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  AuditTracer,
  generateTraceId,
  InMemoryExporter,
  ParentBasedSampler,
  TraceIdRatioSampler,
} from '@audit-tracing/core';

describe('samplers', () => {
  it('TraceIdRatioSampler decides the same way for the same trace id in every instance', () => {
    const a = new TraceIdRatioSampler(0.3);
    const b = new TraceIdRatioSampler(0.3);
    for (let i = 0; i < 2000; i++) {
      const id = generateTraceId();
      expect(a.shouldSample(id)).to.equal(b.shouldSample(id));
    }
  });

  it('TraceIdRatioSampler samples about the configured share', () => {
    const sampler = new TraceIdRatioSampler(0.25);
    let sampled = 0;
    const total = 20000;
    for (let i = 0; i < total; i++) if (sampler.shouldSample(generateTraceId())) sampled++;
    expect(sampled / total).to.be.within(0.23, 0.27);
  });

  it('a lower rate samples a subset of what a higher rate samples', () => {
    const low = new TraceIdRatioSampler(0.1);
    const high = new TraceIdRatioSampler(0.5);
    for (let i = 0; i < 2000; i++) {
      const id = generateTraceId();
      if (low.shouldSample(id)) expect(high.shouldSample(id)).to.equal(true);
    }
  });

  it('rejects rates outside 0..1', () => {
    expect(() => new TraceIdRatioSampler(1.5)).to.throw(TypeError, /sampleRate/);
    expect(() => new TraceIdRatioSampler(Number.NaN)).to.throw(TypeError);
  });

  it('ParentBasedSampler honours a parent decision and asks the root otherwise', () => {
    const sampler = new ParentBasedSampler(new AlwaysOffSampler());
    const id = generateTraceId();
    expect(sampler.shouldSample(id, { traceId: id, spanId: '1'.repeat(16), traceFlags: 1, sampled: true })).to.equal(true);
    expect(sampler.shouldSample(id, { traceId: id, spanId: '1'.repeat(16), traceFlags: 0, sampled: false })).to.equal(false);
    expect(sampler.shouldSample(id, { traceId: id, spanId: '1'.repeat(16), traceFlags: 0 })).to.equal(false);
    expect(new ParentBasedSampler(new AlwaysOnSampler()).shouldSample(id, undefined)).to.equal(true);
  });

  it('a tracer at sampleRate 0 still propagates context with flags 00-random', () => {
    const tracer = new AuditTracer({ sampleRate: 0, exporter: new InMemoryExporter(), processor: 'simple' });
    const span = tracer.startSpan('unsampled');
    expect(span.isRecording()).to.equal(false);
    const child = tracer.createChildSpan(span, 'child');
    expect(child.isRecording()).to.equal(false);
    expect(child.traceId).to.equal(span.traceId);
    expect(tracer.injectHeaders(child).traceparent).to.equal(`00-${span.traceId}-${child.spanId}-02`);
    expect(tracer.getActiveSpans()).to.have.length(0);
  });

  it('follows an incoming sampled flag even at sampleRate 0, and an unsampled one at rate 1', () => {
    const zero = new AuditTracer({ sampleRate: 0, exporterType: 'none' });
    const one = new AuditTracer({ sampleRate: 1, exporterType: 'none' });
    const sampled = zero.extractContext({ traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` });
    const unsampled = one.extractContext({ traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-00` });
    expect(zero.startSpan('s', sampled).isRecording()).to.equal(true);
    expect(one.startSpan('s', unsampled).isRecording()).to.equal(false);
  });

  it('two services at the same rate agree on a trace without a sampled flag', () => {
    const a = new AuditTracer({ sampleRate: 0.5, exporterType: 'none' });
    const b = new AuditTracer({ sampleRate: 0.5, exporterType: 'none' });
    for (let i = 0; i < 500; i++) {
      const traceId = generateTraceId();
      const remote = { traceId, spanId: '1'.repeat(16), traceFlags: 0, isRemote: true };
      expect(a.startSpan('x', remote).isRecording()).to.equal(b.startSpan('x', remote).isRecording());
    }
  });
});
