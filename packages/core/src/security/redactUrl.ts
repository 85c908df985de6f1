import { REDACTED } from '../semconv.js';

/** Tells whether a query parameter's value must not leave the process. */
export type ParamTest = (name: string) => boolean;

// https://opentelemetry.io/docs/specs/semconv/registry/attributes/url/ (url.full): "Query string values for the
// following keys SHOULD be redacted by default: AWSAccessKeyId, Signature, sig, X-Goog-Signature", plus the
// parameters that carry OAuth codes and tokens, presigned-URL signatures and passwords. Compared without case: the
// conventions ask for case-sensitive matching, but a signature under `signature` is as secret as under `Signature`.
export const DEFAULT_SENSITIVE_QUERY_PARAMS: readonly string[] = Object.freeze([
  'AWSAccessKeyId',
  'Signature',
  'sig',
  'X-Goog-Signature',
  'X-Goog-Credential',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'password',
  'key',
]);

// https://opentelemetry.io/docs/specs/semconv/registry/attributes/url/ — "https://REDACTED:REDACTED@www.example.com/"
const REDACTED_USERINFO = `${REDACTED}:${REDACTED}`;

function paramName(pair: string, eq: number): string {
  const raw = pair.slice(0, eq).replace(/\+/g, ' ');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * A query string (`a=1&token=x`, no leading `?`) with the values of sensitive parameters replaced by `REDACTED`.
 * Names, order, other values and their encoding stay as they were: `code=REDACTED&state=x`.
 */
export function redactQueryString(query: string, isSensitive: ParamTest): string {
  if (query.indexOf('=') === -1) return query;
  const pairs = query.split('&');
  let changed = false;
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i];
    const eq = pair.indexOf('=');
    if (eq <= 0 || pair.length === eq + 1 || !isSensitive(paramName(pair, eq))) continue;
    pairs[i] = `${pair.slice(0, eq + 1)}${REDACTED}`;
    changed = true;
  }
  return changed ? pairs.join('&') : query;
}

/**
 * A URL or request target (`/cb?code=x`) with its user info replaced by `REDACTED:REDACTED` and the values of
 * sensitive query (and fragment) parameters by `REDACTED`. A fragment is treated like a query because OAuth's
 * implicit flow returns `#access_token=…` there. Anything else is returned unchanged, as the same string.
 */
export function redactUrlText(value: string, isSensitive: ParamTest): string {
  let out = value;
  const scheme = out.indexOf('://');
  if (scheme !== -1) {
    const authorityStart = scheme + 3;
    let authorityEnd = out.length;
    for (let i = authorityStart; i < out.length; i++) {
      const c = out.charCodeAt(i);
      // '/', '?', '#', '\\' end the authority (WHATWG URL parsing treats '\\' as '/' for special schemes).
      if (c === 0x2f || c === 0x3f || c === 0x23 || c === 0x5c) {
        authorityEnd = i;
        break;
      }
    }
    const at = out.lastIndexOf('@', authorityEnd - 1);
    if (at >= authorityStart) out = `${out.slice(0, authorityStart)}${REDACTED_USERINFO}${out.slice(at)}`;
  }
  const hash = out.indexOf('#');
  const query = out.indexOf('?');
  if (query !== -1 && (hash === -1 || query < hash)) {
    const end = hash === -1 ? out.length : hash;
    const redacted = redactQueryString(out.slice(query + 1, end), isSensitive);
    out = `${out.slice(0, query + 1)}${redacted}${out.slice(end)}`;
  }
  const fragment = out.indexOf('#');
  if (fragment !== -1) out = `${out.slice(0, fragment + 1)}${redactQueryString(out.slice(fragment + 1), isSensitive)}`;
  return out === value ? value : out;
}
