import { expect } from 'chai';
import { AuditTracer, ERR_INVALID_OPTION, getActiveSpan, InMemoryExporter } from '@audit-tracing/core';
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { AuditPropagator, AuditTracerProvider, ERR_OPENTELEMETRY_REGISTERED, registerOpenTelemetry } from '../src/index.js';

function newTracer() {
  const exporter = new InMemoryExporter();
  return { exporter, tracer: new AuditTracer({ serviceName: 'register', exporter, processor: 'simple' }) };
}

describe('registerOpenTelemetry', () => {
  afterEach(() => {
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('registers a tracer provider, a context manager and a propagator, and the returned function undoes all three', async () => {
    const { tracer, exporter } = newTracer();
    const unregister = registerOpenTelemetry({ tracer });
    const provider = trace.getTracerProvider() as unknown as { getDelegate(): unknown };
    expect(provider.getDelegate()).to.be.instanceOf(AuditTracerProvider);
    expect(propagation.fields()).to.include('traceparent');
    const span = trace.getTracer('t').startSpan('registered');
    context.with(trace.setSpan(ROOT_CONTEXT, span), () => expect(getActiveSpan()?.spanId).to.equal(span.spanContext().spanId));
    span.end();

    unregister();
    unregister(); // idempotent
    expect(trace.getTracer('t').startSpan('after').isRecording()).to.equal(false);
    expect(propagation.fields()).to.deep.equal([]);
    const later = trace.getTracer('t').startSpan('later');
    context.with(trace.setSpan(ROOT_CONTEXT, later), () => expect(getActiveSpan()).to.equal(undefined));
    await tracer.forceFlush();
    expect(exporter.getFinishedSpans().map((s) => s.operationName)).to.deep.equal(['registered']);
  });

  it('tracers instrumentations kept follow the registration: undone, they make what the global provider makes', async () => {
    const first = newTracer();
    let unregister = registerOpenTelemetry({ tracer: first.tracer });
    const kept = trace.getTracer('@example/instrumentation'); // a ProxyTracer, as instrumentations keep
    kept.startSpan('first').end();
    unregister();
    kept.startSpan('nowhere').end();
    const second = newTracer();
    unregister = registerOpenTelemetry({ tracer: second.tracer });
    kept.startSpan('second').end();
    unregister();
    await Promise.all([first.tracer.forceFlush(), second.tracer.forceFlush()]);
    expect(first.exporter.getFinishedSpans().map((s) => s.operationName)).to.deep.equal(['first']);
    expect(second.exporter.getFinishedSpans().map((s) => s.operationName)).to.deep.equal(['second']);
  });

  it("throws, registering nothing, when the API already has another provider (OpenTelemetry's SDK)", () => {
    trace.setGlobalTracerProvider(new BasicTracerProvider());
    const { tracer } = newTracer();
    expect(() => registerOpenTelemetry({ tracer }))
      .to.throw(/already has a global tracer provider/)
      .with.property('code', ERR_OPENTELEMETRY_REGISTERED);
    expect(propagation.fields()).to.deep.equal([]);
  });

  it('throws while an earlier registration is not undone, leaving the first in place', () => {
    const first = newTracer();
    const unregister = registerOpenTelemetry({ tracer: first.tracer });
    expect(() => registerOpenTelemetry({ tracer: newTracer().tracer })).to.throw(/earlier registerOpenTelemetry not undone/);
    expect((trace.getTracerProvider() as unknown as { getDelegate(): AuditTracerProvider }).getDelegate().tracer).to.equal(first.tracer);
    unregister();
  });

  it('a context manager or propagator registered elsewhere: throws and undoes what it had set', () => {
    propagation.setGlobalPropagator(new AuditPropagator(newTracer().tracer));
    expect(() => registerOpenTelemetry({ tracer: newTracer().tracer })).to.throw(/global propagator/);
    expect(trace.getTracer('t').startSpan('x').isRecording()).to.equal(false);
  });

  it('rejects bad options with the option error', () => {
    for (const [options, message] of [
      [{ tracer: {} }, /registerOpenTelemetry\.tracer: expected an AuditTracer, got an object/],
      [{ tracer: null }, /registerOpenTelemetry\.tracer: expected an AuditTracer, got null/],
      [{ traser: newTracer().tracer }, /registerOpenTelemetry\.traser: unknown option/],
      ['tracer', /registerOpenTelemetry: expected an options object/],
    ] as const) {
      expect(() => registerOpenTelemetry(options as never))
        .to.throw(TypeError, message)
        .with.property('code', ERR_INVALID_OPTION);
    }
  });

  it('uses the global tracer when given none', () => {
    const unregister = registerOpenTelemetry();
    expect((trace.getTracerProvider() as unknown as { getDelegate(): AuditTracerProvider }).getDelegate().tracer).to.be.instanceOf(AuditTracer);
    unregister();
  });
});
