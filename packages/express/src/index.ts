import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolveServerOptions, startServerSpan, withSpan, type HttpServerTracingOptions, type ServerSpan, type Span } from '@audit-tracing/core';

declare global {
  namespace Express {
    interface Request {
      /** This request's server span (also `getActiveSpan()` inside handlers). */
      span?: Span;
      /** This request's trace id, as sent back in the `x-trace-id` response header. */
      traceId?: string;
    }
  }
}

/** Express's request as the adapter and your `ignore`, `spanName` and `trustIncoming` callbacks see it. */
export interface ExpressRequest extends IncomingMessage {
  originalUrl?: string;
  baseUrl?: string;
  route?: { path?: unknown };
  span?: Span;
  traceId?: string;
}

/** Options of `auditTracing()`; the callbacks receive Express's `req`. */
export type ExpressTracingOptions = HttpServerTracingOptions<ExpressRequest>;

type Next = (error?: unknown) => void;

const SERVER_SPAN = Symbol('audit-tracing.express.serverSpan');
const ROUTE = Symbol('audit-tracing.express.route');
const TEMPLATE = Symbol('audit-tracing.express.template');
interface TracedRequest extends ExpressRequest {
  [SERVER_SPAN]?: ServerSpan<ExpressRequest>;
  [ROUTE]?: { path?: unknown };
  [TEMPLATE]?: string;
}

// Express sets `req.route` when a route matches, while `req.baseUrl` still holds the mount path of the router it
// matched in; leaving that router (an error on its way to an app-level handler) resets `baseUrl`. So the template
// is taken at that moment, through an accessor, rather than when the response ends.
function getRoute(this: TracedRequest): { path?: unknown } | undefined {
  return this[ROUTE];
}
function setRoute(this: TracedRequest, route: { path?: unknown } | undefined): void {
  this[ROUTE] = route;
  const path = route?.path;
  if (typeof path !== 'string') return;
  const base = this.baseUrl ?? '';
  this[TEMPLATE] = path === '/' && base !== '' ? base : base + path;
}
const ROUTE_ACCESSOR: PropertyDescriptor = { configurable: true, enumerable: true, get: getRoute, set: setRoute };

function expressRoute(req: ExpressRequest): string | undefined {
  return (req as TracedRequest)[TEMPLATE];
}

/**
 * Express 4 and 5 middleware: one server span per request, active in every handler after it.
 * `app.use(auditTracing())` before your routes; add `auditTracingErrorHandler()` after them to record errors
 * handlers throw or pass to `next` with their stack.
 */
export function auditTracing(options?: ExpressTracingOptions): (req: ExpressRequest, res: ServerResponse, next: Next) => void {
  const resolved = resolveServerOptions(options, { component: 'express', route: expressRoute });
  return function auditTracingMiddleware(req, res, next) {
    const serverSpan = startServerSpan(resolved, req, req, res);
    if (serverSpan === undefined) return next();
    Object.defineProperty(req, 'route', ROUTE_ACCESSOR);
    (req as TracedRequest)[SERVER_SPAN] = serverSpan;
    req.span = serverSpan.span;
    req.traceId = serverSpan.traceId;
    // Express calls the rest of the chain from `next`, so all of it runs, and continues, inside the span.
    withSpan(serverSpan.span, next);
  };
}

/**
 * Error middleware to put after your routes: records the error on the request's span (ERROR with type, message
 * and stack) and passes it on unchanged, so Express's own error handling still runs.
 */
export function auditTracingErrorHandler(): (error: unknown, req: ExpressRequest, res: ServerResponse, next: Next) => void {
  return function auditTracingErrorHandler(error, req, _res, next) {
    (req as TracedRequest)[SERVER_SPAN]?.recordError(error);
    next(error);
  };
}
