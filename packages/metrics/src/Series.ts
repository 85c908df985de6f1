import type { SpanKind, SpanStatusCode } from '@audit-tracing/core';
import { bucketIndex, DEFAULT_DURATION_BUCKETS_MS } from './buckets.js';
import { EXEMPLARS_KEPT, keepSlowest, type Exemplar } from './Exemplar.js';
import { createDurationSketch, type DurationSketch } from './sketch.js';

/**
 * Slices of the sliding window. The window moves by one slice at a time: with the default 60 s window, rates,
 * percentiles and alerts cover the last 45 to 60 seconds. Each slice of an active series holds a sketch, so this
 * is also what a series costs in sketches: 4 of them, up to ~8.5 KiB each.
 */
export const WINDOW_SLICES = 4;

const BUCKETS = DEFAULT_DURATION_BUCKETS_MS;

/** One slice of the sliding window: what ended during it. Its sketch is made on its first sample. */
export class WindowSlice {
  /** `floor(time / sliceMs)` of the slice it holds now; -1 for none yet. */
  id = -1;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  sketch: DurationSketch | undefined = undefined;
  readonly slowest: Exemplar[] = [];

  reset(id: number): void {
    this.id = id;
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.sketch = undefined;
    this.slowest.length = 0;
  }
}

/**
 * The metrics of one series (service, operation, kind, status): counts, sum and histogram since the start, the
 * last sample of each bucket as its exemplar, and a sliding window of sketches for rates, percentiles and alerts.
 */
export class Series {
  count = 0;
  sum = 0;
  /** Per bucket (not cumulative): how many samples fell in it. */
  readonly buckets = new Float64Array(BUCKETS.length + 1);
  // The latest sample of each bucket, in parallel arrays so that recording one allocates nothing.
  readonly exemplarTraceIds: (string | undefined)[] = new Array<string | undefined>(BUCKETS.length + 1).fill(undefined);
  readonly exemplarSpanIds: (string | undefined)[] = new Array<string | undefined>(BUCKETS.length + 1).fill(undefined);
  readonly exemplarValues = new Float64Array(BUCKETS.length + 1);
  readonly exemplarTimes = new Float64Array(BUCKETS.length + 1);
  readonly slices: WindowSlice[] = Array.from({ length: WINDOW_SLICES }, () => new WindowSlice());
  /** The latest failed samples, oldest first (a ring of `EXEMPLARS_KEPT`); only for a status other than OK. */
  readonly failed: Exemplar[] | undefined;
  private nextFailed = 0;

  constructor(
    readonly service: string,
    readonly operation: string,
    readonly kind: SpanKind,
    readonly status: SpanStatusCode,
    /** True for the series that takes what arrives once `maxSeries` is reached: it has no service or operation. */
    readonly overflow: boolean,
    private readonly sliceMs: number,
  ) {
    this.failed = status === 'OK' ? undefined : [];
  }

  record(value: number, traceId: string, spanId: string, time: number): void {
    this.count++;
    this.sum += value;
    const bucket = bucketIndex(BUCKETS, value);
    this.buckets[bucket]++;
    this.exemplarTraceIds[bucket] = traceId;
    this.exemplarSpanIds[bucket] = spanId;
    this.exemplarValues[bucket] = value;
    this.exemplarTimes[bucket] = time;

    const id = Math.floor(time / this.sliceMs);
    const slice = this.slices[id % WINDOW_SLICES];
    // A late sample whose slice was already reused counts in the newer one: off by one slice at most.
    if (id > slice.id) slice.reset(id);
    slice.count++;
    slice.sum += value;
    if (value < slice.min) slice.min = value;
    if (value > slice.max) slice.max = value;
    (slice.sketch ??= createDurationSketch()).accept(value);
    keepSlowest(slice.slowest, traceId, spanId, value, time);

    const failed = this.failed;
    if (failed !== undefined) {
      failed[this.nextFailed] = { traceId, spanId, value, time };
      this.nextFailed = (this.nextFailed + 1) % EXEMPLARS_KEPT;
    }
  }

  /** The slices inside the window that ends at `time`. */
  *liveSlices(time: number): Generator<WindowSlice> {
    const newest = Math.floor(time / this.sliceMs);
    for (const slice of this.slices) if (slice.id > newest - WINDOW_SLICES && slice.id <= newest && slice.count > 0) yield slice;
  }

  /** The failed samples, newest first. */
  recentFailures(): Exemplar[] {
    const failed = this.failed;
    if (failed === undefined) return [];
    const out: Exemplar[] = [];
    for (let i = 1; i <= failed.length; i++) out.push(failed[(this.nextFailed - i + EXEMPLARS_KEPT) % EXEMPLARS_KEPT]);
    return out;
  }
}
