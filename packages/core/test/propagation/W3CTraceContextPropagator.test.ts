import { expect } from 'chai';
import { MAX_TRACESTATE_LENGTH, MAX_TRACESTATE_MEMBERS, W3CTraceContextPropagator } from '../../src/propagation/W3CTraceContextPropagator.js';
import type { TraceContext } from '../../src/types.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;

describe('W3CTraceContextPropagator', () => {
  const propagator = new W3CTraceContextPropagator();
  const extract = (traceparent: string | string[], tracestate?: string | string[]) =>
    propagator.extract(tracestate === undefined ? { traceparent } : { traceparent, tracestate });

  it('is named tracecontext and declares its two headers', () => {
    expect(propagator.name).to.equal('tracecontext');
    expect(propagator.fields()).to.deep.equal(['traceparent', 'tracestate']);
  });

  describe('traceparent', () => {
    it('extracts a valid version 00 header as a remote context', () => {
      expect(extract(VALID)).to.deep.equal({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, sampled: true, isRemote: true });
    });

    it('reports not sampled when the sampled bit is clear', () => {
      const context = extract(`00-${TRACE_ID}-${SPAN_ID}-00`);
      expect(context?.sampled).to.equal(false);
      expect(context?.traceFlags).to.equal(0);
    });

    it('keeps the sampled and random flags', () => {
      expect(extract(`00-${TRACE_ID}-${SPAN_ID}-02`)).to.include({ traceFlags: 2, sampled: false });
      expect(extract(`00-${TRACE_ID}-${SPAN_ID}-03`)).to.include({ traceFlags: 3, sampled: true });
    });

    it('drops flags this level does not define', () => {
      expect(extract(`00-${TRACE_ID}-${SPAN_ID}-ff`)).to.include({ traceFlags: 3, sampled: true });
      expect(extract(`00-${TRACE_ID}-${SPAN_ID}-08`)).to.include({ traceFlags: 0, sampled: false });
      expect(extract(`00-${TRACE_ID}-${SPAN_ID}-09`)).to.include({ traceFlags: 1, sampled: true });
    });

    it('requires version 00 to be exactly 55 characters', () => {
      expect(VALID).to.have.length(55);
      expect(extract(`${VALID}-`)).to.equal(null);
      expect(extract(`${VALID}-extra`)).to.equal(null);
      expect(extract(`${VALID} `)).to.equal(null);
      expect(extract(` ${VALID}`)).to.equal(null);
      expect(extract(VALID.slice(0, 54))).to.equal(null);
    });

    it('rejects version ff', () => {
      expect(extract(`ff-${TRACE_ID}-${SPAN_ID}-01`)).to.equal(null);
      expect(extract(`ff-${TRACE_ID}-${SPAN_ID}-01-future`)).to.equal(null);
    });

    it('parses a higher version by its first 55 characters', () => {
      expect(extract(`01-${TRACE_ID}-${SPAN_ID}-01`)).to.include({ traceId: TRACE_ID, spanId: SPAN_ID, sampled: true });
      expect(extract(`cc-${TRACE_ID}-${SPAN_ID}-01-what-the-future-will-be-like`)).to.include({ traceId: TRACE_ID, spanId: SPAN_ID });
      expect(extract(`fe-${TRACE_ID}-${SPAN_ID}-03-`)).to.include({ traceFlags: 3 });
    });

    it('keeps only known flags for higher versions too', () => {
      expect(extract(`01-${TRACE_ID}-${SPAN_ID}-fd-x`)).to.include({ traceFlags: 1, sampled: true });
    });

    it('rejects a higher version whose extra fields do not start with a dash', () => {
      expect(extract(`01-${TRACE_ID}-${SPAN_ID}-01x`)).to.equal(null);
      expect(extract(`01-${TRACE_ID}-${SPAN_ID}-011`)).to.equal(null);
      expect(extract(`01-${TRACE_ID}-${SPAN_ID}-01,00-${TRACE_ID}-${SPAN_ID}-01`)).to.equal(null);
    });

    it('rejects a higher version that is too short', () => {
      expect(extract(`01-${TRACE_ID}-${SPAN_ID}-1`)).to.equal(null);
      expect(extract(`01-${TRACE_ID}-${SPAN_ID}`)).to.equal(null);
      expect(extract(`01-${TRACE_ID}-${SPAN_ID.slice(1)}-01`)).to.equal(null);
    });

    it('rejects uppercase hex in every field', () => {
      expect(extract(`0A-${TRACE_ID}-${SPAN_ID}-01`)).to.equal(null);
      expect(extract(`00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`)).to.equal(null);
      expect(extract(`00-${TRACE_ID}-${SPAN_ID.toUpperCase()}-01`)).to.equal(null);
      expect(extract(`00-${TRACE_ID}-${SPAN_ID}-0A`)).to.equal(null);
      expect(extract(`00-${TRACE_ID}-${SPAN_ID}-0a`)).to.include({ traceFlags: 2 });
    });

    it('rejects all-zero trace and parent ids', () => {
      expect(extract(`00-${'0'.repeat(32)}-${SPAN_ID}-01`)).to.equal(null);
      expect(extract(`00-${TRACE_ID}-${'0'.repeat(16)}-01`)).to.equal(null);
      expect(extract(`01-${'0'.repeat(32)}-${SPAN_ID}-01-x`)).to.equal(null);
    });

    it('rejects non-hex characters, wrong delimiters and wrong field lengths', () => {
      expect(extract(`00-${TRACE_ID.slice(0, 31)}g-${SPAN_ID}-01`)).to.equal(null);
      expect(extract(`00_${TRACE_ID}_${SPAN_ID}_01`)).to.equal(null);
      expect(extract(`00-${TRACE_ID}0-${SPAN_ID.slice(1)}-01`)).to.equal(null);
      expect(extract(`0-${TRACE_ID}-${SPAN_ID}-010`)).to.equal(null);
      expect(extract(`00-${TRACE_ID}-${SPAN_ID}-1`)).to.equal(null);
      expect(extract('')).to.equal(null);
    });

    it('rejects control characters and CRLF', () => {
      expect(extract(`00-${TRACE_ID}-${SPAN_ID}-01\r\n`)).to.equal(null);
      expect(extract(`00-${TRACE_ID}-${SPAN_ID}-\r\n`)).to.equal(null);
      expect(extract(`01-${TRACE_ID}-${SPAN_ID}-01\r\nx: y`)).to.equal(null);
    });

    it('rejects multiple traceparent headers', () => {
      expect(extract([VALID, VALID])).to.equal(null);
      expect(extract([VALID, `00-${TRACE_ID}-${'1'.repeat(16)}-01`])).to.equal(null);
      expect(propagator.extract(['traceparent', VALID, 'traceparent', VALID])).to.equal(null);
      expect(extract([`01-${TRACE_ID}-${SPAN_ID}-01`, VALID])).to.equal(null);
    });

    it('accepts a single-element array', () => {
      expect(extract([VALID])).to.include({ traceId: TRACE_ID });
    });

    it('returns null when there is no traceparent', () => {
      expect(propagator.extract({})).to.equal(null);
      expect(propagator.extract({ tracestate: 'a=b' })).to.equal(null);
    });
  });

  describe('header names and carriers', () => {
    it('reads header names in any case', () => {
      expect(propagator.extract({ TraceParent: VALID, TRACESTATE: 'a=b' })).to.include({ traceId: TRACE_ID, traceState: 'a=b' });
    });

    it('reads a WHATWG Headers instance', () => {
      const headers = new Headers({ TraceParent: VALID, tracestate: 'congo=t61rcWkgMzE' });
      expect(propagator.extract(headers)).to.include({ traceId: TRACE_ID, traceState: 'congo=t61rcWkgMzE' });
    });

    it('joins repeated tracestate headers in order', () => {
      expect(propagator.extract({ traceparent: VALID, tracestate: ['a=1,b=2', 'c=3'] })?.traceState).to.equal('a=1,b=2,c=3');
      const headers = new Headers();
      headers.append('traceparent', VALID);
      headers.append('tracestate', 'a=1');
      headers.append('tracestate', 'b=2');
      expect(propagator.extract(headers)?.traceState).to.equal('a=1,b=2');
    });

    it('reads a Map and a raw header array', () => {
      expect(propagator.extract(new Map([['traceparent', VALID]]))).to.include({ spanId: SPAN_ID });
      expect(propagator.extract(['Host', 'x', 'TraceParent', VALID, 'tracestate', 'a=1', 'TraceState', 'b=2'])).to.include({
        spanId: SPAN_ID,
        traceState: 'a=1,b=2',
      });
    });

    it('never throws on carriers that are not headers', () => {
      for (const bad of [null, undefined, 42, 'traceparent', {}, [], new Map(), { get: () => { throw new Error('boom'); } }]) {
        expect(propagator.extract(bad as never)).to.equal(null);
      }
      const hostile = new Proxy({}, { get: () => { throw new Error('boom'); }, ownKeys: () => { throw new Error('boom'); } });
      expect(propagator.extract(hostile)).to.equal(null);
    });
  });

  describe('tracestate', () => {
    const state = (value: string | string[]) => extract(VALID, value)?.traceState;

    it('keeps a valid list unchanged and in order', () => {
      expect(state('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')).to.equal('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
      expect(state('b=1,a=2,c=3')).to.equal('b=1,a=2,c=3');
    });

    it('accepts every key character, keys starting with a digit, and "@" anywhere but first (level 2)', () => {
      expect(state('a0_-*/=1')).to.equal('a0_-*/=1');
      expect(state('0abc=1')).to.equal('0abc=1');
      expect(state('tenant@system=1')).to.equal('tenant@system=1');
      expect(state('0tenant@s=1')).to.equal('0tenant@s=1');
      expect(state('t_-*/@s0_-*/=1')).to.equal('t_-*/@s0_-*/=1');
      for (const key of ['t@', 't@0s', 't@@s', 'a@b@c', 'foo@bar@baz']) expect(state(`${key}=1,bar=2`), key).to.equal(`${key}=1,bar=2`);
    });

    it('enforces the key length: 256 characters, "@" included', () => {
      expect(state(`a${'b'.repeat(255)}=1`)).to.equal(`a${'b'.repeat(255)}=1`);
      expect(state(`a${'b'.repeat(256)}=1`)).to.equal(undefined);
      expect(state(`${'t'.repeat(241)}@${'s'.repeat(14)}=1`)).to.equal(`${'t'.repeat(241)}@${'s'.repeat(14)}=1`);
      expect(state(`${'t'.repeat(242)}@s=1`)).to.equal(`${'t'.repeat(242)}@s=1`);
      expect(state(`t@${'s'.repeat(15)}=1`)).to.equal(`t@${'s'.repeat(15)}=1`);
      expect(state(`t@${'s'.repeat(254)}=1`)).to.equal(`t@${'s'.repeat(254)}=1`);
      expect(state(`t@${'s'.repeat(255)}=1`)).to.equal(undefined);
    });

    it('rejects invalid keys', () => {
      for (const key of ['A', 'aB', '_a', 'a b', 'a.b', '@s', '@', 'ä', 'FOO', 'foo ']) {
        expect(state(`${key}=1,bar=2`), key).to.equal(undefined);
      }
    });

    it('accepts values of printable ASCII except "," and "=", with inner spaces', () => {
      expect(state('a=!"#$%&\'()*+-./09:;<>?@AZ[\\]^_`az{|}~')).to.equal('a=!"#$%&\'()*+-./09:;<>?@AZ[\\]^_`az{|}~');
      expect(state('a=x y')).to.equal('a=x y');
      expect(state('a= x')).to.equal('a= x');
      expect(state(`a=${'v'.repeat(256)}`)).to.equal(`a=${'v'.repeat(256)}`);
    });

    it('rejects invalid values', () => {
      for (const value of ['', ' ', 'a=b', 'x\ty', 'é', '\u007f', 'x\r\ny', 'x\u0000', 'v'.repeat(257)]) {
        expect(state(`a=${value}`), JSON.stringify(value)).to.equal(undefined);
      }
      expect(state('a')).to.equal(undefined);
      expect(state('=1')).to.equal(undefined);
    });

    it(`accepts ${MAX_TRACESTATE_MEMBERS} members and discards ${MAX_TRACESTATE_MEMBERS + 1}`, () => {
      expect(MAX_TRACESTATE_MEMBERS).to.equal(32);
      const members = Array.from({ length: 33 }, (_, i) => `k${i}=v${i}`);
      expect(state(members.slice(0, 32).join(','))).to.equal(members.slice(0, 32).join(','));
      expect(state(members.join(','))).to.equal(undefined);
    });

    it('does not count empty members against the limit', () => {
      const members = Array.from({ length: 32 }, (_, i) => `k${i}=v${i}`);
      expect(state(`,${members.join(', ,')},,`)).to.equal(members.join(','));
    });

    it('keeps the first member of a repeated key and the rest of the list', () => {
      expect(state('a=1,b=2,a=3')).to.equal('a=1,b=2');
      expect(state('t@s=1,t@s=1')).to.equal('t@s=1');
      expect(state(['foo=1', 'foo=2'])).to.equal('foo=1');
      expect(state('t@s=1,t@r=1,t=1')).to.equal('t@s=1,t@r=1,t=1');
    });

    it(`cuts a list longer than ${MAX_TRACESTATE_LENGTH} characters by whole entries: over 128 characters first, then from the end`, () => {
      expect(MAX_TRACESTATE_LENGTH).to.equal(512);
      const small = Array.from({ length: 20 }, (_, i) => `k${String(i).padStart(2, '0')}=${'v'.repeat(20)}`); // 24 characters each
      const large = `big=${'x'.repeat(200)}`;
      // 20 * 24 + 19 commas = 499: within the limit, kept whole even with a large entry… until the large one pushes it over.
      expect(state(small.join(','))).to.equal(small.join(','));
      expect(state([...small.slice(0, 10), large, ...small.slice(10)].join(','))).to.equal(small.join(','));
      // Without large entries, the right-most ones go.
      const many = Array.from({ length: 30 }, (_, i) => `k${String(i).padStart(2, '0')}=${'v'.repeat(20)}`);
      const cut = state(many.join(','))!;
      expect(cut.length).to.be.at.most(MAX_TRACESTATE_LENGTH);
      expect(cut).to.equal(many.slice(0, 20).join(','));
      // A single member longer than the limit leaves no state.
      expect(state(`${'k'.repeat(256)}=${'v'.repeat(256)}`)).to.equal(undefined);
    });

    it('skips empty members and trims spaces and tabs around members', () => {
      expect(state(' a=1 ,\tb=2\t, , ,c=3,')).to.equal('a=1,b=2,c=3');
      expect(state(',,a=1')).to.equal('a=1');
    });

    it('treats an empty or whitespace-only header as no state', () => {
      expect(extract(VALID, '')).to.deep.equal({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, sampled: true, isRemote: true });
      expect(state(' , \t ,')).to.equal(undefined);
    });

    it('trims only spaces and tabs, not other whitespace', () => {
      expect(state('a=1\n')).to.equal(undefined);
      expect(state('\u00a0a=1')).to.equal(undefined);
    });

    it('discards an invalid list whole but keeps the traceparent', () => {
      const context = extract(VALID, 'a=1,B=2,c=3');
      expect(context).to.deep.equal({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, sampled: true, isRemote: true });
    });

    it('is not read when traceparent is invalid', () => {
      expect(extract(VALID.toUpperCase(), 'a=1')).to.equal(null);
    });
  });

  describe('inject', () => {
    const context: TraceContext = { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, sampled: true };

    it('writes a version 00 traceparent', () => {
      const carrier: Record<string, string> = {};
      propagator.inject(context, carrier);
      expect(carrier).to.deep.equal({ traceparent: VALID });
    });

    it('writes only the sampled and random flags', () => {
      const flagsOf = (traceFlags: number) => {
        const carrier: Record<string, string> = {};
        propagator.inject({ ...context, traceFlags }, carrier);
        return carrier.traceparent?.slice(53);
      };
      expect(flagsOf(0)).to.equal('00');
      expect(flagsOf(2)).to.equal('02');
      expect(flagsOf(3)).to.equal('03');
      expect(flagsOf(0xff)).to.equal('03');
      expect(flagsOf(0x04)).to.equal('00');
      expect(flagsOf(Number.NaN)).to.equal('00');
    });

    it('writes tracestate when there is one', () => {
      const carrier: Record<string, string> = {};
      propagator.inject({ ...context, traceState: 'rojo=1,congo=2' }, carrier);
      expect(carrier.tracestate).to.equal('rojo=1,congo=2');
      const empty: Record<string, string> = {};
      propagator.inject({ ...context, traceState: '' }, empty);
      expect(empty).to.not.have.property('tracestate');
    });

    it('does not write a tracestate that is invalid', () => {
      const carrier: Record<string, string> = {};
      propagator.inject({ ...context, traceState: 'a=1\r\nx-evil: 1' }, carrier);
      expect(carrier).to.deep.equal({ traceparent: VALID });
    });

    it('writes nothing when the ids are invalid', () => {
      for (const bad of [
        { ...context, traceId: '0'.repeat(32) },
        { ...context, traceId: TRACE_ID.toUpperCase() },
        { ...context, spanId: '0'.repeat(16) },
        { ...context, spanId: 'xyz' },
        { ...context, traceId: undefined as unknown as string },
      ]) {
        const carrier: Record<string, string> = {};
        propagator.inject(bad, carrier);
        expect(carrier).to.deep.equal({});
      }
    });

    it('never overwrites a header the caller set', () => {
      const carrier: Record<string, string> = { TraceParent: 'mine' };
      propagator.inject(context, carrier);
      expect(carrier).to.deep.equal({ TraceParent: 'mine' });
    });

    it('writes into a Headers instance', () => {
      const headers = new Headers();
      propagator.inject({ ...context, traceState: 'a=1' }, headers);
      expect(headers.get('traceparent')).to.equal(VALID);
      expect(headers.get('tracestate')).to.equal('a=1');
    });

    it('round-trips through extract', () => {
      const carrier: Record<string, string> = {};
      const original: TraceContext = { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 3, sampled: true, traceState: 'b=1,a@x=2' };
      propagator.inject(original, carrier);
      expect(propagator.extract(carrier)).to.deep.equal({ ...original, isRemote: true });
    });

    it('re-writes a higher version as version 00', () => {
      const carrier: Record<string, string> = {};
      propagator.inject(extract(`7f-${TRACE_ID}-${SPAN_ID}-01-future`)!, carrier);
      expect(carrier.traceparent).to.equal(VALID);
    });
  });
});
