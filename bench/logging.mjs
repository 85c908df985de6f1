// bench:logging — what trace ids cost a log line. pino and winston, each without correlation and with ours, inside
// an active span, writing to a stream that drops the bytes; and logContext() alone, with and without a span.
//
// Rounds alternate the order of the contenders; the first round is warm-up and is dropped; medians are reported.
// Bytes per call: heap growth over a loop short enough to fit the young generation (run with --expose-gc).
//
// Environment: BENCH_LINES (pino lines per round, default 100000; winston gets a tenth), BENCH_ROUNDS (measured rounds, default 7).
import { Writable } from 'node:stream';
import pino from 'pino';
import winston from 'winston';
import { AuditTracer, logContext } from '@audit-tracing/core';
import { correlateWinston, pinoMixin, winstonFormat } from '@audit-tracing/logging';
import { numberFromEnv } from './lib/env.mjs';
import { median } from './lib/median.mjs';
import { describeMachine, writeResults } from './lib/results.mjs';

const LINES = Math.round(numberFromEnv('BENCH_LINES', 100_000));
const ROUNDS = Math.round(numberFromEnv('BENCH_ROUNDS', 7));
const ALLOCATION_CALLS = 50_000;

const tracer = new AuditTracer({ serviceName: 'bench', exporterType: 'none' });
const span = tracer.startSpan('GET /users/:id', null, { kind: 'server' });

// Drops what it is given, synchronously, as a fast destination would.
const sink = () => new Writable({ objectMode: false, write: (_chunk, _encoding, done) => done() });

function pinoLines(logger) {
  return function pinoRound(count) {
    for (let i = 0; i < count; i++) logger.info({ user: i }, 'user loaded');
  };
}
// winston formats and delivers in its streams, later than the call once more than a few lines are waiting: a
// round ends when its last line reached the sink, and yields every CHUNK lines so that lines do not pile up.
const CHUNK = 1000;
function winstonLines(makeLogger) {
  let delivered = 0;
  const transport = new winston.transports.Stream({
    stream: new Writable({ objectMode: true, write: (_chunk, _encoding, done) => (delivered++, done()) }),
  });
  const logger = makeLogger(transport);
  const reached = async (target) => {
    while (delivered < target) await new Promise(setImmediate);
  };
  return async function winstonRound(count) {
    const start = delivered;
    for (let i = 0; i < count; i++) {
      logger.info('user loaded', { user: i });
      if (i % CHUNK === CHUNK - 1) await reached(start + i + 1);
    }
    await reached(start + count);
  };
}

let kept;
function logContextCalls(count) {
  for (let i = 0; i < count; i++) kept = logContext();
}

const groups = {
  pino: {
    baseline: pinoLines(pino({ base: undefined }, sink())),
    // The same three fields from a mixin that looks nothing up: what pino itself spends on a mixin and three fields.
    fixedMixin: pinoLines(pino({ base: undefined, mixin: () => ({ trace_id: span.traceId, span_id: span.spanId, trace_flags: '03' }) }, sink())),
    pinoMixin: pinoLines(pino({ base: undefined, mixin: pinoMixin() }, sink())),
  },
  winston: {
    baseline: winstonLines((transport) => winston.createLogger({ format: winston.format.json(), transports: [transport] })),
    // The same three fields from a format that looks nothing up: what winston itself spends on three more fields.
    fixedFields: winstonLines((transport) =>
      winston.createLogger({
        format: winston.format.combine(
          winston.format((info) => Object.assign(info, { trace_id: span.traceId, span_id: span.spanId, trace_flags: '03' }))(),
          winston.format.json(),
        ),
        transports: [transport],
      }),
    ),
    correlateWinston: winstonLines((transport) => correlateWinston(winston.createLogger({ format: winston.format.json(), transports: [transport] }))),
    winstonFormat: winstonLines((transport) => winston.createLogger({ format: winston.format.combine(winstonFormat(), winston.format.json()), transports: [transport] })),
  },
};

async function nsPerCall(run, count) {
  const started = process.hrtime.bigint();
  await run(count);
  return Number(process.hrtime.bigint() - started) / count;
}

function bytesPerCall(run) {
  if (typeof globalThis.gc !== 'function') return NaN;
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  run(ALLOCATION_CALLS);
  return Math.max(0, (process.memoryUsage().heapUsed - before) / ALLOCATION_CALLS);
}

