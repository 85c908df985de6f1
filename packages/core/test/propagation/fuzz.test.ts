import { expect } from 'chai';
import fc from 'fast-check';
import { isValidSpanId, isValidTraceId } from '../../src/ids.js';
import { B3Propagator } from '../../src/propagation/B3Propagator.js';
import type { IncomingHeaders } from '../../src/propagation/headers.js';
import type { Propagator } from '../../src/propagation/Propagator.js';
import { W3CTraceContextPropagator } from '../../src/propagation/W3CTraceContextPropagator.js';
import { XTraceIdPropagator } from '../../src/propagation/XTraceIdPropagator.js';
import { NO_SPAN_ID, type TraceContext } from '../../src/types.js';
import { MAX_TRACESTATE_LENGTH, MAX_TRACESTATE_MEMBERS } from '../../src/propagation/W3CTraceContextPropagator.js';

// The issue asks for at least 10,000 hostile cases per parser: each propagator's parsers get five kinds of hostile
// input (below) at HOSTILE_RUNS each, and the tracestate parser, which only runs behind a valid traceparent, gets
// its own 10,000. Round trips are checks of valid input, not hostile cases.
const HOSTILE_KINDS = 5;
const HOSTILE_RUNS = 2_000;
const NUM_RUNS = 2_000;

const w3c = new W3CTraceContextPropagator();
const b3single = new B3Propagator({ injectEncoding: 'single' });
const b3multi = new B3Propagator({ injectEncoding: 'multi' });
const xTraceId = new XTraceIdPropagator();
const propagators: readonly Propagator[] = [w3c, b3single, b3multi, xTraceId];

// ---- building blocks -------------------------------------------------------------------------------------------

const hexChar = fc.constantFrom(...'0123456789abcdef');
const hex = (length: number) => fc.string({ unit: hexChar, minLength: length, maxLength: length });
const hexOfAnyLength = fc.integer({ min: 0, max: 40 }).chain(hex);
const traceIdArb = hex(32).filter((id) => isValidTraceId(id));
const spanIdArb = hex(16).filter((id) => isValidSpanId(id));

// Characters that sit right next to valid input: delimiters, case changes, whitespace, controls, non-ASCII.
const trickyChar = fc.constantFrom(
  ...'0123456789abcdefABCDEFgxz-_,;=@/*. \t\r\n\0\u0007\u007f\u0085\u00a0é\u2028\ud800',
);
const anyChar = fc.oneof(trickyChar, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 80 });
const controlHeavy = fc.string({ unit: fc.constantFrom(...'\r\n\t\0\u0001\u001f\u007f -0af'), maxLength: 80 });

type Edit = [kind: number, at: number, char: string];
const edits = fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.nat(), anyChar), { minLength: 1, maxLength: 4 });

function applyEdits(value: string, list: readonly Edit[]): string {
  let out = value;
  for (const [kind, at, char] of list) {
    const i = out.length === 0 ? 0 : at % (out.length + 1);
    switch (kind) {
      case 0: out = out.slice(0, i) + char + out.slice(i + 1); break; // replace
      case 1: out = out.slice(0, i) + char + out.slice(i); break; // insert
      case 2: out = out.slice(0, i) + out.slice(i + 1); break; // delete
      case 3: out = out.slice(0, i); break; // truncate
      case 4: out = out.slice(0, i) + out.slice(i, i + 1).toUpperCase() + out.slice(i + 1); break; // case flip
      case 5: out = `${out},${out}`; break; // repeated header
      default: out = `${out}${char}${out.slice(0, i)}`; break; // trailing junk
    }
  }
  return out;
}

const mutated = (valid: fc.Arbitrary<string>) => fc.tuple(valid, edits).map(([value, list]) => applyEdits(value, list));
const fragments = (parts: fc.Arbitrary<string>) => fc.array(parts, { maxLength: 10 }).map((list) => list.join(''));
const nearValid = (valid: fc.Arbitrary<string>, parts: fc.Arbitrary<string>) => fc.oneof(valid, mutated(valid), fragments(parts));

// ---- valid wire values -----------------------------------------------------------------------------------------

const keyChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789_-*/');
const lcalpha = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz');
const simpleKey = fc.tuple(lcalpha, fc.string({ unit: keyChar, maxLength: 20 })).map(([a, b]) => a + b);
const tenantKey = fc
  .tuple(fc.oneof(lcalpha, fc.constantFrom(...'0123456789')), fc.string({ unit: keyChar, maxLength: 10 }), lcalpha, fc.string({ unit: keyChar, maxLength: 13 }))
  .map(([a, b, c, d]) => `${a}${b}@${c}${d}`);
