import { auditTracing } from '@audit-tracing/fastify';
import { AuditTracer, InMemoryExporter } from '@audit-tracing/core';
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
});
