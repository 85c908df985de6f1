import { invalidOption } from '../invalidOption.js';
import type { Sampler } from './Sampler.js';

// The decision reads the trace id's last 56 bits, which W3C Level 2 guarantees random when the random flag is
// set, so every service that sees the same trace id and rate decides the same way.
// https://www.w3.org/TR/trace-context-2/#random-trace-id-flag
// https://opentelemetry.io/docs/specs/otel/trace/tracestate-probability-sampling/
const RANDOM_HEX_DIGITS = 14;
const MAX_RANDOM = 2 ** 56;

export class TraceIdRatioSampler implements Sampler {
  readonly ratio: number;
  private readonly threshold: number;

  constructor(ratio: number) {
    if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1)) {
      throw invalidOption('tracing', 'sampleRate', 'a number from 0 to 1', ratio);
    }
    this.ratio = ratio;
    this.threshold = ratio * MAX_RANDOM;
  }

  shouldSample(traceId: string): boolean {
    if (this.ratio >= 1) return true;
    if (this.ratio <= 0) return false;
    const random = parseInt(traceId.slice(-RANDOM_HEX_DIGITS), 16);
    return random < this.threshold;
  }

  toString(): string {
    return `TraceIdRatioSampler{${this.ratio}}`;
  }
}
