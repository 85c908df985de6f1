import type { Sampler } from './Sampler.js';

export class AlwaysOnSampler implements Sampler {
  shouldSample(): boolean {
    return true;
  }
  toString(): string {
    return 'AlwaysOnSampler';
  }
}
