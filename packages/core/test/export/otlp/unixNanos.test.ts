import { expect } from 'chai';
import fc from 'fast-check';
import { splitEpochMs, splitUnixNanos } from '../../../src/export/otlp/unixNanos.js';

// The reference: the same rounding, done with BigInt.
function referenceNanos(epochMs: number): bigint {
  const whole = Math.floor(epochMs);
  const frac = Math.round((epochMs - whole) * 1e6);
  return BigInt(whole) * 1_000_000n + BigInt(frac);
}

describe('unixNanos', () => {
  it('splits epoch milliseconds into whole ms and nanoseconds, and into exact fixed64 halves', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 4_102_444_800_000, noNaN: true }), (epochMs) => {
        const expected = referenceNanos(epochMs);
        const { ms, nanos } = splitEpochMs(epochMs, { ms: 0, nanos: 0 });
        expect(BigInt(ms) * 1_000_000n + BigInt(nanos)).to.equal(expected);
        expect(nanos).to.be.within(0, 999_999);
        const { lo, hi } = splitUnixNanos(epochMs, { lo: 0, hi: 0 });
        expect((BigInt(hi) << 32n) + BigInt(lo)).to.equal(expected);
        expect(lo).to.be.within(0, 0xffffffff);
      }),
      { numRuns: 2000 },
    );
  });

  it('carries a fraction that rounds up to a whole millisecond', () => {
    expect(splitEpochMs(1_700_000_000_000.9999999, { ms: 0, nanos: 0 })).to.deep.equal({ ms: 1_700_000_000_001, nanos: 0 });
  });

  it('clamps times before the epoch to the epoch', () => {
    expect(splitEpochMs(-5, { ms: 1, nanos: 1 })).to.deep.equal({ ms: 0, nanos: 0 });
    expect(splitUnixNanos(0, { lo: 1, hi: 1 })).to.deep.equal({ lo: 0, hi: 0 });
    expect(splitUnixNanos(0.5, { lo: 0, hi: 0 })).to.deep.equal({ lo: 500_000, hi: 0 });
  });
});
