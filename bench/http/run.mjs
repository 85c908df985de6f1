// bench:http — throughput, latency, CPU and memory of each tracing set-up against the bare framework.
//
// For each framework, each round runs every configuration once, in order (A B C … A B C …), each in a fresh
// server process (server.mjs) exporting to one loopback collector process (collector.mjs). autocannon drives the
// load from this process. Per run: set the collector's answer delay, warm up, drain, mark; load; drain, read the
// server's own CPU and max RSS and the collector's span count. Medians over rounds are compared with bare.
// "Drain" flushes the tracer (15 s deadline) until neither the collector's counts nor the tracer's counters move
// and the collector has no answer pending, so a backlog sent to a slow collector is all counted.
//
// Every exporting configuration runs at its library's default batch settings; the script exits with status 1 when
// any of them loses a span (the collector got fewer server spans than requests served, or the tracer counted a
// drop), when one gets more than one span per request, when a non-exporting one sends any, or when a run fails.
//
// Environment: BENCH_DURATION (s, default 3), BENCH_ROUNDS (3), BENCH_WARMUP (s, 1), BENCH_CONNECTIONS (50),
// BENCH_FRAMEWORKS (e.g. express,koa), BENCH_CONFIGS (e.g. bare,ours-protobuf,otel), BENCH_COMPRESSION (gzip|none
// for both exporters; unset: each library's default), BENCH_COLLECTOR_LATENCY_MS (ms the collector waits before
// answering each export in the configurations without a -slowN suffix of their own; default 0).
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import autocannon from 'autocannon';
import { listFromEnv, numberFromEnv } from '../lib/env.mjs';
import { median } from '../lib/median.mjs';
import { describeMachine, writeResults } from '../lib/results.mjs';
import { CONFIGS, EXPORTING, FRAMEWORKS, collectorLatencyOf } from './configs.mjs';

const require = createRequire(import.meta.url);

const DURATION_S = numberFromEnv('BENCH_DURATION', 3);
const ROUNDS = Math.round(numberFromEnv('BENCH_ROUNDS', 3));
const WARMUP_S = numberFromEnv('BENCH_WARMUP', 1, { allowZero: true });
const CONNECTIONS = Math.round(numberFromEnv('BENCH_CONNECTIONS', 50));
// Responses still in flight when autocannon stops end their spans a moment later.
const SETTLE_MS = 200;
const CONTROL_TIMEOUT_MS = 30_000;
// Deadline of each tracer.forceFlush the driver asks for (the tracer's own default, 5 s, is too short for a backlog
// sent to a collector that answers 200 ms late), and of a whole drain (several flushes until nothing moves).
const FLUSH_TIMEOUT_MS = 15_000;
const DRAIN_LIMIT_MS = 60_000;
const DRAIN_POLL_MS = 100;
const BASE_COLLECTOR_LATENCY_MS = numberFromEnv('BENCH_COLLECTOR_LATENCY_MS', 0, { allowZero: true });
if (!Number.isInteger(BASE_COLLECTOR_LATENCY_MS)) throw new TypeError(`BENCH_COLLECTOR_LATENCY_MS: expected whole milliseconds, got ${BASE_COLLECTOR_LATENCY_MS}`);

const frameworks = listFromEnv('BENCH_FRAMEWORKS', FRAMEWORKS);
const configs = listFromEnv('BENCH_CONFIGS', CONFIGS);
if (!configs.includes('bare')) console.warn('BENCH_CONFIGS has no bare: ratios will be blank');

// ---- child processes --------------------------------------------------------------------------------------------

function waitForMessage(child, types, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(reject, new Error(`${what}: no ${types.join('/')} within ${CONTROL_TIMEOUT_MS} ms`)), CONTROL_TIMEOUT_MS);
    function onMessage(message) {
      if (types.includes(message?.type)) finish(resolve, message);
    }
    function onExit(code, signal) {
      finish(reject, new Error(`${what}: exited (${signal ?? code}) ${child.stderrText?.trim() ?? ''}`));
    }
    function finish(settle, value) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      settle(value);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

