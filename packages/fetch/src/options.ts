import { diag, getGlobalTracer, type AuditTracer, type Span } from '@audit-tracing/core';

/** The part of a tracer this package uses. An `AuditTracer` is one. */
export type ClientTracer = Pick<AuditTracer, 'startSpan' | 'injectHeaders'>;

/** An outbound request as `spanName` and the span see it. */
export interface OutboundRequest {
  /** Upper-case method. */
  readonly method: string;
  /** The target; undefined when it cannot be known (a bare `Pool#dispatch` without `origin`, through the interceptor). */
  readonly url: URL | undefined;
}

/** Hosts (`'api.internal'` or `'api.internal:8443'`), regular expressions tested on host, or a predicate. */
export type PropagateTo = string | RegExp | ReadonlyArray<string | RegExp> | ((url: URL) => boolean);

/** Options shared by `instrumentFetch`, `tracingInterceptor` and `instrumentHttpClient`. */
export interface FetchTracingOptions {
  /**
   * The tracer client spans belong to, or a function choosing one from the active span (several services in
   * one process, each with its own tracer). Default: `getGlobalTracer()`, looked up per request.
   */
  tracer?: ClientTracer | ((parent: Span | undefined) => ClientTracer);
  /** Where trace headers may be sent. Default: everywhere. Requests elsewhere still get a client span. */
  propagateTo?: PropagateTo;
  /** Span name. Default `METHOD hostname`, the method alone when the host is unknown. */
  spanName?: (request: OutboundRequest) => string;
  /** Start a new trace for a request made while no span is active. Default false: such requests are left alone. */
  root?: boolean;
  /** Replace query values in `url.full` with `REDACTED`. Default true. */
  redactQuery?: boolean;
}

/** Code carried by the TypeError thrown for invalid options, at install or composition, never per request. */
export const ERR_INVALID_OPTION = 'AUDIT_TRACING_ERR_INVALID_OPTION';

/** Options checked once and turned into the functions the request path calls. */
export interface ResolvedOptions {
  tracerFor(parent: Span | undefined): ClientTracer;
  mayPropagate(url: URL | undefined): boolean;
  spanName(request: OutboundRequest): string;
  readonly root: boolean;
  readonly redactQuery: boolean;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['tracer', 'propagateTo', 'spanName', 'root', 'redactQuery']);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}

function invalid(owner: string, option: string, expected: string, got: unknown): TypeError {
  const error = new TypeError(`${owner}: option "${option}": expected ${expected}, got ${describe(got)}`) as TypeError & { code: string };
  error.code = ERR_INVALID_OPTION;
  return error;
}

function isTracer(value: unknown): value is ClientTracer {
  return typeof value === 'object' && value !== null && typeof (value as ClientTracer).startSpan === 'function' && typeof (value as ClientTracer).injectHeaders === 'function';
}

/** Validates `options` for `owner` (the function being set up) and resolves defaults. Throws a coded TypeError. */
export function resolveOptions(options: FetchTracingOptions | undefined, owner: string): ResolvedOptions {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') throw invalid(owner, 'options', 'an options object', options);
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw invalid(owner, key, `one of ${[...KNOWN_OPTIONS].join(', ')}`, 'an unknown option');
  }
  const { tracer, propagateTo, spanName, root = false, redactQuery = true } = options;
  if (tracer !== undefined && typeof tracer !== 'function' && !isTracer(tracer)) {
    throw invalid(owner, 'tracer', 'an AuditTracer or a function returning one', tracer);
  }
  if (spanName !== undefined && typeof spanName !== 'function') throw invalid(owner, 'spanName', 'a function', spanName);
  if (typeof root !== 'boolean') throw invalid(owner, 'root', 'a boolean', root);
  if (typeof redactQuery !== 'boolean') throw invalid(owner, 'redactQuery', 'a boolean', redactQuery);
  return {
    tracerFor: tracerChooser(tracer, owner),
    mayPropagate: propagationMatcher(propagateTo, owner),
    spanName: spanName === undefined ? defaultSpanName : guardedSpanName(spanName, owner),
    root,
    redactQuery,
  };
}

function defaultSpanName(request: OutboundRequest): string {
  return request.url ? `${request.method} ${request.url.hostname}` : request.method;
}

function guardedSpanName(spanName: (request: OutboundRequest) => string, owner: string): (request: OutboundRequest) => string {
  return function namedByOption(request) {
    try {
      const name = spanName(request);
      if (typeof name === 'string' && name !== '') return name;
    } catch (error) {
      diag.warnOnce(`${owner}.spanName`, `${owner}: spanName threw (${String(error)}); the default name is used`);
    }
    return defaultSpanName(request);
  };
}

function tracerChooser(tracer: FetchTracingOptions['tracer'], owner: string): (parent: Span | undefined) => ClientTracer {
  if (tracer === undefined) return getGlobalTracer;
  if (typeof tracer !== 'function') {
    return function configuredTracer() {
      return tracer;
    };
  }
  return function tracerByOption(parent) {
    try {
      const chosen = tracer(parent);
      if (isTracer(chosen)) return chosen;
      diag.warnOnce(`${owner}.tracer`, `${owner}: the tracer function returned ${describe(chosen)}; the global tracer is used`);
    } catch (error) {
      diag.warnOnce(`${owner}.tracer`, `${owner}: the tracer function threw (${String(error)}); the global tracer is used`);
    }
    return getGlobalTracer();
  };
}

// Flags that make RegExp#test stateful would let one request change the answer for the next.
function stateless(pattern: RegExp): RegExp {
  return pattern.global || pattern.sticky ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')) : pattern;
}

function propagationMatcher(propagateTo: PropagateTo | undefined, owner: string): (url: URL | undefined) => boolean {
  if (propagateTo === undefined) {
    return function propagateEverywhere() {
      return true;
    };
  }
  if (typeof propagateTo === 'function') {
    return function propagateToByOption(url) {
      if (url === undefined) return false;
      try {
        return propagateTo(url) === true;
      } catch (error) {
        diag.warnOnce(`${owner}.propagateTo`, `${owner}: propagateTo threw (${String(error)}); no trace headers were sent`);
        return false;
      }
    };
  }
  const entries = Array.isArray(propagateTo) ? propagateTo : [propagateTo];
  const hosts = new Set<string>();
  const patterns: RegExp[] = [];
  for (const entry of entries as unknown[]) {
    if (typeof entry === 'string' && entry !== '') hosts.add(entry.toLowerCase());
    else if (entry instanceof RegExp) patterns.push(stateless(entry));
    else throw invalid(owner, 'propagateTo', 'host names, regular expressions, an array of them, or a function', entry);
  }
  // A host with an unknown target is never trusted: headers go only where the list says.
  return function propagateToListed(url) {
    if (url === undefined) return false;
    const hostname = url.hostname.toLowerCase();
    const host = url.host.toLowerCase();
    if (hosts.has(hostname) || hosts.has(host)) return true;
    for (const pattern of patterns) if (pattern.test(hostname) || pattern.test(host)) return true;
    return false;
  };
}
