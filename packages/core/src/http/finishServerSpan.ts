import { recordError } from '../trace/runInSpan.js';
import { ATTR_ERROR_TYPE, ATTR_HTTP_RESPONSE_STATUS_CODE, isHttpErrorStatus } from '../semconv.js';
import type { Span } from '../types.js';

/**
 * The HTTP status a thrown error asks for, as http-errors, Koa's `ctx.throw` and Fastify set it (`status` or
 * `statusCode`); undefined when it carries none.
 */
export function errorStatusCode(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  return typeof code === 'number' && Number.isInteger(code) && code >= 100 && code <= 999 ? code : undefined;
}

/**
 * Sets the outcome of a server span and ends it. 5xx is ERROR; 4xx is the client's fault and leaves the span OK
 * (https://opentelemetry.io/docs/specs/semconv/http/http-spans/#status). A handler error is ERROR with an error
 * log holding type, message and stack, unless it carries a 4xx status itself (a validation error, a
 * `ctx.throw(404)`), which is logged as a warning instead.
 */
export function finishServerSpan(span: Span, statusCode: number | undefined, error?: unknown): void {
  if (statusCode !== undefined) span.setTag(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
  if (error !== undefined) {
    const asked = errorStatusCode(error);
    if (asked !== undefined && !isHttpErrorStatus(asked, 'server') && (statusCode === undefined || !isHttpErrorStatus(statusCode, 'server'))) {
      const err = error as Error;
      span.log('warn', String(err.message), { [ATTR_ERROR_TYPE]: err.name });
    } else {
      recordError(span, error);
      span.setTag(ATTR_ERROR_TYPE, error instanceof Error ? error.name : typeof error);
    }
  } else if (statusCode !== undefined && isHttpErrorStatus(statusCode, 'server')) {
    // https://opentelemetry.io/docs/specs/semconv/http/http-spans/#status — no description for a status code alone
    span.setStatus('ERROR');
    span.setTag(ATTR_ERROR_TYPE, String(statusCode));
  }
  span.finish();
}
