import { expect } from 'chai';
import { B3Propagator } from '../../src/propagation/B3Propagator.js';
import type { TraceContext } from '../../src/types.js';

const TRACE_ID = '80f198ee56343ba864fe8b2a57d3eff7';
const TRACE_ID_64 = '463ac35c9f6413ad';
const PADDED_64 = `0000000000000000${TRACE_ID_64}`;
const SPAN_ID = 'e457b5a2e4d86bd1';
const PARENT_ID = '05e3ac9a4f6e3b90';

describe('B3Propagator', () => {
  const single = new B3Propagator();
  const multi = new B3Propagator({ injectEncoding: 'multi' });

  it('is named by its inject encoding', () => {
    expect(single.name).to.equal('b3');
    expect(new B3Propagator({ injectEncoding: 'single' }).name).to.equal('b3');
    expect(multi.name).to.equal('b3multi');
  });

  it('rejects an unknown encoding at construction', () => {
    expect(() => new B3Propagator({ injectEncoding: 'both' as never })).to.throw(TypeError, /injectEncoding.*"both"/);
    expect(() => new B3Propagator(null as never)).to.throw(TypeError, /injectEncoding/);
  });

  it('declares every header it reads', () => {
    expect(single.fields()).to.have.members(['b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags']);
  });

  describe('single header', () => {
    const extract = (b3: unknown) => single.extract({ b3 } as Record<string, string>);

    it('extracts trace id, span id, sampling state and parent', () => {
      expect(extract(`${TRACE_ID}-${SPAN_ID}-1-${PARENT_ID}`)).to.deep.equal({
        traceId: TRACE_ID,
        spanId: SPAN_ID,
        parentSpanId: PARENT_ID,
        traceFlags: 1,
        sampled: true,
        isRemote: true,
      });
    });

    it('reads each sampling state', () => {
      expect(extract(`${TRACE_ID}-${SPAN_ID}-1`)).to.include({ sampled: true, traceFlags: 1 });
      expect(extract(`${TRACE_ID}-${SPAN_ID}-0`)).to.include({ sampled: false, traceFlags: 0 });
      expect(extract(`${TRACE_ID}-${SPAN_ID}-d`)).to.include({ sampled: true, traceFlags: 1 });
    });

    it('defers when the sampling state is absent', () => {
      const context = extract(`${TRACE_ID}-${SPAN_ID}`);
      expect(context).to.deep.equal({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0, isRemote: true });
      expect(context?.sampled).to.equal(undefined);
    });

    it('left-pads a 64-bit trace id to 128 bits', () => {
      expect(extract(`${TRACE_ID_64}-${SPAN_ID}-1`)).to.include({ traceId: PADDED_64 });
    });

    it('returns null for a bare sampling state', () => {
      for (const state of ['0', '1', 'd']) expect(extract(state), state).to.equal(null);
    });

    it('rejects malformed headers', () => {
      for (const bad of [
        '',
        `${TRACE_ID.toUpperCase()}-${SPAN_ID}-1`,
        `${TRACE_ID}-${SPAN_ID.toUpperCase()}-1`,
        `${TRACE_ID}-${SPAN_ID}-1-${PARENT_ID.toUpperCase()}`,
        `${TRACE_ID}-${SPAN_ID}-2`,
        `${TRACE_ID}-${SPAN_ID}-true`,
        `${TRACE_ID}-${SPAN_ID}-D`,
        `${TRACE_ID}-${SPAN_ID}-`,
        `${TRACE_ID}-${SPAN_ID}-1-`,
        `${TRACE_ID}-${SPAN_ID}-1-${PARENT_ID}-x`,
        `${TRACE_ID}-${SPAN_ID}-${PARENT_ID}`,
        `${TRACE_ID}0-${SPAN_ID}-1`,
        `${TRACE_ID.slice(1)}-${SPAN_ID}-1`,
        `${TRACE_ID}-${SPAN_ID.slice(1)}-1`,
        `${'0'.repeat(32)}-${SPAN_ID}-1`,
        `${'0'.repeat(16)}-${SPAN_ID}-1`,
        `${TRACE_ID}-${'0'.repeat(16)}-1`,
        `${TRACE_ID}-${SPAN_ID}-1-${'0'.repeat(16)}`,
        ` ${TRACE_ID}-${SPAN_ID}-1`,
        `${TRACE_ID}-${SPAN_ID}-1\r\n`,
        `${TRACE_ID}-${SPAN_ID}-1\r\nx-evil: 1`,
      ]) {
        expect(extract(bad), bad).to.equal(null);
      }
    });

    it('rejects repeated b3 headers', () => {
      expect(extract([`${TRACE_ID}-${SPAN_ID}-1`, `${TRACE_ID}-${SPAN_ID}-1`])).to.equal(null);
    });

    it('reads the header name in any case and from Headers', () => {
      expect(single.extract({ B3: `${TRACE_ID}-${SPAN_ID}-1` })).to.include({ traceId: TRACE_ID });
      expect(single.extract(new Headers({ b3: `${TRACE_ID}-${SPAN_ID}-0` }))).to.include({ sampled: false });
    });
  });

  describe('multiple headers', () => {
    const headers = (overrides: Record<string, string | string[] | undefined> = {}) => ({
      'x-b3-traceid': TRACE_ID,
      'x-b3-spanid': SPAN_ID,
      ...overrides,
    });

    it('extracts ids, parent and sampling', () => {
      expect(multi.extract(headers({ 'x-b3-parentspanid': PARENT_ID, 'x-b3-sampled': '1' }))).to.deep.equal({
        traceId: TRACE_ID,
        spanId: SPAN_ID,
        parentSpanId: PARENT_ID,
        traceFlags: 1,
        sampled: true,
        isRemote: true,
      });
    });

    it('reads the canonical mixed-case header names', () => {
      expect(single.extract({ 'X-B3-TraceId': TRACE_ID, 'X-B3-SpanId': SPAN_ID, 'X-B3-Sampled': '0' })).to.include({
        traceId: TRACE_ID,
        sampled: false,
      });
    });

    it('reads 1/0 and true/false sampling', () => {
      expect(multi.extract(headers({ 'x-b3-sampled': '1' }))).to.include({ sampled: true, traceFlags: 1 });
      expect(multi.extract(headers({ 'x-b3-sampled': 'true' }))).to.include({ sampled: true, traceFlags: 1 });
      expect(multi.extract(headers({ 'x-b3-sampled': '0' }))).to.include({ sampled: false, traceFlags: 0 });
      expect(multi.extract(headers({ 'x-b3-sampled': 'false' }))).to.include({ sampled: false, traceFlags: 0 });
    });

    it('defers when sampling is absent or unrecognised', () => {
      expect(multi.extract(headers())).to.deep.equal({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0, isRemote: true });
      expect(multi.extract(headers({ 'x-b3-sampled': 'yes' }))?.sampled).to.equal(undefined);
    });

    it('treats the debug flag as sampled', () => {
      expect(multi.extract(headers({ 'x-b3-flags': '1' }))).to.include({ sampled: true, traceFlags: 1 });
      expect(multi.extract(headers({ 'x-b3-flags': '1', 'x-b3-sampled': '0' }))).to.include({ sampled: true });
      expect(multi.extract(headers({ 'x-b3-flags': '0' }))?.sampled).to.equal(undefined);
    });

    it('left-pads a 64-bit trace id', () => {
      expect(multi.extract(headers({ 'x-b3-traceid': TRACE_ID_64 }))).to.include({ traceId: PADDED_64 });
    });

    it('drops a malformed parent but keeps the trace', () => {
      const context = multi.extract(headers({ 'x-b3-parentspanid': 'nope' }));
      expect(context).to.include({ traceId: TRACE_ID, spanId: SPAN_ID });
      expect(context).to.not.have.property('parentSpanId');
    });

    it('rejects missing or malformed ids', () => {
      for (const bad of [
        { 'x-b3-traceid': undefined },
        { 'x-b3-spanid': undefined },
        { 'x-b3-traceid': TRACE_ID.toUpperCase() },
        { 'x-b3-traceid': '0'.repeat(32) },
        { 'x-b3-traceid': '0'.repeat(16) },
        { 'x-b3-traceid': TRACE_ID.slice(2) },
        { 'x-b3-traceid': `${TRACE_ID}\r\n` },
        { 'x-b3-spanid': '0'.repeat(16) },
        { 'x-b3-spanid': SPAN_ID.toUpperCase() },
        { 'x-b3-spanid': `${SPAN_ID} ` },
        { 'x-b3-traceid': [TRACE_ID, TRACE_ID] },
        { 'x-b3-spanid': [SPAN_ID, SPAN_ID] },
      ]) {
        expect(multi.extract(headers(bad)), JSON.stringify(bad)).to.equal(null);
      }
    });
  });

  describe('single and multiple together', () => {
    it('prefers a valid single header', () => {
      const context = single.extract({ b3: `${TRACE_ID}-${SPAN_ID}-0`, 'x-b3-traceid': PADDED_64, 'x-b3-spanid': PARENT_ID });
      expect(context).to.include({ traceId: TRACE_ID, spanId: SPAN_ID, sampled: false });
    });

    it('falls back to multiple headers when the single header carries no ids or is invalid', () => {
      expect(single.extract({ b3: '1', 'x-b3-traceid': TRACE_ID, 'x-b3-spanid': SPAN_ID })).to.include({ traceId: TRACE_ID });
      expect(single.extract({ b3: 'garbage', 'x-b3-traceid': TRACE_ID, 'x-b3-spanid': SPAN_ID })).to.include({ traceId: TRACE_ID });
    });

    it('returns null when there is nothing to read', () => {
      expect(single.extract({})).to.equal(null);
      expect(single.extract(null as never)).to.equal(null);
      expect(single.extract({ get: () => { throw new Error('boom'); } })).to.equal(null);
    });
  });

  describe('inject', () => {
    const context: TraceContext = { traceId: TRACE_ID, spanId: SPAN_ID, parentSpanId: PARENT_ID, traceFlags: 1, sampled: true };

    it('writes one b3 header with the single encoding', () => {
      const carrier: Record<string, string> = {};
      single.inject(context, carrier);
      expect(carrier).to.deep.equal({ b3: `${TRACE_ID}-${SPAN_ID}-1` });
      const unsampled: Record<string, string> = {};
      single.inject({ ...context, traceFlags: 2, sampled: false }, unsampled);
      expect(unsampled).to.deep.equal({ b3: `${TRACE_ID}-${SPAN_ID}-0` });
    });

    it('writes X-B3 headers with the multi encoding', () => {
      const carrier: Record<string, string> = {};
      multi.inject(context, carrier);
      expect(carrier).to.deep.equal({ 'x-b3-traceid': TRACE_ID, 'x-b3-spanid': SPAN_ID, 'x-b3-sampled': '1' });
    });

    it('writes nothing for invalid ids', () => {
      for (const bad of [{ ...context, traceId: TRACE_ID_64 }, { ...context, spanId: '0'.repeat(16) }, { ...context, traceId: 'x' }]) {
        const carrier: Record<string, string> = {};
        single.inject(bad, carrier);
        multi.inject(bad, carrier);
        expect(carrier).to.deep.equal({});
      }
    });

    it('never overwrites a header the caller set', () => {
      const carrier: Record<string, string> = { 'X-B3-TraceId': 'mine' };
      multi.inject(context, carrier);
      expect(carrier['X-B3-TraceId']).to.equal('mine');
      expect(carrier).to.not.have.property('x-b3-traceid');
    });

    for (const propagator of [single, multi]) {
      it(`round-trips through extract (${propagator.name})`, () => {
        for (const traceFlags of [0, 1]) {
          const carrier = new Headers();
          propagator.inject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags }, carrier);
          expect(propagator.extract(carrier)).to.deep.equal({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags, sampled: traceFlags === 1, isRemote: true });
        }
      });

      it(`round-trips a padded 64-bit trace id unchanged (${propagator.name})`, () => {
        const first = propagator.extract({ b3: `${TRACE_ID_64}-${SPAN_ID}-1` })!;
        const carrier: Record<string, string> = {};
        propagator.inject(first, carrier);
        expect(propagator.extract(carrier)).to.deep.equal(first);
      });
    }
  });
});
