// One error for input that is not spans, whatever its format: callers match on `code`, people read the message.
// The message says where (line, byte offset, span index) and what was expected; it never echoes the input.

/** The `code` of every error `readSpans` throws for malformed input. Stable: match on it, not on the message. */
export const ERR_SPAN_DECODE = 'AUDIT_TRACING_ERR_SPAN_DECODE';

/** The Error thrown by `readSpans` for input it cannot read. */
export interface SpanDecodeError extends Error {
  readonly code: typeof ERR_SPAN_DECODE;
}

export function spanDecodeError(message: string): SpanDecodeError {
  const error = new Error(message) as Error & { code: string };
  error.name = 'SpanDecodeError';
  error.code = ERR_SPAN_DECODE;
  return error as SpanDecodeError;
}
