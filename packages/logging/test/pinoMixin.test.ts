import { expect } from 'chai';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditTracer, InMemoryExporter, withSpan } from '@audit-tracing/core';
import { auditTracing } from '@audit-tracing/express';
import { instrumentFetch, type Instrumentation } from '@audit-tracing/fetch';
import { DEFAULT_LOG_KEYS, pinoMixin } from '../src/index.js';
import { MemoryLog } from './helpers/memoryLog.js';
import { fieldsOf, listen, newTracer, serverSpan, traceFieldsIn, type Listening } from './helpers/servers.js';

const NO_TRACE = { trace_id: undefined, span_id: undefined, trace_flags: undefined };

describe('pinoMixin in a traced Express service', () => {
  const shop = newTracer('shop');
  const stock = newTracer('stock');
  const log = new MemoryLog();
  const logger = pino({ mixin: pinoMixin(), base: undefined }, log);
  let upstream: Listening;
  let downstream: Listening;
  let fetchTracing: Instrumentation;

  before(async () => {
    const stockApp = express();
    stockApp.use(auditTracing({ tracer: stock.tracer }));
    stockApp.get('/stock/:sku', (req, res) => {
      logger.info({ sku: req.params.sku }, 'stock looked up');
      res.json({ sku: req.params.sku, count: 3 });
    });
    downstream = await listen(stockApp);

    const app = express();
    app.use(auditTracing({ tracer: shop.tracer }));
    app.get('/orders/:id', async (req, res) => {
      logger.info('order received');
      await sleep(5);
      logger.info('after a timer');
      const stockLevel = (await (await fetch(`${downstream.origin}/stock/${req.params.id}`)).json()) as { count: number };
      logger.info({ count: stockLevel.count }, 'after a fetch');
      // A field the caller sets wins over the mixin's.
      logger.info({ trace_id: 'set-by-caller' }, 'explicit field');
      res.json({ ok: true });
    });
    app.get('/slow/:i', async (req, res) => {
      await sleep(Math.floor(Math.random() * 10));
      logger.info({ i: Number(req.params.i) }, 'concurrent');
      res.end();
    });
    upstream = await listen(app);
    fetchTracing = instrumentFetch({ tracer: shop.tracer });
  });
  after(async () => {
    fetchTracing.uninstall();
    await upstream.close();
    await downstream.close();
  });

  it('writes no trace fields outside a span', () => {
    logger.info('starting');
    expect(traceFieldsIn(log.record('starting'))).to.deep.equal(NO_TRACE);
  });

  it('a line written in the handler carries the server span’s ids, also after a timer and after a traced fetch', async () => {
    await request(upstream.origin).get('/orders/42').expect(200);
    const server = await serverSpan(shop.exporter, '/orders/42');
    for (const message of ['order received', 'after a timer', 'after a fetch']) {
      expect(traceFieldsIn(log.record(message)), message).to.deep.equal(fieldsOf(server));
    }
    expect(log.record('after a fetch').count).to.equal(3);

    // The second service's line belongs to the same trace, under its own server span (child of the client span).
    const remote = await serverSpan(stock.exporter, '/stock/42');
    const client = shop.exporter.getFinishedSpans().find((span) => span.kind === 'client')!;
    expect(remote.traceId).to.equal(server.traceId);
    expect(remote.parentSpanId).to.equal(client.spanId);
    expect(traceFieldsIn(log.record('stock looked up'))).to.deep.equal(fieldsOf(remote));
  });

  it('leaves a field the caller passed alone', () => {
    const record = log.record('explicit field');
    expect(record.trace_id).to.equal('set-by-caller');
    expect(record.span_id).to.match(/^[0-9a-f]{16}$/);
  });

  it('gives each of many concurrent requests its own span', async () => {
    const count = 30;
    await Promise.all(Array.from({ length: count }, (_, i) => request(upstream.origin).get(`/slow/${i}`).expect(200)));
    const lines = log.records().filter((record) => record.msg === 'concurrent');
    expect(lines).to.have.length(count);
    for (const line of lines) {
      expect(traceFieldsIn(line), `request ${String(line.i)}`).to.deep.equal(fieldsOf(await serverSpan(shop.exporter, `/slow/${String(line.i)}`)));
    }
  });

  it('writes under other names with logKeys, and an unsampled span without the sampled bit', () => {
    const other = new MemoryLog();
    const keys = { traceId: 'traceId', spanId: 'spanId', traceFlags: 'traceFlags' };
    const renamed = pino({ mixin: pinoMixin({ logKeys: keys }), base: undefined }, other);
    const exporter = new InMemoryExporter();
    const quiet = new AuditTracer({ serviceName: 'quiet', sampleRate: 0, processor: 'simple', exporter });
    const span = quiet.startSpan('not sampled');
    // Not sampled: bit 0 clear; bit 1 says the trace id is random (W3C level 2).
    expect(span.traceFlags).to.equal(0x02);
    withSpan(span, () => renamed.info('renamed'));
    span.finish();
    const record = other.record('renamed');
    expect({ traceId: record.traceId, spanId: record.spanId, traceFlags: record.traceFlags }).to.deep.equal({ traceId: span.traceId, spanId: span.spanId, traceFlags: '02' });
    expect(record).to.not.have.any.keys(...Object.values(DEFAULT_LOG_KEYS));
    expect(exporter.getFinishedSpans()).to.have.length(0);
  });
});
