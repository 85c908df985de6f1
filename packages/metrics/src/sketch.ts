import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';

/**
 * DDSketch's relative accuracy: every quantile it returns is within 1 % of the true value at that rank.
 * https://www.vldb.org/pvldb/vol12/p2195-masson.pdf
 */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

/**
 * Bins per sketch, at most. At 1 % accuracy 1024 bins cover a ratio of e^(1024 · 0.02) ≈ 8·10^8 between the smallest
 * and the largest value kept exactly (1 µs to 13 minutes); beyond it the lowest bins are merged, which costs
 * accuracy on the fastest samples only, never on the slow tail that alerts look at.
 */
export const SKETCH_BIN_LIMIT = 1024;

export type DurationSketch = LogCollapsingLowestDenseDDSketch;

export function createDurationSketch(): DurationSketch {
  return new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY, binLimit: SKETCH_BIN_LIMIT });
}

/** The payload of a sketch's bins, 8 bytes a count; the whole object is about a third more (measured in bench:metrics). */
export function sketchBytes(sketch: DurationSketch): number {
  return (sketch.store.bins.length + sketch.negativeStore.bins.length) * 8;
}
