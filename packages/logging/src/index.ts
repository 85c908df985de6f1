// The public surface of @audit-tracing/logging: trace ids in pino and winston log lines.
export type { LogCorrelationOptions, LogKeys } from './traceFields.js';
export { DEFAULT_LOG_KEYS } from './traceFields.js';
export { pinoMixin } from './pinoMixin.js';
export type { WinstonFormat } from './winstonFormat.js';
export { winstonFormat } from './winstonFormat.js';
export type { WritableLogger } from './correlateWinston.js';
export { correlateWinston } from './correlateWinston.js';
// Core's own, re-exported for convenience: the fields for a logger of your own, and the option error's code.
export type { LogContext } from '@audit-tracing/core';
export { ERR_INVALID_OPTION, logContext } from '@audit-tracing/core';
