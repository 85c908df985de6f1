import { auditTracing } from '@audit-tracing/fastify';
import { AuditTracer, getActiveSpan, InMemoryExporter } from '@audit-tracing/core';
import { expect } from 'chai';
import fastify from 'fastify';
import { runConformanceSuite } from './conformance.js';
import { fastify4Driver, fastify5Driver } from './drivers/fastify.js';

runConformanceSuite(fastify5Driver);
runConformanceSuite(fastify4Driver);

describe('fastify: what only Fastify needs', () => {
  it('is a fastify-plugin plugin named @audit-tracing/fastify, for Fastify 4 and 5', () => {
    const meta = (auditTracing as unknown as Record<symbol, { name: string; fastify: string }>)[Symbol.for('plugin-meta')];
    expect(meta).to.include({ name: '@audit-tracing/fastify', fastify: '4.x || 5.x' });
  });

  it("records the error and leaves Fastify's error handling to the app", async () => {
    const exporter = new InMemoryExporter();
    const tracer = new AuditTracer({ exporter, processor: 'simple', serviceName: 'test' });
    const app = fastify();
    await app.register(auditTracing, { tracer });
    const seen: unknown[] = [];
    const failure = new Error('payment gateway down');
    app.setErrorHandler(async (error, _request, reply) => {
      seen.push(error);
      return reply.code(503).send({ retry: true });
    });
    app.get('/pay', async () => {
      throw failure;
    });
    const res = await app.inject({ method: 'GET', url: '/pay' });
    expect(res.statusCode).to.equal(503);
    expect(res.json()).to.deep.equal({ retry: true });
    expect(seen).to.deep.equal([failure]);
    const span = exporter.getFinishedSpans().find((s) => s.traceId === res.headers['x-trace-id']);
    expect(span?.status).to.deep.equal({ code: 'ERROR', message: 'payment gateway down' });
    expect(span?.operationName).to.equal('GET /pay');
    await app.close();
    await tracer.shutdown();
  });

  it('re-enters the span through its own state, whatever user code does to request.span', async () => {
    const tracer = new AuditTracer({ exporter: new InMemoryExporter(), processor: 'simple', serviceName: 'test' });
    const stranger = new AuditTracer({ exporterType: 'none', serviceName: 'stranger' }).startSpan('not this request', null);
    const app = fastify();
    await app.register(auditTracing, { tracer });
    // An app's own hook that reuses the name for something else.
    app.addHook('onRequest', async (request) => {
      request.span = stranger;
    });
    app.post('/orders', async () => ({ active: getActiveSpan()?.traceId }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = app.server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"item":1}' });
      const body = (await res.json()) as { active?: string };
      expect(body.active).to.equal(res.headers.get('x-trace-id'));
      expect(body.active).to.not.equal(stranger.traceId);
    } finally {
      await app.close();
      await tracer.shutdown();
    }
  });
});
