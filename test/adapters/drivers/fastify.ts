import { auditTracing, type FastifyTracingOptions } from '@audit-tracing/fastify';
import type { AuditTracer } from '@audit-tracing/core';
import fastify5, { type FastifyInstance, type FastifyRequest } from 'fastify';
import fastify4 from 'fastify4';
import type { Readable } from 'node:stream';
import type { Driver, TracedApp } from '../conformance.js';
import { chunkedBody, clientError, delay, describeRequest, probeConcurrent, probeContext, readBody, serverError, type RequestView } from '../routes.js';

type Fastify = typeof fastify5;

function view(request: FastifyRequest): RequestView {
  return { span: request.span, traceId: request.traceId };
}

export async function buildFastifyApp(fastify: Fastify, options: FastifyTracingOptions & { tracer: AuditTracer }): Promise<FastifyInstance> {
  const app = fastify();
  try {
    await app.register(auditTracing, options);
  } catch (error) {
    await app.close();
    throw error;
  }
  // Fastify parses JSON itself; forms and raw streams need a parser of their own.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));

  app.get('/health', async () => 'ok');
  app.get('/users/:id', async (request) => describeRequest(view(request)));
  await app.register(
    async function api(instance) {
      await instance.register(
        async function items(nested) {
          nested.get('/:itemId', async (request) => describeRequest(view(request)));
        },
        { prefix: '/items' },
      );
    },
    { prefix: '/api' },
  );

  app.get<{ Params: { code: string } }>('/status/:code', async (request, reply) => reply.code(Number(request.params.code)).send('status'));
  app.get('/throw', () => {
    throw serverError();
  });
  app.get('/reject', async () => {
    await delay(5);
    throw serverError();
  });
  app.get('/bad-request', () => {
    throw clientError();
  });
  app.get<{ Params: { ms: string } }>('/slow/:ms', async (request) => {
    await delay(Number(request.params.ms));
    return 'done';
  });
  app.get('/stream', async (_request, reply) => reply.type('text/plain').send(chunkedBody()));
  app.get('/raw', (_request, reply) => {
    reply.hijack();
    reply.raw.end('raw');
  });
  app.get(
    '/context',
    {
      preHandler: function pause(_request, _reply, done) {
        setTimeout(done, 5);
      },
    },
    async (request) => probeContext(view(request)),
  );
  app.post('/json', async (request) => ({ body: request.body, ...describeRequest(view(request)) }));
  app.post('/form', async (request) => ({ body: request.body, ...describeRequest(view(request)) }));
  app.post('/upload', async (request) => ({ ...(await readBody(request.body as Readable)), ...describeRequest(view(request)) }));
  app.get<{ Params: { index: string }; Querystring: { ms: string } }>('/concurrent/:index', async (request) =>
    probeConcurrent(options.tracer, view(request), Number(request.params.index), Number(request.query.ms)),
  );
  return app;
}

function fastifyDriver(name: string, fastify: Fastify): Driver {
  return {
    name,
    component: 'fastify',
    start: async (options): Promise<TracedApp> => {
      const app = await buildFastifyApp(fastify, options as FastifyTracingOptions & { tracer: AuditTracer });
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      return { url, close: () => app.close() };
    },
  };
}

export const fastify5Driver = fastifyDriver('fastify5', fastify5);
export const fastify4Driver = fastifyDriver('fastify4', fastify4 as unknown as Fastify);
