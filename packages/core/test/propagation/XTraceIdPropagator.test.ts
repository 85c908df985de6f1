import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { isValidSpanId, isValidTraceId } from '../../src/ids.js';
import {
  DEFAULT_PARENT_SPAN_ID_HEADERS,
  DEFAULT_SPAN_ID_HEADERS,
  DEFAULT_TRACE_ID_HEADERS,
  MAX_CORRELATION_ID_LENGTH,
  XTraceIdPropagator,
} from '../../src/propagation/XTraceIdPropagator.js';
import { AuditTracer } from '../../src/trace/AuditTracer.js';
import { NO_SPAN_ID, type TraceContext } from '../../src/types.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACE_ID_64 = '463ac35c9f6413ad';
const SPAN_ID = '00f067aa0ba902b7';
const PARENT_ID = '05e3ac9a4f6e3b90';
const UUID = 'F47AC10B-58CC-4372-A567-0E02B2C3D479';

const sha256Prefix = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

describe('XTraceIdPropagator', () => {
  const propagator = new XTraceIdPropagator();

  it('is named x-trace-id and has the documented default header names', () => {
    expect(propagator.name).to.equal('x-trace-id');
    expect(DEFAULT_TRACE_ID_HEADERS).to.deep.equal(['x-trace-id', 'traceid', 'trace-id', 'x-traceid']);
    expect(DEFAULT_SPAN_ID_HEADERS).to.deep.equal(['x-span-id', 'spanid', 'span-id']);
    expect(DEFAULT_PARENT_SPAN_ID_HEADERS).to.deep.equal(['x-parent-span-id', 'parentspanid', 'parent-span-id']);
    expect(propagator.fields()).to.have.members([...DEFAULT_TRACE_ID_HEADERS, ...DEFAULT_SPAN_ID_HEADERS, ...DEFAULT_PARENT_SPAN_ID_HEADERS]);
  });

  describe('trace ids', () => {
    it('takes a 128-bit hex trace id as is', () => {
      expect(propagator.extract({ 'x-trace-id': TRACE_ID, 'x-span-id': SPAN_ID, 'x-parent-span-id': PARENT_ID })).to.deep.equal({
        traceId: TRACE_ID,
        spanId: SPAN_ID,
        parentSpanId: PARENT_ID,
        traceFlags: 0,
        isRemote: true,
      });
    });

    it('leaves the sampling decision to the sampler', () => {
      const context = propagator.extract({ 'x-trace-id': TRACE_ID });
      expect(context?.sampled).to.equal(undefined);
      expect(context?.traceFlags).to.equal(0);
    });

    it('left-pads a 64-bit hex trace id', () => {
      expect(propagator.extract({ 'x-trace-id': TRACE_ID_64 })).to.include({ traceId: `0000000000000000${TRACE_ID_64}` });
      expect(propagator.extract({ 'x-trace-id': TRACE_ID_64 })).to.not.have.property('correlationId');
    });

    it('rejects all-zero ids and the nil UUID', () => {
      expect(propagator.extract({ 'x-trace-id': '0'.repeat(32) })).to.equal(null);
      expect(propagator.extract({ 'x-trace-id': '0'.repeat(16) })).to.equal(null);
      expect(propagator.extract({ 'x-trace-id': '00000000-0000-0000-0000-000000000000' })).to.equal(null);
    });

    it('reads the aliases in order, the first present winning', () => {
      expect(propagator.extract({ traceid: TRACE_ID })).to.include({ traceId: TRACE_ID });
      expect(propagator.extract({ 'trace-id': TRACE_ID })).to.include({ traceId: TRACE_ID });
      expect(propagator.extract({ 'X-TraceId': TRACE_ID })).to.include({ traceId: TRACE_ID });
      expect(propagator.extract({ 'trace-id': 'b'.repeat(32), 'X-Trace-Id': TRACE_ID })).to.include({ traceId: TRACE_ID });
    });

    it('returns null without a trace id header', () => {
      expect(propagator.extract({})).to.equal(null);
      expect(propagator.extract({ 'x-span-id': SPAN_ID })).to.equal(null);
      expect(propagator.extract(null as never)).to.equal(null);
    });
  });

  describe('correlation ids', () => {
    it('derives the trace id of a UUID from its hex digits, in either case', () => {
      const expected = 'f47ac10b58cc4372a5670e02b2c3d479';
      expect(propagator.extract({ 'x-trace-id': UUID })).to.include({ traceId: expected, correlationId: UUID });
      expect(propagator.extract({ 'x-trace-id': UUID.toLowerCase() })).to.include({ traceId: expected, correlationId: UUID.toLowerCase() });
    });

    it('derives the same trace id from the same correlation id, in every service', () => {
      const id = 'req_01HZX3Q5K9:gw/eu-west-1';
      const a = new XTraceIdPropagator().extract({ 'x-trace-id': id });
      const b = new XTraceIdPropagator().extract({ 'x-trace-id': id });
      expect(a?.traceId).to.equal(sha256Prefix(id));
      expect(a?.traceId).to.equal(b?.traceId);
      expect(a?.correlationId).to.equal(id);
      expect(isValidTraceId(a?.traceId)).to.equal(true);
    });

    it('hashes uppercase hex ids as correlation ids', () => {
      expect(propagator.extract({ 'x-trace-id': TRACE_ID.toUpperCase() })).to.include({
        traceId: sha256Prefix(TRACE_ID.toUpperCase()),
        correlationId: TRACE_ID.toUpperCase(),
      });
    });

    it('accepts the documented character set up to the length limit', () => {
      expect(MAX_CORRELATION_ID_LENGTH).to.equal(128);
      for (const id of ['a', 'Z9', 'abc-_.:@/+=XYZ', 'dGhpcyBpcyBiYXNlNjQ=', 'x'.repeat(128)]) {
        expect(propagator.extract({ 'x-trace-id': id }), id).to.include({ correlationId: id });
      }
    });

    it('rejects hostile or unsafe values', () => {
      for (const bad of [
        '',
        'x'.repeat(129),
        'has space',
        'tab\there',
        'crlf\r\nx-evil: 1',
        'nul\u0000',
        'bell\u0007',
        'del\u007f',
        'comma,separated',
        'semi;colon',
        'quote"d',
        '<script>',
        'ünïcode',
        '🙂',
        `${TRACE_ID}\n`,
        ` ${TRACE_ID}`,
      ]) {
        expect(propagator.extract({ 'x-trace-id': bad }), JSON.stringify(bad)).to.equal(null);
      }
    });

    it('rejects repeated trace id headers', () => {
      expect(propagator.extract({ 'x-trace-id': [TRACE_ID, TRACE_ID] })).to.equal(null);
      expect(propagator.extract({ 'x-trace-id': [UUID, UUID] })).to.equal(null);
    });
  });

  describe('span ids', () => {
    it('continues the trace without a parent span when no span id is usable: no invented parent', () => {
      for (const spanId of [undefined, '', '0'.repeat(16), SPAN_ID.toUpperCase(), 'short', `${SPAN_ID}\r\n`]) {
        const headers: Record<string, string> = { 'x-trace-id': TRACE_ID };
        if (spanId !== undefined) headers['x-span-id'] = spanId;
        const context = propagator.extract(headers);
        expect(context, JSON.stringify(spanId)).to.deep.equal({ traceId: TRACE_ID, spanId: NO_SPAN_ID, traceFlags: 0, isRemote: true });
      }
    });

    it('makes the span started from such a context the root of the continued trace', () => {
      const tracer = new AuditTracer({ serviceName: 't', exporterType: 'none' });
      const span = tracer.startSpan('GET', propagator.extract({ 'x-trace-id': TRACE_ID }), { kind: 'server' });
      expect(span.traceId).to.equal(TRACE_ID);
      expect(span.parentSpanId).to.equal(undefined);
      expect(isValidSpanId(span.spanId)).to.equal(true);
      // What goes downstream names this span, never an id nobody recorded.
      const carrier: Record<string, string> = {};
      tracer.injectHeaders(span, carrier);
      expect(carrier).to.not.have.property('x-parent-span-id');
      expect(carrier.traceparent).to.equal(`00-${TRACE_ID}-${span.spanId}-01`);
      void tracer.shutdown();
    });

    it('reads span and parent aliases', () => {
      expect(propagator.extract({ 'x-trace-id': TRACE_ID, spanid: SPAN_ID, 'parent-span-id': PARENT_ID })).to.include({
        spanId: SPAN_ID,
        parentSpanId: PARENT_ID,
      });
    });

    it('drops an invalid parent span id', () => {
      expect(propagator.extract({ 'x-trace-id': TRACE_ID, 'x-span-id': SPAN_ID, 'x-parent-span-id': 'zzz' })).to.not.have.property('parentSpanId');
    });
  });

  describe('configured header names', () => {
    const custom = new XTraceIdPropagator({ traceId: ['X-Request-Id', 'X-Correlation-Id'], spanId: ['X-Hop'], parentSpanId: [] });

    it('reads and writes the configured names, lowercased', () => {
      expect(custom.fields()).to.deep.equal(['x-request-id', 'x-correlation-id', 'x-hop']);
      expect(custom.extract({ 'x-correlation-id': UUID, 'X-HOP': SPAN_ID })).to.include({ correlationId: UUID, spanId: SPAN_ID });
      expect(custom.extract({ 'x-trace-id': TRACE_ID })).to.equal(null);
      const carrier: Record<string, string> = {};
      custom.inject({ traceId: TRACE_ID, spanId: SPAN_ID, parentSpanId: PARENT_ID, traceFlags: 1 }, carrier);
      expect(carrier).to.deep.equal({ 'x-request-id': TRACE_ID, 'x-hop': SPAN_ID });
    });

    it('keeps the defaults for lists left out', () => {
      const partial = new XTraceIdPropagator({ traceId: ['x-request-id'] });
      expect(partial.extract({ 'x-request-id': TRACE_ID, 'x-span-id': SPAN_ID })).to.include({ spanId: SPAN_ID });
    });

    it('rejects unusable names at construction', () => {
      expect(() => new XTraceIdPropagator({ traceId: [] })).to.throw(TypeError, /traceIdHeaders\.traceId/);
      expect(() => new XTraceIdPropagator({ traceId: 'x-trace-id' as never })).to.throw(TypeError, /traceIdHeaders\.traceId/);
      expect(() => new XTraceIdPropagator({ spanId: ['bad name'] })).to.throw(TypeError, /traceIdHeaders\.spanId/);
      expect(() => new XTraceIdPropagator({ parentSpanId: [42 as never] })).to.throw(TypeError, /traceIdHeaders\.parentSpanId/);
      expect(() => new XTraceIdPropagator('x' as never)).to.throw(TypeError, /traceIdHeaders/);
    });
  });

  describe('inject', () => {
    const context: TraceContext = { traceId: TRACE_ID, spanId: SPAN_ID, parentSpanId: PARENT_ID, traceFlags: 1, sampled: true };

    it('writes the first name of each list', () => {
      const carrier: Record<string, string> = {};
      propagator.inject(context, carrier);
      expect(carrier).to.deep.equal({ 'x-trace-id': TRACE_ID, 'x-span-id': SPAN_ID, 'x-parent-span-id': PARENT_ID });
    });

    it('leaves out a missing or invalid parent', () => {
      const carrier: Record<string, string> = {};
      propagator.inject({ ...context, parentSpanId: 'nope' }, carrier);
      expect(carrier).to.deep.equal({ 'x-trace-id': TRACE_ID, 'x-span-id': SPAN_ID });
    });

    it('passes a correlation id on unchanged', () => {
      const carrier: Record<string, string> = {};
      propagator.inject({ ...context, correlationId: UUID }, carrier);
      expect(carrier['x-trace-id']).to.equal(UUID);
    });

    it('falls back to the trace id when the correlation id is not safe to send', () => {
      const carrier: Record<string, string> = {};
      propagator.inject({ ...context, correlationId: 'a\r\nx-evil: 1' }, carrier);
      expect(carrier['x-trace-id']).to.equal(TRACE_ID);
    });

    it('writes nothing for invalid ids', () => {
      const carrier: Record<string, string> = {};
      propagator.inject({ ...context, traceId: '0'.repeat(32) }, carrier);
      propagator.inject({ ...context, spanId: 'nope' }, carrier);
      expect(carrier).to.deep.equal({});
    });

    it('never overwrites a header the caller set', () => {
      const carrier: Record<string, string> = { 'X-Trace-Id': 'mine' };
      propagator.inject(context, carrier);
      expect(carrier).to.deep.equal({ 'X-Trace-Id': 'mine', 'x-span-id': SPAN_ID, 'x-parent-span-id': PARENT_ID });
    });

    it('round-trips hex trace ids', () => {
      const carrier = new Headers();
      propagator.inject(context, carrier);
      expect(propagator.extract(carrier)).to.deep.equal({ traceId: TRACE_ID, spanId: SPAN_ID, parentSpanId: PARENT_ID, traceFlags: 0, isRemote: true });
    });

    it('round-trips a correlation id and the trace id derived from it', () => {
      for (const id of [UUID, 'order-4711@checkout']) {
        const first = propagator.extract({ 'x-trace-id': id, 'x-span-id': SPAN_ID })!;
        const carrier: Record<string, string> = {};
        propagator.inject(first, carrier);
        expect(carrier['x-trace-id']).to.equal(id);
        expect(propagator.extract(carrier)).to.deep.equal(first);
      }
    });
  });
});
