import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { setDiagLogger } from '../../src/diag.js';
import { InMemoryExporter } from '../../src/export/InMemoryExporter.js';
import type { SpanProcessor } from '../../src/processor/SpanProcessor.js';
import { EncryptingSpanProcessor } from '../../src/security/EncryptingSpanProcessor.js';
import { decryptAttributes } from '../../src/security/decrypt.js';
import { ENCRYPTED_PREFIX, type ValueScope } from '../../src/security/envelope.js';
import { LocalKeyProvider } from '../../src/security/LocalKeyProvider.js';
import { AuditTracer } from '../../src/trace/AuditTracer.js';
import type { ReadableSpan, Span } from '../../src/types.js';
import { finishedSpan } from '../helpers/exportSpans.js';

const KEY = randomBytes(32).toString('hex');
const reader = new LocalKeyProvider({ keys: KEY });

/** A processor that keeps what it was handed. */
class RecordingProcessor implements SpanProcessor {
  readonly started: Span[] = [];
  readonly ended: ReadableSpan[] = [];
  flushes = 0;
  shutdowns = 0;
  onStart(span: Span): void {
    this.started.push(span);
  }
  onEnd(span: ReadableSpan): void {
    this.ended.push(span);
  }
  async forceFlush(): Promise<void> {
    this.flushes++;
  }
  async shutdown(): Promise<void> {
    this.shutdowns++;
  }
  getStats() {
    return { spansExported: 7 };
  }
}

/** The plaintext of `span`'s value of `key` (in its tags, or its `index`th log or link), after checking it left encrypted. */
async function plainValue(span: ReadableSpan, key: string, scope: ValueScope = 'span', index = 0): Promise<string> {
  const values = scope === 'span' ? span.tags : scope === 'event' ? span.logs[index].fields! : span.links[index].tags!;
  const value = values[key];
  expect(typeof value === 'string' && value.startsWith(ENCRYPTED_PREFIX), `${String(value)} is not encrypted`).to.equal(true);
  return String((await decryptAttributes({ [key]: value }, { traceId: span.traceId, spanId: span.spanId, scope }, reader))[key]);
}

function newTracer(sensitiveTags: ReadonlyArray<string | RegExp> = ['card.number', /password/g, /token/y]) {
  const exporter = new InMemoryExporter();
  const tracer = new AuditTracer({ exporter, processor: 'simple', serviceName: 'shop', encryption: { key: KEY, sensitiveTags } });
  return { tracer, exporter };
}