function forkChild(file, args, env) {
  const child = fork(new URL(file, import.meta.url), args, {
    env: { ...process.env, ...env },
    execArgv: [],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  child.stderrText = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => {
    child.stderrText = (child.stderrText + text).slice(-4000);
  });
  return child;
}

async function control(child, message, reply, what) {
  const answer = waitForMessage(child, [reply], what);
  child.send(typeof message === 'string' ? { type: message } : message);
  return answer;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function latencyFor(config) {
  return collectorLatencyOf(config) ?? BASE_COLLECTOR_LATENCY_MS;
}

function sumValues(record) {
  return Object.values(record ?? {}).reduce((sum, count) => sum + count, 0);
}

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function collectorCount(collectorUrl) {
  const response = await fetch(`${collectorUrl}/count`);
  return response.json();
}

/**
 * Flushes the server until everything it finished has reached the collector or been counted as dropped: flush
 * (FLUSH_TIMEOUT_MS), read the collector and the tracer, and repeat until two reads in a row agree and the collector
 * has no answer pending. Returns the last reads.
 */
async function drain(server, collectorUrl, what) {
  const started = performance.now();
  let previous;
  let flushes = 0;
  const errors = [];
  for (;;) {
    const flushed = await control(server, { type: 'flush', timeoutMs: FLUSH_TIMEOUT_MS }, 'flushed', what);
    flushes++;
    if (flushed.error) errors.push(flushed.error);
    const count = await collectorCount(collectorUrl);
    const stats = await control(server, 'stats', 'stats', what);
    const tracer = stats.tracerStats;
    const snapshot = JSON.stringify([
      count.spans, count.requests, count.pending,
      tracer?.spansFinished, tracer?.spansExported, sumValues(tracer?.spansDropped), tracer?.exportAttempts,
    ]);
    const ms = performance.now() - started;
    if (snapshot === previous && count.pending === 0) return { count, stats, flushes, ms, errors, drained: true };
    if (ms > DRAIN_LIMIT_MS) return { count, stats, flushes, ms, errors, drained: false };
    previous = snapshot;
    await sleep(DRAIN_POLL_MS);
  }
}

function load(port, durationS) {
  return autocannon({
    url: `http://127.0.0.1:${port}/users/42`,
    connections: CONNECTIONS,
    duration: durationS,
    pipelining: 1,
  });
}

// ---- one run: one server process, one configuration -------------------------------------------------------------

async function runOne(framework, config, collector, collectorUrl) {
  const what = `${framework}/${config}`;
  const latencyMs = latencyFor(config);
  const set = await control(collector, { type: 'latency', ms: latencyMs }, 'latency', 'collector');
  if (set.error || set.ms !== latencyMs) throw new Error(`collector latency ${latencyMs} ms not set: ${set.error ?? set.ms}`);
  const server = forkChild('./server.mjs', [framework, config], { COLLECTOR_URL: collectorUrl });
  try {
    const ready = await waitForMessage(server, ['ready', 'unavailable'], what);
    if (ready.type === 'unavailable') return { unavailable: ready.reason };

    if (WARMUP_S > 0) await load(ready.port, WARMUP_S);
    await sleep(SETTLE_MS);
    const { stats: before, count: countBefore, drained: warmDrained } = await drain(server, collectorUrl, what);
    if (!warmDrained) throw new Error(`warm-up spans still moving after ${DRAIN_LIMIT_MS} ms of flushing`);

    const result = await load(ready.port, DURATION_S);
    await sleep(SETTLE_MS);
    const flushed = await drain(server, collectorUrl, what);
    const { stats: after, count: countAfter } = flushed;

    const served = after.served - before.served;
    const dropped = {};
    for (const [reason, count] of Object.entries(after.tracerStats?.spansDropped ?? {})) {
      const delta = count - (before.tracerStats?.spansDropped?.[reason] ?? 0);
      if (delta > 0) dropped[reason] = delta;
    }
    const cpuUs = after.cpu.user - before.cpu.user + (after.cpu.system - before.cpu.system);
    return {
      reqPerSec: result.requests.average,
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      responses: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      served,
      cpuUsPerReq: served > 0 ? cpuUs / served : NaN,
      peakRssMb: after.maxRssKb / 1024,
      heapUsedMb: after.heapUsed / 1024 / 1024,
      collectorLatencyMs: latencyMs,
      flushMs: flushed.ms,
      flushes: flushed.flushes,
      drained: flushed.drained,
      flushError: flushed.errors.length ? flushed.errors.join('; ') : undefined,
      spansReceived: countAfter.spans - countBefore.spans,
      serverSpansReceived: countAfter.serverSpans - countBefore.serverSpans,
      collectorRequests: countAfter.requests - countBefore.requests,
      // What decoding and counting the exports cost the collector, on the same cores as the server.
      collectorCpuUsPerReq: served > 0 ? (countAfter.cpuUs - countBefore.cpuUs) / served : NaN,
      collectorUnanswered: countAfter.unanswered - countBefore.unanswered,
      collectorUnansweredSpans: countAfter.unansweredSpans - countBefore.unansweredSpans,
      collectorErrors: countAfter.errors - countBefore.errors,
      collectorLastError: countAfter.errors > countBefore.errors ? countAfter.lastError : undefined,
      tracerExported: after.tracerStats ? after.tracerStats.spansExported - (before.tracerStats?.spansExported ?? 0) : undefined,
      tracerExportFailures: after.tracerStats ? after.tracerStats.exportFailures - (before.tracerStats?.exportFailures ?? 0) : undefined,
      tracerDropped: dropped,
      tracerStats: after.tracerStats,
    };
  } finally {
    await stop(server);
  }
}

// ---- summary ----------------------------------------------------------------------------------------------------

function sumCounts(records) {
  const total = {};
  for (const record of records) {
    for (const [key, count] of Object.entries(record ?? {})) total[key] = (total[key] ?? 0) + count;
  }
  return total;
}

function summarise(runs) {
  const summary = {};
  for (const framework of frameworks) {
    const rows = {};
    for (const config of configs) {
      const mine = runs.filter((run) => run.framework === framework && run.config === config);
      const done = mine.filter((run) => !run.unavailable && !run.failed);
      if (done.length === 0) {
        rows[config] = { unavailable: mine.find((run) => run.unavailable)?.unavailable ?? mine.find((run) => run.failed)?.failed ?? 'not run' };
        continue;
      }
      const served = done.reduce((sum, run) => sum + run.served, 0);
      const serverSpans = done.reduce((sum, run) => sum + run.serverSpansReceived, 0);
      const exporting = EXPORTING.has(config);
      const tracerDropped = sumCounts(done.map((run) => run.tracerDropped));
      const expected = exporting ? served : 0;
      rows[config] = {
        rounds: done.length,
        reqPerSec: median(done.map((run) => run.reqPerSec)),
        latencyP99Ms: median(done.map((run) => run.latencyP99Ms)),
        cpuUsPerReq: median(done.map((run) => run.cpuUsPerReq)),
        collectorCpuUsPerReq: median(done.map((run) => run.collectorCpuUsPerReq)),
        peakRssMb: median(done.map((run) => run.peakRssMb)),
        served,
        spansReceived: done.reduce((sum, run) => sum + run.spansReceived, 0),
        serverSpansReceived: serverSpans,
        exporting,
        collectorLatencyMs: latencyFor(config),
        // One server span per request served, or (for sampleRate 0 and the non-tracing set-ups) none at all.
        spansExpected: expected,
        spansLost: Math.max(0, expected - serverSpans),
        spansExtra: Math.max(0, serverSpans - expected),
        spansComplete: serverSpans === expected && !(exporting && sumValues(tracerDropped) > 0),
        errors: done.reduce((sum, run) => sum + run.errors + run.non2xx + run.timeouts, 0),
        failedRounds: mine.filter((run) => run.failed).length,
        notDrained: done.filter((run) => !run.drained).length,
        maxFlushMs: Math.max(...done.map((run) => run.flushMs)),
        tracerExported: done.some((run) => run.tracerExported !== undefined) ? done.reduce((sum, run) => sum + (run.tracerExported ?? 0), 0) : undefined,
        tracerExportFailures: done.reduce((sum, run) => sum + (run.tracerExportFailures ?? 0), 0),
        collectorUnansweredSpans: done.reduce((sum, run) => sum + run.collectorUnansweredSpans, 0),
        tracerDropped,
      };
    }
    const bare = rows.bare && !rows.bare.unavailable ? rows.bare : undefined;
    for (const row of Object.values(rows)) {
      if (!bare || row.unavailable) continue;
      row.vsBare = {
        reqPerSec: row.reqPerSec / bare.reqPerSec,
        latencyP99: row.latencyP99Ms / bare.latencyP99Ms,
        cpu: row.cpuUsPerReq / bare.cpuUsPerReq,
        addedCpuUs: row.cpuUsPerReq - bare.cpuUsPerReq,
        peakRss: row.peakRssMb / bare.peakRssMb,
        addedRssMb: row.peakRssMb - bare.peakRssMb,
      };
    }
    summary[framework] = rows;
  }
  return summary;
}

function fmt(value, digits = 0) {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

function signed(value, digits = 1) {
  return Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(digits)}` : '-';
}

/** The last column: spans received against requests served, for every configuration, and why they differ. */
function spanCheck(row) {
  let text = `${row.serverSpansReceived}/${row.served}`;
  if (row.exporting) {
    if (row.spansComplete) text += ' ok';
    else if (row.spansLost) text += ` LOST ${row.spansLost}`;
    if (row.spansExtra) text += ` EXTRA ${row.spansExtra}`;
    if (row.collectorLatencyMs) text += ` (collector +${row.collectorLatencyMs} ms)`;
    if (row.spansReceived !== row.serverSpansReceived) text += ` (${row.spansReceived} spans in all)`;
    if (row.collectorUnansweredSpans) text += ` (+${row.collectorUnansweredSpans} spans whose export gave up before the answer)`;
  } else {
    text += row.serverSpansReceived === 0 ? ' (none expected)' : ` UNEXPECTED ${row.serverSpansReceived}`;
  }
  const drops = Object.entries(row.tracerDropped).map(([reason, count]) => `${count} ${reason}`);
  // The tracer's own account, whenever it differs from what the collector shows.
  const tracerDiffers = row.tracerExported !== undefined && row.exporting && row.tracerExported !== row.serverSpansReceived;
  if (drops.length || tracerDiffers || (!row.spansComplete && row.tracerExported !== undefined)) {
    const parts = [];
    if (row.tracerExported !== undefined) parts.push(`exported ${row.tracerExported}`);
    parts.push(drops.length ? `dropped ${drops.join(', ')}` : 'dropped none');
    if (row.tracerExportFailures) parts.push(`${row.tracerExportFailures} failed exports`);
    text += ` (tracer: ${parts.join(', ')})`;
  }
  if (row.notDrained) text += ` [${row.notDrained} rounds not drained]`;
  if (row.failedRounds) text += ` [${row.failedRounds} rounds FAILED]`;
  if (row.errors) text += ` [${row.errors} errors]`;
  return text;
}

function printTable(framework, rows) {
  const header = ['config', 'req/s', '×bare', 'p99 ms', '×bare', 'CPU µs/req', 'vs bare', '×bare', 'RSS MB', 'vs bare', 'collector µs/req', 'server spans received / requests served'];
  const lines = [header];
  for (const [config, row] of Object.entries(rows)) {
    if (row.unavailable) {
      lines.push([config, `skipped: ${row.unavailable}`]);
      continue;
    }
    const ratio = row.vsBare ?? {};
    lines.push([
      config,
      fmt(row.reqPerSec),
      fmt(ratio.reqPerSec, 2),
      fmt(row.latencyP99Ms, 1),
      fmt(ratio.latencyP99, 2),
      fmt(row.cpuUsPerReq, 1),
      signed(ratio.addedCpuUs),
      fmt(ratio.cpu, 2),
      fmt(row.peakRssMb, 1),
      signed(ratio.addedRssMb),
      fmt(row.collectorCpuUsPerReq, 1),
      spanCheck(row),
    ]);
  }
  const widths = header.map((_, column) =>
    Math.max(...lines.filter((line) => column === 0 || line.length > 2).map((line) => String(line[column] ?? '').length)));
  console.log(`\n${framework} — ${CONNECTIONS} connections, ${DURATION_S} s × ${ROUNDS} rounds, medians`);
  for (const line of lines) {
    if (line.length === 2) console.log(`${line[0].padEnd(widths[0])}  ${line[1]}`);
    else console.log(line.map((cell, column) => (column === 0 || column === line.length - 1 ? String(cell).padEnd(widths[column]) : String(cell).padStart(widths[column]))).join('  ').trimEnd());
  }
}

function versions() {
  const names = [
    'express', 'koa', '@koa/router', 'fastify', 'autocannon', 'cls-rtracer', '@opentelemetry/api', '@opentelemetry/sdk-trace-node',
    '@opentelemetry/exporter-trace-otlp-proto', '@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-express',
    '@opentelemetry/instrumentation-koa', '@fastify/otel', '@audit-tracing/core',
  ];
  const out = {};
  for (const name of names) {
    try {
      out[name] = require(`${name}/package.json`).version;
    } catch {
      out[name] = 'unknown';
    }
  }
  return out;
}

// ---- main -------------------------------------------------------------------------------------------------------

async function main() {
  const started = new Date();
  console.log(`bench:http — ${frameworks.join(', ')} × ${configs.join(', ')}; ${ROUNDS} rounds of ${DURATION_S} s (+${WARMUP_S} s warm-up), ${CONNECTIONS} connections`);
  console.log(`machine: ${describeMachine()}`);

  const collector = forkChild('./collector.mjs', []);
  const { port: collectorPort } = await waitForMessage(collector, ['ready'], 'collector');
  const collectorUrl = `http://127.0.0.1:${collectorPort}`;

  const runs = [];
  const unavailable = new Map();
  try {
    for (const framework of frameworks) {
      for (let round = 1; round <= ROUNDS; round++) {
        for (const config of configs) {
          const key = `${framework}/${config}`;
          if (unavailable.has(key)) continue;
          process.stdout.write(`  ${framework} round ${round}/${ROUNDS} ${config.padEnd(21)} `);
          let run;
          try {
            run = await runOne(framework, config, collector, collectorUrl);
          } catch (error) {
            run = { failed: error.message };
          }
          runs.push({ framework, config, round, ...run });
          if (run.unavailable) {
            unavailable.set(key, run.unavailable);
            console.log(`SKIPPED (${run.unavailable})`);
          } else if (run.failed) {
            console.log(`FAILED (${run.failed})`);
          } else {
            let spans = `  spans ${run.serverSpansReceived}/${run.served}`;
            const drops = Object.entries(run.tracerDropped).map(([reason, count]) => `${count} ${reason}`);
            if (drops.length) spans += ` (tracer dropped ${drops.join(', ')})`;
            if (EXPORTING.has(config)) spans += `  drained in ${fmt(run.flushMs)} ms${run.drained ? '' : ' (NOT drained)'}`;
            console.log(`${fmt(run.reqPerSec)} req/s  p99 ${fmt(run.latencyP99Ms, 1)} ms  ${fmt(run.cpuUsPerReq, 1)} µs/req  ${fmt(run.peakRssMb, 1)} MB${spans}`);
          }
        }
      }
    }
  } finally {
    await stop(collector);
  }

  const summary = summarise(runs);
  for (const framework of frameworks) printTable(framework, summary[framework]);

  // The loss check. Every exporting configuration runs at its library's default batch settings (ours: no `batch`
  // option), so any span lost there fails the run; so do extra or unexpected spans and failed runs.
  const problems = [];
  for (const [framework, rows] of Object.entries(summary)) {
    for (const [config, row] of Object.entries(rows)) {
      const name = `${framework}/${config}`;
      const failed = runs.filter((run) => run.framework === framework && run.config === config && run.failed).length;
      if (failed) problems.push(`${name}: ${failed} run(s) failed`);
      if (row.unavailable) continue;
      const drops = Object.entries(row.tracerDropped).map(([reason, count]) => `${count} ${reason}`);
      if (row.exporting && (row.spansLost || drops.length)) {
        problems.push(`${name}: ${row.spansLost} of ${row.served} spans lost at the default batch settings${drops.length ? ` (tracer dropped ${drops.join(', ')})` : ''}`);
      }
      if (row.spansExtra) problems.push(`${name}: ${row.spansExtra} ${row.exporting ? 'server spans more than requests served' : 'server spans from a configuration that exports none'}`);
    }
  }
  if (problems.length) console.log(`\nspan check FAILED:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  else console.log('\nspan check: every exporting configuration (each at its default batch settings, ours also at batches of 512) delivered exactly one server span per request served; the others sent none');

  const file = writeResults('http', started, {
    settings: {
      durationS: DURATION_S,
      rounds: ROUNDS,
      warmupS: WARMUP_S,
      connections: CONNECTIONS,
      frameworks,
      configs,
      compression: process.env.BENCH_COMPRESSION || 'library defaults',
      batch: 'library defaults',
      collectorLatencyMs: Object.fromEntries(configs.map((config) => [config, latencyFor(config)])),
      flushTimeoutMs: FLUSH_TIMEOUT_MS,
    },
    versions: versions(),
    summary,
    runs,
  });
  console.log(`results: ${file}`);
  if (problems.length) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
