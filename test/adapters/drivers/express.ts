import { auditTracing, auditTracingErrorHandler, type ExpressTracingOptions } from '@audit-tracing/express';
import type { AuditTracer } from '@audit-tracing/core';
import express5 from 'express';
import express4 from 'express4';
import type { NextFunction, Request, Response } from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Driver, TracedApp } from '../conformance.js';
import { chunkedBody, clientError, delay, describeRequest, probeConcurrent, probeContext, readBody, serverError, type RequestView } from '../routes.js';

type Express = typeof express5;
type AsyncHandler = (req: Request, res: Response) => Promise<unknown>;

function view(req: Request): RequestView {
  return { span: req.span, traceId: req.traceId };
}

// Express 4 does not catch rejected promises; its apps forward them to next, and so do these routes.
function forward(handler: AsyncHandler) {
  return function forwardRejection(req: Request, res: Response, next: NextFunction) {
    handler(req, res).catch(next);
  };
}

export function buildExpressApp(express: Express, options: ExpressTracingOptions & { tracer: AuditTracer }): ReturnType<Express> {
  const app = express();
  app.set('env', 'test'); // the final handler logs errors to stderr otherwise
  app.use(auditTracing(options));

  app.get('/health', (_req, res) => void res.send('ok'));
  app.get('/users/:id', (req, res) => void res.json(describeRequest(view(req))));
  const api = express.Router();
  const items = express.Router();
  items.get('/:itemId', (req, res) => void res.json(describeRequest(view(req))));
  api.use('/items', items);
  app.use('/api', api);

  app.get('/status/:code', (req, res) => void res.status(Number(req.params.code)).send('status'));
  app.get('/throw', () => {
    throw serverError();
  });
  app.get('/reject', forward(async () => {
    await delay(5);
    throw serverError();
  }));
  app.get('/bad-request', () => {
    throw clientError();
  });
  app.get('/slow/:ms', forward(async (req, res) => {
    await delay(Number(req.params.ms));
    res.send('done');
  }));
  app.get('/stream', (_req, res) => {
    res.type('text');
    chunkedBody().pipe(res);
  });
  app.get('/raw', (_req, res) => res.end('raw'));
  app.get(
    '/context',
    function pause(_req, _res, next) {
      setTimeout(next, 5);
    },
    forward(async (req, res) => res.json(await probeContext(view(req)))),
  );
  app.post('/json', express.json(), (req, res) => void res.json({ body: req.body, ...describeRequest(view(req)) }));
  app.post('/form', express.urlencoded({ extended: false }), (req, res) => void res.json({ body: { ...req.body }, ...describeRequest(view(req)) }));
  app.post('/upload', forward(async (req, res) => res.json({ ...(await readBody(req)), ...describeRequest(view(req)) })));
  app.get('/concurrent/:index', forward(async (req, res) => {
    res.json(await probeConcurrent(options.tracer, view(req), Number(req.params.index), Number(req.query.ms)));
  }));

  app.use(auditTracingErrorHandler());
  return app;
}

export function listen(server: Server): Promise<TracedApp> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

function expressDriver(name: string, express: Express): Driver {
  return {
    name,
    component: 'express',
    start: async (options) => {
      const app = buildExpressApp(express, options as ExpressTracingOptions & { tracer: AuditTracer });
      return listen(createServer(app));
    },
  };
}

export const express5Driver = expressDriver('express5', express5);
export const express4Driver = expressDriver('express4', express4 as unknown as Express);
