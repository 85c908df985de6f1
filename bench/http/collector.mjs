// A loopback OTLP/HTTP trace collector that counts what it receives.
//
//   node bench/http/collector.mjs            prints `port=NNNN` once listening on 127.0.0.1
//   POST /v1/traces                          application/x-protobuf or application/json, optionally gzip
//   GET  /count                              { spans, serverSpans, requests, bytes, errors, ... } as JSON
//
// Protobuf bodies are decoded with the official definitions (the protobufjs root generated from
// opentelemetry-proto that @opentelemetry/otlp-transformer 0.57 ships), so a body that counts here also decodes
// for a real collector. The 0.2xx transformer the benchmark uses no longer ships that root, so it is loaded from
// the repository root's devDependency.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';

const rootRequire = createRequire(new URL('../../package.json', import.meta.url));
const { opentelemetry } = rootRequire('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const ExportTraceServiceRequest = opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

// https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding — enums are integers in OTLP/JSON.
const SPAN_KIND_SERVER = 2;

const counts = { spans: 0, serverSpans: 0, requests: 0, bytes: 0, errors: 0, protobufRequests: 0, jsonRequests: 0, gzipRequests: 0, lastError: undefined };

function countSpans(request) {
  for (const resourceSpans of request.resourceSpans ?? []) {
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        counts.spans++;
        if (span.kind === SPAN_KIND_SERVER || span.kind === 'SPAN_KIND_SERVER') counts.serverSpans++;
      }
    }
  }
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
      countSpans(JSON.parse(body.toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } else {
      counts.protobufRequests++;
      countSpans(ExportTraceServiceRequest.decode(body));
      // An empty ExportTraceServiceResponse encodes to zero bytes.
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    }
  } catch (error) {
    counts.errors++;
    counts.lastError = `${type}: ${error?.message ?? error}`;
    res.writeHead(400, { 'content-type': 'text/plain' }).end(String(error?.message ?? error));
  }
}

const server = createServer(function onCollectorRequest(req, res) {
  if (req.method === 'GET' && req.url === '/count') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counts));
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

process.on('SIGTERM', () => server.close(() => process.exit(0)));
