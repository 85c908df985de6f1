import { recordError } from '../trace/runInSpan.js';
import type { Span } from '../types.js';

/** The first status code the semantic conventions count as a server error. */
export const FIRST_SERVER_ERROR_STATUS = 500;

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
  if (statusCode !== undefined) span.setTag('http.response.status_code', statusCode);
  if (error !== undefined) {
    const asked = errorStatusCode(error);
    if (asked !== undefined && asked < FIRST_SERVER_ERROR_STATUS && (statusCode === undefined || statusCode < FIRST_SERVER_ERROR_STATUS)) {
      const err = error as Error;
      span.log('warn', String(err.message), { 'error.type': err.name });
    } else {
      recordError(span, error);
      span.setTag('error.type', error instanceof Error ? error.name : typeof error);
    }
  } else if (statusCode !== undefined && statusCode >= FIRST_SERVER_ERROR_STATUS) {
    // https://opentelemetry.io/docs/specs/semconv/http/http-spans/#status — no description for a status code alone
    span.setStatus('ERROR');
    span.setTag('error.type', String(statusCode));
  }
  span.finish();
}
