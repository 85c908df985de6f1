// bench:http — throughput, latency, CPU and memory of each tracing set-up against the bare framework.
//
// For each framework, each round runs every configuration once, in order (A B C … A B C …), each in a fresh
// server process (server.mjs) exporting to one loopback collector process (collector.mjs). autocannon drives the
// load from this process. Per run: warm up, flush, mark; load; flush, read the server's own CPU and max RSS and
// the collector's span count. Medians over rounds are compared with bare.
//
// Environment: BENCH_DURATION (s, default 3), BENCH_ROUNDS (3), BENCH_WARMUP (s, 1), BENCH_CONNECTIONS (50),
// BENCH_FRAMEWORKS (e.g. express,koa), BENCH_CONFIGS (e.g. bare,ours-protobuf,otel), BENCH_COMPRESSION (gzip|none
// for both exporters; unset: each library's default).
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import autocannon from 'autocannon';
import { listFromEnv, numberFromEnv } from '../lib/env.mjs';
import { median } from '../lib/median.mjs';
import { describeMachine, writeResults } from '../lib/results.mjs';
import { CONFIGS, EXPORTING, FRAMEWORKS } from './configs.mjs';

const require = createRequire(import.meta.url);

const DURATION_S = numberFromEnv('BENCH_DURATION', 3);
const ROUNDS = Math.round(numberFromEnv('BENCH_ROUNDS', 3));
const WARMUP_S = numberFromEnv('BENCH_WARMUP', 1, { allowZero: true });
const CONNECTIONS = Math.round(numberFromEnv('BENCH_CONNECTIONS', 50));
// Responses still in flight when autocannon stops end their spans a moment later.
const SETTLE_MS = 200;
const CONTROL_TIMEOUT_MS = 30_000;

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

async function control(child, type, reply, what) {
  const answer = waitForMessage(child, [reply], what);
  child.send({ type });
  return answer;
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

function load(port, durationS) {
  return autocannon({
    url: `http://127.0.0.1:${port}/users/42`,
    connections: CONNECTIONS,
    duration: durationS,
    pipelining: 1,
  });
}

// ---- one run: one server process, one configuration -------------------------------------------------------------

async function runOne(framework, config, collectorUrl) {
  const what = `${framework}/${config}`;
  const server = forkChild('./server.mjs', [framework, config], { COLLECTOR_URL: collectorUrl });
  try {
    const ready = await waitForMessage(server, ['ready', 'unavailable'], what);
    if (ready.type === 'unavailable') return { unavailable: ready.reason };

    if (WARMUP_S > 0) await load(ready.port, WARMUP_S);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    await control(server, 'flush', 'flushed', what);
    const before = await control(server, 'stats', 'stats', what);
    const countBefore = await collectorCount(collectorUrl);

    const result = await load(ready.port, DURATION_S);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const flushed = await control(server, 'flush', 'flushed', what);
    const after = await control(server, 'stats', 'stats', what);
    const countAfter = await collectorCount(collectorUrl);

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
      flushMs: flushed.ms,
      flushError: flushed.error,
      spansReceived: countAfter.spans - countBefore.spans,
      serverSpansReceived: countAfter.serverSpans - countBefore.serverSpans,
      collectorErrors: countAfter.errors - countBefore.errors,
      collectorLastError: countAfter.errors > countBefore.errors ? countAfter.lastError : undefined,
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
      rows[config] = {
        rounds: done.length,
        reqPerSec: median(done.map((run) => run.reqPerSec)),
        latencyP99Ms: median(done.map((run) => run.latencyP99Ms)),
        cpuUsPerReq: median(done.map((run) => run.cpuUsPerReq)),
        peakRssMb: median(done.map((run) => run.peakRssMb)),
        served,
        spansReceived: done.reduce((sum, run) => sum + run.spansReceived, 0),
        serverSpansReceived: serverSpans,
        exporting: EXPORTING.has(config),
        // One server span per request served, or (for sampleRate 0 and the non-tracing set-ups) none at all.
        spansComplete: EXPORTING.has(config) ? serverSpans === served : serverSpans === 0,
        errors: done.reduce((sum, run) => sum + run.errors + run.non2xx + run.timeouts, 0),
        tracerDropped: sumCounts(done.map((run) => run.tracerDropped)),
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

function printTable(framework, rows) {
  const header = ['config', 'req/s', '×bare', 'p99 ms', '×bare', 'CPU µs/req', 'vs bare', '×bare', 'RSS MB', 'vs bare', 'server spans / requests'];
  const lines = [header];
  for (const [config, row] of Object.entries(rows)) {
    if (row.unavailable) {
      lines.push([config, `skipped: ${row.unavailable}`]);
      continue;
    }
    const ratio = row.vsBare ?? {};
    let spans = `${row.serverSpansReceived}/${row.served}`;
    if (row.exporting) spans += row.spansComplete ? ' ok' : ` MISSING ${row.served - row.serverSpansReceived}`;
    else spans = row.spansComplete ? '- (none expected)' : `${row.serverSpansReceived} UNEXPECTED`;
    if (row.exporting && row.spansReceived !== row.serverSpansReceived) spans += ` (${row.spansReceived} spans in all)`;
    const drops = Object.entries(row.tracerDropped).map(([reason, count]) => `${count} ${reason}`);
    if (drops.length) spans += ` (tracer dropped ${drops.join(', ')})`;
    if (row.errors) spans += ` [${row.errors} errors]`;
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
      spans,
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
          process.stdout.write(`  ${framework} round ${round}/${ROUNDS} ${config.padEnd(14)} `);
          let run;
          try {
            run = await runOne(framework, config, collectorUrl);
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
            const spans = EXPORTING.has(config) ? `  spans ${run.serverSpansReceived}/${run.served}` : '';
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

  const incomplete = Object.entries(summary).flatMap(([framework, rows]) =>
    Object.entries(rows).filter(([, row]) => !row.unavailable && !row.spansComplete).map(([config]) => `${framework}/${config}`));
  if (incomplete.length) console.log(`\nspan check FAILED for ${incomplete.join(', ')}: the collector did not get exactly one server span per request`);
  else console.log('\nspan check: every exporting configuration delivered one server span per request');

  const file = writeResults('http', started, {
    settings: {
      durationS: DURATION_S,
      rounds: ROUNDS,
      warmupS: WARMUP_S,
      connections: CONNECTIONS,
      frameworks,
      configs,
      compression: process.env.BENCH_COMPRESSION || 'library defaults',
    },
    versions: versions(),
    summary,
    runs,
  });
  console.log(`results: ${file}`);
  if (incomplete.length) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
