// bench:viewer — the viewer's ingest rate and the server time of its trace list with 100,000 spans stored.
//
// Ingest: OTLP/protobuf request bodies of 102 spans (17 six-span traces across three services, what our demo
// sends) POSTed over keep-alive HTTP, 8 in flight, to a viewer in this process; spans/s from the first byte sent
// to the last answer. Baseline in the same run: core's readSpans decoding the same bodies alone, so the ratio is
// what the HTTP server, the body reading and the store add to decoding.
//
// Trace list: GET /api/traces with and without filters, once the store holds BENCH_STORED spans (default
// 100,000), timed from request to last byte. Baselines in the same run: JSON.stringify of the same answer (the
// suggested floor of a page of results) and one bare pass over every stored span (the floor of any filter that
// must look at spans).
//
// Rounds alternate; the first is warm-up and dropped; medians are reported.
// Environment: BENCH_ROUNDS (default 5), BENCH_BODIES (bodies per ingest round, default 200), BENCH_STORED, BENCH_LISTS
// (requests per query per round, default 20).
import { Agent, request } from 'node:http';
import { encodeOtlpProtobuf, readSpans } from '@audit-tracing/core';
import { startViewer } from '@audit-tracing/viewer';
import { numberFromEnv } from './lib/env.mjs';
import { median } from './lib/median.mjs';
import { describeMachine, writeResults } from './lib/results.mjs';

const ROUNDS = Math.round(numberFromEnv('BENCH_ROUNDS', 5));
const BODIES = Math.round(numberFromEnv('BENCH_BODIES', 200));
const STORED = Math.round(numberFromEnv('BENCH_STORED', 100_000));
const LISTS = Math.round(numberFromEnv('BENCH_LISTS', 20));
const TRACES_PER_BODY = 17;
const IN_FLIGHT = 8;

let counter = 0;
const hex = (value, length) => value.toString(16).padStart(length, '0');

function span(traceId, parentSpanId, name, service, kind, start, duration, status, tags) {
  counter++;
  return {
    traceId,
    spanId: `5a${hex(counter, 14)}`,
    ...(parentSpanId ? { parentSpanId } : {}),
    operationName: name,
    component: 'http',
    kind,
    startTime: start,
    endTime: start + duration,
    duration,
    tags,
    logs: [],
    links: [],
    status,
    traceFlags: 1,
    resource: { serviceName: service, attributes: { 'service.name': service, 'service.version': '1.0.0' } },
    droppedTagsCount: 0,
    droppedLogsCount: 0,
    droppedLinksCount: 0,
  };
}

/** A checkout across gateway → inventory → pricing; one in ten fails at pricing. */
function trace(start) {
  counter++;
  const traceId = `7b${hex(counter, 30)}`;
  const failed = counter % 10 === 0;
  const status = failed ? { code: 'ERROR', message: 'price service down' } : { code: 'OK' };
  const http = (route, code) => ({ 'http.request.method': 'GET', 'http.route': route, 'http.response.status_code': code, 'server.address': '127.0.0.1', 'url.scheme': 'http' });
  const a = span(traceId, undefined, 'GET /checkout/:sku', 'gateway', 'server', start, 40, status, http('/checkout/:sku', failed ? 502 : 200));
  const b = span(traceId, a.spanId, 'GET', 'gateway', 'client', start + 2, 35, status, { 'url.full': 'http://127.0.0.1:3001/stock/apple' });
  const c = span(traceId, b.spanId, 'GET /stock/:sku', 'inventory', 'server', start + 3, 33, status, http('/stock/:sku', failed ? 502 : 200));
  const d = span(traceId, c.spanId, 'stock.lookup', 'inventory', 'internal', start + 4, 5, { code: 'OK' }, { 'db.system': 'postgresql' });
  const e = span(traceId, c.spanId, 'GET', 'inventory', 'client', start + 10, 25, status, { 'url.full': 'http://127.0.0.1:3002/prices/apple' });
  const f = span(traceId, e.spanId, 'GET /prices/:sku', 'pricing', 'server', start + 11, 23 + (counter % 7), status, http('/prices/:sku', failed ? 500 : 200));
  return [a, b, c, d, e, f];
}

function bodies(count, start) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const spans = [];
    for (let t = 0; t < TRACES_PER_BODY; t++) spans.push(...trace(start + (i * TRACES_PER_BODY + t) * 10));
    out.push(encodeOtlpProtobuf(spans));
  }
  return out;
}

