/**
 * OpenTelemetry's default explicit bucket boundaries, in ms (the unit of our durations).
 * https://opentelemetry.io/docs/specs/otel/metrics/sdk/#explicit-bucket-histogram-aggregation
 */
export const DEFAULT_DURATION_BUCKETS_MS: readonly number[] = Object.freeze([0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000]);

/**
 * The bucket `value` falls in: bucket i holds (boundaries[i-1], boundaries[i]], as in OpenTelemetry and
 * Prometheus (`le`); the last one, index `boundaries.length`, holds what is above the top boundary.
 */
export function bucketIndex(boundaries: readonly number[], value: number): number {
  // A linear scan: most durations fall in the first few buckets, and there are only 16.
  let index = 0;
  while (index < boundaries.length && value > boundaries[index]) index++;
  return index;
}
