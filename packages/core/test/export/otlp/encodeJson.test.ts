import { expect } from 'chai';
import fc from 'fast-check';
import { encodeOtlpJson } from '../../../src/export/otlp/encodeJson.js';
import { finishedSpan } from '../../helpers/exportSpans.js';
import { otlpSpans } from '../../helpers/otlpDecode.js';

function encodeOne(...args: Parameters<typeof finishedSpan>): Record<string, any> {
  return JSON.parse(encodeOtlpJson([finishedSpan(...args)]).toString());
}

function attribute(attributes: { key: string; value: unknown }[], key: string): unknown {
  return attributes.find((a) => a.key === key)?.value;
}

describe('encodeOtlpJson', () => {
  it('follows the OTLP JSON mapping: hex ids, nanosecond strings, integer enums', () => {
    const body = encodeOne({ kind: 'client', parentSpanId: 'aaaaaaaaaaaaaaaa', startTime: 1_700_000_000_000.25 }, 1_700_000_000_010.5);
    const [span] = otlpSpans(body);
    expect(span.traceId).to.match(/^[0-9a-f]{32}$/);
    expect(span.spanId).to.match(/^[0-9a-f]{16}$/);
    expect(span.parentSpanId).to.equal('aaaaaaaaaaaaaaaa');
    expect(span.kind).to.equal(3); // SPAN_KIND_CLIENT
    expect(span.startTimeUnixNano).to.equal('1700000000000250000');
    expect(span.endTimeUnixNano).to.equal('1700000000010500000');
    expect(span.flags).to.equal(1);
  });

  it('writes every timestamp of a batch exactly: within a second, across seconds, near and past the edges', () => {
    // The digits of the seconds are kept from one timestamp to the next, and the start of a span is copied from the
    // span before when its timestamps have 19 digits: batches of timestamps close together and far apart.
    const reference = (epochMs: number): string => {
      const whole = Math.floor(epochMs);
      const nanos = BigInt(whole) * 1_000_000n + BigInt(Math.round((epochMs - whole) * 1e6));
      return String(nanos < 0n ? 0n : nanos);
    };
    const edge = fc.constantFrom(0, 0.5, 999.9999999, 1000, 1e12 - 0.0000001, 1e12, 1e13 - 1, 1e13 - 0.0000001, 1e13, 2 ** 52, -5);
    const nearby = fc.integer({ min: 0, max: 5000 }).map((offset) => 1_764_468_000_000 + offset + 0.125);
    const time = fc.oneof(edge, nearby, fc.double({ min: 0, max: 1e14, noNaN: true }));
    fc.assert(
      fc.property(fc.array(fc.tuple(time, fc.double({ min: 0, max: 10_000, noNaN: true })), { minLength: 1, maxLength: 8 }), (times) => {
        const spans = times.map(([start, duration]) => finishedSpan({ startTime: start, operationName: 'op' }, Math.max(start, 0) + duration));
        const written = otlpSpans(JSON.parse(encodeOtlpJson(spans).toString()));
        expect(written.map((span) => [span.startTimeUnixNano, span.endTimeUnixNano])).to.deep.equal(
          spans.map((span) => [reference(span.startTime), reference(span.endTime!)]),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('maps every span kind', () => {
    const kinds = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;
    for (const [kind, value] of Object.entries(kinds)) {
      expect(otlpSpans(encodeOne({ kind: kind as keyof typeof kinds }))[0].kind).to.equal(value);
    }
  });

  it('carries the resource and the instrumentation scope', () => {
    const body = encodeOne();
    const resource = body.resourceSpans[0].resource.attributes;
    expect(attribute(resource, 'service.name')).to.deep.equal({ stringValue: 'checkout' });
    expect(attribute(resource, 'service.version')).to.deep.equal({ stringValue: '1.2.3' });
    expect(attribute(resource, 'deployment.environment.name')).to.deep.equal({ stringValue: 'test' });
    expect(attribute(resource, 'telemetry.sdk.name')).to.deep.equal({ stringValue: 'audit-tracing' });
    expect(attribute(resource, 'telemetry.sdk.language')).to.deep.equal({ stringValue: 'nodejs' });
    expect(attribute(resource, 'telemetry.sdk.version')).to.deep.equal({ stringValue: '0.1.0' });
    expect(body.resourceSpans[0].scopeSpans[0].scope).to.deep.equal({ name: '@audit-tracing/core', version: '0.1.0' });
  });

  it('types attributes: string, int, double, bool, arrays; drops null and undefined', () => {
    const [span] = otlpSpans(
      encodeOne({ component: 'db', tags: { s: 'x', i: 42, neg: -1, d: 2.5, b: true, arr: ['a', 'b'], nums: [1, 2.5], n: null, u: undefined, inf: Infinity } }),
    );
    expect(attribute(span.attributes, 's')).to.deep.equal({ stringValue: 'x' });
    expect(attribute(span.attributes, 'i')).to.deep.equal({ intValue: '42' });
    expect(attribute(span.attributes, 'neg')).to.deep.equal({ intValue: '-1' });
    expect(attribute(span.attributes, 'd')).to.deep.equal({ doubleValue: 2.5 });
    expect(attribute(span.attributes, 'b')).to.deep.equal({ boolValue: true });
    expect(attribute(span.attributes, 'arr')).to.deep.equal({ arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } });
    expect(attribute(span.attributes, 'nums')).to.deep.equal({ arrayValue: { values: [{ intValue: '1' }, { doubleValue: 2.5 }] } });
    expect(attribute(span.attributes, 'inf')).to.deep.equal({ doubleValue: 'Infinity' });
    expect(attribute(span.attributes, 'n')).to.equal(undefined);
    expect(attribute(span.attributes, 'u')).to.equal(undefined);
    expect(attribute(span.attributes, 'component')).to.deep.equal({ stringValue: 'db' });
  });

  it('turns span logs into events with the level and fields as attributes', () => {
    const [span] = otlpSpans(
      encodeOne({ startTime: 1_700_000_000_000 }, 1_700_000_001_000, (s) => {
        s.log('error', 'query failed', { code: 'E42', rows: 0, err: new TypeError('bad'), obj: { a: 1 } });
      }),
    );
    expect(span.events).to.have.length(1);
    const [event] = span.events;
    expect(event.name).to.equal('query failed');
    expect(event.timeUnixNano).to.match(/^\d{19}$/);
    expect(attribute(event.attributes, 'level')).to.deep.equal({ stringValue: 'error' });
    expect(attribute(event.attributes, 'code')).to.deep.equal({ stringValue: 'E42' });
    expect(attribute(event.attributes, 'rows')).to.deep.equal({ intValue: '0' });
    expect(attribute(event.attributes, 'err')).to.deep.equal({ stringValue: 'TypeError: bad' });
    expect(attribute(event.attributes, 'obj')).to.deep.equal({ stringValue: '{"a":1}' });
  });

  it('exports OK and ERROR as themselves, TIMEOUT and CANCELLED as ERROR with their name in the message and a tag', () => {
    expect(otlpSpans(encodeOne())[0].status).to.deep.equal({ code: 1 });
    expect(otlpSpans(encodeOne({}, undefined, (s) => s.setStatus('ERROR', 'boom')))[0].status).to.deep.equal({ code: 2, message: 'boom' });
    const [timeout] = otlpSpans(encodeOne({}, undefined, (s) => s.setStatus('TIMEOUT', 'upstream')));
    expect(timeout.status).to.deep.equal({ code: 2, message: 'TIMEOUT: upstream' });
    expect(attribute(timeout.attributes, 'audit.status_code')).to.deep.equal({ stringValue: 'TIMEOUT' });
    const [cancelled] = otlpSpans(encodeOne({}, undefined, (s) => s.setStatus('CANCELLED')));
    expect(cancelled.status).to.deep.equal({ code: 2, message: 'CANCELLED' });
    expect(attribute(cancelled.attributes, 'audit.status_code')).to.deep.equal({ stringValue: 'CANCELLED' });
  });

  it('leaves the parent out of a root span', () => {
    expect(otlpSpans(encodeOne())[0]).not.to.have.property('parentSpanId');
  });

  it('escapes every string correctly', () => {
    const nasty = 'quote " backslash \\ newline \n tab \t nul \u0000 line-sep \u2028 lone \ud800 emoji 😀 </script>';
    const [span] = otlpSpans(encodeOne({ operationName: nasty, tags: { [nasty]: nasty }, traceState: 'k=v' }));
    expect(span.name).to.equal(JSON.parse(JSON.stringify(nasty)));
    expect(span.attributes[0]).to.deep.equal({ key: JSON.parse(JSON.stringify(nasty)), value: { stringValue: JSON.parse(JSON.stringify(nasty)) } });
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (name, value) => {
        const [decoded] = otlpSpans(encodeOne({ operationName: name, tags: { [value]: value } }));
        expect(decoded.name).to.equal(name);
        expect(decoded.attributes[0].value.stringValue).to.equal(value);
      }),
      { numRuns: 200 },
    );
  });

  it('encodes an empty batch as an empty request', () => {
    expect(JSON.parse(encodeOtlpJson([]).toString())).to.deep.equal({ resourceSpans: [] });
  });
});
