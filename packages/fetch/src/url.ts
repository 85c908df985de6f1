import { REDACTED } from '@audit-tracing/core';

// https://opentelemetry.io/docs/specs/semconv/http/http-spans/#setting-serveraddress-and-serverport-attributes
const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443 };

/**
 * `url.full` for a span: never the userinfo (credentials must not reach a trace store), never the fragment
 * (it is not sent), and with every query value replaced by `REDACTED` when `redactQuery` is true (the default). Names stay,
 * so `?token=REDACTED&page=REDACTED` still tells what was asked. Encoding is kept as the caller wrote it. The
 * tracer's redaction then replaces the values of sensitive parameters in what is left (`code=REDACTED&state=x`).
 */
export function fullUrl(url: URL, redactQuery: boolean): string {
  let search = url.search;
  if (redactQuery && search.length > 1) {
    search = '?' + search.slice(1).split('&').map(redactPair).join('&');
  }
  return `${url.protocol}//${url.host}${url.pathname}${search}`;
}

function redactPair(pair: string): string {
  const eq = pair.indexOf('=');
  return eq === -1 ? pair : `${pair.slice(0, eq + 1)}${REDACTED}`;
}

/** `server.port`: the explicit port, else the scheme's default. */
export function serverPort(url: URL): number | undefined {
  if (url.port !== '') return Number(url.port);
  return DEFAULT_PORTS[url.protocol];
}

/** Parses `origin` + `path` as undici holds them; undefined when they do not make a URL. */
export function requestUrl(origin: unknown, path: unknown): URL | undefined {
  if (typeof path !== 'string') return undefined;
  try {
    // A proxied request carries the absolute target as its path.
    if (path.startsWith('http://') || path.startsWith('https://')) return new URL(path);
    const base = origin instanceof URL ? origin.origin : typeof origin === 'string' ? origin.replace(/\/+$/, '') : undefined;
    if (base === undefined) return undefined;
    return new URL(base + (path.startsWith('/') ? path : `/${path}`));
  } catch {
    return undefined;
  }
}
