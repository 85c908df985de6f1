import type { ReadableSpan } from '../types.js';

/** What a span counts against a byte budget when it carries no estimate (a record made outside our tracer). */
export const UNKNOWN_SPAN_BYTES = 1024;

/** The span's estimated size in bytes, for the byte budgets of the export queue and the ring of recent spans. */
export function spanBytes(span: ReadableSpan): number {
  return span.estimatedBytes ?? UNKNOWN_SPAN_BYTES;
}
