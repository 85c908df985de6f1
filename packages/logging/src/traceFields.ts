import { invalidOption, logContext, unknownOption } from '@audit-tracing/core';

/**
 * The record field each id is written to. Same shape as `logKeys` of `@opentelemetry/instrumentation-pino`.
 * Default `{ traceId: 'trace_id', spanId: 'span_id', traceFlags: 'trace_flags' }`.
 */
export interface LogKeys {
  traceId: string;
  spanId: string;
  traceFlags: string;
}

/** Options of `pinoMixin`, `winstonFormat` and `correlateWinston`. */
export interface LogCorrelationOptions {
  /** Other field names, for a pipeline that expects them (`traceId`, `dd.trace_id`…). */
  logKeys?: LogKeys;
}

/** The OpenTelemetry log data model names, as core's `logContext()` returns them. */
export const DEFAULT_LOG_KEYS: Readonly<LogKeys> = Object.freeze({ traceId: 'trace_id', spanId: 'span_id', traceFlags: 'trace_flags' });

const OPTIONS = ['logKeys'];
const KEYS = ['traceId', 'spanId', 'traceFlags'] as const;

/** Checks the options once, at set-up; `undefined` means the default names. */
export function resolveLogKeys(owner: string, options: LogCorrelationOptions | undefined): Readonly<LogKeys> | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') throw invalidOption(owner, 'options', 'an object', options);
  for (const name of Object.keys(options)) if (!OPTIONS.includes(name)) throw unknownOption(owner, name, OPTIONS);
  const keys = options.logKeys;
  if (keys === undefined) return undefined;
  if (keys === null || typeof keys !== 'object') throw invalidOption(owner, 'logKeys', 'an object { traceId, spanId, traceFlags }', keys);
  for (const name of Object.keys(keys)) if (!(KEYS as readonly string[]).includes(name)) throw unknownOption(`${owner}.logKeys`, name, KEYS);
  for (const name of KEYS) {
    if (typeof keys[name] !== 'string' || keys[name] === '') throw invalidOption(owner, `logKeys.${name}`, 'a non-empty string', keys[name]);
  }
  if (new Set(KEYS.map((name) => keys[name])).size !== KEYS.length) {
    throw invalidOption(owner, 'logKeys', 'three different field names', keys, KEYS.map((name) => JSON.stringify(keys[name])).join(', '));
  }
  return keys.traceId === DEFAULT_LOG_KEYS.traceId && keys.spanId === DEFAULT_LOG_KEYS.spanId && keys.traceFlags === DEFAULT_LOG_KEYS.traceFlags
    ? undefined
    : Object.freeze({ traceId: keys.traceId, spanId: keys.spanId, traceFlags: keys.traceFlags });
}

/** The active span's fields under `keys` (default names when undefined); `undefined` without a valid span. */
export function traceFields(keys: Readonly<LogKeys> | undefined): Record<string, string> | undefined {
  const fields = logContext();
  if (fields === undefined || keys === undefined) return fields as Record<string, string> | undefined;
  return { [keys.traceId]: fields.trace_id, [keys.spanId]: fields.span_id, [keys.traceFlags]: fields.trace_flags };
}

/**
 * Writes the active span's fields into `record`, leaving alone any field the record already has: what the
 * caller passed, a child logger's bindings and default metadata win. Returns `record`.
 */
export function addTraceFields<T extends object>(record: T, keys: Readonly<LogKeys> | undefined): T {
  const fields = traceFields(keys);
  if (fields === undefined) return record;
  const target = record as Record<string, unknown>;
  for (const key in fields) if (target[key] === undefined) target[key] = fields[key];
  return record;
}