const nblkChar = fc.integer({ min: 0x21, max: 0x7e }).filter((c) => c !== 0x2c && c !== 0x3d).map((c) => String.fromCharCode(c));
const valueArb = fc.tuple(fc.string({ unit: fc.oneof(nblkChar, fc.constant(' ')), maxLength: 30 }), nblkChar).map(([a, b]) => a + b);
const traceStateArb = fc
  .uniqueArray(fc.tuple(fc.oneof(simpleKey, tenantKey), valueArb), { minLength: 1, maxLength: 32, selector: ([key]) => key })
  .map((members) => members.map(([key, value]) => `${key}=${value}`).join(','));

const traceparentArb = fc
  .tuple(fc.constantFrom('00', '01', '7f', 'fe'), traceIdArb, spanIdArb, hex(2), fc.constantFrom('', '-', '-future'))
  .map(([version, traceId, spanId, flags, tail]) => `${version}-${traceId}-${spanId}-${flags}${version === '00' ? '' : tail}`);
const b3SingleArb = fc
  .tuple(fc.oneof(traceIdArb, hex(16)), spanIdArb, fc.constantFrom('', '-0', '-1', '-d'), spanIdArb, fc.boolean())
  .map(([traceId, spanId, state, parent, withParent]) => `${traceId}-${spanId}${state}${state !== '' && withParent ? `-${parent}` : ''}`);
const correlationChar = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:@/+=');
const correlationIdArb = fc.oneof(fc.uuid(), fc.string({ unit: correlationChar, minLength: 1, maxLength: 128 }));

const parts = fc.oneof(trickyChar, hexOfAnyLength, hexOfAnyLength.map((s) => s.toUpperCase()), traceIdArb, spanIdArb, fc.constantFrom('00-', '-01', 'ff-', 'a=b', 't@s=', '-1', '-d', 'true'));

/** Near-valid values for each header a propagator reads. */
const headerValue: Record<string, fc.Arbitrary<string>> = {
  traceparent: nearValid(traceparentArb, parts),
  tracestate: nearValid(traceStateArb, parts),
  b3: nearValid(b3SingleArb, parts),
  'x-b3-traceid': nearValid(fc.oneof(traceIdArb, hex(16)), parts),
  'x-b3-spanid': nearValid(spanIdArb, parts),
  'x-b3-parentspanid': nearValid(spanIdArb, parts),
  'x-b3-sampled': nearValid(fc.constantFrom('0', '1', 'true', 'false'), parts),
  'x-b3-flags': nearValid(fc.constant('1'), parts),
};
const nearValidFor = (name: string) => headerValue[name] ?? nearValid(fc.oneof(traceIdArb, hex(16), spanIdArb, correlationIdArb), parts);

// ---- invariants ------------------------------------------------------------------------------------------------

const HEADER_SAFE = /^[\x20-\x7e]*$/;

/** What every extracted context must satisfy, whatever came in. */
function expectWellFormed(context: TraceContext | null): void {
  if (context === null) return;
  expect(isValidTraceId(context.traceId), `traceId ${JSON.stringify(context.traceId)}`).to.equal(true);
  // NO_SPAN_ID only from the x-trace-id family: a trace named without a span.
  expect(isValidSpanId(context.spanId) || context.spanId === NO_SPAN_ID, `spanId ${JSON.stringify(context.spanId)}`).to.equal(true);
  if (context.parentSpanId !== undefined) expect(isValidSpanId(context.parentSpanId)).to.equal(true);
  expect(context.traceFlags).to.be.oneOf([0, 1, 2, 3]);
  if (context.sampled !== undefined) expect(context.sampled).to.equal((context.traceFlags & 1) === 1);
  if (context.traceState !== undefined) expectValidTraceState(context.traceState);
  if (context.correlationId !== undefined) expect(context.correlationId).to.match(/^[A-Za-z0-9\-_.:@/+=]{1,128}$/);
  expect(context.isRemote).to.equal(true);
  // Whatever was accepted can be sent on without putting anything unsafe into a header.
  for (const propagator of propagators) {
    const carrier: Record<string, string> = {};
    propagator.inject(context, carrier);
    for (const value of Object.values(carrier)) expect(value).to.match(HEADER_SAFE);
  }
}

