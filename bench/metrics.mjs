// bench:metrics — what MetricsSpanProcessor adds to every span: the same tracer with and without it, same process.
//
// All tracers: AuditTracer with exporterType 'none', so what differs is the metrics processor alone (its onEnd:
// series lookup, histogram bucket, exemplar, window slice, sketch, slowest samples). A third tracer with a processor
// that does nothing splits that cost: what any processor costs (the tracer makes each ended span's read-only
// record only when a processor will receive it) and what the metrics themselves cost. Spans: start, 2 tags, finish,
// over 20 operation names and 1 in 50 failing, so lookups, the error path and several series are exercised.
// Rounds alternate (and which goes first); the first round of each is warm-up and is dropped; medians are reported.
// Then the heap of BENCH_SERIES series with full windows, and the cost of a scrape of them (OpenMetrics text).
//
// Environment: BENCH_SPANS (spans per round, default 200000), BENCH_ROUNDS (measured rounds, default 7),
// BENCH_SERIES (series in the heap and scrape measurements, default 500: the default maxSeries).
import { AuditTracer } from '@audit-tracing/core';
import { formatMetrics, MetricsSpanProcessor } from '@audit-tracing/metrics';
import { numberFromEnv } from './lib/env.mjs';
import { median } from './lib/median.mjs';
import { describeMachine, writeResults } from './lib/results.mjs';

const SPANS = Math.round(numberFromEnv('BENCH_SPANS', 200_000));
const ROUNDS = Math.round(numberFromEnv('BENCH_ROUNDS', 7));
const SERIES = Math.round(numberFromEnv('BENCH_SERIES', 500));
const OPERATIONS = Array.from({ length: 20 }, (_, i) => `GET /api/resource${i}/:id`);

function contender(processors) {
  const tracer = new AuditTracer({ serviceName: 'bench', exporterType: 'none', processors });
  return function round(count) {
    for (let i = 0; i < count; i++) {
      const span = tracer.startSpan(OPERATIONS[i % OPERATIONS.length], undefined, { kind: 'server' });
      span.setTag('http.request.method', 'GET');
      span.setTag('http.response.status_code', 200);
      if (i % 50 === 0) span.setStatus('ERROR');
      span.finish();
    }
  };
}

/** Heap in use after a full collection (the script runs with --expose-gc). */
function heapUsed() {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

function timeRound(run) {
  const started = process.hrtime.bigint();
  run(SPANS);
  return Number(process.hrtime.bigint() - started) / SPANS;
}

const started = new Date();
console.log(`bench:metrics — start + 2 tags + finish, with and without MetricsSpanProcessor; ${ROUNDS} rounds of ${SPANS} spans each (+1 warm-up round)`);
console.log(`machine: ${describeMachine()}`);

const metrics = new MetricsSpanProcessor();
const noop = { onEnd() {}, forceFlush: async () => {}, shutdown: async () => {} };
const contenders = { baseline: contender([]), noop: contender([noop]), metrics: contender([metrics]) };
const samples = { baseline: [], noop: [], metrics: [] };
const ORDERS = [['baseline', 'noop', 'metrics'], ['metrics', 'noop', 'baseline'], ['noop', 'metrics', 'baseline']];
for (let round = 0; round <= ROUNDS; round++) {
  for (const name of ORDERS[round % ORDERS.length]) {
    const ns = timeRound(contenders[name]);
    if (round > 0) samples[name].push(ns);
  }
  if (round > 0) {
    console.log(`  round ${round}: baseline ${samples.baseline.at(-1).toFixed(0)} ns/span, no-op processor ${samples.noop.at(-1).toFixed(0)}, with metrics ${samples.metrics.at(-1).toFixed(0)}`);
  }
}
const baselineNs = median(samples.baseline);
const noopNs = median(samples.noop);
const metricsNs = median(samples.metrics);
const addedNs = metricsNs - baselineNs;
const ratio = metricsNs / baselineNs;

// SERIES series (the default maxSeries), each with 300 spans over every slice of the window, durations spread
// log-uniformly from 0.1 ms to 10 s, the widest range a sketch is likely to see; its heap is measured too.
const heapBefore = heapUsed();
const wide = new MetricsSpanProcessor({ maxSeries: SERIES });
const wideTracer = new AuditTracer({ serviceName: 'bench', exporterType: 'none', processors: [wide] });
const now = Date.now();
for (let i = 0; i < SERIES * 300; i++) {
  const nth = Math.floor(i / SERIES); // the series' nth span: 300 durations over 4 slices
  const duration = 0.1 * Math.pow(10, (5 * ((nth * 7919) % 300)) / 300);
  const end = now - (nth % 4) * 15_000;
  const span = wideTracer.startSpan(`GET /route${i % SERIES}`, undefined, { kind: 'server', startTime: end - duration });
  span.finish(end);
}
const heapHeld = heapUsed() - heapBefore;
const scrapeMs = [];
let bytes = 0;
for (let i = 0; i < 7; i++) {
  const t = process.hrtime.bigint();
  bytes = formatMetrics(wide.snapshot(), true).length;
  scrapeMs.push(Number(process.hrtime.bigint() - t) / 1e6);
}
const scrapeMedianMs = median(scrapeMs.slice(1));

console.log('\ntracer                     ns/span (median)   spans/s');
console.log(`baseline (no processor)    ${baselineNs.toFixed(0).padStart(16)}   ${(1e9 / baselineNs).toFixed(0).padStart(9)}`);
console.log(`a no-op processor          ${noopNs.toFixed(0).padStart(16)}   ${(1e9 / noopNs).toFixed(0).padStart(9)}`);
console.log(`with MetricsSpanProcessor  ${metricsNs.toFixed(0).padStart(16)}   ${(1e9 / metricsNs).toFixed(0).padStart(9)}`);
console.log(`the processor adds ${addedNs.toFixed(0)} ns per span: ${ratio.toFixed(2)}× the baseline's time (${(noopNs - baselineNs).toFixed(0)} ns of it any processor costs, ${(metricsNs - noopNs).toFixed(0)} ns the metrics)`);
console.log(`${SERIES} series with full windows hold ${(heapHeld / 1024 / 1024).toFixed(1)} MiB of heap (${(heapHeld / SERIES / 1024).toFixed(1)} KiB a series)`);
console.log(`a scrape of ${SERIES} series (OpenMetrics, ${(bytes / 1024 / 1024).toFixed(1)} MiB): ${scrapeMedianMs.toFixed(1)} ms (median of 6)`);

const file = writeResults('metrics', started, {
  settings: { spansPerRound: SPANS, rounds: ROUNDS, operations: OPERATIONS.length, scrapeSeries: SERIES },
  nsPerSpan: { baseline: baselineNs, noopProcessor: noopNs, metrics: metricsNs },
  addedNsPerSpan: addedNs,
  ratio,
  scrape: { series: SERIES, bytes, medianMs: scrapeMedianMs, samplesMs: scrapeMs },
  heap: { series: SERIES, spansPerSeries: 300, bytes: heapHeld },
  samples,
});
console.log(`results: ${file}`);
