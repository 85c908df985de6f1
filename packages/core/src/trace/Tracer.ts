import type { IncomingHeaders } from '../propagation/headers.js';
import type { Span, SpanOptions, TraceContext } from '../types.js';

/** The design's tracer interface. `AuditTracer` implements it. */
export interface Tracer {
  /**
   * Starts a span. Without `parentContext` the active span is the parent; pass `null` (or `{ root: true }`)
   * to start a new trace.
   */
  startSpan(operationName: string, parentContext?: TraceContext | Span | null, options?: SpanOptions): Span;
  createChildSpan(parentSpan: Span, operationName: string, options?: SpanOptions): Span;
  finishSpan(span: Span): void;
  injectContext(span: Span): TraceContext;
  extractContext(headers: IncomingHeaders): TraceContext | null;
}
