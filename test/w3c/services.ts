// The test service the W3C Trace Context test suite drives, once per framework adapter: `POST /test` receives a
// JSON array of `{ url, arguments }` and POSTs each `arguments` to its `url` with global fetch, in order. The
// adapter continues the incoming trace; the fetch instrumentation writes the outgoing traceparent / tracestate,
// which the suite's harness checks. https://github.com/w3c/trace-context/tree/main/test#implement-test-service
import { AuditTracer } from '@audit-tracing/core';
import { auditTracing as expressTracing } from '@audit-tracing/express';
import { auditTracing as fastifyTracing } from '@audit-tracing/fastify';
import { auditTracing as koaTracing } from '@audit-tracing/koa';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestService {
  name: string;
  /** `http://127.0.0.1:<port>/test` */
  endpoint: string;
  close(): Promise<void>;
}

interface Action {
  url: string;
  arguments?: unknown;
}

async function callBack(actions: unknown): Promise<void> {
  if (!Array.isArray(actions)) return;
  for (const action of actions as Action[]) {
    const response = await fetch(action.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(action.arguments ?? []),
    });
    await response.arrayBuffer();
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? null : JSON.parse(text);
}

function listening(name: string, server: Server): Promise<TestService> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        name,
        endpoint: `http://127.0.0.1:${port}/test`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

function tracer(name: string): AuditTracer {
  return new AuditTracer({ serviceName: `w3c-${name}`, exporterType: 'none' });
}

export const services: Record<string, () => Promise<TestService>> = {
  express() {
    const app = express();
    app.use(expressTracing({ tracer: tracer('express') }));
    app.post('/test', express.json(), (req, res, next) => void callBack(req.body).then(() => res.json({}), next));
    return listening('express', createServer(app));
  },
  koa() {
    const app = new Koa();
    app.use(koaTracing({ tracer: tracer('koa') }));
    app.use(async (ctx) => {
      await callBack(await readJson(ctx.req));
      ctx.body = {};
    });
    return listening('koa', createServer(app.callback()));
  },
  async fastify() {
    const app = Fastify();
    await app.register(fastifyTracing, { tracer: tracer('fastify') });
    app.post('/test', async (request) => {
      await callBack(request.body);
      return {};
    });
    const origin = await app.listen({ port: 0, host: '127.0.0.1' });
    return { name: 'fastify', endpoint: `${origin}/test`, close: () => app.close() };
  },
};
