// The node:http handler mounted in real Express, Koa and Fastify apps, and exemplars that lead to real spans.
import { expect } from 'chai';
import express from 'express';
import Koa from 'koa';
import Router from '@koa/router';
import fastify from 'fastify';
import request from 'supertest';
import { createServer } from 'node:http';
import { AuditTracer, InMemoryExporter } from '@audit-tracing/core';
import { auditTracing } from '@audit-tracing/express';
import { METRIC_NAMES, MetricsSpanProcessor, OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from '@audit-tracing/metrics';
import { readOpenMetrics } from './helpers/openMetricsGrammar.js';
import { endSpan, tracerWith } from './helpers/spans.js';

const PROMETHEUS_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

function metricsWithOneSpan(): MetricsSpanProcessor {
  const metrics = new MetricsSpanProcessor();
  endSpan(tracerWith(metrics), 'GET /orders', 42);
  return metrics;
}

type Mount = (metrics: MetricsSpanProcessor) => Promise<{ server: import('node:http').Server; close: () => Promise<void> }>;

const MOUNTS: Record<string, Mount> = {
  'node:http': async (metrics) => {
    const server = createServer(metrics.handler());
    return { server, close: async () => {} };
  },
  'Express 5': async (metrics) => {
    const app = express();
    app.all('/metrics', metrics.handler());
    return { server: createServer(app), close: async () => {} };
  },
  'Koa 3 + @koa/router': async (metrics) => {
    const app = new Koa();
    const router = new Router();
    const handler = metrics.handler();
    router.all('/metrics', (ctx) => {
      ctx.respond = false; // the handler writes the response itself
      handler(ctx.req, ctx.res);
    });
    app.use(router.routes());
    return { server: createServer(app.callback()), close: async () => {} };
  },
  'Fastify 5': async (metrics) => {
    const app = fastify();
    const handler = metrics.handler();
    app.route({
      method: ['GET', 'HEAD', 'POST'],
      url: '/metrics',
      exposeHeadRoute: false,
      handler: (req, reply) => {
        reply.hijack(); // the handler writes the response itself
        handler(req.raw, reply.raw);
      },
    });
    await app.ready();
    return { server: app.server, close: () => app.close() };
  },
};

for (const [name, mount] of Object.entries(MOUNTS)) {
  describe(`metrics.handler() in ${name}`, function () {
    let metrics: MetricsSpanProcessor;
    let mounted: Awaited<ReturnType<Mount>>;
    before(async function () {
      metrics = metricsWithOneSpan();
      mounted = await mount(metrics);
    });
    after(() => mounted.close());

    it('serves OpenMetrics with exemplars to Prometheus', async function () {
      const res = await request(mounted.server).get('/metrics').set('accept', PROMETHEUS_ACCEPT).expect(200);
      expect(res.headers['content-type']).to.equal(OPENMETRICS_CONTENT_TYPE);
      expect(res.headers.vary).to.match(/accept/i);
      const families = readOpenMetrics(res.text);
      expect(families.find((f) => f.name === METRIC_NAMES.duration)!.samples.filter((s) => s.exemplar)).to.have.length(1);
    });

    it('serves Prometheus 0.0.4 text, without exemplars, to clients that do not ask for OpenMetrics', async function () {
      for (const accept of [undefined, '*/*', 'text/plain', 'application/json', 'application/openmetrics-text; version=0.0.1', 'application/openmetrics-text;q=0.1, text/plain;q=0.9']) {
        const req = request(mounted.server).get('/metrics');
        const res = await (accept === undefined ? req : req.set('accept', accept)).expect(200);
        expect(res.headers['content-type'], String(accept)).to.equal(PROMETHEUS_CONTENT_TYPE);
        expect(readOpenMetrics(res.text, 'prometheus').map((f) => f.name)).to.include(METRIC_NAMES.duration);
      }
    });

    it('answers HEAD without a body and other methods with 405', async function () {
      const head = await request(mounted.server).head('/metrics').expect(200);
      expect(head.text ?? '').to.equal('');
      expect(Number(head.headers['content-length'])).to.be.greaterThan(0);
      const post = await request(mounted.server).post('/metrics').expect(405);
      expect(post.headers.allow).to.equal('GET, HEAD');
    });
  });
}

describe('exemplars in a traced Express app', function () {
  it('lead to the real spans of the requests, by trace and span id, with their durations', async function () {
    const exporter = new InMemoryExporter();
    const metrics = new MetricsSpanProcessor();
    const tracer = new AuditTracer({ serviceName: 'shop', exporter, processor: 'simple', processors: [metrics] });
    const app = express();
    app.use(auditTracing({ tracer, ignore: ['/metrics'] }));
    app.get('/orders/:id', (_req, res) => void res.json({ ok: true }));
    app.get('/slow', (_req, res) => void setTimeout(() => res.send('late'), 120));
    app.get('/fail', (_req, res) => void res.status(500).send('no'));
    app.get('/metrics', metrics.handler());
    const server = createServer(app);

    for (let i = 0; i < 5; i++) await request(server).get(`/orders/${i}`).expect(200);
    await request(server).get('/slow').expect(200);
    await request(server).get('/fail').expect(500);
    const res = await request(server).get('/metrics').set('accept', PROMETHEUS_ACCEPT).expect(200);

    const spans = exporter.getFinishedSpans();
    expect(spans).to.have.length(7); // /metrics itself is ignored
    const histogram = readOpenMetrics(res.text).find((f) => f.name === METRIC_NAMES.duration)!;
    const withExemplars = histogram.samples.filter((s) => s.exemplar);
    expect(withExemplars.length).to.be.at.least(3);
    for (const sample of withExemplars) {
      const { trace_id, span_id } = sample.exemplar!.labels;
      const span = spans.find((s) => s.traceId === trace_id && s.spanId === span_id);
      expect(span, `exemplar ${trace_id}/${span_id}`).to.not.equal(undefined);
      expect(span!.operationName).to.equal(sample.labels.operation);
      expect(span!.status.code).to.equal(sample.labels.status);
      expect(sample.exemplar!.value).to.equal(span!.duration);
      expect(sample.exemplar!.timestamp! * 1000).to.be.closeTo(span!.endTime!, 1e-3);
    }
    const slow = spans.find((s) => s.operationName === 'GET /slow')!;
    expect(withExemplars.map((s) => s.exemplar!.labels.trace_id)).to.include(slow.traceId);
    expect(metrics.snapshot().series.find((s) => s.operation === 'GET /slow')!.window.slowest[0].traceId).to.equal(slow.traceId);
    const failed = spans.find((s) => s.operationName === 'GET /fail')!;
    expect(metrics.snapshot().series.find((s) => s.status === 'ERROR')!.failed.map((e) => e.traceId)).to.deep.equal([failed.traceId]);
    await tracer.shutdown();
  });
});
