// The core on its own: a traced "checkout" with nested spans, printed as a trace tree and a bottleneck table.
// Run with `npm start` (builds first) or `node examples/core-example.mjs` after `npm run build`.
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditTracer, InMemoryExporter, analyzeBottlenecks, buildTraceTree, formatBottleneckTable, formatTraceTree, traced } from '@audit-tracing/core';

const exporter = new InMemoryExporter();
const tracer = new AuditTracer({ serviceName: 'checkout', exporter, processor: 'simple' });

const loadCart = traced({ name: 'cart.load', tracer, component: 'db' }, async () => sleep(8));
const priceItem = traced({ name: 'pricing.quote', tracer, component: 'http' }, async (ms) => sleep(ms));
const charge = traced({ name: 'payment.charge', tracer, component: 'http' }, async (fail) => {
  await sleep(12);
  if (fail) throw new Error('card declined');
});

async function checkout(fail) {
  const span = tracer.startSpan('POST /checkout', null, { kind: 'server', component: 'example' });
  await tracer.withSpan(span, async () => {
    await loadCart();
    await Promise.all([priceItem(5), priceItem(9)]);
    await charge(fail).catch(() => span.setStatus('ERROR', 'payment failed'));
  });
  span.finish();
  return span.traceId;
}

for (const fail of [false, true]) {
  const traceId = await checkout(fail);
  console.log(`\ntrace ${traceId}`);
  console.log(formatTraceTree(buildTraceTree(tracer.getTraceSpans(traceId))));
}

console.log(`\n${formatBottleneckTable(analyzeBottlenecks(exporter.getFinishedSpans()))}`);
await tracer.shutdown();
