import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { setTimeout as sleep } from 'node:timers/promises';
import winston from 'winston';
import Transport from 'winston-transport';
import { auditTracing } from '@audit-tracing/express';
import { instrumentFetch, type Instrumentation } from '@audit-tracing/fetch';
import { correlateWinston, winstonFormat } from '../src/index.js';
import { MemoryLog } from './helpers/memoryLog.js';
import { fieldsOf, listen, newTracer, serverSpan, traceFieldsIn, type Listening } from './helpers/servers.js';

const NO_TRACE = { trace_id: undefined, span_id: undefined, trace_flags: undefined };

/** A transport that takes `delayMs` per entry, as a file or network transport does under load. */
class SlowTransport extends Transport {
  readonly entries: Array<Record<string, unknown>> = [];
  constructor(private readonly delayMs: number) {
    super();
  }
  override log(info: Record<string, unknown>, done: () => void): void {
    this.entries.push(info);
    setTimeout(done, this.delayMs);
  }
}

/** Waits until `transport` has taken `count` entries. */
async function drained(transport: SlowTransport, count: number): Promise<void> {
  for (const deadline = Date.now() + 5000; transport.entries.length < count && Date.now() < deadline; ) await sleep(5);
  expect(transport.entries).to.have.length(count);
}

/** Logs one entry from each of `count` concurrent spans of `tracer`; returns each span's expected fields by `i`. */
async function logFromConcurrentSpans(logger: winston.Logger, count: number): Promise<Map<number, ReturnType<typeof fieldsOf>>> {
  const { tracer, exporter } = newTracer('burst');
  await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const span = tracer.startSpan(`job ${i}`);
      return tracer.withSpan(span, async () => {
        await sleep(i % 5);
        logger.info('burst', { i });
        span.finish();
      });
    }),
  );
  return new Map(exporter.getFinishedSpans().map((span) => [Number(span.operationName.slice(4)), fieldsOf(span)]));
}

describe('winston in a traced Express service', () => {
  const shop = newTracer('shop');
  const log = new MemoryLog();
  const withFormat = winston.createLogger({ format: winston.format.combine(winstonFormat(), winston.format.json()), transports: [new winston.transports.Stream({ stream: log })] });
  const correlatedLog = new MemoryLog();
  const correlated = correlateWinston(winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.Stream({ stream: correlatedLog })] }));
  let downstream: Listening;
  let upstream: Listening;
  let fetchTracing: Instrumentation;

  before(async () => {
    downstream = await listen((_req, res) => res.end('ok'));
    const app = express();
    app.use(auditTracing({ tracer: shop.tracer }));
    app.get('/orders/:id', async (req, res) => {
      for (const logger of [withFormat, correlated]) logger.info('order received');
      await sleep(5);
      for (const logger of [withFormat, correlated]) logger.info('after a timer');
      await (await fetch(`${downstream.origin}/stock`)).text();
      for (const logger of [withFormat, correlated]) logger.info('after a fetch');
      for (const logger of [withFormat, correlated]) logger.child({ span_id: 'bound-by-child' }).info('child binding');
      for (const logger of [withFormat, correlated]) logger.info('explicit field', { trace_id: 'set-by-caller' });
      res.json({ ok: true });
    });
    upstream = await listen(app);
    fetchTracing = instrumentFetch({ tracer: shop.tracer });
    for (const logger of [withFormat, correlated]) logger.info('starting');
    await request(upstream.origin).get('/orders/7').expect(200);
  });
  after(async () => {
    fetchTracing.uninstall();
    await upstream.close();
    await downstream.close();
  });

  for (const [name, memory] of [
    ['winstonFormat()', log],
    ['correlateWinston(logger)', correlatedLog],
  ] as const) {
    describe(name, () => {
      it('writes no trace fields outside a span', () => {
        expect(traceFieldsIn(memory.record('starting'))).to.deep.equal(NO_TRACE);
        expect(memory.lines.find((line) => line.includes('"message":"starting"'))).to.not.include('trace_id');
      });

      it('a line written in the handler carries the server span’s ids, also after a timer and after a traced fetch', async () => {
        const server = await serverSpan(shop.exporter, '/orders/7');
        expect(shop.exporter.getFinishedSpans().filter((span) => span.kind === 'client')).to.have.length(1);
        for (const message of ['order received', 'after a timer', 'after a fetch']) {
          expect(traceFieldsIn(memory.record(message)), message).to.deep.equal(fieldsOf(server));
        }
      });

      it('leaves fields the caller or a child logger set alone', () => {
        expect(memory.record('explicit field').trace_id).to.equal('set-by-caller');
        expect(memory.record('explicit field').span_id).to.match(/^[0-9a-f]{16}$/);
        expect(memory.record('child binding').span_id).to.equal('bound-by-child');
        expect(memory.record('child binding').trace_id).to.match(/^[0-9a-f]{32}$/);
      });
    });
  }

  describe('behind a slow transport (winston formats buffered entries later)', () => {
    it('correlateWinston still gives each entry the span of its log call', async () => {
      const slow = new SlowTransport(1);
      const logger = correlateWinston(winston.createLogger({ transports: [slow] }));
      const expected = await logFromConcurrentSpans(logger, 100);
      await drained(slow, 100);
      for (const entry of slow.entries) expect(traceFieldsIn(entry), `entry ${String(entry.i)}`).to.deep.equal(expected.get(entry.i as number));
    });

    it('a format alone reads whatever span runs when winston gets to the entry (why correlateWinston exists)', async () => {
      const slow = new SlowTransport(1);
      const logger = winston.createLogger({ format: winstonFormat(), transports: [slow] });
      const expected = await logFromConcurrentSpans(logger, 100);
      await drained(slow, 100);
      const wrong = slow.entries.filter((entry) => traceFieldsIn(entry).span_id !== expected.get(entry.i as number)!.span_id);
      expect(wrong.length, 'entries formatted in another span').to.be.greaterThan(0);
    });

    it('correlating a logger twice wraps it once', () => {
      const logger = winston.createLogger({ transports: [new SlowTransport(0)] });
      const write = correlateWinston(logger).write;
      expect(correlateWinston(logger).write).to.equal(write);
    });
  });
});
