import type { IncomingMessage, ServerResponse } from 'node:http';
import { bindEmitterPrototype, resolveServerOptions, startServerSpan, withSpan, type HttpServerTracingOptions, type ServerSpan, type Span } from '@audit-tracing/core';

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

// Express gives every app its own request and response prototypes (`app.request`/`app.response`, its extension
// point) and swaps them into each request; adding properties to such objects is slow, so a request gets one
// property, its tracing state, and everything else (req.span, req.traceId, req.route, the emitter binding) is
// defined once on the app's request prototype.
const STATE = Symbol('audit-tracing.express');
interface RequestState {
  serverSpan: ServerSpan<ExpressRequest>;
  route: { path?: unknown } | undefined;
  template: string | undefined;
}
interface TracedRequest extends ExpressRequest {
  [STATE]?: RequestState;
  app?: { request?: object; response?: object };
}

// Express sets `req.route` when a route matches, while `req.baseUrl` still holds the mount path of the router it
// matched in; leaving that router (an error on its way to an app-level handler) resets `baseUrl`. So the template
// is taken at that moment, through an accessor, rather than when the response ends.
const ROUTE = Symbol('audit-tracing.express.untracedRoute');
function getRoute(this: TracedRequest & { [ROUTE]?: unknown }): { path?: unknown } | undefined {
  const state = this[STATE];
  return state ? state.route : (this[ROUTE] as { path?: unknown } | undefined);
}
function setRoute(this: TracedRequest & { [ROUTE]?: unknown }, route: { path?: unknown } | undefined): void {
  const state = this[STATE];
  if (state === undefined) {
    this[ROUTE] = route; // an ignored request: behave as the plain property would
    return;
  }
  state.route = route;
  const path = route?.path;
  if (typeof path !== 'string') return;
  const base = this.baseUrl ?? '';
  state.template = path === '/' && base !== '' ? base : base + path;
}

function stateful<K extends 'span' | 'traceId'>(key: K): PropertyDescriptor {
  const own = Symbol(`audit-tracing.express.${key}`);
  return {
    configurable: true,
    enumerable: true,
    get(this: TracedRequest & Record<symbol, unknown>) {
      const serverSpan = this[STATE]?.serverSpan;
      if (this[own] !== undefined || serverSpan === undefined) return this[own];
      return key === 'span' ? serverSpan.span : serverSpan.traceId;
    },
    set(this: TracedRequest & Record<symbol, unknown>, value: unknown) {
      this[own] = value;
    },
  };
}

const REQUEST_PROPERTIES: PropertyDescriptorMap = {
  route: { configurable: true, enumerable: true, get: getRoute, set: setRoute },
  span: stateful('span'),
  traceId: stateful('traceId'),
};

function spanOfRequest(req: object): Span | undefined {
  return (req as TracedRequest)[STATE]?.serverSpan.span;
}

const prepared = new WeakSet<object>();
/** Defines the accessors and binds the request emitter on the app's prototype; false when `req` has none of its own. */
function prepareApp(req: TracedRequest): boolean {
  const requestPrototype = Object.getPrototypeOf(req) as object | null;
  if (requestPrototype !== null && prepared.has(requestPrototype)) return true;
  if (requestPrototype === null || requestPrototype !== req.app?.request) return false;
  Object.defineProperties(requestPrototype, REQUEST_PROPERTIES);
  bindEmitterPrototype(requestPrototype, spanOfRequest);
  prepared.add(requestPrototype);
  return true;
}

function expressRoute(req: ExpressRequest): string | undefined {
  return (req as TracedRequest)[STATE]?.template;
}

/**
 * Express 4 and 5 middleware: one server span per request, active in every handler after it.
 * `app.use(auditTracing())` before your routes; add `auditTracingErrorHandler()` after them to record errors
 * handlers throw or pass to `next` with their stack.
 */
export function auditTracing(options?: ExpressTracingOptions): (req: ExpressRequest, res: ServerResponse, next: Next) => void {
  const resolved = resolveServerOptions(options, { component: 'express', route: expressRoute });
  return function auditTracingMiddleware(req: TracedRequest, res, next) {
    const onPrototype = prepareApp(req);
    const serverSpan = startServerSpan(resolved, req, req, res, { bindEmitters: !onPrototype });
    if (serverSpan === undefined) return next();
    req[STATE] = { serverSpan, route: undefined, template: undefined };
    if (!onPrototype) Object.defineProperties(req, REQUEST_PROPERTIES); // not from an Express app: this request only
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
    (req as TracedRequest)[STATE]?.serverSpan.recordError(error);
    next(error);
  };
}
