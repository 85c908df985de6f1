import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { diag } from '@audit-tracing/core';
import { inCallerContext } from './callerContext.js';
import { undiciRequestCarrier, type UndiciRequest } from './carriers.js';
import { ClientSpan } from './ClientSpan.js';
import { carriesInjected } from './interceptedHeaders.js';
import type { Instrumentation } from './Instrumentation.js';
import { resolveOptions, type FetchTracingOptions } from './options.js';
import { requestUrl } from './url.js';

// Published by every undici since 5, including the copy inside Node that backs global fetch; channels are
// process-wide by name, so one subscription covers both. https://undici.nodejs.org/#/docs/api/DiagnosticsChannel
const CREATE = 'undici:request:create';
const HEADERS = 'undici:request:headers';
const TRAILERS = 'undici:request:trailers';
const ERROR = 'undici:request:error';

interface RequestMessage {
  request: UndiciRequest;
}
interface HeadersMessage extends RequestMessage {
  response: { statusCode: number };
}
interface ErrorMessage extends RequestMessage {
  error: unknown;
}

let installed: Instrumentation | undefined;

/**
 * Traces outbound requests of Node's global `fetch` and of undici (`fetch`, `request`, `stream`, `pipeline`,
 * `Client`, `Pool`, `Agent`, any dispatcher): a client span per request made while a span is active, child of
 * that span, and trace headers so the server's span is a child of the client span. Works through undici's
 * diagnostics channels: nothing is patched, `fetch` and the global dispatcher stay as they are.
 *
 * Options are checked here and throw a TypeError (`code` `AUDIT_TRACING_ERR_INVALID_OPTION`). Installing again
 * while installed returns the same handle and keeps the first options.
 */
export function instrumentFetch(options?: FetchTracingOptions): Instrumentation {
  const resolved = resolveOptions(options, 'instrumentFetch');
  if (installed !== undefined) {
    if (options !== undefined) diag.warnOnce('instrumentFetch.twice', 'instrumentFetch: already installed; the options of the first installation stay in effect');
    return installed;
  }

  const spans = new WeakMap<object, ClientSpan>();
  let inFlight = 0;
  let uninstalled = false;

  const onCreate = function onUndiciRequestCreate(message: unknown): void {
    const request = (message as RequestMessage).request;
    // A CONNECT opens a proxy tunnel; the request sent through it is traced on its own.
    if (typeof request !== 'object' || request === null || request.method === 'CONNECT') return;
    if (carriesInjected(request.headers)) return;
    // A throw here would reach the process as an uncaught exception (diagnostics_channel re-throws on nextTick).
    try {
      const clientSpan = inCallerContext(request, function startClientSpan() {
        const described = { method: String(request.method).toUpperCase(), url: requestUrl(request.origin, request.path) };
        return ClientSpan.start(resolved, described, 'fetch', undiciRequestCarrier(request), settled);
      });
      if (clientSpan === undefined) return;
      spans.set(request, clientSpan);
      inFlight++;
    } catch (error) {
      diag.warnOnce('instrumentFetch.create', `instrumentFetch: a request could not be traced and was sent as it was (${String(error)})`);
    }
  };
  const onHeaders = function onUndiciResponseHeaders(message: unknown): void {
    const { request, response } = message as HeadersMessage;
    spans.get(request)?.response(response.statusCode);
  };
  // Published when the whole body has been delivered to the reader, or at once for an upgrade.
  const onTrailers = function onUndiciRequestTrailers(message: unknown): void {
    spans.get((message as RequestMessage).request)?.end();
  };
  const onError = function onUndiciRequestError(message: unknown): void {
    const { request, error } = message as ErrorMessage;
    spans.get(request)?.fail(error);
  };

  function settled(): void {
    inFlight--;
    if (uninstalled && inFlight === 0) stopListening();
  }
  function stopListening(): void {
    unsubscribe(HEADERS, onHeaders);
    unsubscribe(TRAILERS, onTrailers);
    unsubscribe(ERROR, onError);
  }

  subscribe(CREATE, onCreate);
  subscribe(HEADERS, onHeaders);
  subscribe(TRAILERS, onTrailers);
  subscribe(ERROR, onError);

  const handle: Instrumentation = {
    uninstall() {
      if (uninstalled) return;
      uninstalled = true;
      installed = undefined;
      unsubscribe(CREATE, onCreate);
      // Requests already traced keep their listeners until they settle, so no span is left open.
      if (inFlight === 0) stopListening();
    },
  };
  installed = handle;
  return handle;
}
