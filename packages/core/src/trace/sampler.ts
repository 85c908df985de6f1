import type { TracingConfig } from '../config.js';
import { AlwaysOffSampler } from '../sampling/AlwaysOffSampler.js';
import { AlwaysOnSampler } from '../sampling/AlwaysOnSampler.js';
import { ParentBasedSampler } from '../sampling/ParentBasedSampler.js';
import type { Sampler } from '../sampling/Sampler.js';
import { TraceIdRatioSampler } from '../sampling/TraceIdRatioSampler.js';

/** The sampler `config` asks for: by default parent-based, with `sampleRate` deciding new traces. */
export function createSampler(config: TracingConfig): Sampler {
  const sampler = config.sampler ?? 'parentbased_traceidratio';
  if (typeof sampler === 'object') return sampler;
  switch (sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioSampler(config.sampleRate);
    case 'parentbased_always_on':
      return new ParentBasedSampler(new AlwaysOnSampler());
    case 'parentbased_always_off':
      return new ParentBasedSampler(new AlwaysOffSampler());
    case 'parentbased_traceidratio':
      return new ParentBasedSampler(new TraceIdRatioSampler(config.sampleRate));
  }
}
