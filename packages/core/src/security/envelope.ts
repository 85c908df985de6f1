import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataKey } from './KeyProvider.js';

// The value format, version 2 (docs/security.md):
//
//   enc:v2:<master key id, URI-encoded>:<wrapped data key, base64url>:<iv | ciphertext | tag, base64url>
//
// Everything a reader needs besides the master key is in the value. AES-256-GCM under the data key; the
// associated data is the value's header (so the key id and wrapped key cannot be swapped) and where the value
// sits: trace id, span id, scope (span attribute, event field, link attribute) and attribute key. A value copied
// onto another span or another attribute fails to authenticate.

/** Prefix of an encrypted value, with the format version. */
export const ENCRYPTED_PREFIX = 'enc:v2:';
/** What a sensitive value becomes when no data key is available: dropped, never exported in clear. */
export const ENCRYPTION_UNAVAILABLE = '[encryption unavailable]';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const SALT_BYTES = 4;
const TAG_BYTES = 16;

/** Where a value sits in a span: a span attribute (tag), an event's field (log), a link's attribute. */
export type ValueScope = 'span' | 'event' | 'link';

/** What a value is bound to: the span it belongs to and the attribute it is the value of. */
export interface ValueBinding {
  readonly traceId: string;
  readonly spanId: string;
  /** Default `span`. */
  readonly scope?: ValueScope;
}

function associatedData(header: string, binding: ValueBinding, key: string): Buffer {
  return Buffer.from(`${header}${binding.traceId}:${binding.spanId}:${binding.scope ?? 'span'}:${key}`, 'utf8');
}

/**
 * A data key in use for encrypting. IVs are deterministic (NIST SP 800-38D §8.2.1): a random 4-byte salt per data
 * key and a 64-bit counter, so no IV repeats under one key however many values it encrypts (the cache replaces
 * keys after `maxUses` anyway), and no random bytes are drawn per value.
 */
export class SealingKey {
  /** `enc:v2:<key id>:<wrapped key>:`, the same for every value of this data key. */
  readonly header: string;
  uses = 0;
  private readonly key: Buffer;
  private readonly salt = randomBytes(SALT_BYTES);

  constructor(dataKey: DataKey) {
    this.key = Buffer.from(dataKey.plaintext);
    this.header = `${ENCRYPTED_PREFIX}${encodeURIComponent(dataKey.keyId)}:${dataKey.wrapped.toString('base64url')}:`;
  }

  /** `plain` encrypted and bound to `binding` and `key`. Counts one use. */
  seal(plain: string, binding: ValueBinding, key: string): string {
    const counter = this.uses++;
    const iv = Buffer.allocUnsafe(IV_BYTES);
    this.salt.copy(iv, 0);
    iv.writeUInt32BE(Math.floor(counter / 0x1_0000_0000), SALT_BYTES);
    iv.writeUInt32BE(counter >>> 0, SALT_BYTES + 4);
    const cipher = createCipheriv(ALGORITHM, this.key, iv);
    cipher.setAAD(associatedData(this.header, binding, key));
    const body = Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return this.header + body.toString('base64url');
  }

  /** Overwrites the key bytes: a replaced data key does not linger in memory. */
  destroy(): void {
    this.key.fill(0);
  }
}

/** The parts of an `enc:v2:` value. */
export interface SealedValue {
  readonly keyId: string;
  readonly wrapped: Buffer;
  /** The wrapped key as written, to memoise unwrapped keys by. */
  readonly wrappedText: string;
  readonly header: string;
  readonly body: Buffer;
}

/** The parts of `value`, or undefined when it is not a well-formed `enc:v2:` value. */
export function parseSealed(value: string): SealedValue | undefined {
  if (!value.startsWith(ENCRYPTED_PREFIX)) return undefined;
  const parts = value.slice(ENCRYPTED_PREFIX.length).split(':');
  if (parts.length !== 3 || parts.some((part) => part === '')) return undefined;
  const [encodedKeyId, wrappedText, bodyText] = parts;
  let keyId: string;
  try {
    keyId = decodeURIComponent(encodedKeyId);
  } catch {
    return undefined;
  }
  const body = Buffer.from(bodyText, 'base64url');
  if (body.length < IV_BYTES + TAG_BYTES) return undefined;
  return { keyId, wrapped: Buffer.from(wrappedText, 'base64url'), wrappedText, header: `${ENCRYPTED_PREFIX}${encodedKeyId}:${wrappedText}:`, body };
}

/** The plaintext of a parsed value; throws when it does not authenticate under `dataKey` at `binding` / `key`. */
export function openSealed(sealed: SealedValue, dataKey: Buffer, binding: ValueBinding, key: string): string {
  const { body } = sealed;
  const decipher = createDecipheriv(ALGORITHM, dataKey, body.subarray(0, IV_BYTES));
  decipher.setAAD(associatedData(sealed.header, binding, key));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  return Buffer.concat([decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
}
