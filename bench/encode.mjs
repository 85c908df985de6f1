// bench:encode — spans encoded per second to OTLP JSON and protobuf: ours (encodeOtlpJson / encodeOtlpProtobuf)
// against OpenTelemetry's JsonTraceSerializer / ProtobufTraceSerializer, on the same spans made by both tracers. Two
// batches: "like spans", 100 server spans of one route (the headline: issue 15's goal is on it), and "mixed", the
// spans of 25 requests as a service ends them, children first: a database query, an outgoing HTTP call, an internal
// step with an event, then the server span (one request in ten fails upstream). Our encoders copy a span from the
// last one of its name and kind in the body, so the mixed batch shows what they do when consecutive spans differ.
//
// Both sides produce request bytes ready to send: our encoders and OpenTelemetry's serializers all return bytes
// (a Buffer, a Uint8Array), so nothing is added to either side's time. Before timing, our protobuf output is
// decoded with the official opentelemetry-proto definitions, and our JSON is parsed, and both must hold the batch.
// Rounds alternate the four encoders; the first round is warm-up and is dropped; medians are reported.
//
// Environment: BENCH_BATCH (spans per request, a multiple of 4, default 100, our batch processor's default),
// BENCH_BATCHES (requests encoded per round, default 1000), BENCH_ROUNDS (measured rounds, default 5).
import { createRequire } from 'node:module';
import { AuditTracer, InMemoryExporter, encodeOtlpJson, encodeOtlpProtobuf } from '@audit-tracing/core';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { numberFromEnv } from './lib/env.mjs';
import { median } from './lib/median.mjs';
import { describeMachine, writeResults } from './lib/results.mjs';

const BATCH = Math.round(numberFromEnv('BENCH_BATCH', 100));
const BATCHES = Math.round(numberFromEnv('BENCH_BATCHES', 1000));
const ROUNDS = Math.round(numberFromEnv('BENCH_ROUNDS', 5));

const SERVICE = { 'service.name': 'bench-encode', 'service.version': '1.0.0' };

// What an HTTP server span typically carries. https://opentelemetry.io/docs/specs/semconv/http/http-spans/
function serverTags(i) {
  return {
    'http.request.method': 'GET',
    'url.path': `/users/${i}`,
    'url.scheme': 'http',
    'http.route': '/users/:id',
    'http.response.status_code': 200,
    'server.address': '127.0.0.1',
    'server.port': 3000,
    'network.protocol.version': '1.1',
    'client.address': '127.0.0.1',
    'user_agent.original': 'autocannon/9.0.0',
  };
}

// The mixed batch: per request, its spans in the order they end. `fails`: the outgoing call got a 503, the request
// a 502.
const MIXED_SHAPES = ['SELECT orders', 'GET', 'price.compute', 'GET /users/:id'];

function fails(i) {
  return i % 10 === 9;
}

function clientTags(i) {
  return {
    'http.request.method': 'GET',
    'url.full': `http://inventory:8080/items/${i}`,
    'server.address': 'inventory',
    'server.port': 8080,
    'http.response.status_code': fails(i) ? 503 : 200,
  };
}

function dbTags(i) {
  return { 'db.system': 'postgresql', 'db.namespace': 'shop', 'db.query.text': 'SELECT * FROM orders WHERE user_id = $1', 'db.response.returned_rows': i % 5 };
}

function mixedServerTags(i) {
  return { ...serverTags(i), 'http.response.status_code': fails(i) ? 502 : 200 };
}

function priceTags(i) {
  return { 'pricing.rule': `rule-${i % 3}` };
}

/** Our tracer, recording spans as they end; `make(tracer)` starts and ends them. */
async function ourSpans(make) {
  const exporter = new InMemoryExporter();
  const tracer = new AuditTracer({ serviceName: SERVICE['service.name'], serviceVersion: SERVICE['service.version'], exporter, processor: 'simple' });
  make(tracer);
  await tracer.forceFlush();
  const spans = exporter.getFinishedSpans();
  await tracer.shutdown();
  return spans;
}

