import type { ReadableSpan } from '../types.js';

/** Spans by trace id, traces in order of their first span, spans in the order given. */
export function groupByTrace<T extends ReadableSpan>(spans: Iterable<T>): Map<string, T[]> {
  const traces = new Map<string, T[]>();
  for (const span of spans) {
    const trace = traces.get(span.traceId);
    if (trace) trace.push(span);
    else traces.set(span.traceId, [span]);
  }
  return traces;
}