// https://www.w3.org/TR/trace-context-2/#list-members (Level 2 key) — what may go on: at most 32 members, 512
// characters, keys unique, every member valid.
const MEMBER = /^[a-z0-9][a-z0-9_\-*/@]{0,255}=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
function expectValidTraceState(traceState: string): void {
  expect(traceState.length).to.be.within(1, MAX_TRACESTATE_LENGTH);
  const members = traceState.split(',');
  expect(members.length).to.be.at.most(MAX_TRACESTATE_MEMBERS);
  for (const member of members) expect(member, traceState).to.match(MEMBER);
  const keys = members.map((member) => member.slice(0, member.indexOf('=')));
  expect(new Set(keys).size, traceState).to.equal(keys.length);
}

function extractSafely(propagator: Propagator, headers: IncomingHeaders): TraceContext | null {
  const context = propagator.extract(headers);
  expectWellFormed(context);
  return context;
}

/** Headers with any subset of the propagator's fields, each with its own value. */
const headersOf = (propagator: Propagator, value: (name: string) => fc.Arbitrary<string | string[]>) =>
  fc.record(Object.fromEntries(propagator.fields().map((name) => [name, value(name)])), { requiredKeys: [] }) as fc.Arbitrary<
    Record<string, string | string[]>
  >;

// ---- properties ------------------------------------------------------------------------------------------------

