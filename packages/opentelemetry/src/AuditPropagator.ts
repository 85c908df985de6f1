import type { AuditTracer, HeaderCarrier, IncomingHeaders, TraceContext } from '@audit-tracing/core';
import { createTraceState, trace, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import { auditSpanOf } from './BridgeContextManager.js';
import { REMOTE_PARENT_KEY } from './remoteParent.js';

/**
 * OpenTelemetry's `TextMapPropagator` backed by a tracer's own propagators: `propagation.inject` writes the
 * headers our outbound instrumentation writes (W3C `traceparent`/`tracestate`, `x-trace-id`, B3… as configured),
 * and `propagation.extract` reads every format our server adapters read.
 */
export class AuditPropagator implements TextMapPropagator {
  constructor(private readonly tracer: AuditTracer) {}

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const span = auditSpanOf(trace.getSpan(context));
    if (span === undefined) return;
    // OpenTelemetry's setters only set: a propagator there overwrites what the carrier has, and so does this one.
    const target: HeaderCarrier = {
      set: (name: string, value: string) => setter.set(carrier, name, value),
      has: () => false,
    };
    this.tracer.propagator.inject(span, target);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const headers: IncomingHeaders = { get: (name: string) => getter.get(carrier, name) };
    const remote = this.tracer.extractContext(headers);
    if (remote === null) return context;
    const spanContext = trace.wrapSpanContext({
      traceId: remote.traceId,
      spanId: remote.spanId,
      traceFlags: remote.traceFlags,
      isRemote: true,
      ...(remote.traceState === undefined ? {} : { traceState: createTraceState(remote.traceState) }),
    });
    return trace.setSpan(context, spanContext).setValue(REMOTE_PARENT_KEY, remote satisfies TraceContext);
  }

  fields(): string[] {
    return [...this.tracer.propagator.fields()];
  }
}
