// Names and values from the OpenTelemetry specifications, written once for every package.
// The model is OpenTelemetry JS's `sdk-trace/src/semconv.ts`: a constant per name, the link beside it.

// https://opentelemetry.io/docs/specs/semconv/http/http-spans/
export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
export const ATTR_HTTP_REQUEST_METHOD_ORIGINAL = 'http.request.method_original';
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const ATTR_HTTP_ROUTE = 'http.route';
/** Followed by the lowercase header name. */
export const ATTR_HTTP_REQUEST_HEADER_PREFIX = 'http.request.header.';
// https://opentelemetry.io/docs/specs/semconv/attributes-registry/url/
export const ATTR_URL_FULL = 'url.full';
export const ATTR_URL_PATH = 'url.path';
/** The query without its `?`; sensitive values are redacted (core's redaction). */
export const ATTR_URL_QUERY = 'url.query';
export const ATTR_URL_SCHEME = 'url.scheme';
// https://opentelemetry.io/docs/specs/semconv/attributes-registry/server/ and …/client/
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_CLIENT_ADDRESS = 'client.address';
export const ATTR_USER_AGENT_ORIGINAL = 'user_agent.original';
export const ATTR_NETWORK_PROTOCOL_VERSION = 'network.protocol.version';
// https://opentelemetry.io/docs/specs/semconv/attributes-registry/error/
export const ATTR_ERROR_TYPE = 'error.type';
/** Not a semantic convention: the stack of an error recorded with `recordError`, in the error log's fields. */
export const ATTR_ERROR_STACK = 'error.stack';
// https://opentelemetry.io/docs/specs/semconv/exceptions/exceptions-spans/ — an `exception` event's attributes.
export const EVENT_EXCEPTION = 'exception';
export const ATTR_EXCEPTION_TYPE = 'exception.type';
export const ATTR_EXCEPTION_MESSAGE = 'exception.message';
export const ATTR_EXCEPTION_STACKTRACE = 'exception.stacktrace';
// https://opentelemetry.io/docs/specs/otel/common/mapping-to-non-otlp/#instrumentationscope — the scope as tags, for
// formats without one (Zipkin).
export const ATTR_OTEL_SCOPE_NAME = 'otel.scope.name';
export const ATTR_OTEL_SCOPE_VERSION = 'otel.scope.version';
/** `error.type` when nothing better is known, and the method of a request with an unknown method. */
export const VALUE_OTHER = '_OTHER';
// https://opentelemetry.io/docs/specs/semconv/resource/
export const ATTR_SERVICE_NAME = 'service.name';
export const ATTR_SERVICE_VERSION = 'service.version';
export const ATTR_DEPLOYMENT_ENVIRONMENT_NAME = 'deployment.environment.name';
export const ATTR_TELEMETRY_SDK_NAME = 'telemetry.sdk.name';
export const ATTR_TELEMETRY_SDK_LANGUAGE = 'telemetry.sdk.language';
export const ATTR_TELEMETRY_SDK_VERSION = 'telemetry.sdk.version';

/**
 * What stands in for a value that must not be exported or printed: query values in `url.full`, credentials in
 * messages. The semantic conventions' own spelling.
 * https://opentelemetry.io/docs/specs/semconv/http/http-spans/#http-client-span (url.full)
 */
export const REDACTED = 'REDACTED';

/**
 * Whether an HTTP status makes the span an error: 5xx for a server span, 4xx and 5xx for a client span (a 4xx is
 * the client's fault, not the server's). https://opentelemetry.io/docs/specs/semconv/http/http-spans/#status
 */
export function isHttpErrorStatus(statusCode: number, kind: 'server' | 'client'): boolean {
  return statusCode >= (kind === 'server' ? 500 : 400);
}

/**
 * `<endpoint><path>`, without doubling a slash or the path itself: `http://c:4318/` + `/v1/traces`. The OTLP
 * per-signal path and Zipkin's `/api/v2/spans` are joined the same way.
 * https://opentelemetry.io/docs/specs/otel/protocol/exporter/#endpoint-urls-for-otlphttp
 */
export function signalUrl(endpoint: string, path: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith(path) ? base : `${base}${path}`;
}

// A 64-bit trace id is widened to 128 bits by left-padding with zeros, as Zipkin and OpenTelemetry do.
// https://github.com/openzipkin/b3-propagation#traceid-1
const TRACE_ID_64_PADDING = '0000000000000000';

/** A 16- or 32-hex-character trace id as the 32 characters W3C and OTLP carry. */
export function widenTraceId(traceId: string): string {
  return traceId.length === 16 ? TRACE_ID_64_PADDING + traceId : traceId;
}
