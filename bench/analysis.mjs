// bench:analysis — analyzeBottlenecks over a million span records: seconds and peak memory, against a plain sort
// of the same durations measured in the same run (the least any exact-percentile analysis has to do).
//
// The records are what readSpans returns for a day of a small system: traces of 10 spans over three services (a
// gateway server span and its client call, an inventory server span with an N+1 of five queries, a pricing call
// and server span), log-normal durations, 2% errors, one resource object per service. They are generated with a
// fixed seed, then the process collects garbage and reads its peak RSS. The first analysis runs next, and the peak
// RSS it adds on top of the records is reported (maxRSS only grows, so this is the analysis's own peak, not the
// records'). Then rounds alternate the baseline sort and the analysis; medians are reported.
//
// Environment: BENCH_RECORDS (default 1000000), BENCH_ROUNDS (measured rounds after the first, default 3).
import { performance } from 'node:perf_hooks';
import { analyzeBottlenecks } from '@audit-tracing/core';
import { numberFromEnv } from './lib/env.mjs';
import { median } from './lib/median.mjs';
import { describeMachine, writeResults } from './lib/results.mjs';

const RECORDS = Math.round(numberFromEnv('BENCH_RECORDS', 1_000_000));
const ROUNDS = Math.round(numberFromEnv('BENCH_ROUNDS', 3));
const SPANS_PER_TRACE = 10;
const MB = 1024 * 1024;

if (typeof globalThis.gc !== 'function') {
  console.error('bench:analysis needs --expose-gc: run `npm run bench:analysis` or `node --expose-gc bench/analysis.mjs`');
  process.exit(2);
}

