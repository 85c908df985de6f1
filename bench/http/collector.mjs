// A loopback OTLP/HTTP trace collector that counts what it receives.
//
//   node bench/http/collector.mjs            prints `port=NNNN` once listening on 127.0.0.1
//   POST /v1/traces                          application/x-protobuf or application/json, optionally gzip
//   GET  /count                              { spans, serverSpans, requests, bytes, errors, pending, cpuUs, ... } as JSON
//
// Latency: COLLECTOR_LATENCY_MS (default 0), or over the IPC channel { type: 'latency', ms } -> { type: 'latency', ms },
// delays every answer to POST /v1/traces by that many milliseconds. The delay is on the server side and on a timer:
// the body is read and decoded at once, the answer is sent after the delay, and the event loop keeps serving other
// exports meanwhile, as a distant or busy collector would. Spans count (`spans`, `serverSpans`) when their export is
// answered to a client still connected, which is when the exporter counts them as delivered; those of an export whose
// client went away before the answer (it gave up: timeout, shutdown) count in `unansweredSpans` instead. `pending`
// counts exports whose answer is still waiting, `answered` and `unanswered` the others.
//
// Protobuf bodies are counted by walking the wire format (resource spans → scope spans → spans, and each span's
// kind), and checked against a full decode with the official definitions (the protobufjs root generated from
// opentelemetry-proto that @opentelemetry/otlp-transformer 0.57 ships) for the first CHECK_FIRST bodies and one in
// CHECK_EVERY (50, or COLLECTOR_CHECK_EVERY) after them: a body whose two counts differ, or that the official decoder refuses, is answered 400, so
// its spans count as lost and the run fails. The collector shares the machine's cores with the server it measures,
// and decoding every span into objects cost it ~10 µs per span (measured: `collector µs/req` in bench:http's table),
// CPU taken from the server on a two-core machine, which a real collector, running elsewhere, does not take.
// The 0.2xx transformer the benchmark uses no longer ships that root, so it is loaded from the repository root's
// devDependency.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';

const rootRequire = createRequire(new URL('../../package.json', import.meta.url));
const { opentelemetry } = rootRequire('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const ExportTraceServiceRequest = opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

// https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding — enums are integers in OTLP/JSON.
const SPAN_KIND_SERVER = 2;
const CHECK_FIRST = 20;
// COLLECTOR_CHECK_EVERY=1 checks every body.
const CHECK_EVERY = Math.max(1, Number(process.env.COLLECTOR_CHECK_EVERY) || 50);
let protobufBodies = 0;

// ---- counting spans in an OTLP/protobuf body without decoding it into objects ----------------------------------
// https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/trace/v1/trace.proto
// ExportTraceServiceRequest.resource_spans = 1, ResourceSpans.scope_spans = 2, ScopeSpans.spans = 2, Span.kind = 6.

function readVarint(body, at) {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (at.pos >= body.length) throw new RangeError('truncated varint');
    const byte = body[at.pos++];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 128;
  }
  throw new RangeError('varint too long');
}

/** Calls `onField(field, start, end)` for each length-delimited field of body[from, to), `onField(field, -1, -1, value)` for each varint. */
function eachField(body, from, to, onField) {
  const at = { pos: from };
  while (at.pos < to) {
    const tag = readVarint(body, at);
    const field = tag >>> 3;
    switch (tag & 7) {
      case 0: onField(field, -1, -1, readVarint(body, at)); break;
      case 1: at.pos += 8; break;
      case 5: at.pos += 4; break;
      case 2: {
        const length = readVarint(body, at);
        const start = at.pos;
        at.pos += length;
        if (at.pos > to) throw new RangeError('field past its message');
        onField(field, start, at.pos);
        break;
      }
      default: throw new RangeError(`wire type ${tag & 7}`);
    }
    if (at.pos > to) throw new RangeError('field past its message');
  }
}

function countProtobufSpans(body) {
  const found = { spans: 0, serverSpans: 0 };
  const onSpanField = (field, start, end, kind) => {
    if (field === 6 && kind === SPAN_KIND_SERVER) found.serverSpans++;
  };
  const onScopeSpansField = (field, start, end) => {
    if (field !== 2) return;
    found.spans++;
    eachField(body, start, end, onSpanField);
  };
  const onResourceSpansField = (field, start, end) => {
    if (field === 2) eachField(body, start, end, onScopeSpansField);
  };
  eachField(body, 0, body.length, (field, start, end) => {
    if (field === 1) eachField(body, start, end, onResourceSpansField);
  });
  return found;
}

