import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolveServerOptions, startServerSpan, withSpan, type HttpServerTracingOptions, type Span } from '@audit-tracing/core';

/** Koa's context as the adapter and your `ignore`, `spanName` and `trustIncoming` callbacks see it. */
export interface KoaContext {
  method: string;
  path: string;
  req: IncomingMessage;
  res: ServerResponse;
  /** Koa's namespace for request state: the adapter keeps the span and the trace id here, side by side. */
  state: { span?: Span; traceId?: string; [key: string]: unknown };
  /** Set by @koa/router: the matched route template, router prefixes included. */
  _matchedRoute?: string | RegExp;
}

/** Options of `auditTracing()`; the callbacks receive Koa's `ctx`. */
export type KoaTracingOptions = HttpServerTracingOptions<KoaContext>;

function koaRoute(ctx: KoaContext): string | undefined {
  return typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : undefined;
}

// Koa's error response starts by removing every header already set, then sets `err.headers`: the trace id
// header survives only there.
function keepResponseHeader(error: unknown, name: string | undefined, traceId: string): void {
  if (name === undefined || error === null || typeof error !== 'object') return;
  try {
    const carrier = error as { headers?: Record<string, unknown> };
    carrier.headers = { ...carrier.headers, [name]: traceId };
  } catch {
    // a frozen error keeps its headers: the response then goes without the trace id
  }
}

/**
 * Koa 2 and 3 middleware: one server span per request, active in every middleware after it.
 * `app.use(auditTracing())` first, before your routers. Errors thrown through it are recorded on the span and
 * re-thrown unchanged, so Koa's error handling still runs.
 */
export function auditTracing(options?: KoaTracingOptions): (ctx: KoaContext, next: () => Promise<unknown>) => Promise<void> {
  const resolved = resolveServerOptions(options, { component: 'koa', route: koaRoute });
  return async function auditTracingMiddleware(ctx, next) {
    const serverSpan = startServerSpan(resolved, ctx, ctx.req, ctx.res);
    if (serverSpan === undefined) return void (await next());
    ctx.state.span = serverSpan.span;
    ctx.state.traceId = serverSpan.traceId;
    try {
      await withSpan(serverSpan.span, next);
    } catch (error) {
      serverSpan.recordError(error);
      keepResponseHeader(error, resolved.responseHeader, serverSpan.traceId);
      throw error;
    }
  };
}
