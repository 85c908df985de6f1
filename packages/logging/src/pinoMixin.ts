import { resolveLogKeys, traceFields, type LogCorrelationOptions } from './traceFields.js';

/**
 * A pino `mixin`: every line written while a span is active carries its `trace_id`, `span_id` and
 * `trace_flags`, as `@opentelemetry/instrumentation-pino` writes them. `pino({ mixin: pinoMixin() })`.
 *
 * The mixin runs inside the log call, so the span is the caller's even after `await`. Fields passed in the call
 * win (pino's default `mixinMergeStrategy`). To add fields of your own, call `logContext()` from your mixin
 * instead: `mixin: () => ({ ...logContext(), tenant })`.
 */
export function pinoMixin(options?: LogCorrelationOptions): () => Record<string, string> {
  const keys = resolveLogKeys('pinoMixin', options);
  // A new empty object without a span: pino merges the call's fields into what the mixin returns.
  return function auditTracingPinoMixin(): Record<string, string> {
    return traceFields(keys) ?? {};
  };
}
