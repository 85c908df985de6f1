import { expect } from 'chai';
import fc from 'fast-check';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Resource as OtelResource } from '@opentelemetry/resources';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import * as api from '@opentelemetry/api';
import { encodeOtlpJson, encodeOtlpProtobuf, ERR_SPAN_DECODE, readSpans, type ReadableSpan, type Resource } from '@audit-tracing/core';
import { finishedSpan, TEST_RESOURCE } from '../helpers/exportSpans.js';
import { proto } from '../helpers/otlpDecode.js';

const Request = proto.collector.trace.v1.ExportTraceServiceRequest;

/** A record as plain data: what `estimatedBytes` estimates and undefined fields aside. */
function plain(span: ReadableSpan): unknown {
  const { estimatedBytes: _, ...rest } = span;
  return JSON.parse(JSON.stringify(rest));
}

function decodeError(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (error) {
    expect((error as { code?: string }).code, String(error)).to.equal(ERR_SPAN_DECODE);
    return error as Error;
  }
  throw new Error('expected a decode error');
}

/** Spans with every field our encoders write: kinds, statuses, tags of each type, logs, links, trace state. */
function sampleSpans(): ReadableSpan[] {
  const other: Resource = Object.freeze({ serviceName: 'billing', attributes: Object.freeze({ 'service.name': 'billing', region: 'eu', weights: [1, 2.5] }) });
  const root = finishedSpan({ kind: 'server', component: 'express', operationName: 'GET /cart', traceState: 'vendor=a,other=b', startTime: 1_712_345_678_901.5 }, 1_712_345_679_000.000_25);
  const child = finishedSpan(
    {
      traceId: root.traceId,
      parentSpanId: root.spanId,
      kind: 'client',
      component: 'pg',
      operationName: 'SELECT cart — ünïcødé 🚀',
      tags: { 'db.rows': 3, ratio: 0.25, cached: false, hosts: ['a', 'b'], ports: [1, 2], mixed: ['x', 1, true], negative: -42, huge: 2 ** 60, empty: '' },
      links: [{ context: { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: 1, traceState: 'k=v' }, tags: { reason: 'batch' } }],
    },
    undefined,
    (span) => {
      span.log('warn', 'retrying', { attempt: 2, why: 'reset' });
      span.log('debug', 'done');
    },
  );
  const failed = finishedSpan({ kind: 'producer', traceFlags: 3 }, undefined, (span) => span.setStatus('ERROR', 'card declined'));
  const slow = finishedSpan({ kind: 'consumer', resource: other }, undefined, (span) => span.setStatus('TIMEOUT', 'after 30 s'));
  const cancelled = finishedSpan({ resource: other }, undefined, (span) => span.setStatus('CANCELLED'));
  const okWithMessage = finishedSpan({}, undefined, (span) => span.setStatus('OK', 'cached'));
  // the encoders group spans by resource: spans of one resource together keep their order
  return [root, child, failed, okWithMessage, slow, cancelled];
}

