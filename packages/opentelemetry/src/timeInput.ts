import { diag, now } from '@audit-tracing/core';
import type { TimeInput } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';

const MS_PER_SECOND = 1000;
const NS_PER_MS = 1e6;

/**
 * An OpenTelemetry `TimeInput` as our epoch milliseconds, or undefined when it is none (the caller then takes
 * now). As OpenTelemetry's own SDK reads it (`timeInputToHrTime`): a `[seconds, nanoseconds]` pair is epoch time; a
 * number below the process's time origin is a `performance.now()` reading, anything else epoch milliseconds.
 * https://github.com/open-telemetry/opentelemetry-js/blob/main/packages/opentelemetry-core/src/common/time.ts
 */
export function toEpochMs(time: TimeInput | undefined): number | undefined {
  if (time === undefined || time === null) return undefined;
  let ms: number;
  if (typeof time === 'number') ms = time < performance.timeOrigin ? performance.timeOrigin + time : time;
  else if (time instanceof Date) ms = time.getTime();
  else if (Array.isArray(time) && time.length === 2) ms = Number(time[0]) * MS_PER_SECOND + Number(time[1]) / NS_PER_MS;
  else ms = Number.NaN;
  if (Number.isFinite(ms)) return ms;
  diag.warnOnce('opentelemetry.time', 'OpenTelemetry API: a time that is not a number, a Date or [seconds, nanoseconds] was replaced by now (further ones are not reported)');
  return undefined;
}

/** `toEpochMs`, or now for a missing or unreadable time. */
export function epochMsOrNow(time: TimeInput | undefined): number {
  return toEpochMs(time) ?? now();
}
