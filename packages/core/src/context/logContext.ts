import { isValidSpanId, isValidTraceId } from '../ids.js';
import type { Span } from '../types.js';
import { getActiveSpan } from './global.js';

/**
 * The fields that tie a log record to its span, named as in the OpenTelemetry log data model and as
 * `@opentelemetry/instrumentation-pino` and `-winston` write them, so existing log pipelines find them.
 * https://opentelemetry.io/docs/specs/otel/logs/data-model/#field-traceid
 */
export interface LogContext {
  /** 32 lowercase hex characters. */
  trace_id: string;
  /** 16 lowercase hex characters. */
  span_id: string;
  /** The W3C trace-flags byte as two lowercase hex digits: bit 0 is set (`01`, `03`) when the trace is sampled. */
  trace_flags: string;
}

// Every flags byte as two hex digits, made once: a log line allocates no string for it. OpenTelemetry writes
// `0${flags.toString(16)}`, the same text for every byte below 0x10 (the only ones W3C defines so far).
const FLAGS_HEX: readonly string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

// Spans whose ids were found valid. A span's ids never change, and the two regular expressions cost several
// times what the rest of a call does, so each span is checked once, not on every log line.
const CHECKED = new WeakSet<Span>();

/**
 * The trace fields of the active span for a log record: `{ trace_id, span_id, trace_flags }`, a new object
 * each call (loggers may add to it). `undefined` when no span is active, tracing is suppressed, or the span's ids
 * are not valid: nothing is allocated then, and `{ ...logContext() }` or `Object.assign(record, logContext())`
 * still work. A span that is not sampled still gives its ids (bit 0 of `trace_flags` clear): they still tie
 * a request's log lines together, across services too, as with OpenTelemetry's log instrumentations.
 */
export function logContext(): LogContext | undefined {
  const span = getActiveSpan();
  if (span === undefined) return undefined;
  if (!CHECKED.has(span)) {
    if (!isValidTraceId(span.traceId) || !isValidSpanId(span.spanId)) return undefined;
    CHECKED.add(span);
  }
  return { trace_id: span.traceId, span_id: span.spanId, trace_flags: FLAGS_HEX[span.traceFlags & 0xff]! };
}
