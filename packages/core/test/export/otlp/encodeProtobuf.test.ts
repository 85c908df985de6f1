import { expect } from 'chai';
import { resolveSpanLimits } from '../../../src/trace/spanLimits.js';
import fc from 'fast-check';
import { encodeOtlpJson } from '../../../src/export/otlp/encodeJson.js';
import { encodeOtlpProtobuf } from '../../../src/export/otlp/encodeProtobuf.js';
import type { Resource, TagValue } from '../../../src/types.js';
import { finishedSpan, finishedSpans } from '../../helpers/exportSpans.js';
import { decodeOtlpProtobuf, normalizeOtlpJson, otlpSpans } from '../../helpers/otlpDecode.js';

function sameAsJson(spans: Parameters<typeof encodeOtlpJson>[0]): Record<string, any> {
  const decoded = decodeOtlpProtobuf(encodeOtlpProtobuf(spans));
  expect(decoded).to.deep.equal(normalizeOtlpJson(JSON.parse(encodeOtlpJson(spans).toString())));
  return decoded;
}

describe('encodeOtlpProtobuf', () => {
  it('decodes with the official definitions into the same spans as the JSON encoding', () => {
    const parent = finishedSpan({ kind: 'server', component: 'http', operationName: 'GET /cart', traceState: 'vendor=a' });
    const child = finishedSpan({
      traceId: parent.traceId,
      parentSpanId: parent.spanId,
      kind: 'client',
      operationName: 'SELECT cart — ünïcødé 🚀',
      tags: { 'db.rows': 3, ratio: 0.25, cached: false, hosts: ['a', 'b'], ports: [1, 2], negative: -42, huge: 2 ** 60, empty: '', missing: undefined, none: null },
    });
    const failed = finishedSpan({ kind: 'producer' }, undefined, (span) => span.setStatus('ERROR', 'card declined'));
    const slow = finishedSpan({ kind: 'consumer' }, undefined, (span) => span.setStatus('TIMEOUT', 'after 30 s'));
    const cancelled = finishedSpan({}, undefined, (span) => span.setStatus('CANCELLED'));
    const logged = finishedSpan({ traceFlags: 3 }, 1_700_000_000_100.75, (span) => {
      span.log('warn', 'retrying', { attempt: 2, error: new Error('reset'), when: new Date(0), nested: { a: [1] } });
      span.log('info', 'done');
    });

    const decoded = sameAsJson([parent, child, failed, slow, cancelled, logged]);
    const spans = otlpSpans(decoded);
    expect(spans).to.have.length(6);
    expect(spans[1].traceId).to.equal(parent.traceId);
    expect(spans[1].parentSpanId).to.equal(parent.spanId);
    expect(spans[0].traceState).to.equal('vendor=a');
    expect(spans[1].name).to.equal('SELECT cart — ünïcødé 🚀');
    expect(spans[2].status).to.deep.equal({ code: 2, message: 'card declined' });
    expect(spans[3].status).to.deep.equal({ code: 2, message: 'TIMEOUT: after 30 s' });
    expect(spans[4].status).to.deep.equal({ code: 2, message: 'CANCELLED' });
    expect(spans[5].events).to.have.length(2);
  });

  it('writes ids as raw bytes: 16 for a trace id, 8 for a span id', () => {
    const span = finishedSpan({ parentSpanId: 'ffffffffffffffff' });
    const body = encodeOtlpProtobuf([span]);
    expect(body.includes(Buffer.from(span.traceId, 'hex'))).to.equal(true);
    expect(body.includes(Buffer.from(span.spanId, 'hex'))).to.equal(true);
    expect(otlpSpans(decodeOtlpProtobuf(body))[0].parentSpanId).to.equal('ffffffffffffffff');
  });

  it('writes nanosecond timestamps exactly', () => {
    const span = finishedSpan({ startTime: 1_712_345_678_901.5 }, 1_712_345_679_000.000_25);
    const decoded = otlpSpans(decodeOtlpProtobuf(encodeOtlpProtobuf([span])))[0];
    expect(decoded.startTimeUnixNano).to.equal('1712345678901500000');
    expect(decoded.endTimeUnixNano).to.equal(String(BigInt(1_712_345_679_000) * 1_000_000n + 244n));
  });

  it('keeps the W3C trace flags in Span.flags (field 16, fixed32)', () => {
    const span = finishedSpan({ traceFlags: 3 });
    const body = encodeOtlpProtobuf([span]);
    // key 16 << 3 | 5 = 133 → varint 0x85 0x01, then the little-endian value
    expect(body.includes(Buffer.from([0x85, 0x01, 3, 0, 0, 0]))).to.equal(true);
  });

  it('groups spans by resource', () => {
    const other: Resource = { serviceName: 'billing', attributes: { 'service.name': 'billing' } };
    const decoded = sameAsJson([finishedSpan(), finishedSpan({ resource: other }), finishedSpan()]);
    expect(decoded.resourceSpans).to.have.length(2);
    expect(decoded.resourceSpans[0].scopeSpans[0].spans).to.have.length(2);
    expect(decoded.resourceSpans[1].resource.attributes[0].value.stringValue).to.equal('billing');
  });

  it('groups the spans of a resource by instrumentation scope, ours under @audit-tracing/core', () => {
    const pg = Object.freeze({ name: '@opentelemetry/instrumentation-pg', version: '0.77.0', schemaUrl: 'https://opentelemetry.io/schemas/1.27.0' });
    const bare = Object.freeze({ name: 'custom' });
    const decoded = sameAsJson([finishedSpan(), finishedSpan({ instrumentationScope: pg }), finishedSpan(), finishedSpan({ instrumentationScope: bare }), finishedSpan({ instrumentationScope: pg })]);
    expect(decoded.resourceSpans).to.have.length(1);
    const scopes = decoded.resourceSpans[0].scopeSpans.map((s: Record<string, any>) => [s.scope, s.schemaUrl, s.spans.length]);
    expect(scopes).to.deep.equal([
      [{ name: '@audit-tracing/core', version: '0.1.0' }, undefined, 2],
      [{ name: '@opentelemetry/instrumentation-pg', version: '0.77.0' }, 'https://opentelemetry.io/schemas/1.27.0', 2],
      [{ name: 'custom' }, undefined, 1],
    ]);
  });

  it('encodes large batches and long strings (lengths of several bytes)', () => {
    const long = 'x'.repeat(70_000);
    const spans = finishedSpans(1000, { tags: { long: 'é'.repeat(50), n: 1 } });
    // Above the default value length limit: the limit is the span's business, the encoder writes what it gets.
    spans.push(finishedSpan({ tags: { long }, limits: resolveSpanLimits({ attributeValueLengthLimit: 100_000 }, undefined) }));
    const decoded = sameAsJson(spans);
    expect(otlpSpans(decoded)).to.have.length(1001);
    expect(otlpSpans(decoded)[1000].attributes[0].value.stringValue).to.equal(long);
  });

  it('writes values that repeat across spans exactly as the others (cached encodings), in both encodings', () => {
    // Each key keeps the encoding of a value seen twice in a row: runs of one value, a change, a value back, another
    // key holding the same text, and the same key in an event and on the resource.
    const values: TagValue[] = ['GET', 'GET', 'GET', 'POST', 'POST', 'GET', 200, 200, 404, 200, true, true, false, 'x'.repeat(300), 'x'.repeat(300), 1.5, 1.5];
    const spans = values.map((value, i) =>
      finishedSpan({ tags: { 'http.request.method': value, other: value, [`k${i % 2}`]: i % 3 } }, undefined, (span) => span.log('info', 'e', { 'http.request.method': i })),
    );
    const decoded = sameAsJson([...spans, ...spans]);
    const written = otlpSpans(decoded).map((span) => span.attributes.find((a: { key: string }) => a.key === 'http.request.method').value);
    const expected = values.map((value) =>
      typeof value === 'string' ? { stringValue: value } : typeof value === 'boolean' ? { boolValue: value } : Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value },
    );
    expect(written).to.deep.equal([...expected, ...expected]);
    const events = otlpSpans(decoded).map((span) => span.events[0].attributes.find((a: { key: string }) => a.key === 'http.request.method').value.intValue);
    expect(events).to.deep.equal([...values.keys(), ...values.keys()].map(String));
  });

  it('closes resource and scope groups right whether the size guessed from the last body was too large or too small', () => {
    // Each body reserves its groups' length bytes from the bytes per span of the body before.
    const big = () => finishedSpans(100, { tags: { long: 'x'.repeat(1000) } });
    const tiny = () => finishedSpans(2);
    for (const spans of [big(), tiny(), big(), tiny(), tiny(), big()]) {
      expect(otlpSpans(sameAsJson(spans))).to.have.length(spans.length);
    }
  });

  it('encodes an empty batch as an empty request', () => {
    expect(encodeOtlpProtobuf([]).length).to.equal(0);
    expect(decodeOtlpProtobuf(encodeOtlpProtobuf([]))).to.deep.equal({});
  });

  it('matches the JSON encoding for arbitrary names, tags and times', () => {
    const scalar = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string(), fc.integer(), fc.maxSafeInteger(), fc.double({ noNaN: true }), fc.boolean());
    const tagValue: fc.Arbitrary<TagValue> = fc.oneof(scalar, fc.array(fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxLength: 4 }));
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 50 }), tagValue, { maxKeys: 8 }),
        fc.double({ min: 0, max: 4_102_444_800_000, noNaN: true }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        (name, tags, start, duration) => {
          const span = finishedSpan({ operationName: name, tags, startTime: start }, start + duration);
          sameAsJson([span]);
        },
      ),
      { numRuns: 200 },
    );
  });
});
