/**
 * Incoming headers in any of the shapes Node servers and clients hand us: a plain object (values may be
 * arrays, keys in any case), a WHATWG `Headers`, a `Map`, or a flat raw array `[name, value, name, value…]`.
 */
export type IncomingHeaders =
  | Record<string, string | string[] | number | undefined | null>
  | { get(name: string): string | string[] | null | undefined }
  | ReadonlyArray<string | Buffer>
  | ReadonlyMap<string, string | string[]>;

/** Where outbound headers are written: a plain object or anything with `set`/`has` (WHATWG `Headers`). */
export type HeaderCarrier =
  | Record<string, string | string[] | number | undefined>
  | { set(name: string, value: string): void; has(name: string): boolean };

/**
 * Node's incoming headers, whose names Node has already lowercased: read by exact name, without the
 * case-insensitive scan a plain object needs when a header is missing (most trace headers are, on most requests).
 */
export class NodeHeaders {
  constructor(private readonly headers: Record<string, string | string[] | undefined>) {}

  get(name: string): string | string[] | undefined {
    return this.headers[name];
  }
}

// Header values longer than this are ignored whole: no legitimate trace header comes close.
export const MAX_HEADER_VALUE_LENGTH = 8192;

function joinValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    // Repeated headers combine as one comma-separated list (RFC 9110 §5.3).
    let joined: string | undefined;
    for (const item of value) {
      if (typeof item !== 'string') continue;
      joined = joined === undefined ? item : `${joined},${item}`;
    }
    return joined;
  }
  if (typeof value === 'number') return String(value);
  return undefined;
}

/**
 * Reads one header, case-insensitively, from any supported carrier. Repeated values are joined with ",".
 * Never throws; returns undefined for anything it cannot read.
 */
export function readHeader(headers: IncomingHeaders | null | undefined, name: string): string | undefined {
  try {
    if (headers === null || typeof headers !== 'object') return undefined;
    let value: string | undefined;
    if (Array.isArray(headers)) {
      for (let i = 0; i + 1 < headers.length; i += 2) {
        if (String(headers[i]).toLowerCase() !== name) continue;
        const item = String(headers[i + 1]);
        value = value === undefined ? item : `${value},${item}`;
      }
    } else if (headers instanceof Map) {
      value = joinValue(headers.get(name));
      if (value === undefined) {
        for (const [key, item] of headers) if (typeof key === 'string' && key.toLowerCase() === name) value = joinValue(item);
      }
    } else if (typeof (headers as { get?: unknown }).get === 'function') {
      value = joinValue((headers as { get(name: string): unknown }).get(name));
    } else {
      const record = headers as Record<string, unknown>;
      value = joinValue(record[name]);
      if (value === undefined) {
        // Node lowercases incoming header names; other carriers may not.
        for (const key in record) {
          if (key.length === name.length && key.toLowerCase() === name) {
            value = joinValue(record[key]);
            break;
          }
        }
      }
    }
    if (value === undefined || value.length > MAX_HEADER_VALUE_LENGTH) return undefined;
    return value;
  } catch {
    return undefined;
  }
}

/** True when the carrier already has `name` (case-insensitive). */
export function hasHeader(carrier: HeaderCarrier, name: string): boolean {
  if (typeof (carrier as { has?: unknown }).has === 'function' && typeof (carrier as { set?: unknown }).set === 'function') {
    return (carrier as { has(name: string): boolean }).has(name);
  }
  const record = carrier as Record<string, unknown>;
  if (record[name] !== undefined) return true;
  for (const key in record) if (key.length === name.length && key.toLowerCase() === name && record[key] !== undefined) return true;
  return false;
}

/** Writes a header unless the carrier already has one of that name: a caller's explicit header wins. */
export function writeHeader(carrier: HeaderCarrier, name: string, value: string): void {
  if (hasHeader(carrier, name)) return;
  if (typeof (carrier as { set?: unknown }).set === 'function') (carrier as { set(n: string, v: string): void }).set(name, value);
  else (carrier as Record<string, string>)[name] = value;
}
