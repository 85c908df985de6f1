import type { IncomingMessage } from 'node:http';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_HTTP_REQUEST_HEADER_PREFIX,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
  VALUE_OTHER,
} from '../semconv.js';
import type { Span } from '../types.js';

// https://opentelemetry.io/docs/specs/semconv/http/http-spans/#common-attributes — methods outside this set are
// reported as `_OTHER`, with the original in `http.request.method_original`, so a client cannot mint span names.
const KNOWN_METHODS: ReadonlySet<string> = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE']);
export const OTHER_METHOD = VALUE_OTHER;

/** The request method as the semantic conventions report it: a known method, or `_OTHER`. */
export function semconvMethod(method: string | undefined): string {
  return method !== undefined && KNOWN_METHODS.has(method) ? method : OTHER_METHOD;
}

/** The query string of a request target, without the `?`; undefined when there is none. */
export function requestQuery(url: string | undefined): string | undefined {
  const query = url === undefined ? -1 : url.indexOf('?');
  return query === -1 || query === url!.length - 1 ? undefined : url!.slice(query + 1);
}

/** The path of a request target, without its query string. */
export function requestPath(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function splitHost(host: string): [string, number | undefined] {
  // `[::1]:8080` or `example.com:8080` or `example.com`
  const close = host.startsWith('[') ? host.indexOf(']') : -1;
  const colon = host.indexOf(':', close + 1);
  const address = close > 0 ? host.slice(1, close) : colon === -1 ? host : host.slice(0, colon);
  const port = colon === -1 ? undefined : Number(host.slice(colon + 1));
  return [address, port !== undefined && Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined];
}

/**
 * The OpenTelemetry HTTP server attributes known when a request arrives, plus the headers the user chose to capture.
 * https://opentelemetry.io/docs/specs/semconv/http/http-spans/#http-server
 */
export function setServerRequestTags(span: Span, req: IncomingMessage, path: string, captureHeaders: readonly string[]): void {
  const socket = req.socket as (IncomingMessage['socket'] & { encrypted?: boolean }) | undefined;
  const scheme = socket?.encrypted === true ? 'https' : 'http';
  const method = semconvMethod(req.method);
  span.setTag(ATTR_HTTP_REQUEST_METHOD, method);
  span.setTag(ATTR_URL_PATH, path);
  // Conditionally required when present; the tracer's redaction replaces sensitive values (`code=REDACTED&state=x`).
  // https://opentelemetry.io/docs/specs/semconv/http/http-spans/#http-server-semantic-conventions
  const query = requestQuery((req as { originalUrl?: string }).originalUrl ?? req.url);
  if (query !== undefined) span.setTag(ATTR_URL_QUERY, query);
  span.setTag(ATTR_URL_SCHEME, scheme);
  span.setTag(ATTR_NETWORK_PROTOCOL_VERSION, req.httpVersion);
  if (method === OTHER_METHOD) span.setTag(ATTR_HTTP_REQUEST_METHOD_ORIGINAL, req.method);
  const host = req.headers.host;
  if (host) {
    const [address, port] = splitHost(host);
    span.setTag(ATTR_SERVER_ADDRESS, address);
    span.setTag(ATTR_SERVER_PORT, port ?? (scheme === 'https' ? 443 : 80));
  } else if (socket?.localAddress !== undefined) {
    span.setTag(ATTR_SERVER_ADDRESS, socket.localAddress);
    span.setTag(ATTR_SERVER_PORT, socket.localPort);
  }
  if (socket?.remoteAddress !== undefined) span.setTag(ATTR_CLIENT_ADDRESS, socket.remoteAddress);
  const userAgent = req.headers['user-agent'];
  if (userAgent !== undefined) span.setTag(ATTR_USER_AGENT_ORIGINAL, userAgent);
  for (const name of captureHeaders) {
    const value = req.headers[name];
    if (value !== undefined) span.setTag(ATTR_HTTP_REQUEST_HEADER_PREFIX + name, Array.isArray(value) ? value : [value]);
  }
}
