import type { IncomingMessage } from 'node:http';
import type { Tags } from '../types.js';

// https://opentelemetry.io/docs/specs/semconv/http/http-spans/#common-attributes — methods outside this set are
// reported as `_OTHER`, with the original in `http.request.method_original`, so a client cannot mint span names.
const KNOWN_METHODS: ReadonlySet<string> = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE']);
export const OTHER_METHOD = '_OTHER';

/** The request method as the semantic conventions report it: a known method, or `_OTHER`. */
export function semconvMethod(method: string | undefined): string {
  return method !== undefined && KNOWN_METHODS.has(method) ? method : OTHER_METHOD;
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
export function serverRequestTags(req: IncomingMessage, path: string, captureHeaders: readonly string[], tags: Tags = {}): Tags {
  const socket = req.socket as (IncomingMessage['socket'] & { encrypted?: boolean }) | undefined;
  const scheme = socket?.encrypted === true ? 'https' : 'http';
  const method = semconvMethod(req.method);
  tags['http.request.method'] = method;
  tags['url.path'] = path;
  tags['url.scheme'] = scheme;
  tags['network.protocol.version'] = req.httpVersion;
  if (method === OTHER_METHOD) tags['http.request.method_original'] = req.method;
  const host = req.headers.host;
  if (host) {
    const [address, port] = splitHost(host);
    tags['server.address'] = address;
    tags['server.port'] = port ?? (scheme === 'https' ? 443 : 80);
  } else if (socket?.localAddress !== undefined) {
    tags['server.address'] = socket.localAddress;
    tags['server.port'] = socket.localPort;
  }
  if (socket?.remoteAddress !== undefined) tags['client.address'] = socket.remoteAddress;
  const userAgent = req.headers['user-agent'];
  if (userAgent !== undefined) tags['user_agent.original'] = userAgent;
  for (const name of captureHeaders) {
    const value = req.headers[name];
    if (value !== undefined) tags[`http.request.header.${name}`] = Array.isArray(value) ? value : [value];
  }
  return tags;
}
