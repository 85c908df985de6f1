import type { TraceContext } from '../types.js';
import type { Sampler } from './Sampler.js';

/**
 * Honours the parent's decision when the parent made one; asks `root` otherwise (new traces, and remote
 * parents whose headers carried no decision, such as B3 "defer" or a bare x-trace-id).
 */
export class ParentBasedSampler implements Sampler {
  constructor(readonly root: Sampler) {}

  shouldSample(traceId: string, parent: TraceContext | undefined): boolean {
    if (parent === undefined || parent.sampled === undefined) return this.root.shouldSample(traceId, parent);
    return parent.sampled;
  }

  toString(): string {
    return `ParentBased{root=${this.root.toString()}}`;
  }
}
