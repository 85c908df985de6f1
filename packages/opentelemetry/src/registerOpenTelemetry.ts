import { getGlobalTracer, invalidOption, unknownOption, type AuditTracer } from '@audit-tracing/core';
import { context, propagation, trace, type ProxyTracerProvider } from '@opentelemetry/api';
import { AuditPropagator } from './AuditPropagator.js';
import { AuditTracerProvider } from './AuditTracerProvider.js';
import { BridgeContextManager } from './BridgeContextManager.js';

export interface OpenTelemetryOptions {
  /** The tracer whose pipeline receives the spans made through `@opentelemetry/api`. Default: the global tracer. */
  tracer?: AuditTracer;
}

/** The code of the error thrown when `@opentelemetry/api` already has a global of its own. */
export const ERR_OPENTELEMETRY_REGISTERED = 'AUDIT_TRACING_ERR_OPENTELEMETRY_REGISTERED';

const KNOWN_OPTIONS = ['tracer'];

function alreadyRegistered(what: string): Error {
  const error = new Error(
    `registerOpenTelemetry: @opentelemetry/api already has a global ${what} (an OpenTelemetry SDK, or an earlier registerOpenTelemetry not undone); nothing was registered. Undo the earlier registration first (call the function it returned, or trace.disable(), context.disable() and propagation.disable())`,
  ) as Error & { code: string };
  error.code = ERR_OPENTELEMETRY_REGISTERED;
  return error;
}

function checkTracer(value: unknown): AuditTracer {
  const tracer = value as Partial<AuditTracer> | null;
  if (tracer === null || typeof tracer !== 'object' || typeof tracer.startSpan !== 'function' || typeof tracer.extractContext !== 'function' || typeof tracer.propagator?.inject !== 'function') {
    throw invalidOption('registerOpenTelemetry', 'tracer', 'an AuditTracer', value);
  }
  return tracer as AuditTracer;
}

/**
 * Makes `@opentelemetry/api` speak to audit-tracing: registers a tracer provider backed by `tracer`, a context
 * manager bridged to ours (OpenTelemetry's active span and `getActiveSpan()` are one) and a propagator backed
 * by the tracer's propagators. Libraries and instrumentations written for the API then put their spans in our
 * traces, exported by our pipeline under their own instrumentation scope.
 *
 * Returns the function that undoes it all. Throws when the API already has a global tracer provider, context
 * manager or propagator, having registered nothing.
 */
export function registerOpenTelemetry(options: OpenTelemetryOptions = {}): () => void {
  if (options === null || typeof options !== 'object') throw invalidOption('registerOpenTelemetry', '', 'an options object', options);
  for (const key of Object.keys(options)) if (!KNOWN_OPTIONS.includes(key)) throw unknownOption('registerOpenTelemetry', key, KNOWN_OPTIONS);
  const tracer = options.tracer === undefined ? getGlobalTracer() : checkTracer(options.tracer);

  const provider = new AuditTracerProvider(tracer);
  const contextManager = new BridgeContextManager();
  if (!trace.setGlobalTracerProvider(provider)) throw alreadyRegistered('tracer provider');
  if (!context.setGlobalContextManager(contextManager)) {
    trace.disable();
    throw alreadyRegistered('context manager');
  }
  if (!propagation.setGlobalPropagator(new AuditPropagator(tracer))) {
    trace.disable();
    context.disable();
    throw alreadyRegistered('propagator');
  }

  let registered = true;
  return function unregisterOpenTelemetry(): void {
    if (!registered) return;
    registered = false;
    provider.disable();
    // Only while the globals are still these: after a trace.disable() by someone else, theirs are left alone.
    if ((trace.getTracerProvider() as ProxyTracerProvider).getDelegate?.() !== provider) return;
    trace.disable();
    context.disable();
    propagation.disable();
  };
}