describe('EncryptingSpanProcessor', () => {
  beforeEach(() => setDiagLogger({ warn: () => {}, error: () => {} }));
  afterEach(() => setDiagLogger(undefined));

  describe('through a tracer', () => {
    it('exports sensitive tags and log fields encrypted, decryptable with the key', async () => {
      const { tracer, exporter } = newTracer();
      const span = tracer.startSpan('pay', null, { tags: { 'card.number': '4111111111111111', 'order.id': 'o-1' } });
      span.setTag('user.password', 'hunter2');
      span.setTag('token.refresh', 'r-123');
      span.setTag('card.cvc_count', 3);
      span.log('info', 'charged', { 'card.number': '4111111111111111', amount: 12.5 });
      span.log('info', 'plain', { amount: 1 });
      span.finish();
      await tracer.forceFlush();

      const [exported] = exporter.getFinishedSpans();
      expect(await plainValue(exported, 'card.number')).to.equal('4111111111111111');
      expect(await plainValue(exported, 'user.password')).to.equal('hunter2');
      expect(await plainValue(exported, 'token.refresh')).to.equal('r-123');
      expect(exported.tags['order.id']).to.equal('o-1');
      expect(exported.tags['card.cvc_count']).to.equal(3);
      expect(await plainValue(exported, 'card.number', 'event')).to.equal('4111111111111111');
      expect(exported.logs[0].fields?.amount).to.equal(12.5);
      expect(exported.logs[1].fields).to.deep.equal({ amount: 1 });
      expect(JSON.stringify(exported)).to.not.include('4111111111111111').and.not.include('hunter2');
      await tracer.shutdown();
    });

    it('stringifies non-string sensitive values as JSON before encrypting them', async () => {
      const { tracer, exporter } = newTracer(['pin', 'pins']);
      tracer.startSpan('n', null, { tags: { pin: 1234, pins: [1, 2] } }).finish();
      await tracer.forceFlush();
      const [exported] = exporter.getFinishedSpans();
      expect(await plainValue(exported, 'pin')).to.equal('1234');
      expect(await plainValue(exported, 'pins')).to.equal('[1,2]');
    });

    it('leaves the live span with its plain values after finish', async () => {
      const { tracer, exporter } = newTracer();
      const span = tracer.startSpan('login', null);
      span.setTag('user.password', 'hunter2');
      span.log('warn', 'retry', { 'token.auth': 't-1' });
      span.finish();
      await tracer.forceFlush();

      expect(span.tags['user.password']).to.equal('hunter2');
      expect(span.logs[0].fields?.['token.auth']).to.equal('t-1');
      const [exported] = exporter.getFinishedSpans();
      expect(exported).to.not.equal(span);
      expect(exported.tags).to.not.equal(span.tags);
      expect(await plainValue(exported, 'user.password')).to.equal('hunter2');
      // getTraceSpans serves the tracer's own records: plain, the way the handler wrote them.
      expect(tracer.getTraceSpans(span.traceId)[0].tags['user.password']).to.equal('hunter2');
    });

    it('hands a span with nothing sensitive to the exporter as the very record the tracer made', async () => {
      const seen: ReadableSpan[] = [];
      const exporter = new InMemoryExporter();
      const spy: SpanProcessor = { onEnd: (span) => void seen.push(span), forceFlush: async () => {}, shutdown: async () => {} };
      const spied = new AuditTracer({ exporter, processor: 'simple', serviceName: 'shop', processors: [spy], encryption: { key: KEY, sensitiveTags: ['card.number'] } });
      const span = spied.startSpan('browse', null, { tags: { 'page.id': 7 } });
      span.log('info', 'viewed', { sku: 'a-1' });
      span.finish();
      await spied.forceFlush();
      const [exported] = exporter.getFinishedSpans();
      expect(seen).to.have.length(1);
      expect(exported).to.equal(seen[0]);
      expect(exported.tags).to.equal(span.tags);
      await spied.shutdown();
    });

    it('encrypts "user.password" on every one of ten spans in a row with /password/g (the lastIndex bug)', async () => {
      const { tracer, exporter } = newTracer(['card.number', /password/g]);
      for (let i = 0; i < 10; i++) tracer.startSpan(`login-${i}`, null, { tags: { 'user.password': `secret-${i}` } }).finish();
      await tracer.forceFlush();
      const values = exporter.getFinishedSpans().map((span) => span.tags['user.password']);
      expect(values).to.have.length(10);
      expect(values.map(String).filter((value) => !value.startsWith(ENCRYPTED_PREFIX))).to.deep.equal([]);
      expect(await Promise.all(exporter.getFinishedSpans().map((span) => plainValue(span, 'user.password')))).to.deep.equal(Array.from({ length: 10 }, (_, i) => `secret-${i}`));
    });

    it('encrypts "token" on every one of ten spans in a row with /token/y', async () => {
      const { tracer, exporter } = newTracer([/token/y]);
      for (let i = 0; i < 10; i++) {
        const span = tracer.startSpan(`call-${i}`, null, { tags: { token: `t-${i}` } });
        span.log('info', 'refreshed', { 'token.refresh': `r-${i}` });
        span.finish();
      }
      await tracer.forceFlush();
      const spans = exporter.getFinishedSpans();
      expect(await Promise.all(spans.map((span) => plainValue(span, 'token')))).to.deep.equal(Array.from({ length: 10 }, (_, i) => `t-${i}`));
      expect(await Promise.all(spans.map((span) => plainValue(span, 'token.refresh', 'event')))).to.deep.equal(Array.from({ length: 10 }, (_, i) => `r-${i}`));
    });

    it('rejects a bad key or pattern list when the tracer is made', () => {
      expect(() => new AuditTracer({ exporter: new InMemoryExporter(), encryption: { key: 'abcd', sensitiveTags: [] } }))
        .to.throw(TypeError, /^encryption\.key: expected 32 bytes/)
        .with.property('code', 'AUDIT_TRACING_ERR_INVALID_OPTION');
      expect(() => new AuditTracer({ exporter: new InMemoryExporter(), encryption: { key: KEY, sensitiveTags: [42 as never] } }))
        .to.throw(TypeError, /^encryption\.sensitiveTags: expected/)
        .with.property('code', 'AUDIT_TRACING_ERR_INVALID_OPTION');
    });
  });

  describe('around a processor', () => {
    it('hands the inner processor an encrypted copy and never writes into the record it got', async () => {
      const inner = new RecordingProcessor();
      const processor = new EncryptingSpanProcessor(inner, { key: KEY, sensitiveTags: ['card.number'] });
      const record = finishedSpan({ tags: { 'card.number': '4111', keep: 'me' } }, undefined, (span) => span.log('info', 'x', { 'card.number': '4222', n: 1 }));
      const tagsBefore = record.tags;
      const logsBefore = record.logs;
      processor.onEnd(record);

      const [out] = inner.ended;
      expect(out).to.not.equal(record);
      expect(await plainValue(out, 'card.number')).to.equal('4111');
      expect(out.tags.keep).to.equal('me');
      expect(await plainValue(out, 'card.number', 'event')).to.equal('4222');
      expect(out.logs[0]).to.include({ level: 'info', message: 'x' });
      // The rest of the record is carried over.
      expect(out).to.include({ traceId: record.traceId, spanId: record.spanId, operationName: record.operationName, endTime: record.endTime });
      // The original is untouched.
      expect(record.tags).to.equal(tagsBefore);
      expect(record.tags).to.deep.equal({ 'card.number': '4111', keep: 'me' });
      expect(record.logs).to.equal(logsBefore);
      expect(record.logs[0].fields).to.deep.equal({ 'card.number': '4222', n: 1 });
    });

    it('copies only the logs array when only a log field is sensitive, and keeps the other logs as they were', async () => {
      const inner = new RecordingProcessor();
      const processor = new EncryptingSpanProcessor(inner, { key: KEY, sensitiveTags: ['card'] });
      const record = finishedSpan({ tags: { ok: 1 } }, undefined, (span) => {
        span.log('info', 'first', { plain: 1 });
        span.log('info', 'second', { card: 's' });
      });
      processor.onEnd(record);
      const [out] = inner.ended;
      expect(out).to.not.equal(record);
      expect(out.tags).to.equal(record.tags);
      expect(out.logs).to.not.equal(record.logs);
      expect(out.logs[0]).to.equal(record.logs[0]);
      expect(await plainValue(out, 'card', 'event', 1)).to.equal('s');
    });

    it('passes a span with nothing sensitive through as the same object', () => {
      const inner = new RecordingProcessor();
      const processor = new EncryptingSpanProcessor(inner, { key: KEY, sensitiveTags: ['card.number', /password/] });
      const record = finishedSpan({ tags: { 'http.route': '/cart' } }, undefined, (span) => span.log('info', 'hi', { n: 1 }));
      processor.onEnd(record);
      expect(inner.ended[0]).to.equal(record);
    });

    it('passes every span through as is with an empty pattern list', () => {
      const inner = new RecordingProcessor();
      const processor = new EncryptingSpanProcessor(inner, { key: KEY, sensitiveTags: [] });
      const record = finishedSpan({ tags: { 'card.number': '4111' } });
      processor.onEnd(record);
      expect(inner.ended[0]).to.equal(record);
    });

    it('does not encrypt a value twice', async () => {
      const inner = new RecordingProcessor();
      const processor = new EncryptingSpanProcessor(inner, { key: KEY, sensitiveTags: ['card.number'] });
      processor.onEnd(finishedSpan({ tags: { 'card.number': '4111' } }));
      processor.onEnd(inner.ended[0]);
      expect(inner.ended[1]).to.equal(inner.ended[0]);
      expect(await plainValue(inner.ended[1], 'card.number')).to.equal('4111');
    });

    it('forwards onStart, forceFlush, shutdown and getStats to the inner processor', async () => {
      const inner = new RecordingProcessor();
      const processor = new EncryptingSpanProcessor(inner, { key: KEY, sensitiveTags: ['x'] });
      const live = { spanId: 'live' } as unknown as Span;
      processor.onStart(live);
      await processor.forceFlush();
      await processor.shutdown();
      expect(inner.started).to.deep.equal([live]);
      expect([inner.flushes, inner.shutdowns]).to.deep.equal([1, 1]);
      expect(processor.getStats()).to.deep.include({ spansExported: 7 });
      expect(processor.getStats().encryption).to.deep.equal({ valuesEncrypted: 0, valuesUnavailable: 0, dataKeysGenerated: 1, dataKeyFailures: 0 });
    });

    it('encrypts sensitive link tags too', async () => {
      const inner = new RecordingProcessor();
      const processor = new EncryptingSpanProcessor(inner, { key: KEY, sensitiveTags: ['user.email'] });
      const record = finishedSpan({}, undefined, (span) =>
        span.addLink({ context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' }, tags: { 'user.email': 'a@b.c' } }),
      );
      processor.onEnd(record);
      expect(await plainValue(inner.ended[0], 'user.email', 'link')).to.equal('a@b.c');
    });
  });
});
