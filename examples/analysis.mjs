// node examples/analysis.mjs (after `npm run build`): spans written to a JSON-lines file, read back, analysed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditTracer, analyzeBottlenecks, buildTraceTree, criticalPath, formatBottleneckTable, querySpans, readSpansFromFile } from '@audit-tracing/core';

const path = join(mkdtempSync(join(tmpdir(), 'spans-')), 'spans.jsonl');
const tracer = new AuditTracer({ serviceName: 'shop', exporterType: 'file', file: { path } });

async function checkout(items) {
  const request = tracer.startSpan('POST /checkout', null, { kind: 'server' });
  await tracer.withSpan(request, async () => {
    for (let i = 0; i < items; i++) {
      // one query per item, one after another: an N+1
      const query = tracer.startSpan('SELECT item', undefined, { kind: 'client', component: 'pg' });
      await sleep(3);
      query.finish();
    }
    const charge = tracer.startSpan('POST /charge', undefined, { kind: 'client', component: 'fetch' });
    await sleep(30);
    charge.finish();
  });
  request.finish();
}
for (const items of [1, 6, 8]) await checkout(items);
await tracer.shutdown(); // writes what is queued and closes the file

const spans = await readSpansFromFile(path); // the file and its rotated predecessors, oldest first
console.log(formatBottleneckTable(analyzeBottlenecks(spans)));

const [slowest] = querySpans(spans, { operation: 'POST /checkout' }).sort((a, b) => b.duration - a.duration);
console.log(`\ncritical path of trace ${slowest.traceId}:`);
for (const node of criticalPath(buildTraceTree(querySpans(spans, { traceId: slowest.traceId })))) {
  console.log(`${'  '.repeat(node.depth)}${node.span.operationName}  ${node.duration.toFixed(1)}ms (self ${node.selfTime.toFixed(1)}ms)`);
}
