import { invalidOption } from '@audit-tracing/core';
import { addTraceFields, resolveLogKeys, type LogCorrelationOptions } from './traceFields.js';

/** The part of a winston logger `correlateWinston` uses. */
export interface WritableLogger {
  write(...args: never[]): unknown;
}

const CORRELATED = Symbol.for('audit-tracing.logging.correlatedWinston');

/**
 * Makes every entry of a winston logger (and of its child loggers, made before or after) carry the
 * `trace_id`, `span_id` and `trace_flags` of the span active in the log call. Fields the entry already has win.
 *
 * Why not only a format: winston runs formats in its stream's transform, which a slow transport defers, so a
 * format can see another request's span. Entries enter the stream through the logger's own `write`, always
 * inside the call: that one method of this one instance is wrapped (no module patching), once.
 */
export function correlateWinston<L extends WritableLogger>(logger: L, options?: LogCorrelationOptions): L {
  const target = logger as unknown as { write?: unknown; [CORRELATED]?: true };
  if (target === null || typeof target !== 'object' || typeof target.write !== 'function') {
    throw invalidOption('correlateWinston', 'logger', 'a winston logger (an object with write())', logger);
  }
  const keys = resolveLogKeys('correlateWinston', options);
  if (target[CORRELATED]) return logger;
  const write = target.write as (this: unknown, ...args: unknown[]) => unknown;
  Object.defineProperty(target, CORRELATED, { value: true });
  target.write = function writeWithTraceContext(this: unknown, info: unknown, ...rest: unknown[]): unknown {
    if (info !== null && typeof info === 'object') addTraceFields(info, keys);
    return write.call(this, info, ...rest);
  };
  return logger;
}
