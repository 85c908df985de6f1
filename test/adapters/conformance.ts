// The conformance suite every framework adapter runs: the same cases, the same expectations. A driver says how
// to build the framework's app with the routes of ./routes.ts; the suite does the rest.
import { AuditTracer, InMemoryExporter, setDiagLogger, TRACE_FLAG_SAMPLED, type ReadableSpan, type HttpServerTracingOptions } from '@audit-tracing/core';
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { abandon, send } from './client.js';
import type { RequestReport } from './routes.js';

export interface TracedApp {
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/**
 * Builds and starts one framework's app, listening on 127.0.0.1 with an ephemeral port, with `auditTracing(options)`
 * installed as the framework expects and these routes, each wired to the helper of ./routes.ts named here:
 *
 * - GET /health, GET /users/:id → describeRequest; GET /api/items/:itemId through two nested routers (/api, /items)
 * - GET /status/:code → that status; GET /throw → throws serverError(); GET /reject → rejects with it after 5 ms;
 *   GET /bad-request → throws clientError()
 * - GET /slow/:ms → 'done' after ms; GET /stream → chunkedBody(); GET /raw → ends the Node response directly
 *   (Express `res.end`, Koa `ctx.respond = false`, Fastify `reply.hijack()`)
 * - GET /context → a middleware/hook pausing 5 ms on a timer, then probeContext
 * - POST /json (the framework's JSON parsing), POST /form (urlencoded), POST /upload (reads the raw body with
 *   readBody) → { body, ...describeRequest } / { ...readBody, ...describeRequest }
 * - GET /concurrent/:index?ms= → probeConcurrent(options.tracer, …)
 *
 * A set-up error (a bad option) must reject `start`.
 */
export interface Driver {
  /** `express5`, `koa2`, … */
  name: string;
  /** The `component` tag of its spans. */
  component: string;
  start(options: HttpServerTracingOptions<never> & { tracer: AuditTracer }): Promise<TracedApp>;
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export function runConformanceSuite(driver: Driver): void {
  describe(`${driver.name}: server span conformance`, function () {
    const exporter = new InMemoryExporter();
    const tracer = new AuditTracer({ exporter, processor: 'simple', serviceName: 'test' });
    const apps: TracedApp[] = [];
    let app: TracedApp;

    async function start(options: Record<string, unknown> = {}): Promise<TracedApp> {
      const started = await driver.start({ tracer, ...options } as HttpServerTracingOptions<never> & { tracer: AuditTracer });
      apps.push(started);
      return started;
    }

    function serverSpans(traceId: string): ReadableSpan[] {
      return exporter.getFinishedSpans().filter((span) => span.traceId === traceId && span.kind === 'server');
    }

    // Spans end on the response's 'finish' or 'close', which can come after the client has its response.
    async function serverSpan(traceId: string | undefined): Promise<ReadableSpan> {
      expect(traceId, 'trace id').to.be.a('string');
      for (let waited = 0; waited < 3000; waited += 5) {
        const [span] = serverSpans(traceId as string);
        if (span) return span;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`no server span for trace ${traceId}`);
    }

    function traceparent(): { traceId: string; spanId: string; header: string } {
      const traceId = hex(16);
      const spanId = hex(8);
      return { traceId, spanId, header: `00-${traceId}-${spanId}-01` };
    }

    before(async () => {
      app = await start();
    });

    after(async () => {
      await Promise.all(apps.map((started) => started.close()));
      await tracer.shutdown();
    });

    afterEach(() => {
      const ids = exporter.getFinishedSpans().map((span) => span.spanId);
      expect(new Set(ids).size, 'every span exported once').to.equal(ids.length);
    });

    describe('the server span', () => {
      it('starts a new trace, names it after the route template and tags it with the HTTP conventions', async () => {
        const res = await request(app.url).get('/users/42?expand=1').set('user-agent', 'conformance/1.0').expect(200);
        const traceId = res.headers['x-trace-id'];
        const span = await serverSpan(traceId);
        expect(span.operationName).to.equal('GET /users/:id');
        expect(span.kind).to.equal('server');
        expect(span.component).to.equal(driver.component);
        expect(span.parentSpanId).to.equal(undefined);
        expect(span.status.code).to.equal('OK');
        const port = Number(new URL(app.url).port);
        expect(span.tags).to.include({
          'http.request.method': 'GET',
          'url.path': '/users/42',
          'url.scheme': 'http',
          'http.route': '/users/:id',
          'http.response.status_code': 200,
          'server.address': '127.0.0.1',
          'server.port': port,
          'user_agent.original': 'conformance/1.0',
          'network.protocol.version': '1.1',
        });
        expect(span.tags['client.address']).to.match(/127\.0\.0\.1$/);
        expect(span.endTime).to.be.a('number');
        expect(span.resource.serviceName).to.equal('test');
      });

      it('is the active span in the handler, and reachable from the request object', async () => {
        const res = await request(app.url).get('/users/7').expect(200);
        const report = res.body as RequestReport;
        const span = await serverSpan(res.headers['x-trace-id']);
        expect(report).to.deep.equal({ active: span.traceId, activeSpanId: span.spanId, traceId: span.traceId, spanId: span.spanId });
      });

      it('includes nested routers in the route template', async () => {
        const res = await request(app.url).get('/api/items/9').expect(200);
        const span = await serverSpan(res.headers['x-trace-id']);
        expect(span.operationName).to.equal('GET /api/items/:itemId');
        expect(span.tags['http.route']).to.equal('/api/items/:itemId');
      });

      it('names unmatched requests after the method alone, never the raw path', async () => {
        const res = await request(app.url).get('/no/such/route/123').expect(404);
        const span = await serverSpan(res.headers['x-trace-id']);
        expect(span.operationName).to.equal('GET');
        expect(span.tags['http.route']).to.equal(undefined);
        expect(span.tags['url.path']).to.equal('/no/such/route/123');
        expect(span.status.code).to.equal('OK');
      });
    });

    describe('incoming trace context', () => {
      it('continues a W3C traceparent and passes its tracestate on', async () => {
        const parent = traceparent();
        const res = await request(app.url).get('/users/1').set('traceparent', parent.header).set('tracestate', 'vendor=abc,other=1').expect(200);
        expect(res.headers['x-trace-id']).to.equal(parent.traceId);
        const span = await serverSpan(parent.traceId);
        expect(span.parentSpanId).to.equal(parent.spanId);
        expect(span.traceState).to.equal('vendor=abc,other=1');
        expect(span.traceFlags & TRACE_FLAG_SAMPLED).to.equal(TRACE_FLAG_SAMPLED);
        expect((res.body as RequestReport).active).to.equal(parent.traceId);
      });

      it('continues an x-trace-id', async () => {
        const traceId = hex(16);
        const spanId = hex(8);
        const res = await request(app.url).get('/users/1').set('x-trace-id', traceId).set('x-span-id', spanId).expect(200);
        expect(res.headers['x-trace-id']).to.equal(traceId);
        const span = await serverSpan(traceId);
        expect(span.parentSpanId).to.equal(spanId);
      });

      it('continues B3, single header and multiple headers', async () => {
        const single = { traceId: hex(16), spanId: hex(8) };
        const res1 = await request(app.url).get('/users/1').set('b3', `${single.traceId}-${single.spanId}-1`).expect(200);
        expect(res1.headers['x-trace-id']).to.equal(single.traceId);
        expect((await serverSpan(single.traceId)).parentSpanId).to.equal(single.spanId);

        const multi = { traceId: hex(16), spanId: hex(8) };
        const res2 = await request(app.url).get('/users/1').set('x-b3-traceid', multi.traceId).set('x-b3-spanid', multi.spanId).set('x-b3-sampled', '1').expect(200);
        expect(res2.headers['x-trace-id']).to.equal(multi.traceId);
        expect((await serverSpan(multi.traceId)).parentSpanId).to.equal(multi.spanId);
      });

      it('ignores invalid headers and starts a new trace', async () => {
        const bad = 'ff'.repeat(16);
        const res = await request(app.url)
          .get('/users/1')
          .set('traceparent', `00-${'0'.repeat(32)}-${hex(8)}-01`)
          .set('b3', `${bad}-zz-1`)
          .set('x-trace-id', 'not a trace id; really')
          .expect(200);
        const traceId = res.headers['x-trace-id'];
        expect(traceId).to.match(/^[0-9a-f]{32}$/).and.not.equal('0'.repeat(32));
        const span = await serverSpan(traceId);
        expect(span.parentSpanId).to.equal(undefined);
      });

      it('with trustIncoming false, keeps the incoming id as a tag and starts a new trace', async () => {
        const untrusting = await start({ trustIncoming: false });
        const parent = traceparent();
        const res = await request(untrusting.url).get('/users/1').set('traceparent', parent.header).expect(200);
        expect(res.headers['x-trace-id']).to.not.equal(parent.traceId);
        const span = await serverSpan(res.headers['x-trace-id']);
        expect(span.parentSpanId).to.equal(undefined);
        expect(span.tags['trace.incoming_id']).to.equal(parent.traceId);
      });

      it('asks a trustIncoming predicate per request', async () => {
        const selective = await start({ trustIncoming: (req: { headers: Record<string, unknown> }) => req.headers['x-internal'] === 'yes' });
        const trusted = traceparent();
        const res1 = await request(selective.url).get('/users/1').set('traceparent', trusted.header).set('x-internal', 'yes').expect(200);
        expect(res1.headers['x-trace-id']).to.equal(trusted.traceId);
        const refused = traceparent();
        const res2 = await request(selective.url).get('/users/1').set('traceparent', refused.header).expect(200);
        expect(res2.headers['x-trace-id']).to.not.equal(refused.traceId);
        expect((await serverSpan(res2.headers['x-trace-id'])).tags['trace.incoming_id']).to.equal(refused.traceId);
      });
    });

    describe('status', () => {
      it('leaves 2xx and 4xx responses OK', async () => {
        for (const code of [201, 404, 418]) {
          const res = await request(app.url).get(`/status/${code}`).expect(code);
          const span = await serverSpan(res.headers['x-trace-id']);
          expect(span.status.code, String(code)).to.equal('OK');
          expect(span.tags['http.response.status_code']).to.equal(code);
          expect(span.operationName).to.equal('GET /status/:code');
        }
      });

      it('marks 5xx responses ERROR', async () => {
        const res = await request(app.url).get('/status/503').expect(503);
        const span = await serverSpan(res.headers['x-trace-id']);
        expect(span.status.code).to.equal('ERROR');
        expect(span.tags['http.response.status_code']).to.equal(503);
      });

      for (const [path, message] of [
        ['/throw', 'a thrown'],
        ['/reject', 'a rejected'],
      ] as const) {
        it(`marks ${message} handler error ERROR with an error log, and the framework still answers 500`, async () => {
          const parent = traceparent();
          const res = await request(app.url).get(path).set('traceparent', parent.header);
          expect(res.status).to.equal(500);
          const span = await serverSpan(parent.traceId);
          expect(span.status).to.deep.equal({ code: 'ERROR', message: 'boom' });
          expect(span.tags['http.response.status_code']).to.equal(500);
          const log = span.logs.find((entry) => entry.level === 'error');
          expect(log?.message).to.equal('boom');
          expect(log?.fields?.['error.type']).to.equal('TypeError');
          expect(log?.fields?.['error.stack']).to.be.a('string').and.include('serverError');
        });
      }

      it('leaves a thrown error that asks for a 4xx OK', async () => {
        const res = await request(app.url).get('/bad-request').expect(400);
        const span = await serverSpan(res.headers['x-trace-id']);
        expect(span.status.code).to.equal('OK');
        expect(span.logs.some((entry) => entry.level === 'error')).to.equal(false);
      });

      it('marks a request the client abandons before the response CANCELLED', async () => {
        const parent = traceparent();
        await abandon(app.url, '/slow/150', { traceparent: parent.header }, { afterMs: 30 });
        const span = await serverSpan(parent.traceId);
        expect(span.status.code).to.equal('CANCELLED');
        expect(span.operationName).to.equal('GET /slow/:ms');
      });

      it('marks a request the client abandons mid-stream CANCELLED', async () => {
        const parent = traceparent();
        await abandon(app.url, '/stream', { traceparent: parent.header }, { afterFirstChunk: true });
        const span = await serverSpan(parent.traceId);
        expect(span.status.code).to.equal('CANCELLED');
        expect(span.tags['http.response.status_code']).to.equal(200);
      });

      it('marks a request with no response within timeoutMs TIMEOUT, and ends it once', async () => {
        const impatient = await start({ timeoutMs: 50 });
        const parent = traceparent();
        // supertest sends on `then`: start the request now, read its response later
        const pending = send(impatient.url, '/slow/200', { headers: { traceparent: parent.header } });
        const span = await serverSpan(parent.traceId);
        expect(span.status.code).to.equal('TIMEOUT');
        expect(span.duration).to.be.within(40, 190);
        expect(span.operationName).to.equal('GET /slow/:ms');
        const res = await pending;
        expect(res.status).to.equal(200);
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(serverSpans(parent.traceId)).to.have.length(1);
      });
    });

    describe('ending', () => {
      it('ends a streamed response when the last chunk is sent', async () => {
        const res = await request(app.url).get('/stream').expect(200);
        expect(res.text).to.equal('one\ntwo\nthree\n');
        const span = await serverSpan(res.headers['x-trace-id']);
        expect(span.duration).to.be.at.least(55);
        expect(span.status.code).to.equal('OK');
      });

      it('ends a response written straight to the Node response, bypassing the framework', async () => {
        const res = await request(app.url).get('/raw').expect(200);
        expect(res.text).to.equal('raw');
        const span = await serverSpan(res.headers['x-trace-id']);
        expect(span.operationName).to.equal('GET /raw');
        expect(span.tags['http.response.status_code']).to.equal(200);
      });

      it('ends every span exactly once on a kept-alive connection', async () => {
        const agent = request.agent(app.url);
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push((await agent.get(`/users/${i}`).expect(200)).headers['x-trace-id']);
        for (const id of ids) await serverSpan(id);
        await new Promise((resolve) => setTimeout(resolve, 20));
        for (const id of ids) expect(serverSpans(id)).to.have.length(1);
      });
    });

    describe('context', () => {
      it('keeps the request span active across await, timers, setImmediate, nextTick, promise chains, callbacks and middleware', async () => {
        const res = await request(app.url).get('/context').expect(200);
        const traceId = res.headers['x-trace-id'];
        const report = res.body as RequestReport & { seen: Record<string, string> };
        expect(report.traceId).to.equal(traceId);
        expect(report.active).to.equal(traceId);
        expect(report.seen).to.deep.equal({
          sync: traceId,
          await: traceId,
          setTimeout: traceId,
          setImmediate: traceId,
          nextTick: traceId,
          promiseChain: traceId,
          callback: traceId,
        });
      });

      it('keeps it in a handler after JSON body parsing', async () => {
        const res = await request(app.url).post('/json').send({ name: 'ada', n: 1 }).expect(200);
        expect(res.body.body).to.deep.equal({ name: 'ada', n: 1 });
        expect(res.body.active).to.equal(res.headers['x-trace-id']);
        expect(res.body.traceId).to.equal(res.headers['x-trace-id']);
      });

      it('keeps it in a handler after urlencoded form parsing', async () => {
        const res = await request(app.url).post('/form').type('form').send('name=ada&n=1').expect(200);
        expect(res.body.body).to.deep.equal({ name: 'ada', n: '1' });
        expect(res.body.active).to.equal(res.headers['x-trace-id']);
      });

      it("keeps it in the request's own events while a body streams in slowly", async () => {
        const res = await send(app.url, '/upload', {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
          chunks: ['a'.repeat(10), 'b'.repeat(10), 'c'.repeat(10)],
          gapMs: 15,
        });
        expect(res.status).to.equal(200);
        const body = JSON.parse(res.text);
        const traceId = res.headers['x-trace-id'];
        expect(body.bytes).to.equal(30);
        expect(body).to.include({ active: traceId, traceId, activeAtData: traceId, activeAtEnd: traceId });
      });

      it('keeps 200 concurrent requests with random delays apart: handler, child span and log line', async () => {
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, index) =>
            send(app.url, `/concurrent/${index}?ms=${Math.floor(Math.random() * 30)}`).then((res) => ({ index, res })),
          ),
        );
        const traceIds = new Set<string>();
        for (const { index, res } of results) {
          expect(res.status).to.equal(200);
          const traceId = res.headers['x-trace-id'] as string;
          traceIds.add(traceId);
          const body = JSON.parse(res.text);
          expect(body).to.include({ active: traceId, traceId, afterDelay: traceId });
          const span = await serverSpan(traceId);
          expect(body.child).to.deep.equal({ traceId, parentSpanId: span.spanId });
          const logs = span.logs.filter((entry) => entry.message.startsWith('handled '));
          expect(logs.map((entry) => [entry.message, entry.fields?.traceId])).to.deep.equal([[`handled ${index}`, traceId]]);
        }
        expect(traceIds.size).to.equal(200);
      });
    });

