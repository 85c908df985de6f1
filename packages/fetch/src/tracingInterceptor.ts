import { diag } from '@audit-tracing/core';
import { rawHeadersHave } from './carriers.js';
import { ClientSpan } from './ClientSpan.js';
import { rememberInjected } from './interceptedHeaders.js';
import { resolveOptions, type FetchTracingOptions, type OutboundRequest, type ResolvedOptions } from './options.js';
import { TracingHandler } from './TracingHandler.js';
import type { DispatchInterceptor, DispatchOptions } from './dispatch.js';
import { requestUrl } from './url.js';

/** The caller's headers as a flat list we may append to; their own object is never modified. */
function headerList(headers: DispatchOptions['headers']): unknown[] {
  if (headers === undefined || headers === null) return [];
  if (Array.isArray(headers)) return headers.slice();
  const list: unknown[] = [];
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [name, value] of headers as Iterable<[string, unknown]>) list.push(name, value);
  } else {
    for (const name of Object.keys(headers)) list.push(name, (headers as Record<string, unknown>)[name]);
  }
  return list;
}

/** Starts the client span of one dispatch and returns the options to dispatch with (headers added, if any). */
function startTracing(resolved: ResolvedOptions, opts: DispatchOptions): { clientSpan: ClientSpan | undefined; next: DispatchOptions } {
  const request: OutboundRequest = { method: String(opts.method).toUpperCase(), url: requestUrl(opts.origin, opts.path) };
  // A copy: the caller's headers object is never modified.
  const list = headerList(opts.headers);
  const added: Record<string, string> = {};
  // Reads the caller's headers and collects ours apart, so we know exactly which lines we wrote.
  const carrier = {
    has: (name: string) => name.toLowerCase() in added || rawHeadersHave(list, name.toLowerCase()),
    set: (name: string, value: string) => void (added[name.toLowerCase()] = value),
  };
  let forget: (() => void) | undefined;
  const clientSpan = ClientSpan.start(resolved, request, 'fetch', carrier, function forgetInjectedOnEnd() {
    forget?.();
  });
  const names = Object.keys(added);
  if (clientSpan === undefined || names.length === 0) return { clientSpan, next: opts };
  for (const name of names) list.push(name, added[name]);
  forget = rememberInjected(added);
  return { clientSpan, next: { ...opts, headers: list as string[] } };
}

/**
 * An undici interceptor that gives every request dispatched through it a client span and trace headers, in
 * the context of the code that dispatched it:
 *
 *     const agent = new Agent().compose(tracingInterceptor({ propagateTo: ['api.internal'] }));
 *
 * Options are checked here, once; a bad one throws a TypeError with `code` `AUDIT_TRACING_ERR_INVALID_OPTION`.
 * When `instrumentFetch()` is also installed, requests that went through the interceptor are not traced twice.
 * Needs undici 7 (its handler API); undici 6 and Node's own fetch are covered by `instrumentFetch()`.
 */
export function tracingInterceptor(options?: FetchTracingOptions): DispatchInterceptor {
  const resolved = resolveOptions(options, 'tracingInterceptor');
  return function tracingInterceptorFactory(dispatch) {
    return function tracingInterceptor(opts, handler) {
      let clientSpan: ClientSpan | undefined;
      let next = opts;
      try {
        ({ clientSpan, next } = startTracing(resolved, opts));
      } catch (error) {
        diag.warnOnce('tracingInterceptor.start', `tracingInterceptor: a request could not be traced and was sent as it was (${String(error)})`);
      }
      if (clientSpan === undefined) return dispatch(opts, handler);
      try {
        return dispatch(next, new TracingHandler(clientSpan, handler));
      } catch (error) {
        clientSpan.fail(error);
        throw error;
      }
    };
  };
}
