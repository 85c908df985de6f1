import { expect } from 'chai';
import { ERR_INVALID_OPTION } from '@audit-tracing/core';
import { DEFAULT_MAX_SERIES, DEFAULT_WINDOW_MS, MetricsSpanProcessor, type MetricsOptions } from '@audit-tracing/metrics';
import { resolveMetricsOptions } from '../src/options.js';

describe('MetricsSpanProcessor options', function () {
  it('has safe defaults', function () {
    const resolved = resolveMetricsOptions(undefined);
    expect(resolved).to.include({ maxSeries: DEFAULT_MAX_SERIES, windowMs: DEFAULT_WINDOW_MS, minSamples: 20, cooldownMs: 300_000, checkIntervalMs: 1000 });
    expect(resolved.thresholds).to.deep.equal({ medium: 100, high: 500, critical: 2000 });
  });

  const cases: Array<[string, unknown, RegExp]> = [
    ['not an object', 'fast', /^MetricsSpanProcessor: expected an options object, got "fast"$/],
    ['unknown option', { maxSerie: 3 }, /^MetricsSpanProcessor\.maxSerie: unknown option \(known: maxSeries, /],
    ['maxSeries 0', { maxSeries: 0 }, /^MetricsSpanProcessor\.maxSeries: expected an integer ≥ 1, got 0$/],
    ['maxSeries 1.5', { maxSeries: 1.5 }, /maxSeries: expected an integer ≥ 1, got 1.5/],
    ['windowMs below a ms per slice', { windowMs: 3 }, /windowMs: expected an integer ≥ 4, got 3/],
    ['windowMs as text', { windowMs: '60s' }, /windowMs: expected an integer ≥ 4, got "60s"/],
    ['thresholds not an object', { thresholds: 500 }, /thresholds: expected an object with medium, high and critical \(ms\), got 500/],
    ['unknown threshold', { thresholds: { severe: 1 } }, /^MetricsSpanProcessor\.thresholds\.severe: unknown option/],
    ['negative threshold', { thresholds: { medium: -1 } }, /thresholds\.medium: expected a finite number of ms ≥ 0, got -1/],
    ['thresholds out of order', { thresholds: { high: 5000 } }, /thresholds: expected medium ≤ high ≤ critical, got 100, 5000, 2000/],
    ['minSamples 0', { minSamples: 0 }, /minSamples: expected an integer ≥ 1, got 0/],
    ['cooldownMs negative', { cooldownMs: -1 }, /cooldownMs: expected an integer ≥ 0, got -1/],
    ['checkIntervalMs NaN', { checkIntervalMs: Number.NaN }, /checkIntervalMs: expected an integer ≥ 1, got NaN/],
    ['clock not a function', { clock: Date.now() }, /clock: expected a function returning epoch ms, got \d+/],
  ];
  for (const [name, options, message] of cases) {
    it(`rejects ${name} at construction, with the shared option error`, function () {
      let thrown: unknown;
      try {
        new MetricsSpanProcessor(options as MetricsOptions);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).to.be.instanceOf(TypeError);
      expect((thrown as { code?: string }).code).to.equal(ERR_INVALID_OPTION);
      expect((thrown as Error).message).to.match(message);
    });
  }

  it('is accepted by the tracer as one of its processors', async function () {
    const { AuditTracer } = await import('@audit-tracing/core');
    const metrics = new MetricsSpanProcessor();
    const tracer = new AuditTracer({ serviceName: 'shop', exporterType: 'none', processors: [metrics] });
    tracer.startSpan('work').finish();
    expect(metrics.snapshot().series).to.have.length(1);
  });
});
