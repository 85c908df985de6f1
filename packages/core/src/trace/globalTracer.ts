import type { Span } from '../types.js';
import { AuditTracer } from './AuditTracer.js';

let globalTracer: AuditTracer | undefined;

/** Makes `tracer` the one adapters and `trace` use when they are given none and no span is active. */
export function setGlobalTracer(tracer: AuditTracer | undefined): void {
  globalTracer = tracer;
}

/** The process-wide tracer; created on first use from the environment (OTEL_* variables) when none was set. */
export function getGlobalTracer(): AuditTracer {
  globalTracer ??= new AuditTracer();
  return globalTracer;
}

/**
 * The tracer that started `span` (while the span is live), else the global one: what a span started inside a
 * request uses when it is given no tracer, so that it joins its parent's service and propagation settings.
 */
export function tracerOf(span: Span | undefined): AuditTracer {
  const owner = (span as { _owner?: unknown } | undefined)?._owner;
  return owner instanceof AuditTracer ? owner : getGlobalTracer();
}
