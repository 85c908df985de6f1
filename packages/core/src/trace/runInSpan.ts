import { ATTR_ERROR_STACK, ATTR_ERROR_TYPE } from '../semconv.js';
import { getContextManager } from '../context/global.js';
import type { Span } from '../types.js';

/** Marks `span` failed by `error`: status ERROR with the message, and an error log with type and stack. */
export function recordError(span: Span, error: unknown): void {
  const err = error instanceof Error ? error : undefined;
  const message = err ? err.message : String(error);
  span.setStatus('ERROR', message);
  span.log('error', message, { [ATTR_ERROR_TYPE]: err ? err.name : typeof error, [ATTR_ERROR_STACK]: err?.stack });
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Runs `fn` with `span` active and finishes the span when `fn` returns or its promise settles: `OK` on success,
 * `ERROR` (message and stack logged) on a throw or rejection, which is then re-thrown unchanged.
 */
export function runInSpan<T>(span: Span, fn: (span: Span) => T): T {
  let result: T;
  try {
    result = getContextManager().with(span, () => fn(span));
  } catch (error) {
    recordError(span, error);
    span.finish();
    throw error;
  }
  if (isPromiseLike(result)) {
    return Promise.resolve(result).then(
      function onTracedResolve(value) {
        if (span.status.code === 'OK') span.setStatus('OK');
        span.finish();
        return value;
      },
      function onTracedReject(error: unknown) {
        recordError(span, error);
        span.finish();
        throw error;
      },
    ) as T;
  }
  span.finish();
  return result;
}
