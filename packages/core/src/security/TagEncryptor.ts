import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { invalidOption, secretValue } from '../invalidOption.js';
import { compileNameMatcher, type NameMatcher, type NamePattern } from '../matcher.js';
import { setOwnProperty } from '../ownProperty.js';

// AES-256-GCM: authenticated, so a tampered value fails to decrypt instead of decrypting to garbage.
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const AUTH_TAG_BYTES = 16;
/** Prefix of an encrypted tag value, with the format version. */
export const ENCRYPTED_PREFIX = 'enc:v1:';

export interface TagEncryptorOptions {
  /** 32 bytes: a Buffer, or a base64 or 64-hex-character string. */
  key: Buffer | string;
  /** Tag names (exact) or patterns whose values are sensitive. */
  sensitiveTags: readonly NamePattern[];
}

function parseKey(key: Buffer | string): Buffer {
  let bytes: Buffer | undefined;
  if (Buffer.isBuffer(key)) bytes = key;
  else if (typeof key === 'string') bytes = /^[0-9a-fA-F]{64}$/.test(key) ? Buffer.from(key, 'hex') : Buffer.from(key, 'base64');
  if (!bytes || bytes.length !== KEY_BYTES) {
    // The key is a secret: only its length or type is shown.
    throw invalidOption('encryption', 'key', `${KEY_BYTES} bytes (Buffer, base64 or hex)`, key, bytes ? `${bytes.length} bytes` : secretValue(key));
  }
  return bytes;
}

/**
 * Encrypts the values of sensitive tags before spans leave the process, so a backend stores ciphertext that
 * only holders of the key can read (`decrypt`).
 */
export class TagEncryptor {
  private readonly key: Buffer;
  private readonly matches: NameMatcher | undefined;

  constructor(options: TagEncryptorOptions) {
    if (!options || typeof options !== 'object') throw invalidOption('encryption', '', 'an options object', options);
    this.key = parseKey(options.key);
    if (!Array.isArray(options.sensitiveTags)) throw invalidOption('encryption', 'sensitiveTags', 'an array of names or RegExps', options.sensitiveTags);
    this.matches = compileNameMatcher(options.sensitiveTags, 'encryption', 'sensitiveTags');
  }

  isSensitive(tag: string): boolean {
    return this.matches !== undefined && this.matches(tag);
  }

  encrypt(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ENCRYPTED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** The plain value; throws when the value was not made with this key or was altered. */
  decrypt(value: string): string {
    if (!value.startsWith(ENCRYPTED_PREFIX)) throw new TypeError('decrypt: not an encrypted tag value');
    const raw = Buffer.from(value.slice(ENCRYPTED_PREFIX.length), 'base64');
    const decipher = createDecipheriv(ALGORITHM, this.key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + AUTH_TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + AUTH_TAG_BYTES)), decipher.final()]).toString('utf8');
  }

  /**
   * `tags` with every sensitive value encrypted (non-string values are stringified as JSON first): a copy when
   * there was one, else `tags` itself. `tags` is never written to.
   */
  encryptTags<T extends Readonly<Record<string, unknown>>>(tags: T): T {
    if (this.matches === undefined) return tags;
    let out: Record<string, unknown> | undefined;
    for (const key in tags) {
      const value = tags[key];
      if (value === undefined || value === null || !this.matches(key)) continue;
      if (typeof value === 'string' && value.startsWith(ENCRYPTED_PREFIX)) continue;
      out ??= { ...tags };
      setOwnProperty(out, key, this.encrypt(typeof value === 'string' ? value : JSON.stringify(value)));
    }
    return (out ?? tags) as T;
  }
}
