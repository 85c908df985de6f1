import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  getActiveSpan,
  isHttpErrorStatus,
  isTracingSuppressed,
  recordError,
  VALUE_OTHER,
  type HeaderCarrier,
  type Span,
} from '@audit-tracing/core';
import type { OutboundRequest, ResolvedOptions } from './options.js';
import { fullUrl, serverPort } from './url.js';

const ABORT_CODES: ReadonlySet<unknown> = new Set(['UND_ERR_ABORTED', 'ABORT_ERR', 20]);
const TIMEOUT_CODES: ReadonlySet<unknown> = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT', 23]);

/**
 * The client span of one outbound request, whatever made it (channel, interceptor, http wrapper). It owns the
 * rule that a request's span ends exactly once: on the end of the response body, or on the first failure.
 */
export class ClientSpan {
  private ended = false;

  private constructor(
    readonly span: Span,
    private readonly onEnd: (() => void) | undefined,
  ) {}

  /**
   * Starts the span for `request` in the current context and writes trace headers into `carrier` when the
   * target may receive them. Returns undefined when the request is not traced: tracing is suppressed (our own
   * exporters), or no span is active and `root` is off.
   */
  static start(options: ResolvedOptions, request: OutboundRequest, component: string, carrier: HeaderCarrier | undefined, onEnd?: () => void): ClientSpan | undefined {
    if (isTracingSuppressed()) return undefined;
    const parent = getActiveSpan();
    if (parent === undefined && !options.root) return undefined;
    const tags: Record<string, string | number> = { [ATTR_HTTP_REQUEST_METHOD]: request.method };
    const url = request.url;
    if (url) {
      tags[ATTR_URL_FULL] = fullUrl(url, options.redactQuery);
      tags[ATTR_SERVER_ADDRESS] = url.hostname;
      const port = serverPort(url);
      if (port !== undefined) tags[ATTR_SERVER_PORT] = port;
    }
    const tracer = options.tracerFor(parent);
    const span = tracer.startSpan(options.spanName(request), parent ?? null, { kind: 'client', component, tags });
    if (carrier !== undefined && options.mayPropagate(url)) tracer.injectHeaders(span, carrier);
    return new ClientSpan(span, onEnd);
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** The response head arrived. May be called again (redirect hops inside one dispatch, 1xx); the last wins. */
  response(statusCode: number): void {
    if (this.ended) return;
    this.span.setTag(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
    // A 4xx is an error for the client that got it. https://opentelemetry.io/docs/specs/semconv/http/http-spans/#status
    if (isHttpErrorStatus(statusCode, 'client')) {
      this.span.setTag(ATTR_ERROR_TYPE, String(statusCode));
      this.span.setStatus('ERROR', `HTTP ${statusCode}`);
    }
  }

  /** The response is complete. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.span.finish();
    this.onEnd?.();
  }

  /** The request failed: CANCELLED when aborted, TIMEOUT when a deadline passed, ERROR otherwise. */
  fail(error: unknown): void {
    if (this.ended) return;
    const { name, code } = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; code?: unknown };
    if (name === 'AbortError' || ABORT_CODES.has(code)) {
      this.span.setStatus('CANCELLED', error instanceof Error ? error.message : undefined);
    } else {
      recordError(this.span, error);
      if (name === 'TimeoutError' || TIMEOUT_CODES.has(code)) this.span.setStatus('TIMEOUT', error instanceof Error ? error.message : undefined);
    }
    this.span.setTag(ATTR_ERROR_TYPE, typeof code === 'string' ? code : typeof name === 'string' ? name : VALUE_OTHER);
    this.end();
  }
}