function ourLikeSpans(tracer) {
  for (let i = 0; i < BATCH; i++) {
    const span = tracer.startSpan('GET /users/:id', undefined, { kind: 'server', tags: serverTags(i) });
    span.finish();
  }
}

function ourMixedSpans(tracer) {
  for (let i = 0; i < BATCH / 4; i++) {
    const server = tracer.startSpan('GET /users/:id', null, { kind: 'server', tags: mixedServerTags(i) });
    tracer.startSpan('SELECT orders', server, { kind: 'client', tags: dbTags(i) }).finish();
    const call = tracer.startSpan('GET', server, { kind: 'client', tags: clientTags(i) });
    if (fails(i)) call.setStatus('ERROR', 'upstream 503');
    call.finish();
    const step = tracer.startSpan('price.compute', server, { tags: priceTags(i) });
    step.log('info', 'computed', { items: i % 4 });
    step.finish();
    if (fails(i)) server.setStatus('ERROR', 'upstream 503');
    server.finish();
  }
}

/** OpenTelemetry's SDK, recording spans as they end; `make(tracer)` starts and ends them. */
async function openTelemetrySpans(make) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes(SERVICE), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  make(provider.getTracer('bench-encode'));
  await provider.forceFlush();
  return exporter.getFinishedSpans();
}

function openTelemetryLikeSpans(tracer) {
  for (let i = 0; i < BATCH; i++) {
    const span = tracer.startSpan('GET /users/:id', { kind: SpanKind.SERVER, attributes: serverTags(i) });
    span.end();
  }
}

function openTelemetryMixedSpans(tracer) {
  const error = { code: SpanStatusCode.ERROR, message: 'upstream 503' };
  for (let i = 0; i < BATCH / 4; i++) {
    const server = tracer.startSpan('GET /users/:id', { kind: SpanKind.SERVER, attributes: mixedServerTags(i) }, ROOT_CONTEXT);
    const parent = trace.setSpan(ROOT_CONTEXT, server);
    tracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT, attributes: dbTags(i) }, parent).end();
    const call = tracer.startSpan('GET', { kind: SpanKind.CLIENT, attributes: clientTags(i) }, parent);
    if (fails(i)) call.setStatus(error);
    call.end();
    const step = tracer.startSpan('price.compute', { attributes: priceTags(i) }, parent);
    // Our span's event carries its level as an attribute: the same attributes here.
    step.addEvent('computed', { level: 'info', items: i % 4 });
    step.end();
    if (fails(i)) server.setStatus(error);
    server.end();
  }
}

function officialTraceRequest() {
  // The protobufjs root generated from opentelemetry-proto, shipped by the repository's otlp-transformer 0.57.
  const rootRequire = createRequire(new URL('../package.json', import.meta.url));
  return rootRequire('@opentelemetry/otlp-transformer/build/src/generated/root.js').opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
}

function spansIn(request) {
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => (resourceSpans.scopeSpans ?? []).flatMap((scopeSpans) => scopeSpans.spans ?? []));
}

/** Our protobuf decodes with the official definitions and our JSON parses, and both hold the batch's spans. */
function verify(ours, names) {
  const decoded = spansIn(officialTraceRequest().decode(encodeOtlpProtobuf(ours)));
  const parsed = spansIn(JSON.parse(encodeOtlpJson(ours)));
  for (const [format, spans] of [['protobuf', decoded], ['JSON', parsed]]) {
    if (spans.length !== BATCH) throw new Error(`our ${format} holds ${spans.length} spans, expected ${BATCH}`);
    spans.forEach((span, i) => {
      const name = names[i % names.length];
      const server = name === 'GET /users/:id';
      if (span.name !== name || (server && span.attributes.length < 10)) {
        throw new Error(`our ${format} has an unexpected span ${i}: ${JSON.stringify(span).slice(0, 300)}`);
      }
    });
  }
}

