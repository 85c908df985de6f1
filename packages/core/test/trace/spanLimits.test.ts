import { expect } from 'chai';
import { resolveTracingConfig, type TracingOptions } from '../../src/config.js';
import { InMemoryExporter } from '../../src/export/InMemoryExporter.js';
import { encodeOtlpJson } from '../../src/export/otlp/encodeJson.js';
import { encodeOtlpProtobuf } from '../../src/export/otlp/encodeProtobuf.js';
import { ERR_INVALID_OPTION } from '../../src/invalidOption.js';
import type { AuditSpan } from '../../src/trace/AuditSpan.js';
import { AuditTracer } from '../../src/trace/AuditTracer.js';
import { DEFAULT_SPAN_LIMITS, truncateString } from '../../src/trace/spanLimits.js';
import type { ReadableSpan, SpanLink } from '../../src/types.js';
import { decodeOtlpProtobuf, normalizeOtlpJson, otlpSpans } from '../helpers/otlpDecode.js';
import { captureWarnings } from '../helpers/captureWarnings.js';

const LINK_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const LINK_SPAN_ID = '00f067aa0ba902b7';

function link(i: number, tags?: SpanLink['tags']): SpanLink {
  return { context: { traceId: LINK_TRACE_ID, spanId: i.toString(16).padStart(16, '0'), traceFlags: 1 }, tags };
}

function newTracer(options: TracingOptions = {}) {
  const exporter = new InMemoryExporter();
  const tracer = new AuditTracer({ exporter, processor: 'simple', serviceName: 'limits', ...options });
  /** Finishes `span` and returns the one record the exporter received for it. */
  async function exported(span: { finish(): void; spanId: string }): Promise<ReadableSpan> {
    span.finish();
    await tracer.forceFlush();
    const records = exporter.getFinishedSpans().filter((record) => record.spanId === span.spanId);
    expect(records).to.have.length(1);
    return records[0];
  }
  return { tracer, exporter, exported };
}

function expectCodedTypeError(fn: () => unknown, message: RegExp): void {
  expect(fn).to.throw(TypeError, message).with.property('code', ERR_INVALID_OPTION);
}

