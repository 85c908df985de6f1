// One route, GET or POST /<anything>, behind each framework adapter, running `handler` inside the request's span:
// the apps the cross-package security tests drive through real HTTP.
import type { AuditTracer } from '@audit-tracing/core';
import { auditTracing as expressTracing } from '@audit-tracing/express';
import { auditTracing as fastifyTracing } from '@audit-tracing/fastify';
import { auditTracing as koaTracing } from '@audit-tracing/koa';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StartedApp {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  close(): Promise<void>;
}

/** What the route does, given the request target (`/path?query`); its result is the response body. */
export type Handler = (url: string) => Promise<string>;

function started(server: Server): Promise<StartedApp> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        origin: `http://127.0.0.1:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

export const frameworkApps: Record<string, (tracer: AuditTracer, handler: Handler) => Promise<StartedApp>> = {
  express(tracer, handler) {
    const app = express();
    app.use(expressTracing({ tracer }));
    app.all(/.*/, (req, res, next) => void handler(req.originalUrl).then((body) => res.send(body), next));
    return started(createServer(app));
  },
  koa(tracer, handler) {
    const app = new Koa();
    // Koa prints every error event, including a socket the HTTP parser closed (raw hostile requests do that).
    app.silent = true;
    app.use(koaTracing({ tracer }));
    app.use(async (ctx) => {
      ctx.body = await handler(ctx.url);
    });
    return started(createServer(app.callback()));
  },
  async fastify(tracer, handler) {
    const app = Fastify();
    await app.register(fastifyTracing, { tracer });
    app.all('/*', async (request) => handler(request.url));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    return { origin: `http://127.0.0.1:${port}`, port, close: () => app.close() };
  },
};