describe('readSpans', () => {
  describe('reads back what our encoders wrote', () => {
    for (const [name, encode] of [
      ['OTLP/JSON', encodeOtlpJson],
      ['OTLP/protobuf', encodeOtlpProtobuf],
    ] as const) {
      it(`${name}: the same records, format detected`, () => {
        const spans = sampleSpans();
        const back = readSpans(encode(spans));
        expect(back.map(plain)).to.deep.equal(spans.map(plain));
        // one resource object per resource, as the tracer has it
        expect(back[0].resource).to.equal(back[1].resource);
        expect(back[4].resource).to.equal(back[5].resource);
        expect(back[4].resource.serviceName).to.equal('billing');
        expect(back[1].startTime).to.equal(spans[1].startTime);
      });
    }

    it('OTLP/JSON as a string and with the format named', () => {
      const spans = sampleSpans();
      expect(readSpans(encodeOtlpJson(spans).toString(), { format: 'otlp-json' }).map(plain)).to.deep.equal(spans.map(plain));
      expect(readSpans(encodeOtlpProtobuf(spans), { format: 'otlp-protobuf' }).map(plain)).to.deep.equal(spans.map(plain));
    });

    it('keeps times exact to the double for any sub-millisecond fraction', () => {
      fc.assert(
        fc.property(fc.double({ min: 1e12, max: 2e12, noNaN: true }), fc.double({ min: 0, max: 1e5, noNaN: true }), (start, length) => {
          const span = finishedSpan({ startTime: start }, start + length);
          for (const body of [encodeOtlpJson([span]), encodeOtlpProtobuf([span])]) {
            const [back] = readSpans(body);
            // the encoders round to whole nanoseconds
            expect(Math.abs(back.startTime - span.startTime)).to.be.at.most(5e-7);
            expect(Math.abs(back.endTime! - span.endTime!)).to.be.at.most(5e-7);
          }
        }),
        { numRuns: 200 },
      );
    });

    it('an empty body or text is no spans', () => {
      expect(readSpans(new Uint8Array(0))).to.deep.equal([]);
      expect(readSpans('  \n')).to.deep.equal([]);
      expect(readSpans(encodeOtlpJson([]))).to.deep.equal([]);
    });
  });

  describe('agrees with protobufjs and the official definitions', () => {
    // A request with what our encoders never write: kvlists, bytes, int64 beyond 2^53, nested arrays, an unset
    // status, kind UNSPECIFIED, a scope of another library, instrumentation over several scopes.
    const request = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'inventory' } }, { key: 'host.cpus', value: { intValue: 8 } }] },
          scopeSpans: [
            {
              scope: { name: 'io.opentelemetry.jdbc', version: '2.1' },
              spans: [
                {
                  traceId: Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex'),
                  spanId: Buffer.from('b7ad6b7169203331', 'hex'),
                  parentSpanId: Buffer.from('00f067aa0ba902b7', 'hex'),
                  name: 'SELECT stock',
                  kind: 0,
                  startTimeUnixNano: '1712345678901234567',
                  endTimeUnixNano: '1712345678911234567',
                  attributes: [
                    { key: 'big', value: { intValue: '9007199254740993' } },
                    { key: 'minus', value: { intValue: '-7' } },
                    { key: 'pi', value: { doubleValue: 3.14159 } },
                    { key: 'raw', value: { bytesValue: Buffer.from([1, 2, 3]) } },
                    { key: 'map', value: { kvlistValue: { values: [{ key: 'a', value: { intValue: 1 } }, { key: 'b', value: { arrayValue: { values: [{ boolValue: true }] } } }] } } },
                    { key: 'nested', value: { arrayValue: { values: [{ stringValue: 'x' }, { arrayValue: { values: [{ intValue: 2 }] } }] } } },
                  ],
                  droppedAttributesCount: 2,
                  events: [{ timeUnixNano: '1712345678905000000', name: 'exception', attributes: [{ key: 'exception.type', value: { stringValue: 'SQLException' } }], droppedAttributesCount: 1 }],
                  droppedEventsCount: 3,
                  links: [{ traceId: Buffer.from('ab'.repeat(16), 'hex'), spanId: Buffer.from('cd'.repeat(8), 'hex'), traceState: 'x=y', attributes: [{ key: 'k', value: { stringValue: 'v' } }], droppedAttributesCount: 4 }],
                  droppedLinksCount: 5,
                  status: { code: 0 },
                },
              ],
            },
            { scope: { name: 'other' }, spans: [{ traceId: Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex'), spanId: Buffer.from('1111111111111111', 'hex'), name: 'x', kind: 2, startTimeUnixNano: '5', endTimeUnixNano: '7', status: { code: 1, message: 'fine' } }] },
          ],
        },
      ],
    };
    const body: Uint8Array = Request.encode(Request.fromObject(request)).finish();

    it('decodes the protobuf body into the records its JSON form gives', () => {
      const json = Request.toObject(Request.decode(body), { longs: String, enums: Number, bytes: String });
      // OTLP/JSON spells ids in hex where protobuf's JSON mapping has base64: give one of each
      const spansJson = json.resourceSpans[0].scopeSpans[0].spans;
      spansJson[0].traceId = Buffer.from(spansJson[0].traceId, 'base64').toString('hex');
      const fromProtobuf = readSpans(body);
      const fromJson = readSpans(JSON.stringify(json));
      expect(fromProtobuf.map(plain)).to.deep.equal(fromJson.map(plain));
      const [span, other] = fromProtobuf;
      expect(span).to.include({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', parentSpanId: '00f067aa0ba902b7', operationName: 'SELECT stock', component: 'io.opentelemetry.jdbc', kind: 'internal' });
      expect(span.startTime).to.equal(1712345678901.234567);
      expect(span.duration).to.be.closeTo(10, 1e-6);
      expect(span.tags).to.deep.equal({ big: '9007199254740993', minus: -7, pi: 3.14159, raw: 'AQID', map: '{"a":1,"b":[true]}', nested: ['x', '[2]'] });
      expect(span.status).to.deep.equal({ code: 'OK' });
      expect(span.logs).to.deep.equal([{ timestamp: 1712345678905, level: 'info', message: 'exception', fields: { 'exception.type': 'SQLException' }, droppedFieldsCount: 1 }]);
      expect(span.links).to.deep.equal([{ context: { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: 0, traceState: 'x=y' }, tags: { k: 'v' }, droppedTagsCount: 4 }]);
      expect([span.droppedTagsCount, span.droppedLogsCount, span.droppedLinksCount]).to.deep.equal([2, 3, 5]);
      expect(span.resource).to.deep.equal({ serviceName: 'inventory', attributes: { 'service.name': 'inventory', 'host.cpus': 8 } });
      expect(other).to.include({ component: 'other', kind: 'server', startTime: 5e-6 });
      expect(other.status).to.deep.equal({ code: 'OK', message: 'fine' });
    });

    it('skips fields it does not know, as protobuf requires', () => {
      // field 99 (varint) and field 100 (bytes) in front of the request's own field
      const unknown = Buffer.from([0x98, 0x06, 0x2a, 0xa2, 0x06, 0x02, 0x01, 0x02]);
      expect(readSpans(Buffer.concat([unknown, body])).map(plain)).to.deep.equal(readSpans(body).map(plain));
    });

    it('matches protobufjs field by field on random spans of ours', () => {
      fc.assert(
        fc.property(
          fc.record({
            name: fc.string(),
            tags: fc.dictionary(fc.string({ minLength: 1 }), fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.array(fc.string(), { maxLength: 3 }))),
            kind: fc.constantFrom('server', 'client', 'internal', 'producer', 'consumer' as const),
          }),
          ({ name, tags, kind }) => {
            const span = finishedSpan({ operationName: name, tags, kind, component: 'c' });
            const bodyOfOurs = encodeOtlpProtobuf([span]);
            const theirs = Request.toObject(Request.decode(bodyOfOurs), { longs: String, enums: Number, bytes: String, defaults: false });
            const [back] = readSpans(bodyOfOurs);
            const protoSpan = theirs.resourceSpans[0].scopeSpans[0].spans[0];
            expect(back.operationName).to.equal(protoSpan.name);
            const keys = (protoSpan.attributes ?? []).map((kv: { key: string }) => kv.key).filter((k: string) => k !== 'component');
            expect(Object.keys(back.tags).sort()).to.deep.equal(keys.sort());
            expect(plain(back)).to.deep.equal(plain(span));
          },
        ),
        { numRuns: 150 },
      );
    });
  });

  describe('reads what an OpenTelemetry SDK exports', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ resource: new OtelResource({ 'service.name': 'billing' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('billing-lib', '2.0.0');
    const parent = tracer.startSpan('POST /charge', { kind: api.SpanKind.SERVER });
    const ctx = api.trace.setSpan(api.context.active(), parent);
    const child = tracer.startSpan('charge card', { kind: api.SpanKind.CLIENT, attributes: { amount: 12.5, n: 3, cards: ['visa', 'amex'] }, links: [{ context: parent.spanContext(), attributes: { why: 'test' } }] }, ctx);
    child.addEvent('retry', { attempt: 2 });
    child.setStatus({ code: api.SpanStatusCode.ERROR, message: 'declined' });
    child.end();
    parent.end();
    const otelSpans = exporter.getFinishedSpans();

    for (const [name, serializer] of [
      ['OTLP/JSON', JsonTraceSerializer],
      ['OTLP/protobuf', ProtobufTraceSerializer],
    ] as const) {
      it(name, () => {
        const records = readSpans(serializer.serializeRequest(otelSpans)!);
        expect(records).to.have.length(2);
        const byName = new Map(records.map((r) => [r.operationName, r]));
        const c = byName.get('charge card')!;
        const p = byName.get('POST /charge')!;
        const otelChild = otelSpans.find((s) => s.name === 'charge card')!;
        expect(c.traceId).to.equal(otelChild.spanContext().traceId);
        expect(c.spanId).to.equal(otelChild.spanContext().spanId);
        expect(c.parentSpanId).to.equal(p.spanId);
        expect(c.kind).to.equal('client');
        expect(p.kind).to.equal('server');
        expect(c.component).to.equal('billing-lib');
        expect(c.status).to.deep.equal({ code: 'ERROR', message: 'declined' });
        expect(p.status).to.deep.equal({ code: 'OK' });
        expect(c.tags).to.deep.equal({ amount: 12.5, n: 3, cards: ['visa', 'amex'] });
        expect(c.logs[0]).to.include({ message: 'retry', level: 'info' });
        expect(c.logs[0].fields).to.deep.equal({ attempt: 2 });
        expect(c.links[0].context.spanId).to.equal(p.spanId);
        expect(c.links[0].tags).to.deep.equal({ why: 'test' });
        // OpenTelemetry JS 1.x leaves Span.flags out: read as 0
        expect(c.traceFlags).to.equal(0);
        expect(c.resource.serviceName).to.equal('billing');
        const [seconds, nanos] = otelChild.startTime;
        expect(c.startTime).to.be.closeTo(seconds * 1000 + nanos / 1e6, 1e-6);
        // epoch ms in a double are exact to 2^-12 ms (0.24 µs) today: so is a duration computed from two of them
        expect(c.duration).to.be.closeTo(otelChild.duration[0] * 1000 + otelChild.duration[1] / 1e6, 5e-4);
      });
    }
  });

  describe('refuses malformed input with a coded error, quickly', () => {
    it('truncated protobuf, and lengths beyond the body', () => {
      const body = encodeOtlpProtobuf(sampleSpans());
      expect(decodeError(() => readSpans(body.subarray(0, body.length - 3))).message).to.match(/OTLP protobuf: truncated/);
      // resource_spans claiming 4 GiB
      expect(decodeError(() => readSpans(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]))).message).to.match(/truncated input/);
      // a varint that never ends
      decodeError(() => readSpans(Buffer.from([0x08, ...new Array(12).fill(0xff)])));
      // a group (wire type 3)
      expect(decodeError(() => readSpans(Buffer.from([0x0b, 0x0c]), { format: 'otlp-protobuf' })).message).to.match(/wire type 3/);
    });

    it('attribute values nested too deep, in protobuf and in JSON', () => {
      let value: Record<string, unknown> = { stringValue: 'bottom' };
      for (let i = 0; i < 200; i++) value = { arrayValue: { values: [value] } };
      const request = { resourceSpans: [{ resource: { attributes: [{ key: 'deep', value }] }, scopeSpans: [] }] };
      expect(decodeError(() => readSpans(JSON.stringify(request))).message).to.match(/nested deeper than 32/);
      const body = Request.encode(Request.fromObject(request)).finish();
      expect(decodeError(() => readSpans(body)).message).to.match(/nested deeper than 32/);
    });

    it('says where: the span with a bad id, the line that is not JSON', () => {
      const request = JSON.parse(encodeOtlpJson(sampleSpans()).toString());
      request.resourceSpans[1].scopeSpans[0].spans[1].spanId = 'xyz';
      expect(decodeError(() => readSpans(JSON.stringify(request))).message).to.equal('OTLP: resourceSpans[1].scopeSpans[0].spans[1]: spanId: expected 16 hex characters');
      const secret = 'password=hunter2';
      const error = decodeError(() => readSpans(`{"traceId":"${'a'.repeat(32)}"}\n{${secret}\n`, { format: 'jsonl' }));
      expect(error.message).to.match(/^JSON lines: line 1: spanId/);
      const second = decodeError(() => readSpans(`${JSON.stringify(plain(finishedSpan()))}\n{${secret}\n`));
      expect(second.message).to.match(/^JSON lines: line 2: not valid JSON/);
      expect(second.message).to.not.contain('hunter2');
      decodeError(() => readSpans('{"resourceSpans": 3}'));
      decodeError(() => readSpans('{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "b7ad6b7169203331", "startTimeUnixNano": "-5"}]}]}]}'));
    });

    it('wrong arguments are option errors', () => {
      expect(() => readSpans(42 as never)).to.throw(TypeError).with.property('code', 'AUDIT_TRACING_ERR_INVALID_OPTION');
      expect(() => readSpans('', { format: 'csv' as never })).to.throw('readSpans.format: expected "jsonl", "otlp-json" or "otlp-protobuf", got "csv"');
      expect(() => readSpans('{}', { format: 'otlp-protobuf' })).to.throw(TypeError);
    });

    it('random bytes and damaged bodies: spans or a coded error, nothing else', () => {
      const good = encodeOtlpProtobuf(sampleSpans());
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
          try {
            readSpans(bytes);
          } catch (error) {
            expect((error as { code?: string }).code, String(error)).to.equal(ERR_SPAN_DECODE);
          }
        }),
        { numRuns: 500 },
      );
      fc.assert(
        fc.property(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 }), (at, byte) => {
          const damaged = Buffer.from(good);
          damaged[at] = byte;
          try {
            readSpans(damaged, { format: 'otlp-protobuf' });
          } catch (error) {
            expect((error as { code?: string }).code, String(error)).to.equal(ERR_SPAN_DECODE);
          }
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('JSON lines', () => {
    it('reads records line by line, sharing equal resources; a line may be a whole OTLP request', () => {
      const spans = sampleSpans();
      const lines = spans.map((s) => JSON.stringify(plain(s))).join('\n') + '\n' + encodeOtlpJson(spans.slice(0, 2)).toString() + '\n';
      const back = readSpans(lines);
      expect(back).to.have.length(spans.length + 2);
      expect(back.slice(0, spans.length).map(plain)).to.deep.equal(spans.map(plain));
      expect(back[0].resource).to.equal(back[1].resource);
      expect(back[0].resource).to.not.equal(back[4].resource);
      expect(back[0].resource.serviceName).to.equal(TEST_RESOURCE.serviceName);
      expect(back.slice(spans.length).map(plain)).to.deep.equal(spans.slice(0, 2).map(plain));
    });

    it('an OTLP/JSON document over several lines (pretty-printed) is detected as one', () => {
      const spans = sampleSpans();
      const pretty = JSON.stringify(JSON.parse(encodeOtlpJson(spans).toString()), null, 2);
      expect(readSpans(pretty).map(plain)).to.deep.equal(spans.map(plain));
    });

    it('falls back to defaults for what analysis can do without', () => {
      const [span] = readSpans(`{"traceId":"${'A'.repeat(32)}","spanId":"${'b'.repeat(16)}","operationName":"x","startTime":5,"endTime":3,"kind":"weird","status":{"code":"NOPE"},"logs":[1,{"timestamp":6,"level":"loud"}]}`);
      expect(span).to.include({ traceId: 'a'.repeat(32), kind: 'internal', startTime: 5, endTime: 5, duration: 0, component: '' });
      expect(span.status).to.deep.equal({ code: 'OK' });
      expect(span.logs).to.deep.equal([{ timestamp: 6, level: 'info', message: '' }]);
      expect(span.resource.serviceName).to.equal('unknown_service');
    });
  });
});
