// An Express service that logs with pino. Every line written while a request is handled carries the request's
// trace_id and span_id, so a log line leads to its trace. Run it through run.mjs (see README.md).
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import pino from 'pino';
import { AuditTracer, ConsoleExporter } from '@audit-tracing/core';
import { auditTracing } from '@audit-tracing/express';
import { instrumentFetch } from '@audit-tracing/fetch';
import { pinoMixin } from '@audit-tracing/logging';

/** Starts the shop on 127.0.0.1; `logStream` gets the JSON log lines, `exporter` the spans. */
export async function startShop({ logStream = process.stdout, exporter = new ConsoleExporter() } = {}) {
  const tracer = new AuditTracer({ serviceName: 'shop', exporter, processor: 'simple' });
  const logger = pino({ mixin: pinoMixin(), base: undefined }, logStream);
  const fetchTracing = instrumentFetch({ tracer });

  const app = express();
  app.use(auditTracing({ tracer }));
  app.get('/stock/:sku', (req, res) => {
    logger.info({ sku: req.params.sku }, 'stock checked');
    res.json({ sku: req.params.sku, count: 3 });
  });
  app.get('/orders/:id', async (req, res) => {
    await sleep(10); // the context survives timers…
    const stock = await (await fetch(`${origin}/stock/${req.params.id}`)).json(); // …and outbound calls
    logger.info({ order: req.params.id, inStock: stock.count }, 'order loaded');
    res.json({ id: req.params.id, inStock: stock.count });
  });

  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${server.address().port}`;
  logger.info({ origin }, 'shop listening'); // outside any request: no trace fields

  return {
    origin,
    tracer,
    async close() {
      fetchTracing.uninstall();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await tracer.shutdown();
    },
  };
}

/** The spans of the trace a log line belongs to, once the line's span has ended. */
export async function traceOfLogLine(tracer, line, timeoutMs = 2000) {
  const { trace_id: traceId, span_id: spanId } = JSON.parse(line);
  if (traceId === undefined) return [];
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(5)) {
    const spans = tracer.getTraceSpans(traceId);
    if (spans.some((span) => span.spanId === spanId && span.endTime !== undefined)) return spans;
  }
  throw new Error(`the span ${spanId} of trace ${traceId} did not end within ${timeoutMs} ms`);
}