function post(agent, url, body) {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/traces`, { method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function get(agent, url) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

async function ingest(agent, url, list) {
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < list.length) await post(agent, url, list[next++]);
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function decodeOnly(list) {
  const started = process.hrtime.bigint();
  let spans = 0;
  for (const body of list) spans += readSpans(body, { format: 'otlp-protobuf' }).length;
  if (spans === 0) throw new Error('nothing decoded');
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const QUERIES = [
  ['newest 20', ''],
  ['service=pricing', '?service=pricing'],
  ['status=error', '?status=error'],
  ['tag http.route', '?tag=http.route%3D/prices/:sku'],
  ['minDuration=30ms, limit 100', '?minDuration=30ms&limit=100'],
];

async function main() {
  const started = new Date();
  console.log(`bench:viewer — ${ROUNDS} rounds (+1 warm-up), ${BODIES} bodies × ${TRACES_PER_BODY * 6} spans per ingest round, ${STORED} spans stored for the list`);
  console.log(`machine: ${describeMachine()}`);
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const spansPerRound = BODIES * TRACES_PER_BODY * 6;

  // Ingest, against decoding alone.
  const running = await startViewer({ port: 0, maxSpans: spansPerRound * 2 });
  const ingestRates = [];
  const decodeRates = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const list = bodies(BODIES, 1_700_000_000_000 + round * 1e7);
    const decodeSeconds = decodeOnly(list);
    const ingestSeconds = await ingest(agent, running.url, list);
    if (round === 0) continue;
    ingestRates.push(spansPerRound / ingestSeconds);
    decodeRates.push(spansPerRound / decodeSeconds);
  }
  await running.close();

  // The trace list with STORED spans.
  const full = await startViewer({ port: 0, maxSpans: STORED });
  const fill = bodies(Math.ceil(STORED / (TRACES_PER_BODY * 6)), 1_700_000_000_000);
  await ingest(agent, full.url, fill);
  const stored = full.viewer.getStats().store;
  const listTimes = Object.fromEntries(QUERIES.map(([name]) => [name, []]));
  const stringifyTimes = Object.fromEntries(QUERIES.map(([name]) => [name, []]));
  const scanTimes = [];
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [name, query] of QUERIES) {
      const times = [];
      let body;
      for (let i = 0; i < LISTS; i++) {
        const t = process.hrtime.bigint();
        body = await get(agent, `${full.url}/api/traces${query}`);
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      const answer = JSON.parse(body.toString());
      if (answer.traces.length === 0) throw new Error(`${name}: no traces`);
      const stringify = [];
      for (let i = 0; i < LISTS; i++) {
        const t = process.hrtime.bigint();
        JSON.stringify(answer);
        stringify.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      if (round > 0) {
        listTimes[name].push(median(times));
        stringifyTimes[name].push(median(stringify));
      }
    }
    const t = process.hrtime.bigint();
    let services = 0;
    for (const span of full.viewer.store.spans()) if (span.resource.serviceName === 'pricing') services++;
    if (services === 0) throw new Error('scan found nothing');
    if (round > 0) scanTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  await full.close();
  agent.destroy();

  const ingestRate = median(ingestRates);
  const decodeRate = median(decodeRates);
  const scan = median(scanTimes);
  console.log(`\ningest, OTLP/protobuf over HTTP: ${Math.round(ingestRate).toLocaleString('en')} spans/s; readSpans alone: ${Math.round(decodeRate).toLocaleString('en')} spans/s (ingest/decode ratio ${(ingestRate / decodeRate).toFixed(2)})`);
  console.log(`\ntrace list, ${stored.spans.toLocaleString('en')} spans in ${stored.traces.toLocaleString('en')} traces stored (median ms per request, to last byte):`);
  const rows = QUERIES.map(([name]) => {
    const ms = median(listTimes[name]);
    const stringify = median(stringifyTimes[name]);
    return { query: name, 'GET ms': ms.toFixed(2), 'stringify ms': stringify.toFixed(3), 'x stringify': (ms / stringify).toFixed(0), 'x bare scan': (ms / scan).toFixed(1) };
  });
  console.table(rows);
  console.log(`bare pass over every stored span: ${scan.toFixed(2)} ms`);
  const file = writeResults('viewer', started, {
    settings: { rounds: ROUNDS, bodies: BODIES, spansPerBody: TRACES_PER_BODY * 6, inFlight: IN_FLIGHT, stored: STORED, lists: LISTS },
    ingest: { spansPerSecond: ingestRate, decodeOnlySpansPerSecond: decodeRate, ratio: ingestRate / decodeRate, samples: { ingestRates, decodeRates } },
    list: { storedSpans: stored.spans, storedTraces: stored.traces, bareScanMs: scan, queries: rows, samples: { listTimes, stringifyTimes, scanTimes } },
  });
  console.log(`\nresults: ${file}`);
}

await main();
