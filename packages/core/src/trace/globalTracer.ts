import { coreState } from '../globalState.js';
import type { Span } from '../types.js';
import { AuditTracer } from './AuditTracer.js';

// Kept with the context, shared with every compatible copy of core (globalState.ts).

/** Makes `tracer` the one adapters and `trace` use when they are given none and no span is active. */
export function setGlobalTracer(tracer: AuditTracer | undefined): void {
  coreState.globalTracer = tracer;
}

/** The process-wide tracer; created on first use from the environment (OTEL_* variables) when none was set. */
export function getGlobalTracer(): AuditTracer {
  coreState.globalTracer ??= new AuditTracer();
  // Another copy's tracer when a compatible copy of core set it first: same major, same shape.
  return coreState.globalTracer as AuditTracer;
}

/**
 * The tracer that started `span` (while the span is live), else the global one: what a span started inside a
 * request uses when it is given no tracer, so that it joins its parent's service and propagation settings.
 */
export function tracerOf(span: Span | undefined): AuditTracer {
  const owner = (span as { _owner?: unknown } | undefined)?._owner;
  return owner instanceof AuditTracer ? owner : getGlobalTracer();
}
