import type { IncomingMessage } from 'node:http';
import { diag } from '../diag.js';
import { invalidOption, unknownOption } from '../invalidOption.js';
import { compileNameMatcher } from '../matcher.js';
import { AuditTracer } from '../trace/AuditTracer.js';
import { getGlobalTracer } from '../trace/globalTracer.js';
import type { Tracer } from '../trace/Tracer.js';

/** The response header that carries the trace id by default, so a caller can quote it when reporting a problem. */
export const DEFAULT_TRACE_ID_RESPONSE_HEADER = 'x-trace-id';

/** The tag under which an incoming trace id is kept when `trustIncoming` refuses it and a new trace starts. */
export const INCOMING_TRACE_ID_TAG = 'trace.incoming_id';

/**
 * Request headers never copied onto a span, whatever `captureHeaders` asks for: they carry credentials, and spans
 * travel to places credentials must not go.
 */
export const NEVER_CAPTURED_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
  'x-csrf-token',
  'x-xsrf-token',
  'x-amz-security-token',
]);

/**
 * Options every server adapter (`@audit-tracing/express`, `/koa`, `/fastify`) takes. `Req` is the framework's
 * request object: Express's `req`, Koa's `ctx`, Fastify's `request`.
 */
export interface HttpServerTracingOptions<Req = IncomingMessage> {
  /** The tracer to use; default: the global one (`getGlobalTracer()`), configured from the environment. */
  tracer?: Tracer;
  /**
   * Names the service of a tracer made for this adapter (not installed as the global one: `setGlobalTracer` is
   * yours to call); with `tracer`, must match its name.
   */
  serviceName?: string;
  /** Paths (exact, or a RegExp against the path) or a predicate for requests that get no span: health checks. */
  ignore?: ReadonlyArray<string | RegExp> | ((request: Req) => boolean);
  /** Names the server span once routing has happened; default `METHOD route-template`, or `METHOD`. */
  spanName?: (request: Req) => string;
  /** Whether to continue a trace from incoming headers (default true). With false the incoming id is kept as a tag. */
  trustIncoming?: boolean | ((request: Req) => boolean);
  /** The response header that carries the trace id (default `x-trace-id`); false for none. */
  responseHeader?: string | false;
  /** Request headers to copy onto the span as `http.request.header.<name>`. Credentials are never copied. */
  captureHeaders?: readonly string[];
  /** Ends the span with status TIMEOUT when no response has ended this many milliseconds after the request came. */
  timeoutMs?: number;
}

/** What an adapter knows about its framework: the span's `component`, and where the route template is. */
export interface HttpServerAdapter<Req> {
  component: string;
  /** The route template (`/users/:id`) once routing has happened; undefined for unmatched requests. */
  route(request: Req): string | undefined;
}

/** Options checked once, at set-up, in the shape the request path reads them. */
export interface ResolvedServerOptions<Req = IncomingMessage> {
  readonly tracer: Tracer;
  readonly component: string;
  readonly route: (request: Req) => string | undefined;
  readonly ignore: ((request: Req, path: string) => boolean) | undefined;
  readonly spanName: ((request: Req) => string) | undefined;
  readonly trustIncoming: boolean | ((request: Req) => boolean);
  readonly responseHeader: string | undefined;
  readonly captureHeaders: readonly string[];
  readonly timeoutMs: number | undefined;
}

// A header name as RFC 9110 §5.6.2 allows it (a token); anything else could never match and is a typo.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'tracer',
  'serviceName',
  'ignore',
  'spanName',
  'trustIncoming',
  'responseHeader',
  'captureHeaders',
  'timeoutMs',
]);

const OWNER = 'auditTracing';

function fail(option: string, expected: string, got: unknown): never {
  throw invalidOption(OWNER, option, expected, got);
}

