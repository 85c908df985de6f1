// bench:span — nanoseconds for one span: start, 5 tags, finish. Ours against OpenTelemetry's tracer, same process.
//
// Ours: AuditTracer with exporterType 'none' (no processor: what is measured is the tracer and the span).
// OpenTelemetry: BasicTracerProvider with a no-op span processor, default sampler (parent-based always-on).
// Rounds alternate ours / OpenTelemetry (and which goes first); the first round of each is warm-up and is dropped.
//
// Environment: BENCH_SPANS (spans per round, default 200000), BENCH_ROUNDS (measured rounds, default 7).
import { AuditTracer } from '@audit-tracing/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { numberFromEnv } from './lib/env.mjs';
import { noopSpanProcessor, openTelemetryApiSpans, ourSpans } from './lib/spanWork.mjs';
import { median } from './lib/median.mjs';
import { describeMachine, writeResults } from './lib/results.mjs';

const SPANS = Math.round(numberFromEnv('BENCH_SPANS', 200_000));
const ROUNDS = Math.round(numberFromEnv('BENCH_ROUNDS', 7));

function ours() {
  return ourSpans(new AuditTracer({ serviceName: 'bench', exporterType: 'none' }));
}

function openTelemetry() {
  return openTelemetryApiSpans(new BasicTracerProvider({ spanProcessors: [noopSpanProcessor] }).getTracer('bench'));
}

function timeRound(run) {
  const started = process.hrtime.bigint();
  run(SPANS);
  return Number(process.hrtime.bigint() - started) / SPANS;
}

const started = new Date();
console.log(`bench:span — start + 5 tags + finish; ${ROUNDS} rounds of ${SPANS} spans each (+1 warm-up round)`);
console.log(`machine: ${describeMachine()}`);

const contenders = { ours: ours(), opentelemetry: openTelemetry() };
const samples = { ours: [], opentelemetry: [] };
for (let round = 0; round <= ROUNDS; round++) {
  const order = round % 2 === 0 ? ['ours', 'opentelemetry'] : ['opentelemetry', 'ours'];
  for (const name of order) {
    const ns = timeRound(contenders[name]);
    if (round > 0) samples[name].push(ns);
  }
  if (round > 0) console.log(`  round ${round}: ours ${samples.ours.at(-1).toFixed(0)} ns/span, OpenTelemetry ${samples.opentelemetry.at(-1).toFixed(0)} ns/span`);
}

const oursNs = median(samples.ours);
const otelNs = median(samples.opentelemetry);
const speedup = otelNs / oursNs;
console.log('\ntracer          ns/span (median)   spans/s');
console.log(`ours            ${oursNs.toFixed(0).padStart(16)}   ${(1e9 / oursNs).toFixed(0).padStart(9)}`);
console.log(`OpenTelemetry   ${otelNs.toFixed(0).padStart(16)}   ${(1e9 / otelNs).toFixed(0).padStart(9)}`);
console.log(`ours is ${speedup.toFixed(2)}× OpenTelemetry's speed (target ≥ 5×: ${speedup >= 5 ? 'met' : 'NOT met'})`);

const file = writeResults('span', started, {
  settings: { spansPerRound: SPANS, rounds: ROUNDS },
  nsPerSpan: { ours: oursNs, opentelemetry: otelNs },
  speedup,
  samples,
});
console.log(`results: ${file}`);
