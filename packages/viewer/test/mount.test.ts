// The viewer mounted inside an app (Express, Koa, Fastify), fed live by the app's tracer through spanProcessor.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import express4 from 'express4';
import Fastify from 'fastify';
import Fastify4 from 'fastify4';
import Koa from 'koa';
import Koa2 from 'koa2';
import { AuditTracer } from '@audit-tracing/core';
import * as expressTracing from '@audit-tracing/express';
import * as fastifyTracing from '@audit-tracing/fastify';
import * as koaTracing from '@audit-tracing/koa';
import { createViewer, type Viewer } from '../src/index.js';
import { checkoutTrace, postOtlp } from './helpers/spans.js';

const TOKEN = 'mount-test-token-42';
const IGNORE_VIEWER = [/^\/viewer(\/|$)/];

interface App {
  url: string;
  close(): Promise<void>;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

const closeServer = (server: Server) => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));

type Mount = (viewer: Viewer, tracer: AuditTracer) => Promise<App>;

const mountExpress = (createApp: typeof express): Mount =>
  async function express(viewer, tracer) {
    const app = createApp();
    app.use(viewer.handler); // before body parsers: the receiver reads its own bodies
    app.use(expressTracing.auditTracing({ tracer, ignore: IGNORE_VIEWER }));
    app.get('/hello', (_req, res) => {
      res.send('hi');
    });
    const server = createServer(app);
    return { url: await listen(server), close: () => closeServer(server) };
  };

const mountKoa = (KoaApp: typeof Koa): Mount =>
  async function koa(viewer, tracer) {
    const app = new KoaApp();
    app.use(async function viewerMount(ctx, next) {
      if (!viewer.handles(ctx.url)) return next();
      ctx.respond = false;
      viewer.handler(ctx.req, ctx.res);
    });
    app.use(koaTracing.auditTracing({ tracer, ignore: IGNORE_VIEWER }));
    app.use(async (ctx) => {
      if (ctx.path === '/hello') ctx.body = 'hi';
    });
    const server = createServer(app.callback());
    return { url: await listen(server), close: () => closeServer(server) };
  };

const mountFastify = (createApp: typeof Fastify): Mount =>
  async function fastify(viewer, tracer) {
    const app = createApp({ forceCloseConnections: true });
    // onRequest runs before Fastify parses a body, and for paths without a route too.
    app.addHook('onRequest', function viewerMount(request, reply, done) {
      if (!viewer.handles(request.url)) return done();
      reply.hijack();
      viewer.handler(request.raw, reply.raw);
    });
    await app.register(fastifyTracing.auditTracing, { tracer, ignore: IGNORE_VIEWER });
    app.get('/hello', async () => 'hi');
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, close: () => app.close() };
  };

// Both majors of each framework the adapters support.
const frameworks: Record<string, Mount> = {
  'express 5': mountExpress(express),
  'express 4': mountExpress(express4 as unknown as typeof express),
  'koa 3': mountKoa(Koa),
  'koa 2': mountKoa(Koa2 as unknown as typeof Koa),
  'fastify 5': mountFastify(Fastify),
  'fastify 4': mountFastify(Fastify4 as unknown as typeof Fastify),
};

for (const [name, mount] of Object.entries(frameworks)) {
  describe(`viewer mounted in ${name} at /viewer`, () => {
    let viewer: Viewer;
    let tracer: AuditTracer;
    let app: App;
    const auth = { authorization: `Bearer ${TOKEN}` };

    before(async () => {
      viewer = await createViewer({ basePath: '/viewer', token: TOKEN });
      tracer = new AuditTracer({ serviceName: `${name.replace(' ', '')}-shop`, exporterType: 'none', processors: [viewer.spanProcessor] });
      app = await mount(viewer, tracer);
    });
    after(async () => {
      await app.close();
      await tracer.shutdown();
      await viewer.close();
    });

    it("shows the app's own spans live, and not the viewer's requests", async () => {
      const response = await fetch(`${app.url}/hello`);
      expect(await response.text()).to.equal('hi');
      const traceId = response.headers.get('x-trace-id')!;
      let detail: any;
      for (let i = 0; i < 50 && detail === undefined; i++) {
        const answer = await fetch(`${app.url}/viewer/api/traces/${traceId}`, { headers: auth });
        if (answer.status === 200) detail = await answer.json() as any;
        else await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(detail).to.include({ rootService: `${name.replace(' ', '')}-shop`, spanCount: 1 });
      expect(detail.rootName).to.match(/^GET/);
      const list = await (await fetch(`${app.url}/viewer/api/traces`, { headers: auth })).json() as any;
      expect(list.traces.map((t: { traceId: string }) => t.traceId)).to.deep.equal([traceId]);
    });

    it('serves pages and takes OTLP under the mount path, and leaves other paths to the app', async () => {
      const page = await fetch(`${app.url}/viewer/`, { headers: auth });
      expect(page.status).to.equal(200);
      expect(await page.text()).to.include('<script src="common.js" defer></script>');
      const bare = await fetch(`${app.url}/viewer`, { headers: auth, redirect: 'manual' });
      expect(bare.status).to.equal(308);
      expect(bare.headers.get('location')).to.equal('/viewer/');
      const spans = checkoutTrace(1_700_000_000_000);
      expect((await postOtlp(`${app.url}/viewer`, spans, { headers: auth })).status).to.equal(200);
      expect(viewer.store.get(spans[0].traceId)?.spans).to.have.length(6);
      expect((await fetch(`${app.url}/viewerish`)).status).to.equal(404);
      expect(await (await fetch(`${app.url}/hello`)).text()).to.equal('hi');
    });

    it('asks for the token: 401 without it; ?token= once sets an HttpOnly cookie and leaves the address', async () => {
      expect((await fetch(`${app.url}/viewer/api/traces`)).status).to.equal(401);
      expect((await fetch(`${app.url}/viewer/api/traces`, { headers: { authorization: 'Bearer wrong-token-000' } })).status).to.equal(401);
      const refused = await postOtlp(`${app.url}/viewer`, checkoutTrace(1), { format: 'json' });
      expect(refused.status).to.equal(401);
      expect(await refused.json() as any).to.include({ code: 16 });
      const login = await fetch(`${app.url}/viewer/trace.html?id=abc&token=${TOKEN}`, { redirect: 'manual' });
      expect(login.status).to.equal(303);
      expect(login.headers.get('location')).to.equal('/viewer/trace.html?id=abc');
      const cookie = login.headers.get('set-cookie')!;
      expect(cookie).to.include('HttpOnly').and.include('SameSite=Strict').and.include('Path=/viewer');
      const withCookie = await fetch(`${app.url}/viewer/api/services`, { headers: { cookie: cookie.split(';')[0] } });
      expect(withCookie.status).to.equal(200);
    });
  });
}
