import type { IncomingMessage, ServerResponse } from 'node:http';
import { bindEmitter } from '../context/global.js';
import { diag } from '../diag.js';
import { NodeHeaders } from '../propagation/headers.js';
import { ServerSpan } from './ServerSpan.js';
import { INCOMING_TRACE_ID_TAG, type ResolvedServerOptions } from './serverOptions.js';
import { OTHER_METHOD, requestPath, semconvMethod, setServerRequestTags } from './serverRequestTags.js';

function trusts<Req>(options: ResolvedServerOptions<Req>, request: Req): boolean {
  const { trustIncoming } = options;
  if (typeof trustIncoming === 'boolean') return trustIncoming;
  try {
    return trustIncoming(request) === true;
  } catch (error) {
    diag.warnOnce(`${options.component}.trustIncoming`, `auditTracing: trustIncoming threw, incoming trace ids are not trusted: ${String(error)}`);
    return false;
  }
}

function ignores<Req>(options: ResolvedServerOptions<Req>, request: Req, path: string): boolean {
  if (options.ignore === undefined) return false;
  try {
    return options.ignore(request, path);
  } catch (error) {
    diag.warnOnce(`${options.component}.ignore`, `auditTracing: ignore threw, the request is traced: ${String(error)}`);
    return false;
  }
}

/**
 * Starts the server span of an incoming request, or returns undefined when `ignore` excludes it. Continues the
 * trace of the incoming headers when trusted, else starts a new one (sampling applies); writes the trace id
 * response header; binds the request's and response's event emitters to the span; and ends the span exactly
 * once, when the response finishes or closes, or `timeoutMs` passes.
 *
 * The caller runs the handlers inside `withSpan(serverSpan.span, …)` and reports handler errors through
 * `serverSpan.recordError`. `request` is the framework's own request object, handed to the user's callbacks.
 */
export function startServerSpan<Req>(
  options: ResolvedServerOptions<Req>,
  request: Req,
  req: IncomingMessage,
  res: ServerResponse,
  { bindEmitters = true }: { bindEmitters?: boolean } = {},
): ServerSpan<Req> | undefined {
  const path = requestPath((req as { originalUrl?: string }).originalUrl ?? req.url);
  if (ignores(options, request, path)) return undefined;
  const { tracer } = options;
  const incoming = tracer.extractContext(new NodeHeaders(req.headers));
  const trusted = incoming !== null && trusts(options, request);
  const method = semconvMethod(req.method);
  // null, never the active span: a server span's parent is the caller, not whatever context the socket was opened in.
  const span = tracer.startSpan(method === OTHER_METHOD ? 'HTTP' : method, trusted ? incoming : null, {
    kind: 'server',
    component: options.component,
  });
  // Tags are read only when the span records: an unsampled request builds none.
  if (span.isRecording()) {
    setServerRequestTags(span, req, path, options.captureHeaders);
    if (incoming !== null && !trusted) span.setTag(INCOMING_TRACE_ID_TAG, incoming.correlationId ?? incoming.traceId);
  }
  if (options.responseHeader !== undefined && !res.headersSent) res.setHeader(options.responseHeader, span.traceId);
  const serverSpan = new ServerSpan(span, request, res, options, method);
  // The request's events (body parsers, handlers reading the stream) run with the request's span: they come from
  // the socket, whose async context is the connection's, not the request's. The response needs no binding: its
  // events follow writes made inside the request, and AsyncLocalStorage carries the span to them.
  // (An adapter that binds per prototype instead, as Express's does, passes bindEmitters: false.)
  if (bindEmitters) bindEmitter(req, span);
  return serverSpan;
}
