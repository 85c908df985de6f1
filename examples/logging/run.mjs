// From the repository root: npm run example:logging
// Starts the shop, places one order, then takes the "order loaded" log line and finds its trace by trace_id.
import { Writable } from 'node:stream';
import { buildTraceTree, formatTraceTree } from '@audit-tracing/core';
import { startShop, traceOfLogLine } from './service.mjs';

const lines = [];
const logStream = new Writable({
  write(chunk, _encoding, done) {
    process.stdout.write(`log   ${chunk}`);
    lines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});
const shop = await startShop({ logStream });

const response = await fetch(`${shop.origin}/orders/42`);
console.log(`order -> ${response.status} ${await response.text()}`);

const line = lines.find((text) => JSON.parse(text).msg === 'order loaded');
const { trace_id: traceId, span_id: spanId } = JSON.parse(line);
const spans = await traceOfLogLine(shop.tracer, line);
const span = spans.find((candidate) => candidate.spanId === spanId);
console.log(`\nThe line "order loaded" has trace_id=${traceId} span_id=${spanId}: written in "${span.operationName}" (${span.kind}).`);
console.log(`Its trace, ${spans.length} spans:`);
console.log(formatTraceTree(buildTraceTree(spans)));
await shop.close();
