// bench:encode — spans encoded per second to OTLP JSON and protobuf: ours (encodeOtlpJson / encodeOtlpProtobuf)
// against OpenTelemetry's JsonTraceSerializer / ProtobufTraceSerializer, on the same batch of typical server spans.
//
// Both sides produce request bytes ready to send: our encoders and OpenTelemetry's serializers all return bytes
// (a Buffer, a Uint8Array), so nothing is added to either side's time. Before timing, our protobuf output is
// decoded with the official opentelemetry-proto definitions, and our JSON is parsed, and both must hold the batch.
// Rounds alternate the four encoders; the first round is warm-up and is dropped; medians are reported.
//
// Environment: BENCH_BATCH (spans per request, default 100, our batch processor's default), BENCH_BATCHES (requests
// encoded per round, default 1000), BENCH_ROUNDS (measured rounds, default 5).
import { createRequire } from 'node:module';
import { AuditTracer, InMemoryExporter, encodeOtlpJson, encodeOtlpProtobuf } from '@audit-tracing/core';
import { SpanKind } from '@opentelemetry/api';
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

async function ourSpans() {
  const exporter = new InMemoryExporter();
  const tracer = new AuditTracer({ serviceName: SERVICE['service.name'], serviceVersion: SERVICE['service.version'], exporter, processor: 'simple' });
  for (let i = 0; i < BATCH; i++) {
    const span = tracer.startSpan('GET /users/:id', undefined, { kind: 'server', tags: serverTags(i) });
    span.finish();
  }
  await tracer.forceFlush();
  const spans = exporter.getFinishedSpans();
  await tracer.shutdown();
  return spans;
}

async function openTelemetrySpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes(SERVICE), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('bench-encode');
  for (let i = 0; i < BATCH; i++) {
    const span = tracer.startSpan('GET /users/:id', { kind: SpanKind.SERVER, attributes: serverTags(i) });
    span.end();
  }
  await provider.forceFlush();
  return exporter.getFinishedSpans();
}

function officialTraceRequest() {
  // The protobufjs root generated from opentelemetry-proto, shipped by the repository's otlp-transformer 0.57.
  const rootRequire = createRequire(new URL('../package.json', import.meta.url));
  return rootRequire('@opentelemetry/otlp-transformer/build/src/generated/root.js').opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
}

function spansIn(request) {
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => (resourceSpans.scopeSpans ?? []).flatMap((scopeSpans) => scopeSpans.spans ?? []));
}

function verify(ours) {
  const decoded = spansIn(officialTraceRequest().decode(encodeOtlpProtobuf(ours)));
  if (decoded.length !== BATCH) throw new Error(`our protobuf decodes to ${decoded.length} spans, expected ${BATCH}`);
  if (decoded[0].name !== 'GET /users/:id' || decoded[0].attributes.length < 10) {
    throw new Error(`our protobuf decodes to an unexpected span: ${JSON.stringify(decoded[0]).slice(0, 300)}`);
  }
  const parsed = spansIn(JSON.parse(encodeOtlpJson(ours)));
  if (parsed.length !== BATCH) throw new Error(`our JSON holds ${parsed.length} spans, expected ${BATCH}`);
}

function timeRound(encode) {
  let bytes = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < BATCHES; i++) bytes += encode().length;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { spansPerSec: (BATCHES * BATCH) / seconds, bytesPerSpan: bytes / (BATCHES * BATCH) };
}

async function main() {
  const started = new Date();
  console.log(`bench:encode — ${BATCH} spans per request, ${BATCHES} requests per round, ${ROUNDS} rounds (+1 warm-up)`);
  console.log(`machine: ${describeMachine()}`);

  const ours = await ourSpans();
  const theirs = await openTelemetrySpans();
  verify(ours);
  console.log('our protobuf decodes with the official definitions, our JSON parses; both hold the whole batch');

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
  console.log('\nencoder                   spans/s (median)   bytes/span');
  for (const name of names) console.log(`${name.padEnd(24)}  ${perSec[name].toFixed(0).padStart(16)}   ${sizes[name].toFixed(0).padStart(10)}`);
  for (const format of ['json', 'protobuf']) {
    console.log(`${format}: ours is ${ratio[format].toFixed(2)}× OpenTelemetry's spans/s (target ≥ 4×: ${ratio[format] >= 4 ? 'met' : 'NOT met'})`);
  }

  const file = writeResults('encode', started, {
    settings: { batch: BATCH, batchesPerRound: BATCHES, rounds: ROUNDS },
    spansPerSec: perSec,
    bytesPerSpan: sizes,
    ratio,
    samples,
  });
  console.log(`results: ${file}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