    describe('options', () => {
      it('gives ignored paths no span and no header', async () => {
        const quiet = await start({ ignore: ['/health'] });
        const res = await request(quiet.url).get('/health').expect(200);
        expect(res.headers['x-trace-id']).to.equal(undefined);
        const after = await request(quiet.url).get('/users/1').expect(200);
        await serverSpan(after.headers['x-trace-id']);
        expect(exporter.getFinishedSpans().some((span) => span.tags['url.path'] === '/health')).to.equal(false);
      });

      it('asks an ignore predicate', async () => {
        const quiet = await start({ ignore: (req: { method: string }) => req.method === 'GET' });
        const res = await request(quiet.url).get('/users/1').expect(200);
        expect(res.headers['x-trace-id']).to.equal(undefined);
        expect((res.body as RequestReport).active).to.equal(undefined);
      });

      it('names spans with spanName once routing has happened', async () => {
        const named = await start({ spanName: (req: { method: string }) => `custom ${req.method}` });
        const res = await request(named.url).get('/users/1').expect(200);
        const span = await serverSpan(res.headers['x-trace-id']);
        expect(span.operationName).to.equal('custom GET');
        expect(span.tags['http.route']).to.equal('/users/:id');
      });

      it('writes the trace id under another responseHeader, or none', async () => {
        const renamed = await start({ responseHeader: 'x-request-trace' });
        const res1 = await request(renamed.url).get('/users/1').expect(200);
        expect(res1.headers['x-trace-id']).to.equal(undefined);
        expect(res1.headers['x-request-trace']).to.equal((res1.body as RequestReport).traceId);

        const silent = await start({ responseHeader: false });
        const res2 = await request(silent.url).get('/users/1').expect(200);
        expect(res2.headers['x-trace-id']).to.equal(undefined);
        expect((res2.body as RequestReport).traceId).to.match(/^[0-9a-f]{32}$/);
      });

      it('keeps the trace id header on error responses', async () => {
        const parent = traceparent();
        const res = await request(app.url).get('/throw').set('traceparent', parent.header);
        expect(res.status).to.equal(500);
        expect(res.headers['x-trace-id']).to.equal(parent.traceId);
      });

      it('captures the headers asked for, and never credentials', async () => {
        setDiagLogger({ warn: () => undefined, error: () => undefined }); // it warns about the credentials, once each
        const capturing = await start({ captureHeaders: ['X-Tenant', 'authorization', 'cookie', 'set-cookie'] }).finally(() => setDiagLogger(undefined));
        const res = await request(capturing.url)
          .get('/users/1')
          .set('x-tenant', 'acme')
          .set('authorization', 'Bearer secret')
          .set('cookie', 'session=secret')
          .expect(200);
        const span = await serverSpan(res.headers['x-trace-id']);
        expect(span.tags['http.request.header.x-tenant']).to.deep.equal(['acme']);
        expect(JSON.stringify(span.tags)).to.not.include('secret');
      });

      it('rejects a bad option at set-up with a TypeError naming it', async () => {
        let failure: unknown;
        try {
          await start({ ignore: 5 });
        } catch (error) {
          failure = error;
        }
        expect(failure).to.be.instanceOf(TypeError);
        expect((failure as Error).message).to.equal('auditTracing.ignore: expected an array of paths or a function, got 5');
        expect(failure).to.have.property('code', 'AUDIT_TRACING_ERR_INVALID_OPTION');
      });
    });
  });
}