const counts = {
  spans: 0,
  serverSpans: 0,
  requests: 0,
  bytes: 0,
  errors: 0,
  protobufRequests: 0,
  jsonRequests: 0,
  gzipRequests: 0,
  pending: 0,
  answered: 0,
  unanswered: 0,
  unansweredSpans: 0,
  latencyMs: 0,
  lastError: undefined,
};

function checkLatency(value, what) {
  const ms = Number(value);
  if (!(Number.isInteger(ms) && ms >= 0)) throw new TypeError(`${what}: expected a whole number of milliseconds >= 0, got ${JSON.stringify(value)}`);
  return ms;
}

counts.latencyMs = checkLatency(process.env.COLLECTOR_LATENCY_MS || 0, 'COLLECTOR_LATENCY_MS');

/** Sends the answer now, or after the configured latency, without holding the event loop. */
function answer(res, status, headers, body, found = { spans: 0, serverSpans: 0 }) {
  const send = () => {
    counts.pending--;
    if (res.destroyed || !res.socket || res.socket.destroyed) {
      counts.unanswered++;
      counts.unansweredSpans += found.spans;
      return;
    }
    counts.answered++;
    counts.spans += found.spans;
    counts.serverSpans += found.serverSpans;
    res.writeHead(status, headers).end(body);
  };
  counts.pending++;
  if (counts.latencyMs > 0) setTimeout(send, counts.latencyMs);
  else send();
}

function countSpans(request) {
  const found = { spans: 0, serverSpans: 0 };
  for (const resourceSpans of request.resourceSpans ?? []) {
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        found.spans++;
        if (span.kind === SPAN_KIND_SERVER || span.kind === 'SPAN_KIND_SERVER') found.serverSpans++;
      }
    }
  }
  return found;
}

function handleExport(req, res, body) {
  counts.requests++;
  counts.bytes += body.length;
  const type = String(req.headers['content-type'] ?? '');
  try {
    if (/gzip/i.test(String(req.headers['content-encoding'] ?? ''))) {
      counts.gzipRequests++;
      body = gunzipSync(body);
    }
    if (type.startsWith('application/json')) {
      counts.jsonRequests++;
      const found = countSpans(JSON.parse(body.toString('utf8')));
      answer(res, 200, { 'content-type': 'application/json' }, '{}', found);
    } else {
      counts.protobufRequests++;
      const found = countProtobufSpans(body);
      protobufBodies++;
      if (protobufBodies <= CHECK_FIRST || protobufBodies % CHECK_EVERY === 0) {
        const decoded = countSpans(ExportTraceServiceRequest.decode(body));
        if (decoded.spans !== found.spans || decoded.serverSpans !== found.serverSpans) {
          throw new Error(`counted ${found.spans}/${found.serverSpans} spans/server spans, the official decoder ${decoded.spans}/${decoded.serverSpans}`);
        }
      }
      // An empty ExportTraceServiceResponse encodes to zero bytes.
      answer(res, 200, { 'content-type': 'application/x-protobuf' }, undefined, found);
    }
  } catch (error) {
    counts.errors++;
    counts.lastError = `${type}: ${error?.message ?? error}`;
    answer(res, 400, { 'content-type': 'text/plain' }, String(error?.message ?? error));
  }
}

const server = createServer(function onCollectorRequest(req, res) {
  if (req.method === 'GET' && req.url === '/count') {
    // The collector's own CPU (µs, user + system) rides along: it shares the machine's cores with the server.
    const cpu = process.cpuUsage();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...counts, cpuUs: cpu.user + cpu.system }));
    return;
  }
  if (req.method === 'POST' && req.url?.split('?')[0].endsWith('/v1/traces')) {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', function onExportBody() {
      handleExport(req, res, Buffer.concat(chunks));
    });
    return;
  }
  res.writeHead(404).end();
});
server.keepAliveTimeout = 60_000;

server.listen(Number(process.env.COLLECTOR_PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address();
  console.log(`port=${port}`);
  process.send?.({ type: 'ready', port });
});

process.on('message', (message) => {
  if (message?.type !== 'latency') return;
  try {
    counts.latencyMs = checkLatency(message.ms, 'latency');
    process.send({ type: 'latency', ms: counts.latencyMs });
  } catch (error) {
    process.send({ type: 'latency', ms: counts.latencyMs, error: error.message });
  }
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
