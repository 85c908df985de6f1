import type { HeaderCarrier } from '@audit-tracing/core';

/** undici's `Request` as its diagnostics channels publish it (undici 5 keeps headers as one string, 6 and 7 as a flat array). */
export interface UndiciRequest {
  origin?: unknown;
  path?: unknown;
  method?: unknown;
  headers?: unknown;
  addHeader?(name: string, value: string): unknown;
}

/** True when a flat `[name, value, …]` list or a raw `name: value\r\n` block has `name` (lower case). */
export function rawHeadersHave(headers: unknown, name: string): boolean {
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) if (String(headers[i]).toLowerCase() === name) return true;
    return false;
  }
  if (typeof headers === 'string') {
    for (const line of headers.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) return true;
    }
  }
  return false;
}

/** Reads `[name, value]` pairs out of either raw form, names in lower case. */
export function* rawHeaderPairs(headers: unknown): Generator<[string, string]> {
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) yield [String(headers[i]).toLowerCase(), String(headers[i + 1])];
  } else if (typeof headers === 'string') {
    for (const line of headers.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) yield [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }
  }
}

/** Headers of an undici `Request` being created: read what the caller set, add through `addHeader`. */
export function undiciRequestCarrier(request: UndiciRequest): HeaderCarrier {
  return {
    has: (name) => rawHeadersHave(request.headers, name.toLowerCase()),
    set(name, value) {
      if (typeof request.addHeader === 'function') request.addHeader(name, value);
      else if (Array.isArray(request.headers)) request.headers.push(name, value);
      else if (typeof request.headers === 'string') request.headers += `${name}: ${value}\r\n`;
    },
  };
}
