import { expect } from 'chai';
import { B3Propagator } from '../../src/propagation/B3Propagator.js';
import { CompositePropagator } from '../../src/propagation/CompositePropagator.js';
import type { HeaderCarrier, IncomingHeaders } from '../../src/propagation/headers.js';
import type { Propagator } from '../../src/propagation/Propagator.js';
import { createPropagator } from '../../src/propagation/registry.js';
import { W3CTraceContextPropagator } from '../../src/propagation/W3CTraceContextPropagator.js';
import { XTraceIdPropagator } from '../../src/propagation/XTraceIdPropagator.js';
import type { TraceContext } from '../../src/types.js';

const TRACE_A = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_A = '00f067aa0ba902b7';
const TRACE_B = '80f198ee56343ba864fe8b2a57d3eff7';
const SPAN_B = 'e457b5a2e4d86bd1';

const CONTEXT: TraceContext = { traceId: TRACE_A, spanId: SPAN_A, traceFlags: 1, sampled: true };

/** A propagator that writes one header, reads one header, and records what it was asked to do. */
class FakePropagator implements Propagator {
  readonly injected: TraceContext[] = [];
  extractCalls = 0;

  constructor(
    readonly name: string,
    private readonly header: string,
    private readonly extracted: TraceContext | null = null,
  ) {}

  fields(): readonly string[] {
    return [this.header];
  }

  inject(context: TraceContext, carrier: HeaderCarrier): void {
    this.injected.push(context);
    (carrier as Record<string, string>)[this.header] = `${this.name}:${context.spanId}`;
  }

  extract(_headers: IncomingHeaders): TraceContext | null {
    this.extractCalls++;
    return this.extracted;
  }
}

/** A propagator whose every method throws. */
class ThrowingPropagator extends FakePropagator {
  override inject(): void {
    throw new Error('inject failed');
  }

  override extract(): TraceContext | null {
    this.extractCalls++;
    throw new Error('extract failed');
  }
}

function remote(traceId: string, spanId: string): TraceContext {
  return { traceId, spanId, traceFlags: 1, sampled: true, isRemote: true };
}

