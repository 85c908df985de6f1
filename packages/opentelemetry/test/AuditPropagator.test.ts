import { expect } from 'chai';
import { AuditTracer, getActiveSpan, InMemoryExporter, withSpan } from '@audit-tracing/core';
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { registerOpenTelemetry } from '../src/index.js';
import { useBridge } from './helpers/bridge.js';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('AuditPropagator: propagation.inject/extract with our propagators', () => {
  const bridge = useBridge();

  it('inject writes the headers our tracer writes, for the span of the context', () => {
    const span = bridge.tracer.startSpan('outbound');
    const theirs: Record<string, string> = {};
    propagation.inject(trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ traceId: span.traceId, spanId: span.spanId, traceFlags: span.traceFlags })), theirs);
    const fromActive: Record<string, string> = {};
    withSpan(span, () => propagation.inject(context.active(), fromActive));
    const mine = bridge.tracer.injectHeaders(span);
    expect(Object.keys(mine)).to.include.members(['traceparent', 'x-trace-id']);
    expect(fromActive).to.deep.equal(mine);
    expect(theirs.traceparent).to.equal(mine.traceparent);
    span.finish();
  });

  it('inject writes nothing without a valid span', () => {
    const carrier: Record<string, string> = {};
    propagation.inject(ROOT_CONTEXT, carrier);
    propagation.inject(trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 1 })), carrier);
    expect(carrier).to.deep.equal({});
  });

  it('extract reads what our tracer reads, and a span started under it continues that trace', () => {
    const headers = { traceparent: TRACEPARENT, tracestate: 'vendor=a' };
    const extracted = propagation.extract(ROOT_CONTEXT, headers);
    const remote = trace.getSpanContext(extracted)!;
    const ours = bridge.tracer.extractContext(headers)!;
    expect(remote).to.deep.include({ traceId: ours.traceId, spanId: ours.spanId, traceFlags: ours.traceFlags, isRemote: true });
    expect(remote.traceState?.serialize()).to.equal('vendor=a');
    const child = trace.getTracer('t').startSpan('server', {}, extracted);
    expect(child.spanContext().traceId).to.equal(ours.traceId);
    context.with(extracted, () => expect(getActiveSpan()?.traceId).to.equal(ours.traceId));
    child.end();
  });

  it('an x-trace-id correlation id survives the trip through an OpenTelemetry context', () => {
    const extracted = propagation.extract(ROOT_CONTEXT, { 'x-trace-id': '123e4567-e89b-12d3-a456-426614174000' });
    const span = trace.getTracer('t').startSpan('continued', {}, extracted);
    const downstream: Record<string, string> = {};
    propagation.inject(trace.setSpan(ROOT_CONTEXT, span), downstream);
    expect(downstream['x-trace-id']).to.equal('123e4567-e89b-12d3-a456-426614174000');
    span.end();
  });

  it('so does it when the extracted context is made active and our own API starts the span', () => {
    const extracted = propagation.extract(ROOT_CONTEXT, { 'x-trace-id': '123e4567-e89b-12d3-a456-426614174000' });
    let parentSpanId: string | undefined = 'unset';
    const downstream = context.with(extracted, () => {
      const span = bridge.tracer.startSpan('ours under theirs');
      parentSpanId = span.parentSpanId;
      span.finish();
      return bridge.tracer.injectHeaders(span);
    });
    expect(downstream['x-trace-id']).to.equal('123e4567-e89b-12d3-a456-426614174000');
    // the header named a trace but no span: the span continues the trace as its root, under no invented parent
    expect(parentSpanId).to.equal(undefined);
  });

  it('extract leaves the context as it is for missing or malformed headers', () => {
    expect(propagation.extract(ROOT_CONTEXT, {})).to.equal(ROOT_CONTEXT);
    expect(propagation.extract(ROOT_CONTEXT, { traceparent: '00-xyz' })).to.equal(ROOT_CONTEXT);
  });

  it('fields() names the headers of our propagators', () => {
    expect(propagation.fields()).to.have.members([...bridge.tracer.propagator.fields()]);
  });
});

describe('AuditPropagator with B3 configured', () => {
  it('injects and extracts B3 as our tracer does', () => {
    const tracer = new AuditTracer({ serviceName: 'b3', exporter: new InMemoryExporter(), propagators: ['b3multi'] });
    const unregister = registerOpenTelemetry({ tracer });
    try {
      const span = tracer.startSpan('b3');
      const carrier: Record<string, string> = {};
      withSpan(span, () => propagation.inject(context.active(), carrier));
      expect(carrier).to.deep.equal(tracer.injectHeaders(span));
      expect(carrier).to.have.property('x-b3-traceid', span.traceId);
      const extracted = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, carrier));
      expect(extracted?.spanId).to.equal(span.spanId);
    } finally {
      unregister();
    }
  });
});