describe('span limits', () => {
  const warnings = captureWarnings();

  it('has the documented defaults', () => {
    expect(DEFAULT_SPAN_LIMITS).to.deep.equal({
      attributeCountLimit: 128,
      attributeValueLengthLimit: 4096,
      eventCountLimit: 128,
      linkCountLimit: 128,
      attributePerEventCountLimit: 128,
      attributePerLinkCountLimit: 128,
    });
    expect(resolveTracingConfig({}, {}).spanLimits).to.deep.equal(DEFAULT_SPAN_LIMITS);
  });

  describe('tag values', () => {
    it('cuts a 5 MB string tag to 4096 characters and counts it', async () => {
      const { tracer, exported } = newTracer();
      const span = tracer.startSpan('big', null);
      span.setTag('body', 'x'.repeat(5 * 1024 * 1024));
      span.setTag('small', 'y'.repeat(4096));
      expect(span.tags.body).to.have.length(4096);
      const record = await exported(span);
      expect(record.tags.body).to.equal('x'.repeat(4096));
      expect(record.tags.small).to.equal('y'.repeat(4096));
      expect(tracer.getStats().spanLimits).to.deep.equal({ tagsDropped: 0, logsDropped: 0, linksDropped: 0, valuesTruncated: 1, fieldsDropped: 0 });
    });

    it('cuts long values given at start, in setTags and in the status message', async () => {
      const { tracer, exported } = newTracer({ spanLimits: { attributeValueLengthLimit: 10 } });
      const span = tracer.startSpan('start', null, { tags: { initial: 'a'.repeat(20) } });
      span.setTags({ many: 'b'.repeat(11), fits: 'c'.repeat(10) });
      span.setStatus('ERROR', 'd'.repeat(50));
      const record = await exported(span);
      expect(record.tags).to.deep.include({ initial: 'a'.repeat(10), many: 'b'.repeat(10), fits: 'c'.repeat(10) });
      expect(record.status).to.deep.equal({ code: 'ERROR', message: 'd'.repeat(10) });
      expect(tracer.getStats().spanLimits.valuesTruncated).to.equal(3);
    });

    it('cuts long strings inside arrays, and arrays longer than the limit, without touching the caller’s array', async () => {
      const { tracer, exported } = newTracer({ spanLimits: { attributeValueLengthLimit: 3 } });
      const hosts = ['alpha', 'b', 'gamma'];
      const span = tracer.startSpan('arrays', null);
      span.setTag('hosts', hosts);
      span.setTag('ports', [1, 2, 3, 4, 5]);
      span.setTag('flags', [true, false]);
      const record = await exported(span);
      expect(record.tags.hosts).to.deep.equal(['alp', 'b', 'gam']);
      expect(record.tags.ports).to.deep.equal([1, 2, 3]);
      expect(record.tags.flags).to.deep.equal([true, false]);
      expect(hosts).to.deep.equal(['alpha', 'b', 'gamma']);
      // two strings cut, one array shortened
      expect(tracer.getStats().spanLimits.valuesTruncated).to.equal(3);
    });

    it('cuts a 4096-item array of long strings at the default limits', async () => {
      const { tracer, exported } = newTracer();
      const span = tracer.startSpan('array', null);
      span.setTag('list', Array.from({ length: 5000 }, () => 'z'.repeat(5000)));
      const list = (await exported(span)).tags.list as string[];
      expect(list).to.have.length(4096);
      expect(list.every((item) => item.length === 4096)).to.equal(true);
    });

    it('never splits a surrogate pair', async () => {
      const { tracer, exported } = newTracer();
      const span = tracer.startSpan('emoji', null);
      // 'a' then pairs: index 4095 is the high half of a pair, so the cut falls before the pair.
      span.setTag('odd', `a${'😀'.repeat(3000)}`);
      // pairs only: index 4095 is a low half, so all 2048 pairs fit.
      span.setTag('even', '😀'.repeat(3000));
      const record = await exported(span);
      const odd = record.tags.odd as string;
      const even = record.tags.even as string;
      expect(odd).to.have.length(4095);
      expect(odd).to.equal(`a${'😀'.repeat(2047)}`);
      expect(even).to.equal('😀'.repeat(2048));
      for (const text of [odd, even]) expect(Buffer.from(text, 'utf8').toString('utf8')).to.equal(text); // no lone surrogate
    });

    it('truncateString cuts at the limit, one unit earlier before a high surrogate', () => {
      expect(truncateString('abcdef', 3)).to.equal('abc');
      expect(truncateString('abc', 3)).to.equal('abc');
      expect(truncateString('a😀b', 2)).to.equal('a');
      expect(truncateString('a😀b', 3)).to.equal('a😀');
      expect(truncateString('😀', 1)).to.equal('');
      expect(truncateString('abc', 0)).to.equal('');
    });
  });

  describe('tag count', () => {
    it('keeps 128 of 10,000 tags, counts 9,872 dropped, and still overwrites a kept key', async () => {
      const { tracer, exported } = newTracer();
      const span = tracer.startSpan('many', null);
      for (let i = 0; i < 10_000; i++) span.setTag(`key-${i}`, i);
      span.setTag('key-0', 'overwritten');
      span.setTag('key-127', 'also');
      span.setTag('key-128', 'still dropped');
      const record = await exported(span);
      expect(Object.keys(record.tags)).to.have.length(128);
      expect(Object.keys(record.tags)).to.deep.equal(Array.from({ length: 128 }, (_, i) => `key-${i}`));
      expect(record.tags['key-0']).to.equal('overwritten');
      expect(record.tags['key-127']).to.equal('also');
      expect(record.tags).to.not.have.property('key-128');
      expect(record.droppedTagsCount).to.equal(9_873);
      expect(tracer.getStats().spanLimits.tagsDropped).to.equal(9_873);
    });

    it('counts exactly 10,000 - 128 = 9,872 for 10,000 distinct keys', async () => {
      const { tracer, exported } = newTracer();
      const span = tracer.startSpan('many', null);
      for (let i = 0; i < 10_000; i++) span.setTag(`key-${i}`, i);
      expect((span as AuditSpan).droppedTagsCount).to.equal(9_872);
      expect((await exported(span)).droppedTagsCount).to.equal(9_872);
    });

    it('counts writes to the same key once: rewriting a tag many times drops nothing', async () => {
      const { tracer, exported } = newTracer({ spanLimits: { attributeCountLimit: 2 } });
      const span = tracer.startSpan('rewrites', null);
      for (let i = 0; i < 500; i++) span.setTag('counter', i);
      span.setTag('second', true);
      span.setTag('third', true);
      const record = await exported(span);
      expect(record.tags).to.deep.equal({ counter: 499, second: true });
      expect(record.droppedTagsCount).to.equal(1);
    });

    it('applies the limit to tags given at start, and sums drops over spans in getStats', async () => {
      const { tracer, exported } = newTracer({ spanLimits: { attributeCountLimit: 3 } });
      const tags = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`t${i}`, i]));
      const first = await exported(tracer.startSpan('a', null, { tags }));
      expect(Object.keys(first.tags)).to.deep.equal(['t0', 't1', 't2']);
      expect(first.droppedTagsCount).to.equal(2);
      const second = tracer.startSpan('b', null, { tags: { x: 1, y: 2, z: 3 } });
      second.setTag('w', 4);
      expect((await exported(second)).droppedTagsCount).to.equal(1);
      expect(tracer.getStats().spanLimits.tagsDropped).to.equal(3);
    });

    it('says so once through the diagnostic logger', () => {
      const { tracer } = newTracer({ spanLimits: { attributeCountLimit: 1 } });
      const span = tracer.startSpan('warn', null);
      for (let i = 0; i < 50; i++) span.setTag(`k${i}`, i);
      expect(warnings.filter((w) => w.includes('attributeCountLimit')).length).to.be.at.most(1);
    });
  });

  describe('logs', () => {
    it('keeps 128 logs, drops and counts the rest', async () => {
      const { tracer, exported } = newTracer();
      const span = tracer.startSpan('chatty', null);
      for (let i = 0; i < 200; i++) span.log('info', `line ${i}`);
      const record = await exported(span);
      expect(record.logs).to.have.length(128);
      expect(record.logs[127].message).to.equal('line 127');
      expect(record.droppedLogsCount).to.equal(72);
      expect(tracer.getStats().spanLimits.logsDropped).to.equal(72);
    });

    it('cuts log fields beyond 128 with droppedFieldsCount, and leaves a log within the limits alone', async () => {
      const { tracer, exported } = newTracer();
      const span = tracer.startSpan('fields', null);
      const fields = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`f${i}`, i]));
      span.log('info', 'wide', fields);
      const small = { a: 1 };
      span.log('info', 'narrow', small);
      const record = await exported(span);
      expect(Object.keys(record.logs[0].fields ?? {})).to.have.length(128);
      expect(record.logs[0].fields).to.have.property('f127');
      expect(record.logs[0].fields).to.not.have.property('f128');
      expect(record.logs[0].droppedFieldsCount).to.equal(72);
      expect(Object.keys(fields)).to.have.length(200); // the caller's object is not cut
      expect(record.logs[1].fields).to.deep.equal({ a: 1 });
      expect(record.logs[1].droppedFieldsCount).to.equal(undefined);
      expect(tracer.getStats().spanLimits.fieldsDropped).to.equal(72);
    });

    it('cuts long log messages and field values', async () => {
      const { tracer, exported } = newTracer({ spanLimits: { attributeValueLengthLimit: 5 } });
      const span = tracer.startSpan('long', null);
      span.log('warn', 'a long message', { body: 'abcdefgh', list: ['123456', 'ok'], n: 123456789 });
      const [log] = (await exported(span)).logs;
      expect(log.message).to.equal('a lon');
      expect(log.fields).to.deep.equal({ body: 'abcde', list: ['12345', 'ok'], n: 123456789 });
      expect(log.droppedFieldsCount).to.equal(undefined);
      expect(tracer.getStats().spanLimits.valuesTruncated).to.equal(3);
    });
  });

  describe('links', () => {
    it('drops and counts links beyond the limit, from start options and addLink', async () => {
      const { tracer, exported } = newTracer();
      const span = tracer.startSpan('batch', null, { links: Array.from({ length: 100 }, (_, i) => link(i + 1)) });
      for (let i = 100; i < 150; i++) span.addLink(link(i + 1));
      const record = await exported(span);
      expect(record.links).to.have.length(128);
      expect(record.links[127].context.spanId).to.equal((128).toString(16).padStart(16, '0'));
      expect(record.droppedLinksCount).to.equal(22);
      expect(tracer.getStats().spanLimits.linksDropped).to.equal(22);
    });

    it('cuts a link’s tags beyond attributePerLinkCountLimit and counts them on the link', async () => {
      const { tracer, exported } = newTracer({ spanLimits: { attributePerLinkCountLimit: 2 } });
      const span = tracer.startSpan('linked', null, { links: [link(1, { a: 1, b: 2, c: 3, d: 4 }), link(2, { a: 1 })] });
      const record = await exported(span);
      expect(record.links[0].tags).to.deep.equal({ a: 1, b: 2 });
      expect(record.links[0].droppedTagsCount).to.equal(2);
      expect(record.links[1].tags).to.deep.equal({ a: 1 });
      expect(record.links[1].droppedTagsCount).to.equal(undefined);
      expect(tracer.getStats().spanLimits.fieldsDropped).to.equal(2);
    });

    it('ignores a malformed link without counting it as dropped', async () => {
      const { tracer, exported } = newTracer();
      const span = tracer.startSpan('bad-link', null);
      span.addLink({ context: { traceId: 'nope', spanId: LINK_SPAN_ID } });
      span.addLink(null as never);
      span.addLink(link(1));
      const record = await exported(span);
      expect(record.links).to.have.length(1);
      expect(record.droppedLinksCount).to.equal(0);
    });
  });

  describe('configuration', () => {
    it('takes overrides from the spanLimits option, one limit at a time', async () => {
      const { tracer, exported } = newTracer({ spanLimits: { attributeCountLimit: 2, eventCountLimit: 1, linkCountLimit: 0 } });
      expect(tracer.config.spanLimits).to.deep.equal({ ...DEFAULT_SPAN_LIMITS, attributeCountLimit: 2, eventCountLimit: 1, linkCountLimit: 0 });
      const span = tracer.startSpan('small', null, { links: [link(1)] });
      span.setTags({ a: 1, b: 2, c: 3 });
      span.log('info', 'one');
      span.log('info', 'two');
      span.setTag('long', 'x'.repeat(5000)); // dropped by count, not cut: the default length limit still applies
      const record = await exported(span);
      expect(record.tags).to.deep.equal({ a: 1, b: 2 });
      expect(record.droppedTagsCount).to.equal(2);
      expect(record.logs.map((log) => log.message)).to.deep.equal(['one']);
      expect(record.droppedLogsCount).to.equal(1);
      expect(record.links).to.deep.equal([]);
      expect(record.droppedLinksCount).to.equal(1);
    });

    it('reads every OpenTelemetry variable through resolveTracingConfig(options, env)', () => {
      const env = {
        OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '11',
        OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '12',
        OTEL_SPAN_EVENT_COUNT_LIMIT: '13',
        OTEL_SPAN_LINK_COUNT_LIMIT: '14',
        OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '15',
        OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: ' 16 ',
      };
      expect(resolveTracingConfig({}, env).spanLimits).to.deep.equal({
        attributeCountLimit: 11,
        attributeValueLengthLimit: 12,
        eventCountLimit: 13,
        linkCountLimit: 14,
        attributePerEventCountLimit: 15,
        attributePerLinkCountLimit: 16,
      });
    });

    it('prefers the span variable to the general attribute one, and falls back to it', () => {
      const both = { OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '5', OTEL_ATTRIBUTE_COUNT_LIMIT: '7', OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '50', OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '70' };
      expect(resolveTracingConfig({}, both).spanLimits).to.include({ attributeCountLimit: 5, attributeValueLengthLimit: 50 });
      const general = { OTEL_ATTRIBUTE_COUNT_LIMIT: '7', OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '70' };
      expect(resolveTracingConfig({}, general).spanLimits).to.include({ attributeCountLimit: 7, attributeValueLengthLimit: 70 });
    });

    it('lets the option win over the environment per limit, keeping the other limits the environment set', () => {
      const env = { OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '5', OTEL_SPAN_EVENT_COUNT_LIMIT: '6' };
      expect(resolveTracingConfig({ spanLimits: { eventCountLimit: 9 } }, env).spanLimits).to.include({ attributeCountLimit: 5, eventCountLimit: 9, linkCountLimit: 128 });
    });

    it('ignores a bad environment value, keeping the default (or the general variable)', () => {
      for (const bad of ['abc', '-1', '1.5', '1e400', 'Infinity', '0x10z']) {
        expect(resolveTracingConfig({}, { OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: bad }).spanLimits!.attributeCountLimit, bad).to.equal(128);
      }
      expect(resolveTracingConfig({}, { OTEL_SPAN_EVENT_COUNT_LIMIT: '' }).spanLimits!.eventCountLimit).to.equal(128);
      expect(resolveTracingConfig({}, { OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: 'lots', OTEL_ATTRIBUTE_COUNT_LIMIT: '9' }).spanLimits!.attributeCountLimit).to.equal(9);
      expect(() => resolveTracingConfig({}, { OTEL_SPAN_LINK_COUNT_LIMIT: '-5' })).to.not.throw();
    });

    it('applies the environment of the process to a tracer', async () => {
      const saved = process.env.OTEL_SPAN_EVENT_COUNT_LIMIT;
      process.env.OTEL_SPAN_EVENT_COUNT_LIMIT = '2';
      try {
        const { tracer, exported } = newTracer();
        const span = tracer.startSpan('env', null);
        for (let i = 0; i < 5; i++) span.log('info', `l${i}`);
        const record = await exported(span);
        expect(record.logs).to.have.length(2);
        expect(record.droppedLogsCount).to.equal(3);
      } finally {
        if (saved === undefined) delete process.env.OTEL_SPAN_EVENT_COUNT_LIMIT;
        else process.env.OTEL_SPAN_EVENT_COUNT_LIMIT = saved;
      }
    });

    it('rejects an invalid limit with the coded TypeError', () => {
      expectCodedTypeError(() => new AuditTracer({ exporter: new InMemoryExporter(), spanLimits: { attributeCountLimit: -1 } }), /^tracing\.spanLimits\.attributeCountLimit: expected a whole number >= 0, got -1$/);
      for (const bad of [1.5, NaN, Infinity, '5', null]) {
        expectCodedTypeError(() => resolveTracingConfig({ spanLimits: { eventCountLimit: bad as never } }, {}), /^tracing\.spanLimits\.eventCountLimit: expected a whole number >= 0/);
      }
      expectCodedTypeError(() => resolveTracingConfig({ spanLimits: 5 as never }, {}), /^tracing\.spanLimits: expected an object of limits, got 5$/);
      expectCodedTypeError(() => resolveTracingConfig({ spanLimits: [] as never }, {}), /^tracing\.spanLimits: expected an object of limits/);
    });

    it('rejects an unknown limit name with the coded TypeError naming it', () => {
      expectCodedTypeError(() => new AuditTracer({ exporter: new InMemoryExporter(), spanLimits: { attributeCount: 5 } as never }), /^tracing\.spanLimits\.attributeCount: .*attributeCountLimit/);
    });

    it('words the unknown limit error as the other unknown options are worded', () => {
      expectCodedTypeError(() => resolveTracingConfig({ spanLimits: { attributeCount: 5 } as never }, {}), /^tracing\.spanLimits\.attributeCount: .*attributeCountLimit/);
      expect(() => resolveTracingConfig({ spanLimits: { attributeCount: 5 } as never }, {})).to.throw().with.property('message').that.does.not.include('"an unknown limit"');
    });

    it('accepts 0: nothing of that kind is kept', async () => {
      const { tracer, exported } = newTracer({ spanLimits: { attributeCountLimit: 0, eventCountLimit: 0 } });
      const span = tracer.startSpan('nothing', null);
      span.setTag('a', 1);
      span.log('info', 'x');
      const record = await exported(span);
      expect(record.tags).to.deep.equal({});
      expect(record.droppedTagsCount).to.equal(1);
      expect(record.droppedLogsCount).to.equal(1);
    });
  });

  describe('tags given at start', () => {
    it('do not cut or write into the caller’s object, nor share it between spans', async () => {
      const { tracer, exported } = newTracer({ spanLimits: { attributeCountLimit: 3 } });
      const common: Record<string, number> = { a: 1, b: 2, c: 3, d: 4 };
      const first = tracer.startSpan('first', null, { tags: common });
      const second = tracer.startSpan('second', null, { tags: common });
      expect(Object.keys(common)).to.deep.equal(['a', 'b', 'c', 'd']);
      first.setTag('a', 100);
      const firstRecord = await exported(first);
      second.setTag('b', 200);
      expect(firstRecord.tags).to.deep.equal({ a: 100, b: 2, c: 3 });
      expect(common).to.deep.equal({ a: 1, b: 2, c: 3, d: 4 });
      await exported(second);
    });

    it('never throw from startSpan or setTag when the caller’s tags are frozen', () => {
      const { tracer } = newTracer({ spanLimits: { attributeCountLimit: 1, attributeValueLengthLimit: 2 } });
      expect(() => tracer.startSpan('over', null, { tags: Object.freeze({ a: 1, b: 2 }) })).to.not.throw();
      expect(() => tracer.startSpan('long', null, { tags: Object.freeze({ a: 'long' }) })).to.not.throw();
      expect(() => tracer.startSpan('more', null, { tags: Object.freeze({}) }).setTag('x', 1)).to.not.throw();
    });
  });

  describe('OTLP encodings', () => {
    async function limitedRecord(): Promise<ReadableSpan> {
      const { tracer, exported } = newTracer({
        spanLimits: { attributeCountLimit: 2, eventCountLimit: 1, linkCountLimit: 2, attributePerEventCountLimit: 1, attributePerLinkCountLimit: 1 },
      });
      const span = tracer.startSpan('limited', null, {
        links: [{ context: { traceId: LINK_TRACE_ID, spanId: LINK_SPAN_ID, traceFlags: 1, traceState: 'vendor=a' }, tags: { 'link.kind': 'batch', extra: 1 } }],
      });
      span.setTags({ a: 'one', b: 2, c: 3, d: 4 });
      span.log('info', 'kept', { x: 1, y: 2, z: 3 });
      span.log('info', 'dropped');
      span.addLink(link(7));
      span.addLink(link(8));
      span.addLink(link(9));
      const record = await exported(span);
      expect(record).to.include({ droppedTagsCount: 2, droppedLogsCount: 1, droppedLinksCount: 2 });
      return record;
    }

    function expectLimitedSpan(span: Record<string, any>, linkId: (id: any) => string): void {
      expect(span.droppedAttributesCount).to.equal(2);
      expect(span.droppedEventsCount).to.equal(1);
      expect(span.droppedLinksCount).to.equal(2);
      expect(span.attributes.map((kv: any) => kv.key)).to.include.members(['a', 'b']).and.not.include('c');
      expect(span.events).to.have.length(1);
      expect(span.events[0].name).to.equal('kept');
      expect(span.events[0].droppedAttributesCount).to.equal(2);
      expect(span.links).to.have.length(2);
      const [first, second] = span.links;
      expect(linkId(first.traceId)).to.equal(LINK_TRACE_ID);
      expect(linkId(first.spanId)).to.equal(LINK_SPAN_ID);
      expect(first.traceState).to.equal('vendor=a');
      expect(first.attributes).to.deep.equal([{ key: 'link.kind', value: { stringValue: 'batch' } }]);
      expect(first.droppedAttributesCount).to.equal(1);
      expect(linkId(second.spanId)).to.equal((7).toString(16).padStart(16, '0'));
      expect(second.droppedAttributesCount ?? 0).to.equal(0);
    }

    it('JSON carries droppedAttributesCount, droppedEventsCount, droppedLinksCount and the links', async () => {
      const body = JSON.parse(encodeOtlpJson([await limitedRecord()]).toString('utf8'));
      const [span] = otlpSpans(body);
      expectLimitedSpan(span, (id) => id);
      expect(span.links.map((l: any) => l.flags)).to.deep.equal([1, 1]);
    });

    it('protobuf, decoded with the official definitions, carries the same', async () => {
      const record = await limitedRecord();
      const [span] = otlpSpans(decodeOtlpProtobuf(encodeOtlpProtobuf([record])));
      expectLimitedSpan(span, (id) => Buffer.from(id, 'base64').toString('hex'));
    });

    it('the two encodings agree', async () => {
      const record = await limitedRecord();
      const decoded = decodeOtlpProtobuf(encodeOtlpProtobuf([record]));
      for (const span of otlpSpans(decoded)) {
        for (const l of span.links ?? []) for (const field of ['traceId', 'spanId']) l[field] = Buffer.from(l[field], 'base64').toString('hex');
      }
      const json = normalizeOtlpJson(JSON.parse(encodeOtlpJson([record]).toString('utf8')));
      // Link.flags (field 6) is newer than the shipped definitions, as Span.flags is.
      for (const span of otlpSpans(json)) for (const l of span.links ?? []) delete l.flags;
      expect(decoded).to.deep.equal(json);
    });

    it('leave the dropped counts out when nothing was cut', async () => {
      const { tracer, exported } = newTracer();
      const record = await exported(tracer.startSpan('clean', null, { tags: { a: 1 } }));
      const [jsonSpan] = otlpSpans(JSON.parse(encodeOtlpJson([record]).toString('utf8')));
      const [protoSpan] = otlpSpans(decodeOtlpProtobuf(encodeOtlpProtobuf([record])));
      for (const span of [jsonSpan, protoSpan]) {
        expect(span.droppedAttributesCount ?? 0).to.equal(0);
        expect(span.droppedEventsCount ?? 0).to.equal(0);
        expect(span.droppedLinksCount ?? 0).to.equal(0);
      }
      expect(jsonSpan).to.not.have.any.keys('droppedAttributesCount', 'droppedEventsCount', 'droppedLinksCount', 'links');
    });
  });
});