function timeRound(encode) {
  let bytes = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < BATCHES; i++) bytes += encode().length;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { spansPerSec: (BATCHES * BATCH) / seconds, bytesPerSpan: bytes / (BATCHES * BATCH) };
}

/** Times the four encoders on one batch, rounds alternating them; medians of spans/s. */
function timeBatch(ours, theirs) {
  const encoders = {
    'ours json': () => encodeOtlpJson(ours),
    'OpenTelemetry json': () => JsonTraceSerializer.serializeRequest(theirs),
    'ours protobuf': () => encodeOtlpProtobuf(ours),
    'OpenTelemetry protobuf': () => ProtobufTraceSerializer.serializeRequest(theirs),
  };
  const names = Object.keys(encoders);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  const sizes = {};
  for (let round = 0; round <= ROUNDS; round++) {
    // Rotate who goes first, so no encoder always runs right after the same one.
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) {
      const { spansPerSec, bytesPerSpan } = timeRound(encoders[name]);
      sizes[name] = bytesPerSpan;
      if (round > 0) samples[name].push(spansPerSec);
    }
  }
  const perSec = Object.fromEntries(names.map((name) => [name, median(samples[name])]));
  const ratio = {
    json: perSec['ours json'] / perSec['OpenTelemetry json'],
    protobuf: perSec['ours protobuf'] / perSec['OpenTelemetry protobuf'],
  };
  console.log('encoder                   spans/s (median)   bytes/span');
  for (const name of names) console.log(`${name.padEnd(24)}  ${perSec[name].toFixed(0).padStart(16)}   ${sizes[name].toFixed(0).padStart(10)}`);
  return { spansPerSec: perSec, bytesPerSpan: sizes, ratio, samples };
}

async function main() {
  const started = new Date();
  console.log(`bench:encode — ${BATCH} spans per request, ${BATCHES} requests per round, ${ROUNDS} rounds (+1 warm-up)`);
  console.log(`machine: ${describeMachine()}`);
  if (BATCH % 4 !== 0) throw new Error(`BENCH_BATCH must be a multiple of 4 (the mixed batch's requests make 4 spans each), got ${BATCH}`);

  const like = { ours: await ourSpans(ourLikeSpans), theirs: await openTelemetrySpans(openTelemetryLikeSpans) };
  const mixed = { ours: await ourSpans(ourMixedSpans), theirs: await openTelemetrySpans(openTelemetryMixedSpans) };
  verify(like.ours, ['GET /users/:id']);
  verify(mixed.ours, MIXED_SHAPES);
  if (mixed.theirs.length !== BATCH) throw new Error(`OpenTelemetry's mixed batch has ${mixed.theirs.length} spans, expected ${BATCH}`);
  console.log('our protobuf decodes with the official definitions, our JSON parses; both hold the whole batch, in order');

  console.log(`\nlike spans: ${BATCH} server spans of one route`);
  const likeResult = timeBatch(like.ours, like.theirs);
  console.log('\nmixed: per request a query, an outgoing call, an internal step with an event, then the server span');
  const mixedResult = timeBatch(mixed.ours, mixed.theirs);

  console.log('');
  for (const format of ['json', 'protobuf']) {
    const ratio = likeResult.ratio[format];
    console.log(`${format}: ours is ${ratio.toFixed(2)}× OpenTelemetry's spans/s on like spans (target ≥ 4×: ${ratio >= 4 ? 'met' : 'NOT met'}), ${mixedResult.ratio[format].toFixed(2)}× on the mixed batch`);
  }

  const file = writeResults('encode', started, {
    settings: { batch: BATCH, batchesPerRound: BATCHES, rounds: ROUNDS },
    ...likeResult,
    mixed: mixedResult,
  });
  console.log(`results: ${file}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
