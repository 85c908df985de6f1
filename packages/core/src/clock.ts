import { performance } from 'node:perf_hooks';

// One monotonic clock for every timestamp: epoch ms with sub-ms precision, immune to wall-clock jumps.
const origin = performance.timeOrigin;

/** Epoch milliseconds with sub-millisecond precision, read from the monotonic clock. */
export function now(): number {
  return origin + performance.now();
}
