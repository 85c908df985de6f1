import { slowestOf, type Exemplar } from './Exemplar.js';
import type { Series } from './Series.js';
import { createDurationSketch, type DurationSketch } from './sketch.js';

/** What one or more series saw in the sliding window that ends at a given time. */
export interface WindowStats {
  count: number;
  errors: number;
  sum: number;
  min: number;
  max: number;
  /** The window's samples merged into one sketch; undefined when there were none. */
  sketch: DurationSketch | undefined;
  slowest: Exemplar[];
}

export function windowOf(series: Iterable<Series>, time: number): WindowStats {
  const stats: WindowStats = { count: 0, errors: 0, sum: 0, min: Infinity, max: -Infinity, sketch: undefined, slowest: [] };
  const slowest: Exemplar[][] = [];
  let merged: DurationSketch | undefined;
  for (const one of series) {
    for (const slice of one.liveSlices(time)) {
      stats.count += slice.count;
      if (one.status !== 'OK') stats.errors += slice.count;
      stats.sum += slice.sum;
      stats.min = Math.min(stats.min, slice.min);
      stats.max = Math.max(stats.max, slice.max);
      if (slice.sketch) stats.sketch = mergeSketch(stats.sketch, slice.sketch, (merged ??= createDurationSketch()));
      slowest.push(slice.slowest);
    }
  }
  stats.slowest = slowestOf(slowest);
  return stats;
}

// A window with one sketch reads that sketch (read-only); from the second on, they are merged into a new one, so that
// a scrape of many quiet series does not copy every sketch.
function mergeSketch(sofar: DurationSketch | undefined, next: DurationSketch, merged: DurationSketch): DurationSketch {
  if (sofar === undefined) return next;
  if (sofar !== merged) merged.merge(sofar);
  merged.merge(next);
  return merged;
}

/**
 * The value at quantile `q` (0–1) of the window, NaN when it is empty. The sketch answers within 1 % of the
 * sample at rank `q · (count − 1)`; the answer is kept inside the window's exact minimum and maximum.
 */
export function quantileOf(stats: WindowStats, q: number): number {
  if (stats.sketch === undefined || stats.count === 0) return Number.NaN;
  return Math.min(stats.max, Math.max(stats.min, stats.sketch.getValueAtQuantile(q)));
}
