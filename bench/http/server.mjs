// One benchmark server: `node bench/http/server.mjs FRAMEWORK CONFIG` (COLLECTOR_URL=http://127.0.0.1:PORT for
// the exporting configurations). Listens on 127.0.0.1, port 0, prints `port=NNNN`, and serves GET /users/:id.
//
// Control runs over the IPC channel the driver opens, not over HTTP, so it is never traced, never counted as a
// request and adds nothing to the request path:
//   { type: 'stats' }  -> { type: 'stats', cpu, served, maxRssKb, rss, heapUsed, tracerStats }
//   { type: 'flush', timeoutMs? } -> { type: 'flushed', ms, error? }
//                      (our tracer.forceFlush({ timeoutMs }), 15 s unless given / OTel provider.forceFlush())
// On a configuration that cannot be set up (an adapter or exporter not built yet) it sends
// { type: 'unavailable', reason } and exits with code 3.
//
// Frameworks are loaded with require(), after OpenTelemetry's instrumentations are registered, because
// OpenTelemetry patches them through require hooks; every configuration loads them the same way.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { CONFIGS, FRAMEWORKS, setUpOf } from './configs.mjs';

const require = createRequire(import.meta.url);

const [framework, config] = process.argv.slice(2);
const collectorUrl = process.env.COLLECTOR_URL ?? 'http://127.0.0.1:4318';
// Unset: each library's own default (ours gzips, OpenTelemetry's exporter does not). 'gzip' or 'none': both.
const compression = process.env.BENCH_COMPRESSION || undefined;
if (compression !== undefined && compression !== 'gzip' && compression !== 'none') {
  throw new TypeError(`BENCH_COMPRESSION: expected 'gzip' or 'none', got ${JSON.stringify(compression)}`);
}

class Unavailable extends Error {}

// The deadline of our tracer's forceFlush when the driver names none (the tracer's own default is 5 s, too short for
// a backlog sent to a collector that answers 200 ms late).
const FLUSH_TIMEOUT_MS = 15_000;

let served = 0;
let flush = async (timeoutMs) => {};
let tracerStats = () => undefined;

const user = (id) => ({ id, name: 'Ada Lovelace', active: true });

// ---- tracing set-ups: each returns { express?, koa?, fastify? } hooks that install it on an app ------------------

function setUpAlsFloor() {
  // The floor every tracer pays: enter an AsyncLocalStorage with a random id per request.
  const als = new AsyncLocalStorage();
  return {
    express: (app) => app.use(function alsFloor(req, res, next) { als.run({ id: randomUUID() }, next); }),
    koa: (app) => app.use(function alsFloor(ctx, next) { return als.run({ id: randomUUID() }, next); }),
    fastify: async (app) => {
      app.addHook('onRequest', function alsFloor(request, reply, done) { als.run({ id: randomUUID() }, done); });
    },
  };
}

function setUpClsRtracer() {
  const rTracer = require('cls-rtracer');
  return {
    express: (app) => app.use(rTracer.expressMiddleware()),
    koa: (app) => app.use(rTracer.koaMiddleware()),
    fastify: (app) => app.register(rTracer.fastifyPlugin),
  };
}

async function setUpOurs(protocol, sampleRate, batch) {
  const core = await import('@audit-tracing/core');
  const adapter = await import(`@audit-tracing/${framework}`);
  if (typeof adapter.auditTracing !== 'function') {
    throw new Unavailable(`@audit-tracing/${framework} does not export auditTracing (adapter not built yet?)`);
  }
  let tracer;
  try {
    tracer = new core.AuditTracer({
      serviceName: `bench-${framework}`,
      sampleRate,
      exporterType: 'otlp',
      exporterEndpoint: collectorUrl,
      protocol,
      compression,
      ...(batch ? { batch } : {}),
      // No `batch` option (but in ours-protobuf-batch512): the benchmark measures the batch processor at its defaults (batches of 100 that grow
      // under a backlog, 4 exports in flight, a queue of 8192), which is what users get. Do not tune it here.
    });
  } catch (error) {
    throw new Unavailable(`new AuditTracer({ exporterType: 'otlp', protocol: '${protocol}' }) failed: ${error.message}`);
  }
  flush = (timeoutMs) => tracer.forceFlush({ timeoutMs });
  tracerStats = () => tracer.getStats();
  return {
    express: (app) => app.use(adapter.auditTracing({ tracer })),
    koa: (app) => app.use(adapter.auditTracing({ tracer })),
    fastify: (app) => app.register(adapter.auditTracing, { tracer }),
  };
}

