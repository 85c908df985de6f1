import { auditTracing } from '@audit-tracing/koa';
import { AuditTracer, InMemoryExporter } from '@audit-tracing/core';
import { expect } from 'chai';
import Koa from 'koa';
import request from 'supertest';
import { runConformanceSuite } from './conformance.js';
import { koa2Driver, koa3Driver } from './drivers/koa.js';

runConformanceSuite(koa3Driver);
runConformanceSuite(koa2Driver);

describe('koa: what only Koa needs', () => {
  it("re-throws errors unchanged: the app's 'error' event, the status and the body still come from Koa", async () => {
    const exporter = new InMemoryExporter();
    const tracer = new AuditTracer({ exporter, processor: 'simple', serviceName: 'test' });
    const app = new Koa();
    app.silent = true;
    const seen: unknown[] = [];
    const thrown = Object.assign(new Error('teapot'), { status: 418, expose: true });
    app.on('error', (error: unknown) => seen.push(error));
    app.use(auditTracing({ tracer }));
    app.use(() => {
      throw thrown;
    });
    const res = await request(app.callback()).get('/').expect(418, 'teapot');
    expect(seen).to.deep.equal([thrown]);
    expect(res.headers['x-trace-id']).to.match(/^[0-9a-f]{32}$/);
    const span = exporter.getFinishedSpans().find((s) => s.traceId === res.headers['x-trace-id']);
    expect(span?.status.code).to.equal('OK'); // the error asked for a 4xx
    await tracer.shutdown();
  });
});
