// The quantile sketch the processor keeps per window slice, on a million samples of long-tailed distributions,
// against the exact percentiles of the same samples.
import { expect } from 'chai';
import { SKETCH_BIN_LIMIT, SKETCH_RELATIVE_ACCURACY } from '@audit-tracing/metrics';
import { createDurationSketch, sketchBytes } from '../src/sketch.js';
import { logNormal, pareto, seededRandom } from './helpers/random.js';

const SAMPLES = 1_000_000;
const QUANTILES = [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999];

function check(name: string, draw: () => number): void {
  const sketch = createDurationSketch();
  const values = new Float64Array(SAMPLES);
  for (let i = 0; i < SAMPLES; i++) {
    const value = draw();
    values[i] = value;
    sketch.accept(value);
  }
  values.sort();
  let worst = 0;
  for (const q of QUANTILES) {
    // DDSketch answers for the sample at rank q·(n−1), rounded down: the exact value it is measured against.
    const exact = values[Math.floor(q * (SAMPLES - 1))];
    const estimate = sketch.getValueAtQuantile(q);
    const error = Math.abs(estimate - exact) / exact;
    worst = Math.max(worst, error);
    expect(error, `${name} q${q}: sketch ${estimate}, exact ${exact}`).to.be.at.most(SKETCH_RELATIVE_ACCURACY);
  }
  const bins = sketch.store.bins.length;
  const exactBytes = values.byteLength;
  console.log(
    `      ${name}: worst relative error ${(worst * 100).toFixed(3)}% over ${QUANTILES.length} quantiles; ` +
      `range ${values[0].toPrecision(3)}–${values[SAMPLES - 1].toPrecision(3)} ms; sketch ${bins} bins, ${(sketchBytes(sketch) / 1024).toFixed(1)} KiB of counts ` +
      `(the samples: ${(exactBytes / 1024 / 1024).toFixed(1)} MiB)`,
  );
  expect(bins).to.be.at.most(SKETCH_BIN_LIMIT);
}

describe('DDSketch (relative accuracy 1 %, bins capped)', function () {
  this.timeout(60_000);

  it('is within 1 % of the exact percentiles on a million log-normal durations (median 20 ms, sigma 1.5)', function () {
    const random = seededRandom(20261130);
    check('log-normal', () => logNormal(random, Math.log(20), 1.5));
  });

  it('is within 1 % on a million Pareto durations (min 1 ms, alpha 1.2: a heavy tail)', function () {
    const random = seededRandom(7);
    check('Pareto', () => pareto(random, 1, 1.2));
  });

  it('stays within 1 % on the median and the tail when the range exceeds the bin cap (the fastest bins are merged)', function () {
    const sketch = createDurationSketch();
    const random = seededRandom(99);
    const values: number[] = [];
    // From 1 ns to 10^6 ms: a ratio of 10^12, more than 1024 bins cover at 1 %.
    for (let i = 0; i < 200_000; i++) {
      const value = Math.pow(10, -6 + random() * 12);
      values.push(value);
      sketch.accept(value);
    }
    values.sort((a, b) => a - b);
    expect(sketch.store.bins.length).to.be.at.most(SKETCH_BIN_LIMIT);
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = values[Math.floor(q * (values.length - 1))];
      expect(Math.abs(sketch.getValueAtQuantile(q) - exact) / exact).to.be.at.most(SKETCH_RELATIVE_ACCURACY);
    }
  });
});
