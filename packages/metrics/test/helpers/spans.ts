import { AuditTracer, type SpanKind, type SpanStatusCode } from '@audit-tracing/core';
import type { MetricsSpanProcessor } from '@audit-tracing/metrics';

/** A tracer whose only processor is `metrics`: spans go through the real tracer and reach `onEnd` as records. */
export function tracerWith(metrics: MetricsSpanProcessor, serviceName = 'shop'): AuditTracer {
  return new AuditTracer({ serviceName, exporterType: 'none', processors: [metrics] });
}

export interface EndedSpan {
  traceId: string;
  spanId: string;
}

/** Starts and ends a span that lasted `ms`, ending at `endTime` (default: now). */
export function endSpan(
  tracer: AuditTracer,
  name: string,
  ms: number,
  options: { kind?: SpanKind; status?: SpanStatusCode; endTime?: number } = {},
): EndedSpan {
  const endTime = options.endTime ?? Date.now();
  const span = tracer.startSpan(name, undefined, { kind: options.kind ?? 'server', startTime: endTime - ms, root: true });
  if (options.status !== undefined && options.status !== 'OK') span.setStatus(options.status);
  span.finish(endTime);
  return { traceId: span.traceId, spanId: span.spanId };
}
