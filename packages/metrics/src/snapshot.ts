import type { SpanKind, SpanStatusCode } from '@audit-tracing/core';
import type { Exemplar } from './Exemplar.js';
import type { Series } from './Series.js';
import { quantileOf, windowOf } from './window.js';

/** The quantiles reported per series, over the sliding window. */
export const QUANTILES: readonly number[] = Object.freeze([0.5, 0.9, 0.95, 0.99]);

/** One series in a snapshot. Counts, sum and buckets run since the processor started; the rest covers the window. */
export interface SeriesSnapshot {
  /** Empty for the overflow series. */
  readonly service: string;
  /** Empty for the overflow series. */
  readonly operation: string;
  readonly kind: SpanKind;
  readonly status: SpanStatusCode;
  /** True for a series that took spans once `maxSeries` was reached (OpenTelemetry's `otel.metric.overflow`). */
  readonly overflow: boolean;
  readonly count: number;
  /** Sum of durations, ms. */
  readonly sum: number;
  /** Per bucket of `boundaries` and one over the top: how many spans fell in it (not cumulative). */
  readonly buckets: readonly number[];
  /** Per bucket: its latest span, or null. */
  readonly exemplars: readonly (Exemplar | null)[];
  readonly window: {
    readonly count: number;
    /** Spans per second over the time the window covers. */
    readonly rate: number;
    readonly min: number | null;
    readonly max: number | null;
    /** `QUANTILES` from the sketch, keyed `p50`, `p90`, `p95`, `p99`; null when the window is empty. */
    readonly percentiles: Readonly<Record<string, number | null>>;
    /** The slowest spans of the window, slowest first. */
    readonly slowest: readonly Exemplar[];
  };
  /** The latest failed spans, newest first (empty for status OK). */
  readonly failed: readonly Exemplar[];
}

/** `MetricsSpanProcessor.snapshot()`: plain data, ready for `JSON.stringify`. */
export interface MetricsSnapshot {
  /** When it was taken, epoch ms. */
  readonly time: number;
  /** When the processor started counting, epoch ms. */
  readonly startTime: number;
  readonly windowMs: number;
  /** Histogram bucket boundaries, ms (OpenTelemetry's defaults). */
  readonly boundaries: readonly number[];
  readonly series: readonly SeriesSnapshot[];
  /** Spans counted in an overflow series because `maxSeries` was reached. */
  readonly overflowSpans: number;
  /** `onBottleneck` callbacks that threw. */
  readonly callbackErrors: number;
}

export const percentileKey = (q: number) => `p${Math.round(q * 100)}`;

/** `coveredMs`: how much time the window spans at `time` (less than `windowMs` early on and within the newest slice). */
export function seriesSnapshot(series: Series, time: number, coveredMs: number): SeriesSnapshot {
  const stats = windowOf([series], time);
  const exemplars: (Exemplar | null)[] = [];
  for (let i = 0; i < series.buckets.length; i++) {
    const traceId = series.exemplarTraceIds[i];
    exemplars.push(traceId === undefined ? null : { traceId, spanId: series.exemplarSpanIds[i]!, value: series.exemplarValues[i], time: series.exemplarTimes[i] });
  }
  const percentiles: Record<string, number | null> = {};
  for (const q of QUANTILES) percentiles[percentileKey(q)] = stats.count === 0 ? null : quantileOf(stats, q);
  return {
    service: series.service,
    operation: series.operation,
    kind: series.kind,
    status: series.status,
    overflow: series.overflow,
    count: series.count,
    sum: series.sum,
    buckets: Array.from(series.buckets),
    exemplars,
    window: {
      count: stats.count,
      rate: coveredMs > 0 ? stats.count / (coveredMs / 1000) : 0,
      min: stats.count === 0 ? null : stats.min,
      max: stats.count === 0 ? null : stats.max,
      percentiles,
      slowest: stats.slowest,
    },
    failed: series.recentFailures(),
  };
}
