// bench:otel-api — nanoseconds for one span made through @opentelemetry/api on our bridge, against our native span
// and against OpenTelemetry's own SDK, same process. Each span: start (kind server), 5 attributes, end.
//
// ours:   AuditTracer.startSpan / setTag / finish, exporterType 'none' (no processor: the tracer and the span).
// bridge: the same tracer behind registerOpenTelemetry; trace.getTracer(...).startSpan / setAttribute / end, through
//         the API's global ProxyTracer, as an instrumentation calls it (the bridge's context lookup included).
// sdk:    OpenTelemetry's BasicTracerProvider with a no-op span processor, default sampler (as bench:span).
// Rounds rotate the order; the first round of each is warm-up and is dropped. Medians.
//
// Environment: BENCH_SPANS (spans per round, default 200000), BENCH_ROUNDS (measured rounds, default 7).
import { AuditTracer } from '@audit-tracing/core';
import { registerOpenTelemetry } from '@audit-tracing/opentelemetry';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { trace } from '@opentelemetry/api';
import { numberFromEnv } from './lib/env.mjs';
import { noopSpanProcessor, openTelemetryApiSpans, ourSpans } from './lib/spanWork.mjs';
import { median } from './lib/median.mjs';
import { describeMachine, writeResults } from './lib/results.mjs';

const SPANS = Math.round(numberFromEnv('BENCH_SPANS', 200_000));
const ROUNDS = Math.round(numberFromEnv('BENCH_ROUNDS', 7));

const auditTracer = new AuditTracer({ serviceName: 'bench', exporterType: 'none' });
registerOpenTelemetry({ tracer: auditTracer });
const contenders = {
  ours: ourSpans(auditTracer),
  bridge: openTelemetryApiSpans(trace.getTracer('bench', '1.0.0')),
  sdk: openTelemetryApiSpans(new BasicTracerProvider({ spanProcessors: [noopSpanProcessor] }).getTracer('bench', '1.0.0')),
};
const names = Object.keys(contenders);

function timeRound(run) {
  const started = process.hrtime.bigint();
  run(SPANS);
  return Number(process.hrtime.bigint() - started) / SPANS;
}

const started = new Date();
console.log(`bench:otel-api — start + 5 attributes + end; ${ROUNDS} rounds of ${SPANS} spans each (+1 warm-up round)`);
console.log(`machine: ${describeMachine()}`);

const samples = Object.fromEntries(names.map((name) => [name, []]));
for (let round = 0; round <= ROUNDS; round++) {
  const order = names.map((_, i) => names[(i + round) % names.length]);
  for (const name of order) {
    const ns = timeRound(contenders[name]);
    if (round > 0) samples[name].push(ns);
  }
  if (round > 0) console.log(`  round ${round}: ${names.map((name) => `${name} ${samples[name].at(-1).toFixed(0)}`).join(', ')} ns/span`);
}

const ns = Object.fromEntries(names.map((name) => [name, median(samples[name])]));
const ratios = {
  bridgeOverOurs: ns.bridge / ns.ours,
  sdkOverBridge: ns.sdk / ns.bridge,
  sdkOverOurs: ns.sdk / ns.ours,
};
console.log('\nspan made by                        ns/span (median)   spans/s');
for (const [name, label] of [
  ['ours', 'our API (native)'],
  ['bridge', '@opentelemetry/api on our bridge'],
  ['sdk', "OpenTelemetry's SDK"],
]) {
  console.log(`${label.padEnd(34)}  ${ns[name].toFixed(0).padStart(16)}   ${(1e9 / ns[name]).toFixed(0).padStart(9)}`);
}
console.log(`\nthe bridge costs ${ratios.bridgeOverOurs.toFixed(2)}× our native span, and is ${ratios.sdkOverBridge.toFixed(2)}× the speed of OpenTelemetry's SDK (${ratios.sdkOverOurs.toFixed(2)}× for our native span)`);

const file = writeResults('otel-api', started, { settings: { spansPerRound: SPANS, rounds: ROUNDS }, nsPerSpan: ns, ratios, samples });
console.log(`results: ${file}`);
