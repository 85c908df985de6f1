// `npm start`: three services in one process — an Express gateway that calls a Koa inventory service with
// fetch, which calls a Fastify pricing service with undici — four requests through them, and each trace
// printed as a tree with a timing waterfall and statuses; then the bottleneck table of all four and the critical
// path of the slow one. Set OTEL_EXPORTER_OTLP_ENDPOINT to also send the
// spans to a collector (when an OTLP exporter is registered).
// With `--serve` (`npm start -- --serve`) the services export to a trace viewer (@audit-tracing/viewer) started
// here, and they and the viewer keep running until Ctrl+C: open the address it prints.
// Run with `npm start`, or `node examples/demo/run.mjs` after `npm run build`.
import { AuditTracer, InMemoryExporter, analyzeBottlenecks, buildTraceTree, criticalPath, formatBottleneckTable, formatTraceTree } from '@audit-tracing/core';
import * as express from '@audit-tracing/express';
import * as fastify from '@audit-tracing/fastify';
import { instrumentFetch } from '@audit-tracing/fetch';
import * as koa from '@audit-tracing/koa';
import { startServices, tracerOfCaller } from './services.mjs';

const REQUESTS = [
  ['/checkout/apple', 'ok'],
  ['/checkout/pear', 'ok'],
  ['/checkout/recalled', 'pricing fails with 500'],
  ['/checkout/truffle', 'slow supplier quote'],
];

const memory = new InMemoryExporter();
const serve = process.argv.includes('--serve');
const viewer = serve ? await startDemoViewer() : undefined;

/** The viewer on its usual port (VIEWER_PORT, default 16686), or on a free one when that is taken. */
async function startDemoViewer() {
  const { startViewer } = await import('@audit-tracing/viewer');
  try {
    return await startViewer({ port: Number(process.env.VIEWER_PORT ?? 16686) });
  } catch (error) {
    if (error.code !== 'EADDRINUSE') throw error;
    return startViewer({ port: 0 });
  }
}

function createTracer(serviceName) {
  // Every span goes to the viewer as it ends, over OTLP/HTTP like any collector.
  if (viewer) return new AuditTracer({ serviceName, exporterType: 'otlp', exporterEndpoint: viewer.url, processor: 'simple' });
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    try {
      // The endpoint in the environment selects exporterType 'otlp'.
      return new AuditTracer({ serviceName });
    } catch (error) {
      console.warn(`OTLP export unavailable (${error.message}); printing only.`);
    }
  }
  return new AuditTracer({ serviceName, exporter: memory, processor: 'simple' });
}

const tracers = { gateway: createTracer('gateway'), inventory: createTracer('inventory'), pricing: createTracer('pricing') };
const instrumentation = instrumentFetch({ tracer: tracerOfCaller(tracers) });
const services = await startServices({ tracers, adapters: { express, koa, fastify } });

console.log('gateway (express) --fetch--> inventory (koa) --undici--> pricing (fastify)');
console.log(`  gateway   ${services.gatewayUrl}\n  inventory ${services.inventoryUrl}\n  pricing   ${services.pricingUrl}\n`);

const results = [];
for (const [path, what] of REQUESTS) {
  // Sent from outside any span, like a browser: not traced here, so the gateway starts each trace.
  const response = await fetch(services.gatewayUrl + path);
  await response.arrayBuffer();
  const traceId = response.headers.get('x-trace-id');
  results.push({ path, what, status: response.status, traceId });
  console.log(`GET ${path.padEnd(20)} ${response.status}  ${what.padEnd(24)} trace ${traceId}`);
}

// Server spans end on the response's 'finish', which can follow the client's read by a tick.
const settled = Date.now() + 1000;
while (Object.values(tracers).some((tracer) => tracer.getActiveSpans().length > 0) && Date.now() < settled) {
  await new Promise((resolve) => setTimeout(resolve, 5));
}

const spansOf = (traceId) => Object.values(tracers).flatMap((tracer) => tracer.getTraceSpans(traceId));
for (const { path, status, traceId } of results) {
  const spans = spansOf(traceId);
  console.log(`\n── GET ${path} → ${status} ── trace ${traceId} (${spans.length} spans)`);
  console.log(formatTraceTree(buildTraceTree(spans)));
}

console.log('\n── Bottlenecks over the four requests (ms; self: share of all time spent in the operation itself) ──');
console.log(formatBottleneckTable(analyzeBottlenecks(results.flatMap(({ traceId }) => spansOf(traceId))), { limit: 8, maxFindings: 4 }));

const slow = results.find(({ path }) => path.endsWith('/truffle'));
console.log(`\n── Critical path of GET ${slow.path}: the spans its latency waits on ──`);
for (const node of criticalPath(buildTraceTree(spansOf(slow.traceId)))) {
  const label = `${'  '.repeat(node.depth)}${node.span.operationName} [${node.span.resource.serviceName}]`;
  console.log(`${label.padEnd(36)} ${node.duration.toFixed(1).padStart(7)}ms  self ${node.selfTime.toFixed(1).padStart(6)}ms`);
}

if (viewer) {
  // The exports still in flight land before the address is shown.
  await Promise.all(Object.values(tracers).map((tracer) => tracer.forceFlush()));
  console.log(`\nTrace viewer: ${viewer.url}/  (the failed trace: ${viewer.url}/trace.html?id=${results.find(({ status }) => status >= 500)?.traceId})`);
  console.log(`The services keep running: try ${services.gatewayUrl}/checkout/pear, then reload the viewer. Ctrl+C stops.`);
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

await services.close();
// Flushed while fetch is still instrumented: exporters send with tracing suppressed, so no span, no headers.
await Promise.all(Object.values(tracers).map((tracer) => tracer.shutdown()));
instrumentation.uninstall();
await viewer?.close();
