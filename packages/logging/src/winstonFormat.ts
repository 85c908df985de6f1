import { addTraceFields, resolveLogKeys, type LogCorrelationOptions } from './traceFields.js';

/**
 * A winston (logform) format, usable wherever `winston.format.*()` is: in `format.combine`, on the logger or on
 * a transport. Structural, so this package never loads winston.
 */
export interface WinstonFormat {
  readonly options: LogCorrelationOptions;
  transform<T extends object>(info: T, options?: unknown): T;
}

/**
 * A winston format adding the active span's `trace_id`, `span_id` and `trace_flags` (as
 * `@opentelemetry/instrumentation-winston` does) to entries that do not already carry them.
 *
 * A format reads the span when winston formats the entry. That is inside the log call until a transport falls
 * behind; from then on winston formats buffered entries later, in whatever request is running then. For a
 * logger with a file, network or other slow transport, use `correlateWinston(logger)`, which reads the span
 * inside the call.
 */
export function winstonFormat(options?: LogCorrelationOptions): WinstonFormat {
  const keys = resolveLogKeys('winstonFormat', options);
  return {
    options: options ?? {},
    transform: function auditTracingWinstonFormat<T extends object>(info: T): T {
      return addTraceFields(info, keys);
    },
  };
}
