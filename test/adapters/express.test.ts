import { auditTracing, auditTracingErrorHandler } from '@audit-tracing/express';
import { AuditTracer, InMemoryExporter } from '@audit-tracing/core';
import { expect } from 'chai';
import express5 from 'express';
import express4 from 'express4';
import { createServer } from 'node:http';
import request from 'supertest';
import { runConformanceSuite, type TracedApp } from './conformance.js';
import { express4Driver, express5Driver, listen } from './drivers/express.js';

runConformanceSuite(express5Driver);
runConformanceSuite(express4Driver);

for (const [name, express] of [
  ['express5', express5],
  ['express4', express4 as unknown as typeof express5],
] as const) {
  describe(`${name}: what only Express needs`, () => {
    const exporter = new InMemoryExporter();
    const tracer = new AuditTracer({ exporter, processor: 'simple', serviceName: 'test' });
    const caught: unknown[] = [];
    let app: TracedApp;

    before(async () => {
      const application = express();
      application.set('env', 'test');
      application.use(auditTracing({ tracer }));
      const items = express.Router();
      items.get('/:itemId', () => {
        throw new Error('nested boom');
      });
      application.use('/api/items', items);
      application.get('/untracked-error', () => {
        throw new Error('plain');
      });
      application.use(auditTracingErrorHandler());
      application.use(function appErrorHandler(error: unknown, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) {
        caught.push(error);
        res.status(502).send('handled by the app');
      });
      app = await listen(createServer(application));
    });
    after(async () => {
      await app.close();
      await tracer.shutdown();
    });

    async function span(traceId: string) {
      for (let waited = 0; waited < 2000 && !exporter.getFinishedSpans().some((s) => s.traceId === traceId); waited += 5) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return exporter.getFinishedSpans().find((s) => s.traceId === traceId);
    }

    it('keeps the route template of a nested router when the error leaves it for an app-level handler', async () => {
      const res = await request(app.url).get('/api/items/3').expect(502);
      expect((await span(res.headers['x-trace-id']))?.operationName).to.equal('GET /api/items/:itemId');
    });

    it("hands the error on unchanged to the app's own error handler", async () => {
      caught.length = 0;
      const res = await request(app.url).get('/untracked-error').expect(502, 'handled by the app');
      expect(caught).to.have.length(1);
      expect((caught[0] as Error).message).to.equal('plain');
      const traced = await span(res.headers['x-trace-id']);
      expect(traced?.status).to.deep.equal({ code: 'ERROR', message: 'plain' });
    });
  });
}