// OpenTelemetry as its docs set it up: NodeTracerProvider, batch processor, OTLP/protobuf exporter, and the http
// instrumentation plus the framework's own (which adds spans for middleware, router and handler).
function setUpOtel() {
  const { NodeTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-node');
  const { resourceFromAttributes } = require('@opentelemetry/resources');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
  const { registerInstrumentations } = require('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');

  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': `bench-${framework}` }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${collectorUrl}/v1/traces`, compression }))],
  });
  provider.register();
  // OpenTelemetry's forceFlush takes no deadline; its BatchSpanProcessor bounds each export (30 s by default).
  flush = () => provider.forceFlush();

  const instrumentations = [new HttpInstrumentation()];
  let fastifyOtel;
  if (framework === 'express') {
    const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express');
    instrumentations.push(new ExpressInstrumentation());
  } else if (framework === 'koa') {
    const { KoaInstrumentation } = require('@opentelemetry/instrumentation-koa');
    instrumentations.push(new KoaInstrumentation());
  } else {
    // @opentelemetry/instrumentation-fastify was deprecated in favour of @fastify/otel (open-telemetry/opentelemetry-js-contrib#2651)
    // and later removed from the contrib repository; @fastify/otel is what OpenTelemetry points Fastify users to.
    const { FastifyOtelInstrumentation } = require('@fastify/otel');
    fastifyOtel = new FastifyOtelInstrumentation();
    instrumentations.push(fastifyOtel);
  }
  registerInstrumentations({ tracerProvider: provider, instrumentations });
  return {
    express: () => {},
    koa: () => {},
    fastify: (app) => app.register(fastifyOtel.plugin()),
  };
}

async function setUp() {
  // The slow-collector variants (ours-protobuf-slow50, ...) set up ours-protobuf unchanged: the driver delays the
  // collector's answers, not this process.
  switch (setUpOf(config)) {
    case 'bare': return { express() {}, koa() {}, async fastify() {} };
    case 'als-floor': return setUpAlsFloor();
    case 'cls-rtracer': return setUpClsRtracer();
    case 'ours-protobuf': return setUpOurs('http/protobuf', 1);
    case 'ours-json': return setUpOurs('http/json', 1);
    case 'ours-protobuf-batch512': return setUpOurs('http/protobuf', 1, { maxExportBatchSize: 512 });
    case 'ours-unsampled': return setUpOurs('http/protobuf', 0);
    case 'otel': return setUpOtel();
    default: throw new TypeError(`unknown configuration ${JSON.stringify(config)}; expected one of ${CONFIGS.join(', ')}`);
  }
}

// ---- the apps: one trivial route, so the tracing overhead is what shows -----------------------------------------

async function startExpress(install) {
  const express = require('express');
  const app = express();
  app.set('etag', false);
  app.set('x-powered-by', false);
  install(app);
  app.get('/users/:id', function getUser(req, res) {
    served++;
    res.json(user(req.params.id));
  });
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function startKoa(install) {
  const Koa = require('koa');
  const { Router } = require('@koa/router');
  const app = new Koa();
  const router = new Router();
  install(app);
  router.get('/users/:id', function getUser(ctx) {
    served++;
    ctx.body = user(ctx.params.id);
  });
  app.use(router.routes());
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function startFastify(install) {
  const Fastify = require('fastify');
  const app = Fastify({ logger: false });
  await install(app);
  app.get('/users/:id', async function getUser(request) {
    served++;
    return user(request.params.id);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.server;
}

function onControl(message) {
  if (message?.type === 'stats') {
    const usage = process.resourceUsage();
    const memory = process.memoryUsage();
    process.send({
      type: 'stats',
      cpu: process.cpuUsage(),
      served,
      maxRssKb: usage.maxRSS,
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      tracerStats: tracerStats(),
    });
  } else if (message?.type === 'flush') {
    const started = performance.now();
    Promise.resolve().then(() => flush(message.timeoutMs ?? FLUSH_TIMEOUT_MS)).then(
      () => process.send({ type: 'flushed', ms: performance.now() - started }),
      (error) => process.send({ type: 'flushed', ms: performance.now() - started, error: String(error) }),
    );
  }
}

async function main() {
  if (!FRAMEWORKS.includes(framework)) {
    throw new TypeError(`unknown framework ${JSON.stringify(framework)}; expected one of ${FRAMEWORKS.join(', ')}`);
  }
  const installers = await setUp();
  const start = { express: startExpress, koa: startKoa, fastify: startFastify }[framework];
  const server = await start(installers[framework]);
  const { port } = server.address();
  console.log(`port=${port}`);
  process.on('message', onControl);
  // A normal exit on SIGINT lets `--cpu-prof` write its profile (bench/profile.mjs).
  process.once('SIGINT', () => process.exit(0));
  process.send?.({ type: 'ready', port, pid: process.pid });
}

main().catch((error) => {
  if (error instanceof Unavailable) {
    console.error(`${framework}/${config}: unavailable: ${error.message}`);
    process.send?.({ type: 'unavailable', reason: error.message }, () => process.exit(3));
    if (!process.send) process.exit(3);
    return;
  }
  console.error(error);
  process.exit(1);
});