const started = new Date();
console.log(`bench:logging — ${ROUNDS} rounds (+1 warm-up round) of ${LINES} pino and ${Math.max(CHUNK, Math.round(LINES / 10 / CHUNK) * CHUNK)} winston lines, inside an active span`);
console.log(`machine: ${describeMachine()}`);

// winston takes some 20 times longer per line than pino: a tenth of the lines keeps its rounds as long as pino's.
const linesOf = { pino: LINES, winston: Math.max(CHUNK, Math.round(LINES / 10 / CHUNK) * CHUNK) };
// Between rounds, what the last one left behind (winston's deferred 'logged' events) is let go of.
const settle = async () => {
  await new Promise((resolve) => setTimeout(resolve, 50));
  globalThis.gc?.();
};

const samples = {};
for (const [group, contenders] of Object.entries(groups)) {
  const names = Object.keys(contenders);
  for (const name of names) samples[`${group}.${name}`] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      await settle();
      const ns = await tracer.withSpan(span, () => nsPerCall(contenders[name], linesOf[group]));
      if (round > 0) samples[`${group}.${name}`].push(ns);
    }
  }
}
samples['logContext.noSpan'] = [];
samples['logContext.inSpan'] = [];
for (let round = 0; round <= ROUNDS; round++) {
  const noSpan = await nsPerCall(logContextCalls, LINES * 10);
  const withSpanNs = await tracer.withSpan(span, () => nsPerCall(logContextCalls, LINES * 10));
  if (round > 0) samples['logContext.noSpan'].push(noSpan), samples['logContext.inSpan'].push(withSpanNs);
}

const medians = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
const ratios = {
  pinoFixedMixin: medians['pino.fixedMixin'] / medians['pino.baseline'],
  pinoMixin: medians['pino.pinoMixin'] / medians['pino.baseline'],
  winstonFixedFields: medians['winston.fixedFields'] / medians['winston.baseline'],
  correlateWinston: medians['winston.correlateWinston'] / medians['winston.baseline'],
  winstonFormat: medians['winston.winstonFormat'] / medians['winston.baseline'],
};
const allocation = {
  logContextNoSpan: bytesPerCall(logContextCalls),
  logContextInSpan: tracer.withSpan(span, () => bytesPerCall(logContextCalls)),
};

console.log('\nper log line (median)        ns     ratio to the same logger without correlation');
console.log(`pino                  ${medians['pino.baseline'].toFixed(0).padStart(10)}`);
console.log(`pino + fixed mixin   ${medians['pino.fixedMixin'].toFixed(0).padStart(10)}     ${ratios.pinoFixedMixin.toFixed(2)}×   (the same fields, no lookup)`);
console.log(`pino + pinoMixin      ${medians['pino.pinoMixin'].toFixed(0).padStart(10)}     ${ratios.pinoMixin.toFixed(2)}×`);
console.log(`winston               ${medians['winston.baseline'].toFixed(0).padStart(10)}`);
console.log(`winston + fixed fields ${medians['winston.fixedFields'].toFixed(0).padStart(9)}     ${ratios.winstonFixedFields.toFixed(2)}×   (the same fields, no lookup)`);
console.log(`winston correlated    ${medians['winston.correlateWinston'].toFixed(0).padStart(10)}     ${ratios.correlateWinston.toFixed(2)}×`);
console.log(`winston + format      ${medians['winston.winstonFormat'].toFixed(0).padStart(10)}     ${ratios.winstonFormat.toFixed(2)}×`);
console.log('\nlogContext()                 ns/call   bytes/call');
console.log(`no active span        ${medians['logContext.noSpan'].toFixed(1).padStart(10)}   ${allocation.logContextNoSpan.toFixed(1).padStart(10)}`);
console.log(`active span           ${medians['logContext.inSpan'].toFixed(1).padStart(10)}   ${allocation.logContextInSpan.toFixed(1).padStart(10)}`);

const file = writeResults('logging', started, { settings: { linesPerRound: linesOf, rounds: ROUNDS, allocationCalls: ALLOCATION_CALLS }, medians, ratios, allocation, samples });
console.log(`results: ${file}`);
span.finish();