describe('CompositePropagator', () => {
  it('is named composite', () => {
    expect(new CompositePropagator([]).name).to.equal('composite');
  });

  describe('inject', () => {
    it('runs every inject propagator, in order, with the same context', () => {
      const order: string[] = [];
      const a = new FakePropagator('a', 'x-a');
      const b = new FakePropagator('b', 'x-b');
      const c = new FakePropagator('c', 'x-c');
      for (const p of [a, b, c]) {
        const inject = p.inject.bind(p);
        p.inject = (context, carrier) => {
          order.push(p.name);
          inject(context, carrier);
        };
      }
      const carrier: Record<string, string> = {};
      new CompositePropagator([a, b, c]).inject(CONTEXT, carrier);
      expect(order).to.deep.equal(['a', 'b', 'c']);
      expect(carrier).to.deep.equal({ 'x-a': `a:${SPAN_A}`, 'x-b': `b:${SPAN_A}`, 'x-c': `c:${SPAN_A}` });
      for (const p of [a, b, c]) expect(p.injected).to.deep.equal([CONTEXT]);
    });

    it('injects only with the inject list when the extract list differs', () => {
      const injector = new FakePropagator('in', 'x-in');
      const extractor = new FakePropagator('out', 'x-out');
      const carrier: Record<string, string> = {};
      new CompositePropagator([injector], [extractor]).inject(CONTEXT, carrier);
      expect(carrier).to.deep.equal({ 'x-in': `in:${SPAN_A}` });
      expect(extractor.injected).to.deep.equal([]);
    });

    it('writes every real format it is given', () => {
      const carrier: Record<string, string> = {};
      new CompositePropagator([new W3CTraceContextPropagator(), new B3Propagator({ injectEncoding: 'multi' }), new XTraceIdPropagator()]).inject(CONTEXT, carrier);
      expect(carrier).to.include({
        traceparent: `00-${TRACE_A}-${SPAN_A}-01`,
        'x-b3-traceid': TRACE_A,
        'x-b3-spanid': SPAN_A,
        'x-b3-sampled': '1',
        'x-trace-id': TRACE_A,
        'x-span-id': SPAN_A,
      });
    });

    it('does nothing with no inject propagators', () => {
      const carrier: Record<string, string> = {};
      new CompositePropagator([], [new FakePropagator('x', 'x-x')]).inject(CONTEXT, carrier);
      expect(carrier).to.deep.equal({});
    });

    // The implementation promises it: "a carrier that refuses a header must not fail the request".
    it('carries on with the others when one propagator throws', () => {
      const before = new FakePropagator('before', 'x-before');
      const after = new FakePropagator('after', 'x-after');
      const carrier: Record<string, string> = {};
      const composite = new CompositePropagator([before, new ThrowingPropagator('bad', 'x-bad'), after]);
      expect(() => composite.inject(CONTEXT, carrier)).to.not.throw();
      expect(carrier).to.deep.equal({ 'x-before': `before:${SPAN_A}`, 'x-after': `after:${SPAN_A}` });
    });

    it('carries on when the carrier refuses one header', () => {
      const written = new Map<string, string>();
      const carrier = {
        has: (name: string) => written.has(name),
        set(name: string, value: string) {
          if (name === 'traceparent') throw new TypeError('header refused');
          written.set(name, value);
        },
      };
      const composite = new CompositePropagator([new W3CTraceContextPropagator(), new XTraceIdPropagator()]);
      expect(() => composite.inject(CONTEXT, carrier)).to.not.throw();
      expect(written.has('traceparent')).to.equal(false);
      expect(written.get('x-trace-id')).to.equal(TRACE_A);
    });
  });

  describe('extract', () => {
    it('returns the context of the first propagator that yields one, and asks no further', () => {
      const none = new FakePropagator('none', 'x-none', null);
      const first = new FakePropagator('first', 'x-first', remote(TRACE_A, SPAN_A));
      const second = new FakePropagator('second', 'x-second', remote(TRACE_B, SPAN_B));
      const context = new CompositePropagator([], [none, first, second]).extract({});
      expect(context).to.deep.equal(remote(TRACE_A, SPAN_A));
      expect([none.extractCalls, first.extractCalls, second.extractCalls]).to.deep.equal([1, 1, 0]);
    });

    it('follows the order it was given: reversed, the other context wins', () => {
      const a = new FakePropagator('a', 'x-a', remote(TRACE_A, SPAN_A));
      const b = new FakePropagator('b', 'x-b', remote(TRACE_B, SPAN_B));
      expect(new CompositePropagator([], [a, b]).extract({})?.traceId).to.equal(TRACE_A);
      expect(new CompositePropagator([], [b, a]).extract({})?.traceId).to.equal(TRACE_B);
    });

    it('extracts with the inject list when no extract list is given', () => {
      const only = new FakePropagator('only', 'x-only', remote(TRACE_B, SPAN_B));
      expect(new CompositePropagator([only]).extract({})?.traceId).to.equal(TRACE_B);
      expect(only.extractCalls).to.equal(1);
    });

    it('extracts only with the extract list when one is given', () => {
      const injector = new FakePropagator('in', 'x-in', remote(TRACE_A, SPAN_A));
      const extractor = new FakePropagator('out', 'x-out', null);
      expect(new CompositePropagator([injector], [extractor]).extract({})).to.equal(null);
      expect(injector.extractCalls).to.equal(0);
    });

    it('returns null when no propagator yields a context, or there is none', () => {
      expect(new CompositePropagator([], [new FakePropagator('a', 'x-a'), new FakePropagator('b', 'x-b')]).extract({})).to.equal(null);
      expect(new CompositePropagator([]).extract({ traceparent: `00-${TRACE_A}-${SPAN_A}-01` })).to.equal(null);
    });

    // Propagator promises that extract never throws; the composite keeps that promise for propagators that break it.
    it('treats a throwing propagator as yielding nothing and asks the next', () => {
      const bad = new ThrowingPropagator('bad', 'x-bad');
      const good = new FakePropagator('good', 'x-good', remote(TRACE_B, SPAN_B));
      let context: TraceContext | null = null;
      expect(() => (context = new CompositePropagator([], [bad, good]).extract({}))).to.not.throw();
      expect(context).to.deep.equal(remote(TRACE_B, SPAN_B));
      expect(bad.extractCalls).to.equal(1);
      expect(new CompositePropagator([], [bad]).extract({})).to.equal(null);
    });

    describe('with the real formats', () => {
      const both = {
        traceparent: `00-${TRACE_A}-${SPAN_A}-01`,
        b3: `${TRACE_B}-${SPAN_B}-1`,
      };

      it('the first listed format present wins', () => {
        const w3cFirst = new CompositePropagator([], [new W3CTraceContextPropagator(), new B3Propagator()]);
        const b3First = new CompositePropagator([], [new B3Propagator(), new W3CTraceContextPropagator()]);
        expect(w3cFirst.extract(both)).to.include({ traceId: TRACE_A, spanId: SPAN_A });
        expect(b3First.extract(both)).to.include({ traceId: TRACE_B, spanId: SPAN_B });
      });

      it('a malformed header of an earlier format lets a later one through', () => {
        const composite = new CompositePropagator([], [new W3CTraceContextPropagator(), new B3Propagator()]);
        expect(composite.extract({ ...both, traceparent: `00-${TRACE_A}-${SPAN_A}` })).to.include({ traceId: TRACE_B, spanId: SPAN_B });
        expect(composite.extract({ traceparent: 'garbage', b3: 'garbage' })).to.equal(null);
      });

      it('the default propagator reads W3C before B3 before x-trace-id', () => {
        const composite = createPropagator({});
        expect(composite.extract(both)).to.include({ traceId: TRACE_A });
        expect(composite.extract({ b3: both.b3, 'x-trace-id': TRACE_A })).to.include({ traceId: TRACE_B });
      });
    });
  });

  describe('fields', () => {
    it('lists every header of the inject and extract propagators, once each, in order', () => {
      const a = new FakePropagator('a', 'x-a');
      const b = new FakePropagator('b', 'x-b');
      const c = new FakePropagator('c', 'x-c');
      expect(new CompositePropagator([a, b], [b, c, a]).fields()).to.deep.equal(['x-a', 'x-b', 'x-c']);
      expect(new CompositePropagator([c]).fields()).to.deep.equal(['x-c']);
      expect(new CompositePropagator([]).fields()).to.deep.equal([]);
    });

    it('unites the fields of the real propagators', () => {
      const fields = new CompositePropagator([new W3CTraceContextPropagator()], [new B3Propagator(), new XTraceIdPropagator()]).fields();
      expect(fields).to.include.members(['traceparent', 'tracestate', 'b3', 'x-b3-traceid', 'x-b3-sampled', 'x-trace-id', 'x-span-id']);
      expect(new Set(fields).size).to.equal(fields.length);
    });
  });
});
