import { resolveServerOptions, startServerSpan, withSpan, type HttpServerTracingOptions, type ServerSpan, type Span } from '@audit-tracing/core';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's server span (also `getActiveSpan()` inside hooks and handlers). */
    span?: Span;
    /** This request's trace id, as sent back in the `x-trace-id` response header. */
    traceId?: string;
  }
}

/** Options of the plugin; the callbacks receive Fastify's `request`. */
export type FastifyTracingOptions = HttpServerTracingOptions<FastifyRequest>;

// The adapter's own request state, under a symbol no user code writes to; `request.span` and `request.traceId`
// are for the user (who may overwrite them), never read back by the adapter.
const SERVER_SPAN = Symbol('audit-tracing.fastify.serverSpan');
interface TracedRequest extends FastifyRequest {
  [SERVER_SPAN]: ServerSpan<FastifyRequest> | null;
}

function fastifyRoute(request: FastifyRequest): string | undefined {
  // The template with prefixes (Fastify 5, and 4 since 4.10); unmatched requests have none.
  return request.routeOptions?.url;
}

const auditTracingPlugin: FastifyPluginAsync<FastifyTracingOptions> = async function auditTracingPlugin(fastify, options) {
  const resolved = resolveServerOptions(options, { component: 'fastify', route: fastifyRoute });
  // Declared up front, so every request object has the same shape (Fastify's advice for decorators).
  fastify.decorateRequest(SERVER_SPAN as unknown as string, null);
  fastify.decorateRequest('span', undefined);
  fastify.decorateRequest('traceId', undefined);

  fastify.addHook('onRequest', function auditTracingOnRequest(request, reply, next) {
    const serverSpan = startServerSpan(resolved, request, request.raw, reply.raw);
    if (serverSpan === undefined) return next();
    (request as TracedRequest)[SERVER_SPAN] = serverSpan;
    request.span = serverSpan.span;
    request.traceId = serverSpan.traceId;
    withSpan(serverSpan.span, next);
  });

  // onRequest and preParsing run inside the context entered above. preValidation, preHandler and the handler do
  // not always: when there is a body, they run from the end of body parsing (`req.emit('end')`), in the async
  // context of whatever emitted it (nodejs/node#34430). startServerSpan binds the raw request's listeners,
  // which covers Fastify's own parsers; entering the span again here does not depend on how the body was read,
  // as @fastify/request-context does with its stored AsyncResource.
  fastify.addHook('preValidation', function auditTracingPreValidation(request, _reply, next) {
    const serverSpan = (request as TracedRequest)[SERVER_SPAN];
    if (!serverSpan) return next();
    withSpan(serverSpan.span, next);
  });

  fastify.addHook('onError', function auditTracingOnError(request, _reply, error, next) {
    (request as TracedRequest)[SERVER_SPAN]?.recordError(error);
    next();
  });

  // No onResponse hook: the span ends on the raw response's 'finish' or 'close' (see startServerSpan), which
  // also covers `reply.hijack()` and aborted requests.
};

/**
 * Fastify 4 and 5 plugin: one server span per request, on every route. `await app.register(auditTracing)`.
 */
export const auditTracing = fp(auditTracingPlugin, { fastify: '4.x || 5.x', name: '@audit-tracing/fastify' });
export default auditTracing;
