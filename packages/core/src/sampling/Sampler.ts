import type { TraceContext } from '../types.js';

/** Decides whether a new span records. Must be cheap and pure: it runs for every span. */
export interface Sampler {
  /**
   * @param traceId the trace id the span will have
   * @param parent the parent's context, local or remote, when there is one
   */
  shouldSample(traceId: string, parent: TraceContext | undefined): boolean;
  toString(): string;
}