function resolveTracer(tracer: unknown, serviceName: unknown): Tracer {
  if (serviceName !== undefined && (typeof serviceName !== 'string' || serviceName === '')) fail('serviceName', 'a non-empty string', serviceName);
  if (tracer !== undefined) {
    const candidate = tracer as Partial<Tracer> | null;
    if (candidate === null || typeof candidate !== 'object' || typeof candidate.startSpan !== 'function' || typeof candidate.extractContext !== 'function') {
      fail('tracer', 'an AuditTracer', tracer);
    }
    const own = (candidate as { config?: { serviceName?: string } }).config?.serviceName;
    if (serviceName !== undefined && own !== undefined && own !== serviceName) {
      fail('serviceName', `the tracer's own service name ${JSON.stringify(own)} (or no serviceName: name the service on the tracer)`, serviceName);
    }
    return candidate as Tracer;
  }
  if (serviceName === undefined) return getGlobalTracer();
  // A tracer of its own, and no process-wide change: spans started inside requests (the `trace` decorator, the
  // fetch instrumentation) find this tracer through the active span.
  return new AuditTracer({ serviceName: serviceName as string });
}

function resolveIgnore<Req>(ignore: unknown): ResolvedServerOptions<Req>['ignore'] {
  if (ignore === undefined) return undefined;
  if (typeof ignore === 'function') {
    const predicate = ignore as (request: Req) => boolean;
    return function ignoredByPredicate(request) {
      return predicate(request) === true;
    };
  }
  if (!Array.isArray(ignore)) fail('ignore', 'an array of paths or a function', ignore);
  const matches = compileNameMatcher(ignore as unknown[], OWNER, 'ignore');
  if (matches === undefined) return undefined;
  return function ignoredByPath(_request, path) {
    return matches(path);
  };
}

function resolveCaptureHeaders(captureHeaders: unknown): string[] {
  if (captureHeaders === undefined) return [];
  if (!Array.isArray(captureHeaders)) fail('captureHeaders', 'an array of header names', captureHeaders);
  const names: string[] = [];
  for (const entry of captureHeaders as unknown[]) {
    if (typeof entry !== 'string' || !HEADER_NAME.test(entry.toLowerCase())) fail('captureHeaders', 'an array of header names', entry);
    const name = entry.toLowerCase();
    if (NEVER_CAPTURED_HEADERS.has(name)) {
      diag.warn(`auditTracing: captureHeaders asks for ${JSON.stringify(name)}, which carries credentials and is never captured`);
    } else if (!names.includes(name)) {
      names.push(name);
    }
  }
  return names;
}

/**
 * Checks an adapter's options once, at set-up: anything wrong throws a TypeError naming the option and what it
 * got. The request path then never validates anything.
 */
export function resolveServerOptions<Req>(options: HttpServerTracingOptions<Req> | undefined, adapter: HttpServerAdapter<Req>): ResolvedServerOptions<Req> {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw invalidOption(OWNER, '', 'an options object', options);
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw unknownOption(OWNER, key, KNOWN_OPTIONS);
  }
  const { spanName, trustIncoming = true, responseHeader = DEFAULT_TRACE_ID_RESPONSE_HEADER, timeoutMs } = options;
  if (spanName !== undefined && typeof spanName !== 'function') fail('spanName', 'a function', spanName);
  if (typeof trustIncoming !== 'boolean' && typeof trustIncoming !== 'function') fail('trustIncoming', 'a boolean or a function', trustIncoming);
  if (responseHeader !== false && (typeof responseHeader !== 'string' || !HEADER_NAME.test(responseHeader.toLowerCase()))) {
    fail('responseHeader', 'a header name or false', responseHeader);
  }
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs <= 0)) {
    fail('timeoutMs', 'a whole number of milliseconds > 0', timeoutMs);
  }
  return {
    tracer: resolveTracer(options.tracer, options.serviceName),
    component: adapter.component,
    route: adapter.route,
    ignore: resolveIgnore<Req>(options.ignore),
    spanName,
    trustIncoming,
    responseHeader: responseHeader === false ? undefined : responseHeader.toLowerCase(),
    captureHeaders: resolveCaptureHeaders(options.captureHeaders),
    timeoutMs,
  };
}