describe('propagation fuzzing', () => {
  for (const propagator of propagators) {
    describe(`${propagator.name} extract`, () => {
      it('never throws on arbitrary ASCII strings', () => {
        fc.assert(fc.property(headersOf(propagator, () => fc.string({ maxLength: 120 })), (headers) => void extractSafely(propagator, headers)), { numRuns: HOSTILE_RUNS });
      });

      it('never throws on arbitrary unicode and lone surrogates', () => {
        const unicode = () => fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 40 }), utf16);
        fc.assert(fc.property(headersOf(propagator, unicode), (headers) => void extractSafely(propagator, headers)), { numRuns: HOSTILE_RUNS });
      });

      it('never throws on CR/LF and control characters', () => {
        fc.assert(fc.property(headersOf(propagator, () => controlHeavy), (headers) => void extractSafely(propagator, headers)), { numRuns: HOSTILE_RUNS });
      });

      it('never throws on mutated valid values and near-valid fragments', () => {
        fc.assert(fc.property(headersOf(propagator, nearValidFor), (headers) => void extractSafely(propagator, headers)), { numRuns: HOSTILE_RUNS });
      });

      it('never throws on repeated headers, odd key case and other carrier shapes', () => {
        const values = (name: string) => fc.oneof(nearValidFor(name), fc.array(nearValidFor(name), { maxLength: 3 }));
        const caseFlip = fc.array(fc.boolean(), { maxLength: 20 });
        fc.assert(
          fc.property(headersOf(propagator, values), caseFlip, fc.constantFrom('object', 'map', 'raw'), (headers, flips, shape) => {
            const entries = Object.entries(headers).map(
              ([name, value]) => [[...name].map((c, i) => (flips[i % (flips.length || 1)] ? c.toUpperCase() : c)).join(''), value] as const,
            );
            const carrier: IncomingHeaders =
              shape === 'object'
                ? Object.fromEntries(entries)
                : shape === 'map'
                  ? new Map(entries)
                  : entries.flatMap(([name, value]) => (Array.isArray(value) ? value.flatMap((v) => [name, v]) : [name, value]));
            extractSafely(propagator, carrier);
          }),
          { numRuns: HOSTILE_RUNS },
        );
      });
    });
  }

  it(`runs at least 10,000 hostile cases per parser`, () => {
    expect(HOSTILE_KINDS * HOSTILE_RUNS).to.be.at.least(10_000);
  });

  describe('tracestate parser (behind a valid traceparent)', () => {
    it('never throws, and whatever it keeps is a valid Level 2 list within the limits', () => {
      const hostile = fc.oneof(
        nearValidFor('tracestate'),
        fc.string({ maxLength: 600 }),
        fc.string({ unit: 'binary', maxLength: 200 }),
        controlHeavy,
        fc.array(nearValidFor('tracestate'), { maxLength: 40 }).map((list) => list.join(',')),
        fc.array(fc.tuple(fc.oneof(simpleKey, tenantKey, fc.constant('k')), valueArb), { maxLength: 60 }).map((members) => members.map(([key, value]) => `${key}=${value}`).join(',')),
      );
      fc.assert(
        fc.property(traceparentArb, fc.oneof(hostile, fc.array(hostile, { maxLength: 4 })), (traceparent, tracestate) => {
          const context = extractSafely(w3c, { traceparent, tracestate });
          expect(context).to.not.equal(null);
        }),
        { numRuns: 10_000 },
      );
    });
  });

  describe('round trips', () => {
    const contextArb = fc.record({
      traceId: traceIdArb,
      spanId: spanIdArb,
      parentSpanId: fc.option(spanIdArb, { nil: undefined }),
      traceFlags: fc.integer({ min: 0, max: 255 }),
      traceState: fc.option(traceStateArb, { nil: undefined }),
    });

    it('tracecontext: inject then extract gives the context back', () => {
      fc.assert(
        fc.property(contextArb, (context) => {
          const carrier: Record<string, string> = {};
          w3c.inject(context, carrier);
          const traceFlags = context.traceFlags & 3;
          const expected: TraceContext = { traceId: context.traceId, spanId: context.spanId, traceFlags, sampled: (traceFlags & 1) === 1, isRemote: true };
          if (context.traceState !== undefined) expected.traceState = context.traceState;
          expect(extractSafely(w3c, carrier)).to.deep.equal(expected);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    for (const b3 of [b3single, b3multi]) {
      it(`${b3.name}: inject then extract gives the ids and sampling decision back`, () => {
        fc.assert(
          fc.property(contextArb, (context) => {
            const carrier = new Headers();
            b3.inject(context, carrier);
            const sampled = (context.traceFlags & 1) === 1;
            expect(extractSafely(b3, carrier)).to.deep.equal({ traceId: context.traceId, spanId: context.spanId, traceFlags: sampled ? 1 : 0, sampled, isRemote: true });
          }),
          { numRuns: NUM_RUNS },
        );
      });
    }

    it('x-trace-id: inject then extract gives the ids back', () => {
      fc.assert(
        fc.property(contextArb, (context) => {
          const carrier: Record<string, string> = {};
          xTraceId.inject(context, carrier);
          const expected: TraceContext = { traceId: context.traceId, spanId: context.spanId, traceFlags: 0, isRemote: true };
          if (context.parentSpanId !== undefined) expected.parentSpanId = context.parentSpanId;
          expect(extractSafely(xTraceId, carrier)).to.deep.equal(expected);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('x-trace-id: a correlation id survives extract → inject → extract unchanged, with the same derived trace id', () => {
      fc.assert(
        fc.property(correlationIdArb, fc.option(spanIdArb, { nil: undefined }), (correlationId, spanId) => {
          const first = extractSafely(xTraceId, spanId === undefined ? { 'x-trace-id': correlationId } : { 'x-trace-id': correlationId, 'x-span-id': spanId });
          if (first === null) return; // the nil UUID and all-zero hex ids only
          if (first.correlationId !== undefined) expect(first.correlationId).to.equal(correlationId);
          // Without an incoming span id there is no remote parent; what goes on names the span started here.
          expect(first.spanId).to.equal(spanId ?? NO_SPAN_ID);
          const sent = { ...first, spanId: spanId ?? 'b7ad6b7169203331' };
          const carrier: Record<string, string> = {};
          xTraceId.inject(sent, carrier);
          expect(carrier['x-trace-id']).to.equal(first.correlationId ?? first.traceId);
          expect(extractSafely(xTraceId, carrier)).to.deep.equal(sent);
          // Another service receiving the same id derives the same trace id.
          expect(new XTraceIdPropagator().extract({ 'X-Trace-Id': correlationId })?.traceId).to.equal(first.traceId);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('every propagator: whatever it extracts, it re-extracts the same ids from its own injection', () => {
      const anyHeaders = fc.oneof(...propagators.map((p) => headersOf(p, nearValidFor)));
      fc.assert(
        fc.property(anyHeaders, (headers) => {
          for (const propagator of propagators) {
            const first = extractSafely(propagator, headers);
            // A context without a span (x-trace-id alone) is never injected itself: the span started from it is.
            if (first === null || first.spanId === NO_SPAN_ID) continue;
            const carrier: Record<string, string> = {};
            propagator.inject(first, carrier);
            const second = extractSafely(propagator, carrier);
            expect(second, propagator.name).to.not.equal(null);
            expect({ traceId: second!.traceId, spanId: second!.spanId }).to.deep.equal({ traceId: first.traceId, spanId: first.spanId });
            expect(second!.traceFlags & 1).to.equal(first.traceFlags & 1);
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });
});
