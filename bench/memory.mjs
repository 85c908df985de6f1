// bench:memory — is memory flat across 1M traced spans in one process? (run with --expose-gc; the npm script does)
//
// Each iteration is one request's worth of tracing: a server span, 5 tags, the span made active while "handling",
// finish. Spans go through the batch processor to the OTLP exporter and a loopback collector process (or, with
// BENCH_MEMORY_EXPORTER=counting, to an exporter that only counts). The loop yields to the event loop every 100
// spans and waits for a flush every 1000, so export keeps up and nothing is dropped. After a warm-up (100k spans),
// and then every 100k spans, it flushes, collects garbage twice, and reads heap and RSS. Growth is the last sample
// minus the one taken right after the warm-up. At the end the collector must hold every span.
//
// Environment: BENCH_SPANS (measured, default 1000000), BENCH_WARMUP_SPANS (default 100000), BENCH_SAMPLE_EVERY
// (default 100000), BENCH_HEAP_BOUND_MB (growth allowed for "flat", default 2), BENCH_MEMORY_EXPORTER (otlp, the
// default, or counting).
import { fork } from 'node:child_process';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { AuditTracer } from '@audit-tracing/core';
import { numberFromEnv } from './lib/env.mjs';
import { describeMachine, writeResults } from './lib/results.mjs';

const SPANS = Math.round(numberFromEnv('BENCH_SPANS', 1_000_000));
const WARMUP_SPANS = Math.round(numberFromEnv('BENCH_WARMUP_SPANS', 100_000));
const SAMPLE_EVERY = Math.round(numberFromEnv('BENCH_SAMPLE_EVERY', 100_000));
const HEAP_BOUND_MB = numberFromEnv('BENCH_HEAP_BOUND_MB', 2);
const EXPORTER = process.env.BENCH_MEMORY_EXPORTER || 'otlp';
const YIELD_EVERY = 100;
const FLUSH_EVERY = 1000;
const MB = 1024 * 1024;

if (typeof globalThis.gc !== 'function') {
  console.error('bench:memory needs --expose-gc: run `npm run bench:memory` or `node --expose-gc bench/memory.mjs`');
  process.exit(2);
}
if (EXPORTER !== 'otlp' && EXPORTER !== 'counting') {
  console.error(`BENCH_MEMORY_EXPORTER: expected otlp or counting, got ${JSON.stringify(EXPORTER)}`);
  process.exit(2);
}

function startCollector() {
  const collector = fork(new URL('./http/collector.mjs', import.meta.url), [], { execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    collector.once('message', (message) => resolve({ collector, url: `http://127.0.0.1:${message.port}` }));
    collector.once('exit', (code) => reject(new Error(`collector exited (${code}) before it was ready`)));
  });
}

function countingExporter() {
  const exporter = {
    spans: 0,
    export: async (spans) => {
      exporter.spans += spans.length;
      return { code: 'success' };
    },
    shutdown: async () => {},
  };
  return exporter;
}

function sample(spans) {
  globalThis.gc();
  globalThis.gc();
  const memory = process.memoryUsage();
  return { spans, heapUsedMb: memory.heapUsed / MB, rssMb: memory.rss / MB, externalMb: memory.external / MB };
}

async function main() {
  const started = new Date();
  console.log(`bench:memory — ${SPANS} spans after ${WARMUP_SPANS} of warm-up, a sample every ${SAMPLE_EVERY}, exporter ${EXPORTER}`);
  console.log(`machine: ${describeMachine()}`);

  let collector;
  let counter;
  let tracer;
  if (EXPORTER === 'otlp') {
    collector = await startCollector();
    tracer = new AuditTracer({ serviceName: 'bench-memory', exporterType: 'otlp', exporterEndpoint: collector.url, protocol: 'http/protobuf' });
  } else {
    counter = countingExporter();
    tracer = new AuditTracer({ serviceName: 'bench-memory', exporter: counter, processor: 'batch' });
  }

  const samples = [];
  let handled = 0;
  function handle() {
    if (tracer.getActiveSpan() !== undefined) handled++;
  }

  try {
    const total = WARMUP_SPANS + SPANS;
    for (let i = 1; i <= total; i++) {
      const span = tracer.startSpan('GET /users/:id', undefined, { kind: 'server' });
      span.setTag('http.request.method', 'GET');
      span.setTag('url.path', `/users/${i}`);
      span.setTag('http.route', '/users/:id');
      span.setTag('http.response.status_code', 200);
      span.setTag('user.active', true);
      tracer.withSpan(span, handle);
      span.finish();
      if (i % YIELD_EVERY === 0) await nextTurn();
      if (i % FLUSH_EVERY === 0) await tracer.forceFlush();
      if (i >= WARMUP_SPANS && (i - WARMUP_SPANS) % SAMPLE_EVERY === 0) {
        const point = sample(i - WARMUP_SPANS);
        samples.push(point);
        console.log(`  ${String(point.spans).padStart(8)} spans  heap ${point.heapUsedMb.toFixed(2).padStart(7)} MB  external ${point.externalMb.toFixed(2).padStart(6)} MB  rss ${point.rssMb.toFixed(1).padStart(6)} MB`);
      }
    }
    await tracer.forceFlush();
    const stats = tracer.getStats();
    let delivered = counter?.spans;
    if (collector) delivered = (await (await fetch(`${collector.url}/count`)).json()).spans;
    await tracer.shutdown();

    const first = samples[0];
    const last = samples.at(-1);
    const heapGrowth = last.heapUsedMb - first.heapUsedMb;
    const rssGrowth = last.rssMb - first.rssMb;
    const heapRange = Math.max(...samples.map((point) => point.heapUsedMb)) - Math.min(...samples.map((point) => point.heapUsedMb));
    const dropped = Object.values(stats.spansDropped).reduce((sum, count) => sum + count, 0);
    const flat = samples.length >= 2 && heapGrowth < HEAP_BOUND_MB;

    console.log(`\nfrom the end of the warm-up to the end (${last.spans} spans later): heap ${heapGrowth >= 0 ? '+' : ''}${heapGrowth.toFixed(2)} MB, rss ${rssGrowth >= 0 ? '+' : ''}${rssGrowth.toFixed(1)} MB; heap range ${heapRange.toFixed(2)} MB`);
    console.log(`spans delivered ${delivered}/${total}, dropped ${dropped}, handled in context ${handled}/${total}`);
    if (samples.length < 2) console.log('verdict: UNDECIDED — fewer than two samples; raise BENCH_SPANS or lower BENCH_SAMPLE_EVERY');
    else console.log(`verdict: heap ${flat ? 'FLAT' : 'GROWING'} (growth ${heapGrowth.toFixed(2)} MB, bound ${HEAP_BOUND_MB} MB)`);
    if (delivered !== total) console.log(`WARNING: ${total - delivered} spans not delivered`);

    const file = writeResults('memory', started, {
      settings: { spans: SPANS, warmupSpans: WARMUP_SPANS, sampleEvery: SAMPLE_EVERY, heapBoundMb: HEAP_BOUND_MB, exporter: EXPORTER },
      samples,
      heapGrowthMb: heapGrowth,
      rssGrowthMb: rssGrowth,
      heapRangeMb: heapRange,
      flat,
      delivered,
      dropped: stats.spansDropped,
    });
    console.log(`results: ${file}`);
    if (!flat || delivered !== total) process.exitCode = 1;
  } finally {
    collector?.collector.kill('SIGTERM');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
