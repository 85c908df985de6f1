import type { ReadableSpan, SpanLink, SpanLog } from '../types.js';
import { ENCRYPTED_PREFIX, openSealed, parseSealed, type ValueBinding } from './envelope.js';
import type { KeyProvider } from './KeyProvider.js';

/** The `code` of the error `decryptSpan` and `decryptAttributes` throw for a value they cannot decrypt. */
export const ERR_DECRYPT = 'AUDIT_TRACING_ERR_DECRYPT';
const V1_PREFIX = 'enc:v1:';

/** A value that could not be decrypted: the message says which attribute and why, never a key or a plaintext. */
export interface DecryptError extends Error {
  readonly code: typeof ERR_DECRYPT;
}

function decryptError(binding: ValueBinding, key: string, reason: string): DecryptError {
  const error = new Error(`decrypt: span ${binding.spanId} ${binding.scope ?? 'span'} attribute ${JSON.stringify(key)}: ${reason}`) as Error & { code: string };
  error.code = ERR_DECRYPT;
  return error as DecryptError;
}

// Unwrapped data keys, per provider, by their wrapped form: a file of many spans costs one unwrap (one KMS call)
// per data key, not per value. Bounded, oldest out first.
const MAX_MEMO = 256;
const memos = new WeakMap<KeyProvider, Map<string, Promise<Buffer>>>();

function unwrap(provider: KeyProvider, keyId: string, wrapped: Buffer, wrappedText: string): Promise<Buffer> {
  let memo = memos.get(provider);
  if (!memo) memos.set(provider, (memo = new Map()));
  const memoKey = `${keyId}\0${wrappedText}`;
  let found = memo.get(memoKey);
  if (!found) {
    found = provider.decryptDataKey(wrapped, keyId);
    memo.set(memoKey, found);
    found.catch(() => memo.delete(memoKey));
    if (memo.size > MAX_MEMO) memo.delete(memo.keys().next().value!);
  }
  return found;
}

async function decryptValue(value: string, binding: ValueBinding, key: string, provider: KeyProvider): Promise<string> {
  if (value.startsWith(V1_PREFIX)) {
    if (typeof provider.decryptV1Value !== 'function') throw decryptError(binding, key, 'an enc:v1: value needs the local master key (LocalKeyProvider)');
    try {
      return provider.decryptV1Value(value);
    } catch (error) {
      throw decryptError(binding, key, (error as Error).message);
    }
  }
  const sealed = parseSealed(value);
  if (!sealed) throw decryptError(binding, key, 'malformed enc:v2: value');
  let dataKey: Buffer;
  try {
    dataKey = await unwrap(provider, sealed.keyId, sealed.wrapped, sealed.wrappedText);
  } catch (error) {
    throw decryptError(binding, key, `cannot unwrap the data key of master key "${sealed.keyId}": ${describeError(error)}`);
  }
  try {
    return openSealed(sealed, dataKey, binding, key);
  } catch {
    throw decryptError(binding, key, 'does not authenticate (altered, moved from another span or attribute, or another key)');
  }
}

// A KMS error is known by its name (InvalidCiphertextException, AccessDeniedException); its message may be empty.
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.name && error.name !== 'Error' ? `${error.name}${error.message ? `: ${error.message}` : ''}` : error.message;
}

const isEncrypted = (value: unknown): value is string => typeof value === 'string' && (value.startsWith(ENCRYPTED_PREFIX) || value.startsWith(V1_PREFIX));

/**
 * `attributes` with every encrypted value (`enc:v2:`, and `enc:v1:` with a local provider) replaced by its
 * plaintext, as a string; the rest as they are. `binding` is where the attributes were exported: the span's ids
 * and the scope (`span` attributes, `event` fields, `link` attributes). Rejects with an `ERR_DECRYPT` error for
 * the first value that does not decrypt: altered, moved, or under a key the provider does not hold.
 */
export async function decryptAttributes<T extends Readonly<Record<string, unknown>>>(attributes: T, binding: ValueBinding, provider: KeyProvider): Promise<T> {
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (!isEncrypted(value)) continue;
    out ??= { ...attributes };
    out[key] = await decryptValue(value, binding, key, provider);
  }
  return (out ?? attributes) as T;
}

/** A copy of `span` with its tags, log fields and link tags decrypted (see `decryptAttributes`). */
export async function decryptSpan<S extends ReadableSpan>(span: S, provider: KeyProvider): Promise<S> {
  const { traceId, spanId } = span;
  const tags = await decryptAttributes(span.tags, { traceId, spanId, scope: 'span' }, provider);
  const logs: SpanLog[] = [];
  for (const log of span.logs ?? []) logs.push(log.fields ? { ...log, fields: await decryptAttributes(log.fields, { traceId, spanId, scope: 'event' }, provider) } : log);
  const links: SpanLink[] = [];
  for (const link of span.links ?? []) links.push(link.tags ? { ...link, tags: await decryptAttributes(link.tags, { traceId, spanId, scope: 'link' }, provider) } : link);
  return { ...span, tags, logs, links };
}
