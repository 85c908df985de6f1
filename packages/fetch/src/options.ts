import { compileNameMatcher, describeValue, diag, getGlobalTracer, invalidOption, tracerOf, unknownOption, type AuditTracer, type Span } from '@audit-tracing/core';

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
   * one process, each with its own tracer). Default: the tracer of the active span (the server span's), else
   * `getGlobalTracer()`, looked up per request.
   */
  tracer?: ClientTracer | ((parent: Span | undefined) => ClientTracer);
  /** Where trace headers may be sent. Default: everywhere. Requests elsewhere still get a client span. */
  propagateTo?: PropagateTo;
  /** Span name. Default `METHOD hostname`, the method alone when the host is unknown. */
  spanName?: (request: OutboundRequest) => string;
  /** Start a new trace for a request made while no span is active. Default false: such requests are left alone. */
  root?: boolean;
  /**
   * Replace every query value in `url.full` with `REDACTED`. Default true: a query may carry anything (e-mail
   * addresses, ids). With false, the tracer's redaction still replaces the values of sensitive parameters (`code`,
   * `token`, `sig`, …) and keeps the others.
   */
  redactQuery?: boolean;
}

/** Options checked once and turned into the functions the request path calls. */
export interface ResolvedOptions {
  tracerFor(parent: Span | undefined): ClientTracer;
  mayPropagate(url: URL | undefined): boolean;
  spanName(request: OutboundRequest): string;
  readonly root: boolean;
  readonly redactQuery: boolean;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['tracer', 'propagateTo', 'spanName', 'root', 'redactQuery']);

function isTracer(value: unknown): value is ClientTracer {
  return typeof value === 'object' && value !== null && typeof (value as ClientTracer).startSpan === 'function' && typeof (value as ClientTracer).injectHeaders === 'function';
}

/** Validates `options` for `owner` (the function being set up) and resolves defaults. Throws a coded TypeError. */
export function resolveOptions(options: FetchTracingOptions | undefined, owner: string): ResolvedOptions {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') throw invalidOption(owner, '', 'an options object', options);
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw unknownOption(owner, key, KNOWN_OPTIONS);
  }
  const { tracer, propagateTo, spanName, root = false, redactQuery = true } = options;
  if (tracer !== undefined && typeof tracer !== 'function' && !isTracer(tracer)) {
    throw invalidOption(owner, 'tracer', 'an AuditTracer or a function returning one', tracer);
  }
  if (spanName !== undefined && typeof spanName !== 'function') throw invalidOption(owner, 'spanName', 'a function', spanName);
  if (typeof root !== 'boolean') throw invalidOption(owner, 'root', 'a boolean', root);
  if (typeof redactQuery !== 'boolean') throw invalidOption(owner, 'redactQuery', 'a boolean', redactQuery);
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
  if (tracer === undefined) return tracerOf;
  if (typeof tracer !== 'function') {
    return function configuredTracer() {
      return tracer;
    };
  }
  return function tracerByOption(parent) {
    try {
      const chosen = tracer(parent);
      if (isTracer(chosen)) return chosen;
      diag.warnOnce(`${owner}.tracer`, `${owner}: the tracer function returned ${describeValue(chosen)}; the global tracer is used`);
    } catch (error) {
      diag.warnOnce(`${owner}.tracer`, `${owner}: the tracer function threw (${String(error)}); the global tracer is used`);
    }
    return getGlobalTracer();
  };
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
  if (entries.length === 0) throw invalidOption(owner, 'propagateTo', 'host names, regular expressions, an array of them, or a function', entries);
  // Host names compare without case; patterns are tested on the host name and on host:port.
  const matches = compileNameMatcher(entries, owner, 'propagateTo', { ignoreCase: true })!;
  // A host with an unknown target is never trusted: headers go only where the list says.
  return function propagateToListed(url) {
    if (url === undefined) return false;
    return matches(url.hostname) || matches(url.host);
  };
}
