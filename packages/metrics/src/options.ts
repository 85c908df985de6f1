import { DEFAULT_BOTTLENECK_THRESHOLDS, invalidOption, now, unknownOption, type BottleneckThresholds } from '@audit-tracing/core';
import { WINDOW_SLICES } from './Series.js';

/** Options of `new MetricsSpanProcessor(options)`. Invalid ones throw a TypeError with `code === ERR_INVALID_OPTION`. */
export interface MetricsOptions {
  /**
   * Series (service, operation, kind, status) kept at most; spans of further series are counted in one overflow
   * series per kind and status. Operation names can come from requests, so this bounds memory. Default 500.
   */
  maxSeries?: number;
  /** The sliding window of rates, percentiles and bottleneck alerts, in ms. Default 60 000. */
  windowMs?: number;
  /** p95 thresholds (ms) of MEDIUM, HIGH and CRITICAL. Default `DEFAULT_BOTTLENECK_THRESHOLDS` (100, 500, 2000). */
  thresholds?: Partial<BottleneckThresholds>;
  /** Spans an operation needs in the window before it can raise an alert. Default 20. */
  minSamples?: number;
  /** While an operation stays HIGH or CRITICAL, it is reported again after this long, in ms. Default 300 000. */
  cooldownMs?: number;
  /** How often operations are checked once an `onBottleneck` callback is registered, in ms. Default 1000. */
  checkIntervalMs?: number;
  /** The clock the window moves by, epoch ms; the same one spans end by. Default core's `now()` (for tests, replays). */
  clock?: () => number;
}

export const DEFAULT_MAX_SERIES = 500;
export const DEFAULT_WINDOW_MS = 60_000;
export const DEFAULT_MIN_SAMPLES = 20;
export const DEFAULT_COOLDOWN_MS = 300_000;
export const DEFAULT_CHECK_INTERVAL_MS = 1000;

export interface ResolvedMetricsOptions {
  readonly maxSeries: number;
  readonly windowMs: number;
  readonly thresholds: Readonly<BottleneckThresholds>;
  readonly minSamples: number;
  readonly cooldownMs: number;
  readonly checkIntervalMs: number;
  readonly clock: () => number;
}

const OWNER = 'MetricsSpanProcessor';
const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['maxSeries', 'windowMs', 'thresholds', 'minSamples', 'cooldownMs', 'checkIntervalMs', 'clock']);
const KNOWN_THRESHOLDS: ReadonlySet<string> = new Set(['medium', 'high', 'critical']);

function positiveInteger(option: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw invalidOption(OWNER, option, `an integer ≥ ${min}`, value);
  return value;
}

function resolveThresholds(value: unknown): Readonly<BottleneckThresholds> {
  if (value === undefined) return DEFAULT_BOTTLENECK_THRESHOLDS;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidOption(OWNER, 'thresholds', 'an object with medium, high and critical (ms)', value);
  for (const key of Object.keys(value)) if (!KNOWN_THRESHOLDS.has(key)) throw unknownOption(`${OWNER}.thresholds`, key, KNOWN_THRESHOLDS);
  const merged = { ...DEFAULT_BOTTLENECK_THRESHOLDS, ...(value as Partial<BottleneckThresholds>) };
  for (const key of KNOWN_THRESHOLDS) {
    const ms = merged[key as keyof BottleneckThresholds];
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw invalidOption(OWNER, `thresholds.${key}`, 'a finite number of ms ≥ 0', ms);
  }
  if (!(merged.medium <= merged.high && merged.high <= merged.critical)) {
    throw invalidOption(OWNER, 'thresholds', 'medium ≤ high ≤ critical', value, `${merged.medium}, ${merged.high}, ${merged.critical}`);
  }
  return Object.freeze(merged);
}

/** Checks every option once, at set-up, and fills in the defaults. */
export function resolveMetricsOptions(options: MetricsOptions | undefined): ResolvedMetricsOptions {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') throw invalidOption(OWNER, '', 'an options object', options);
  for (const key of Object.keys(options)) if (!KNOWN_OPTIONS.has(key)) throw unknownOption(OWNER, key, KNOWN_OPTIONS);
  const { clock = now } = options;
  if (typeof clock !== 'function') throw invalidOption(OWNER, 'clock', 'a function returning epoch ms', clock);
  return {
    maxSeries: positiveInteger('maxSeries', options.maxSeries, DEFAULT_MAX_SERIES),
    // At least one ms per slice, so that slices have distinct ids.
    windowMs: positiveInteger('windowMs', options.windowMs, DEFAULT_WINDOW_MS, WINDOW_SLICES),
    thresholds: resolveThresholds(options.thresholds),
    minSamples: positiveInteger('minSamples', options.minSamples, DEFAULT_MIN_SAMPLES),
    cooldownMs: positiveInteger('cooldownMs', options.cooldownMs, DEFAULT_COOLDOWN_MS, 0),
    checkIntervalMs: positiveInteger('checkIntervalMs', options.checkIntervalMs, DEFAULT_CHECK_INTERVAL_MS),
    clock,
  };
}
