import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import http from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import type { HeaderCarrier } from '@audit-tracing/core';
import { diag } from '@audit-tracing/core';
import { ClientSpan } from './ClientSpan.js';
import type { Instrumentation } from './Instrumentation.js';
import { resolveOptions, type FetchTracingOptions } from './options.js';

// https://nodejs.org/docs/latest-v20.x/api/diagnostics_channel.html#http
const REQUEST_ERROR = 'http.client.request.error';
const RESPONSE_FINISH = 'http.client.response.finish';

type RequestFunction = typeof http.request;
type HttpModule = { request: RequestFunction; get: RequestFunction };

interface Patched {
  module: HttpModule;
  request: RequestFunction;
  get: RequestFunction;
  originalRequest: RequestFunction;
  originalGet: RequestFunction;
}

let installed: Instrumentation | undefined;

/** The port Node itself will connect to, from the same arguments `http.request` takes. */
function portOf(args: unknown[], request: http.ClientRequest, protocol: string): number {
  let port: unknown;
  const [first, second] = args;
  if (typeof first === 'string' || first instanceof URL) {
    try {
      port = new URL(first).port;
    } catch {
      // Node rejected it already if it mattered
    }
    if (second !== null && typeof second === 'object') port = (second as http.RequestOptions).port || (second as http.RequestOptions).defaultPort || port;
  } else if (first !== null && typeof first === 'object') {
    port = (first as http.RequestOptions).port || (first as http.RequestOptions).defaultPort;
  }
  const agentPort = (request as { agent?: { defaultPort?: unknown } }).agent?.defaultPort;
  return Number(port) || (typeof agentPort === 'number' ? agentPort : protocol === 'https:' ? 443 : 80);
}

function describe(args: unknown[], request: http.ClientRequest): URL | undefined {
  try {
    const protocol = request.protocol || 'http:';
    const host = request.host.includes(':') && !request.host.startsWith('[') ? `[${request.host}]` : request.host;
    return new URL(`${protocol}//${host}:${portOf(args, request, protocol)}${request.path}`);
  } catch {
    return undefined;
  }
}

function requestCarrier(request: http.ClientRequest): HeaderCarrier {
  return {
    has: (name) => request.hasHeader(name),
    set(name, value) {
      if (!request.headersSent) request.setHeader(name, value);
    },
  };
}

/**
 * Traces Node's `http`/`https` client (`request` and `get`): a client span per request made while a span is
 * active, and trace headers on it.
 *
 * Why this wraps `request` and `get` instead of only listening: on Node 20 the `http.client.request.start`
 * channel is published from `_finish`, after the headers have gone out (and `http.get` sends them before it
 * returns), so a listener cannot add a header; `http.client.request.created` only exists from Node 22. The
 * wrappers call the original and add headers to the `ClientRequest` before anything is written; `get` is
 * re-implemented as Node does it, `request` then `end`. The outcome comes from the channels, which add no
 * `response`/`error` listener (either would change what Node does with an unread response or an error).
 * A request created with an array of raw headers has sent them already; it gets a span but no headers.
 * ESM named imports (`import { request } from 'node:http'`) are kept in step with `syncBuiltinESMExports`.
 */
export function instrumentHttpClient(options?: FetchTracingOptions): Instrumentation {
  const resolved = resolveOptions(options, 'instrumentHttpClient');
  if (installed !== undefined) {
    if (options !== undefined) diag.warnOnce('instrumentHttpClient.twice', 'instrumentHttpClient: already installed; the options of the first installation stay in effect');
    return installed;
  }

  const spans = new WeakMap<http.ClientRequest, ClientSpan>();
  let active = true;
  let inFlight = 0;

  function track(args: unknown[], request: http.ClientRequest): void {
    if (!active) return;
    try {
      const described = { method: String(request.method).toUpperCase(), url: describe(args, request) };
      const clientSpan = ClientSpan.start(resolved, described, 'http', requestCarrier(request), settled);
      if (clientSpan === undefined) return;
      spans.set(request, clientSpan);
      inFlight++;
      request.once('close', function endClientSpanOnClose() {
        // Destroyed before any response, without an error (an error is reported through the channel first).
        if (!clientSpan.isEnded && (request as { res?: unknown }).res == null) clientSpan.fail(Object.assign(new Error('request closed before a response'), { name: 'AbortError' }));
      });
    } catch (error) {
      diag.warnOnce('instrumentHttpClient.track', `instrumentHttpClient: could not trace a request (${String(error)})`);
    }
  }

  const onResponse = function onHttpClientResponse(message: unknown): void {
    const { request, response } = message as { request: http.ClientRequest; response: http.IncomingMessage };
    const clientSpan = spans.get(request);
    if (clientSpan === undefined) return;
    clientSpan.response(response.statusCode ?? 0);
    // 'end' fires when the body has been read (or dumped by Node when nobody listens), 'close' also on abort.
    response.once('end', function endClientSpan() {
      clientSpan.end();
    });
    response.once('close', function endClientSpanOnResponseClose() {
      if (!response.complete) clientSpan.fail(Object.assign(new Error('response aborted'), { name: 'AbortError' }));
      else clientSpan.end();
    });
  };
  const onError = function onHttpClientError(message: unknown): void {
    const { request, error } = message as { request: http.ClientRequest; error: unknown };
    spans.get(request)?.fail(error);
  };

  function settled(): void {
    inFlight--;
    if (!active && inFlight === 0) stopListening();
  }
  function stopListening(): void {
    unsubscribe(RESPONSE_FINISH, onResponse);
    unsubscribe(REQUEST_ERROR, onError);
  }

  const patched = [patch(http as unknown as HttpModule, track), patch(https as unknown as HttpModule, track)];
  syncBuiltinESMExports();
  subscribe(RESPONSE_FINISH, onResponse);
  subscribe(REQUEST_ERROR, onError);

  const handle: Instrumentation = {
    uninstall() {
      if (!active) return;
      active = false;
      installed = undefined;
      for (const p of patched) {
        // Someone who wrapped on top of us keeps their wrapper; ours then only passes calls through.
        if (p.module.request === p.request) p.module.request = p.originalRequest;
        if (p.module.get === p.get) p.module.get = p.originalGet;
      }
      syncBuiltinESMExports();
      // Requests already traced keep their listeners until they settle, so no span is left open.
      if (inFlight === 0) stopListening();
    },
  };
  installed = handle;
  return handle;
}

function patch(module: HttpModule, track: (args: unknown[], request: http.ClientRequest) => void): Patched {
  const originalRequest = module.request;
  const originalGet = module.get;
  const request = function request(this: unknown, ...args: unknown[]): http.ClientRequest {
    const clientRequest = (originalRequest as (...a: unknown[]) => http.ClientRequest).apply(this, args);
    track(args, clientRequest);
    return clientRequest;
  } as RequestFunction;
  const get = function get(this: unknown, ...args: unknown[]): http.ClientRequest {
    const clientRequest = (request as (...a: unknown[]) => http.ClientRequest).apply(this, args);
    clientRequest.end();
    return clientRequest;
  } as RequestFunction;
  module.request = request;
  module.get = get;
  return { module, request, get, originalRequest, originalGet };
}
