import type { ServerResponse } from 'node:http';
import { diag } from '../diag.js';
import { ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE, VALUE_OTHER } from '../semconv.js';
import type { Span } from '../types.js';
import { finishServerSpan } from './finishServerSpan.js';
import type { ResolvedServerOptions } from './serverOptions.js';

/** Why a server span ended: the response was sent, the client went away first, or `timeoutMs` passed. */
export type ServerSpanOutcome = 'finish' | 'cancelled' | 'timeout';

function onServerSpanTimeout(serverSpan: ServerSpan<unknown>): void {
  serverSpan.end('timeout');
}

/**
 * The server span of one request, tied to its response: it ends exactly once, when the response finishes, the
 * connection closes first, or `timeoutMs` passes. Created by `startServerSpan`.
 */
export class ServerSpan<Req> {
  private error: unknown = undefined;
  private ended = false;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    readonly span: Span,
    private readonly request: Req,
    private readonly res: ServerResponse,
    private readonly options: ResolvedServerOptions<Req>,
    private readonly method: string,
  ) {
    // Two small closures rather than a property on the response: adding properties to a response whose
    // prototype a framework swapped (Express) is slow. `on`, not `once`: end() ignores the second event anyway.
    res.on('finish', this.onResponseFinish);
    res.on('close', this.onResponseClose);
    if (options.timeoutMs !== undefined) {
      this.timer = setTimeout(onServerSpanTimeout, options.timeoutMs, this as unknown as ServerSpan<unknown>);
      this.timer.unref();
    }
  }

  private readonly onResponseFinish = (): void => this.end('finish');
  // In Node 20, 'close' without a finished response means the connection went away first.
  private readonly onResponseClose = (): void => this.end(this.res.writableFinished ? 'finish' : 'cancelled');

  get traceId(): string {
    return this.span.traceId;
  }

  /** Remembers an error a handler threw; it decides the status when the span ends. The first one wins. */
  recordError(error: unknown): void {
    if (this.error !== undefined || this.ended) return;
    this.error = error ?? new Error(`${String(error)} was thrown`);
  }

  /** Ends the span; only the first call counts. */
  end(outcome: ServerSpanOutcome): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const { span, res } = this;
    if (!span.isRecording()) return span.finish();
    this.name();
    if (outcome === 'finish') return finishServerSpan(span, res.statusCode, this.error);
    if (res.headersSent) span.setTag(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
    if (outcome === 'cancelled') span.setStatus('CANCELLED', 'the client closed the connection before the response ended');
    else span.setStatus('TIMEOUT', `no response within ${this.options.timeoutMs} ms`);
    span.finish();
  }

  // Named once routing has happened: `GET /users/:id`, never the raw path with ids in it.
  private name(): void {
    const { span, options, request } = this;
    let route: string | undefined;
    try {
      route = options.route(request);
    } catch (error) {
      diag.warnOnce(`${options.component}.route`, `${options.component}: reading the route failed: ${String(error)}`);
    }
    if (route) span.setTag(ATTR_HTTP_ROUTE, route);
    // https://opentelemetry.io/docs/specs/semconv/http/http-spans/#name — `HTTP` when the method is not known
    const method = this.method === VALUE_OTHER ? 'HTTP' : this.method;
    let name = route ? `${method} ${route}` : method;
    if (options.spanName !== undefined) {
      try {
        const custom = options.spanName(request);
        if (typeof custom === 'string' && custom !== '') name = custom;
      } catch (error) {
        diag.warnOnce(`${options.component}.spanName`, `auditTracing: spanName threw: ${String(error)}`);
      }
    }
    span.setOperationName(name);
  }
}
