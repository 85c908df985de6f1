import { auditTracing, type KoaContext, type KoaTracingOptions } from '@audit-tracing/koa';
import type { AuditTracer } from '@audit-tracing/core';
import Router from '@koa/router';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { createServer } from 'node:http';
import type { Driver } from '../conformance.js';
import { chunkedBody, clientError, delay, describeRequest, probeConcurrent, probeContext, readBody, serverError, type RequestView } from '../routes.js';
import { listen } from './express.js';

type KoaClass = typeof Koa3;

function view(ctx: Koa3.Context): RequestView {
  const traced = ctx as unknown as KoaContext;
  return { span: traced.state.span, traceId: traced.state.traceId };
}

// No body-parser package: bodies are read from ctx.req by hand, through its events.
async function readText(ctx: Koa3.Context): Promise<string> {
  return (await readBody(ctx.req)).text;
}

export function buildKoaApp(Koa: KoaClass, options: KoaTracingOptions & { tracer: AuditTracer }): Koa3 {
  const app = new Koa();
  app.silent = true; // Koa logs errors to stderr otherwise
  app.use(auditTracing(options));

  const router = new Router();
  router.get('/health', (ctx) => {
    ctx.body = 'ok';
  });
  router.get('/users/:id', (ctx) => {
    ctx.body = describeRequest(view(ctx));
  });
  const api = new Router({ prefix: '/api' });
  const items = new Router();
  items.get('/:itemId', (ctx) => {
    ctx.body = describeRequest(view(ctx));
  });
  api.use('/items', items.routes(), items.allowedMethods());

  router.get('/status/:code', (ctx) => {
    ctx.status = Number(ctx.params.code);
    ctx.body = 'status';
  });
  router.get('/throw', () => {
    throw serverError();
  });
  router.get('/reject', async () => {
    await delay(5);
    throw serverError();
  });
  router.get('/bad-request', () => {
    throw clientError();
  });
  router.get('/slow/:ms', async (ctx) => {
    await delay(Number(ctx.params.ms));
    ctx.body = 'done';
  });
  router.get('/stream', (ctx) => {
    ctx.type = 'text';
    ctx.body = chunkedBody();
  });
  router.get('/raw', (ctx) => {
    ctx.respond = false;
    ctx.res.statusCode = 200; // Koa starts every response at 404
    ctx.res.end('raw');
  });
  router.get(
    '/context',
    async function pause(_ctx, next) {
      await delay(5);
      await next();
    },
    async (ctx) => {
      ctx.body = await probeContext(view(ctx));
    },
  );
  router.post('/json', async (ctx) => {
    ctx.body = { body: JSON.parse(await readText(ctx)), ...describeRequest(view(ctx)) };
  });
  router.post('/form', async (ctx) => {
    ctx.body = { body: Object.fromEntries(new URLSearchParams(await readText(ctx))), ...describeRequest(view(ctx)) };
  });
  router.post('/upload', async (ctx) => {
    ctx.body = { ...(await readBody(ctx.req)), ...describeRequest(view(ctx)) };
  });
  router.get('/concurrent/:index', async (ctx) => {
    ctx.body = await probeConcurrent(options.tracer, view(ctx), Number(ctx.params.index), Number(ctx.query.ms));
  });

  app.use(router.routes());
  app.use(router.allowedMethods());
  app.use(api.routes());
  return app;
}

function koaDriver(name: string, Koa: KoaClass): Driver {
  return {
    name,
    component: 'koa',
    start: async (options) => listen(createServer(buildKoaApp(Koa, options as KoaTracingOptions & { tracer: AuditTracer }).callback())),
  };
}

export const koa3Driver = koaDriver('koa3', Koa3);
export const koa2Driver = koaDriver('koa2', Koa2 as unknown as KoaClass);