// mulberry32: a small seeded generator, so every run analyses the same records.
let seed = 0x9e3779b9;
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Log-normal around `median` ms: most calls quick, a long tail. */
function lognormal(medianMs, sigma) {
  const u = 1 - random();
  const v = random();
  return medianMs * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

const resources = Object.fromEntries(
  ['gateway', 'inventory', 'pricing'].map((name) => [name, Object.freeze({ serviceName: name, attributes: Object.freeze({ 'service.name': name, 'telemetry.sdk.name': 'audit-tracing' }) })]),
);
const hex = (value, length) => value.toString(16).padStart(length, '0');
const OK = Object.freeze({ code: 'OK' });
const ERROR = Object.freeze({ code: 'ERROR', message: 'upstream failed' });
const NONE = Object.freeze([]);

function span(traceId, id, parent, service, name, kind, start, duration, failed) {
  return {
    traceId,
    spanId: hex(id, 16),
    parentSpanId: parent === undefined ? undefined : hex(parent, 16),
    operationName: name,
    component: kind === 'client' ? 'fetch' : 'http',
    kind,
    startTime: start,
    endTime: start + duration,
    duration,
    tags: { 'http.request.method': 'GET', 'http.response.status_code': failed ? 500 : 200 },
    logs: NONE,
    links: NONE,
    status: failed ? ERROR : OK,
    traceFlags: 1,
    traceState: undefined,
    correlationId: undefined,
    resource: resources[service],
    droppedTagsCount: 0,
    droppedLogsCount: 0,
    droppedLinksCount: 0,
  };
}

function generate(count) {
  const out = [];
  let id = 1;
  let time = 1_764_460_800_000;
  for (let t = 0; out.length < count; t++) {
    const traceId = hex(t + 1, 32);
    const failed = random() < 0.02;
    const root = id++;
    const call = id++;
    const inventory = id++;
    time += 2;
    const start = time;
    // inventory: five queries in sequence (an N+1), then a call to pricing
    let cursor = start + 2;
    const queries = [];
    for (let q = 0; q < 5; q++) {
      const d = lognormal(2, 0.5);
      queries.push(span(traceId, id++, inventory, 'inventory', 'SELECT item', 'client', cursor, d, false));
      cursor += d + 0.1;
    }
    const pricingDuration = lognormal(20, 0.8);
    const pricingCallId = id++;
    const pricingCall = span(traceId, pricingCallId, inventory, 'inventory', 'GET pricing', 'client', cursor, pricingDuration + 1, failed);
    const pricingServer = span(traceId, id++, pricingCallId, 'pricing', 'GET /prices/:sku', 'server', cursor + 0.5, pricingDuration, failed);
    const inventoryEnd = cursor + pricingDuration + 2;
    const spans = [
      span(traceId, root, undefined, 'gateway', 'GET /checkout/:sku', 'server', start, inventoryEnd - start + 2, failed),
      span(traceId, call, root, 'gateway', 'GET inventory', 'client', start + 0.5, inventoryEnd - start + 1, failed),
      span(traceId, inventory, call, 'inventory', 'GET /stock/:sku', 'server', start + 1, inventoryEnd - start - 1, failed),
      ...queries,
      pricingCall,
      pricingServer,
    ];
    for (const s of spans.slice(0, SPANS_PER_TRACE)) if (out.length < count) out.push(s);
  }
  return out;
}

function time(fn) {
  const started = performance.now();
  const result = fn();
  return { seconds: (performance.now() - started) / 1000, result };
}

function baselineSort(records) {
  const durations = new Float64Array(records.length);
  for (let i = 0; i < records.length; i++) durations[i] = records[i].duration;
  return durations.sort();
}

async function main() {
  const started = new Date();
  console.log(`bench:analysis — analyzeBottlenecks over ${RECORDS} span records (${SPANS_PER_TRACE} per trace), ${ROUNDS} rounds after the first`);
  console.log(`machine: ${describeMachine()}`);

  const records = generate(RECORDS);
  globalThis.gc();
  globalThis.gc();
  const rssWithRecordsMb = process.resourceUsage().maxRSS / 1024;
  const heapWithRecordsMb = process.memoryUsage().heapUsed / MB;

  const first = time(() => analyzeBottlenecks(records));
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const rows = first.result;

  const sortSeconds = [];
  const analysisSeconds = [first.seconds];
  for (let round = 0; round < ROUNDS; round++) {
    globalThis.gc();
    sortSeconds.push(time(() => baselineSort(records)).seconds);
    globalThis.gc();
    analysisSeconds.push(time(() => analyzeBottlenecks(records)).seconds);
  }
  const analysis = median(analysisSeconds.slice(1).length ? analysisSeconds.slice(1) : analysisSeconds);
  const sort = median(sortSeconds);

  console.log(`\n${rows.length} operations; the slowest: ${rows[0].service} ${rows[0].operation} p95 ${rows[0].percentile95.toFixed(1)} ms; findings: ${[...new Set(rows.flatMap((r) => r.findings.map((f) => f.kind)))].join(', ')}`);
  console.log('\n                      seconds (median)   per record');
  console.log(`baseline: sort        ${sort.toFixed(3).padStart(8)}           ${((sort / RECORDS) * 1e9).toFixed(0).padStart(5)} ns`);
  console.log(`analyzeBottlenecks    ${analysis.toFixed(3).padStart(8)}           ${((analysis / RECORDS) * 1e9).toFixed(0).padStart(5)} ns   ${(analysis / sort).toFixed(1)}x the sort`);
  console.log(`\nmemory: records ${heapWithRecordsMb.toFixed(0)} MB heap (${rssWithRecordsMb.toFixed(0)} MB RSS); peak RSS during the first analysis ${peakRssMb.toFixed(0)} MB, ${(peakRssMb - rssWithRecordsMb).toFixed(0)} MB above the records`);

  const file = writeResults('analysis', started, {
    settings: { records: RECORDS, spansPerTrace: SPANS_PER_TRACE, rounds: ROUNDS },
    seconds: { sort: sortSeconds, analysis: analysisSeconds },
    medians: { sortSeconds: sort, analysisSeconds: analysis, ratio: analysis / sort },
    memoryMb: { heapWithRecords: heapWithRecordsMb, rssWithRecords: rssWithRecordsMb, peakRss: peakRssMb, addedPeakRss: peakRssMb - rssWithRecordsMb },
    operations: rows.map((r) => ({ service: r.service, operation: r.operation, n: r.sampleCount, p50: r.percentile50, p95: r.percentile95, p99: r.percentile99, severity: r.severity, findings: r.findings.map((f) => f.kind) })),
  });
  console.log(`\nresults: ${file}`);
}

await main();
