import { NonRecordingSpan, TRACE_FLAG_SAMPLED } from '@audit-tracing/core';
import type { Span, SpanContext } from '@opentelemetry/api';

/**
 * How our context sees an OpenTelemetry span that is not one of ours (a remote parent read by a propagator, a
 * span of `trace.wrapSpanContext`) when it is made active: a span that records nothing and carries its ids, flags,
 * state and sampling decision, so that what starts under it continues its trace.
 */
export class ForeignSpan extends NonRecordingSpan {
  /** The OpenTelemetry span it stands for, handed back by the context bridge. */
  readonly otelSpan: Span;
  declare readonly sampled: boolean;
  readonly isRemote: boolean;

  constructor(otelSpan: Span, context: SpanContext, correlationId?: string) {
    super(context.traceId, context.spanId, undefined, '', context.traceFlags, context.traceState?.serialize() || undefined, correlationId);
    this.otelSpan = otelSpan;
    // A parent's decision, as ParentBasedSampler reads it.
    Object.defineProperty(this, 'sampled', { value: (context.traceFlags & TRACE_FLAG_SAMPLED) === TRACE_FLAG_SAMPLED });
    this.isRemote = context.isRemote === true;
  }
}
