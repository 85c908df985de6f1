import type { Sampler } from './Sampler.js';

export class AlwaysOffSampler implements Sampler {
  shouldSample(): boolean {
    return false;
  }
  toString(): string {
    return 'AlwaysOffSampler';
  }
}
