// bench:export — CPU per span of the export pipeline, in the process that makes the spans.
//
// The same server spans (12 tags, as our adapters write them) go through tracers that differ only in what they do
// with ended spans: `none` (no exporter: the baseline, the span alone), and the OTLP exporter at its defaults
// (batch processor, http/protobuf, gzip), at batches of 512 (OpenTelemetry's default size) and over http/json, all
// sending to http/collector.mjs in a child process, so the collector's own CPU is not counted here. Spans come 100
// at a time with a turn of the event loop between, and never more than 3,000 ahead of what was exported, so nothing
// is dropped (checked). CPU is this process's `process.cpuUsage()` over the round, its final flush included.
// Rounds rotate the order; the first is warm-up; medians. It prints µs per span and what export adds to the baseline.
//
// Environment: BENCH_SPANS (per round, 100000), BENCH_ROUNDS (measured rounds, 7).
import { fork } from 'node:child_process';
import { AuditTracer } from '@audit-tracing/core';
import { numberFromEnv } from './lib/env.mjs';
import { median } from './lib/median.mjs';
import { describeMachine, writeResults } from './lib/results.mjs';

const SPANS = Math.round(numberFromEnv('BENCH_SPANS', 100_000));
const ROUNDS = Math.round(numberFromEnv('BENCH_ROUNDS', 7));
const AHEAD = 3000;

const CONFIGS = {
  none: { exporterType: 'none' },
  'otlp-protobuf': { exporterType: 'otlp', protocol: 'http/protobuf' },
  'otlp-protobuf-batch512': { exporterType: 'otlp', protocol: 'http/protobuf', batch: { maxExportBatchSize: 512 } },
  'otlp-json': { exporterType: 'otlp', protocol: 'http/json' },
};

function dropped(stats) {
  return Object.values(stats.spansDropped).reduce((sum, count) => sum + count, 0);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const turn = () => new Promise((resolve) => setImmediate(resolve));

async function round(tracer, exporting) {
  const before = process.cpuUsage();
  const finishedBefore = tracer.getStats().spansFinished;
  for (let i = 0; i < SPANS; i += 100) {
    for (let j = 0; j < 100; j++) {
      const span = tracer.startSpan('GET', null, { kind: 'server', component: 'fastify' });
      span.setTag('http.request.method', 'GET');
      span.setTag('url.path', `/users/${i + j}`);
      span.setTag('url.scheme', 'http');
      span.setTag('network.protocol.version', '1.1');
      span.setTag('server.address', '127.0.0.1');
      span.setTag('server.port', 3000);
      span.setTag('client.address', '127.0.0.1');
      span.setTag('user_agent.original', 'autocannon/9.0.0');
      span.setTag('http.route', '/users/:id');
      span.setOperationName('GET /users/:id');
      span.setTag('http.response.status_code', 200);
      span.setTag('http.response.body.size', 42);
      span.finish();
    }
    await turn();
    while (exporting) {
      const stats = tracer.getStats();
      if (stats.spansFinished - stats.spansExported - dropped(stats) <= AHEAD) break;
      await sleep(1);
    }
  }
  await tracer.forceFlush({ timeoutMs: 15_000 });
  const cpu = process.cpuUsage(before);
  const finished = tracer.getStats().spansFinished - finishedBefore;
  return (cpu.user + cpu.system) / finished;
}

const started = new Date();
console.log(`bench:export — CPU per span of making and exporting it; ${ROUNDS} rounds of ${SPANS} spans (+1 warm-up round)`);
console.log(`machine: ${describeMachine()}`);

const collector = fork(new URL('./http/collector.mjs', import.meta.url), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
const port = await new Promise((resolve) => collector.on('message', (message) => message?.type === 'ready' && resolve(message.port)));
const tracers = {};
for (const [name, options] of Object.entries(CONFIGS)) {
  tracers[name] = new AuditTracer({ serviceName: 'bench-export', exporterEndpoint: `http://127.0.0.1:${port}`, ...options });
}

const names = Object.keys(CONFIGS);
const samples = Object.fromEntries(names.map((name) => [name, []]));
try {
  for (let r = 0; r <= ROUNDS; r++) {
    const order = names.slice(r % names.length).concat(names.slice(0, r % names.length));
    for (const name of order) {
      const us = await round(tracers[name], name !== 'none');
      if (r > 0) samples[name].push(us);
    }
    if (r > 0) console.log(`  round ${r}: ${names.map((name) => `${name} ${samples[name].at(-1).toFixed(2)}`).join(', ')} µs/span`);
  }
} finally {
  collector.kill();
}

const baseline = median(samples.none);
const results = {};
let lost = 0;
console.log('\nconfig                    µs/span (median)   export adds   × baseline   exported / made   requests');
for (const name of names) {
  const stats = tracers[name].getStats();
  const us = median(samples[name]);
  const exporting = name !== 'none';
  const made = stats.spansFinished;
  if (exporting && (stats.spansExported !== made || dropped(stats) > 0)) lost += made - stats.spansExported;
  results[name] = { usPerSpan: us, addedUs: us - baseline, ratio: us / baseline, exported: stats.spansExported, made, requests: stats.exportAttempts, dropped: stats.spansDropped };
  console.log(
    `${name.padEnd(24)}  ${us.toFixed(2).padStart(16)}   ${exporting ? `+${(us - baseline).toFixed(2)}`.padStart(11) : '-'.padStart(11)}   ${(us / baseline).toFixed(2).padStart(10)}   ${exporting ? `${stats.spansExported} / ${made}`.padStart(15) : '-'.padStart(15)}   ${exporting ? String(stats.exportAttempts).padStart(8) : '-'.padStart(8)}`,
  );
}
for (const tracer of Object.values(tracers)) await tracer.shutdown();

const file = writeResults('export', started, { settings: { spansPerRound: SPANS, rounds: ROUNDS, ahead: AHEAD }, results, samples });
console.log(`results: ${file}`);
if (lost > 0) {
  console.error(`span check: ${lost} spans were not exported`);
  process.exitCode = 1;
} else {
  console.log('span check: every span made by an exporting tracer was exported');
}
