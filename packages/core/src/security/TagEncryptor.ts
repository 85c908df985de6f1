import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

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
  sensitiveTags: ReadonlyArray<string | RegExp>;
}

function parseKey(key: Buffer | string): Buffer {
  let bytes: Buffer | undefined;
  if (Buffer.isBuffer(key)) bytes = key;
  else if (typeof key === 'string') bytes = /^[0-9a-fA-F]{64}$/.test(key) ? Buffer.from(key, 'hex') : Buffer.from(key, 'base64');
  if (!bytes || bytes.length !== KEY_BYTES) {
    throw new TypeError(`encryption.key: expected ${KEY_BYTES} bytes (Buffer, base64 or hex), got ${bytes ? `${bytes.length} bytes` : typeof key}`);
  }
  return bytes;
}

/**
 * Encrypts the values of sensitive tags before spans leave the process, so a backend stores ciphertext that
 * only holders of the key can read (`decrypt`).
 */
export class TagEncryptor {
  private readonly key: Buffer;
  private readonly exact: Set<string>;
  private readonly patterns: RegExp[];

  constructor(options: TagEncryptorOptions) {
    if (!options || typeof options !== 'object') throw new TypeError(`encryption: expected an options object, got ${typeof options}`);
    this.key = parseKey(options.key);
    if (!Array.isArray(options.sensitiveTags)) {
      throw new TypeError(`encryption.sensitiveTags: expected an array of names or RegExps, got ${typeof options.sensitiveTags}`);
    }
    this.exact = new Set(options.sensitiveTags.filter((t): t is string => typeof t === 'string'));
    this.patterns = options.sensitiveTags.filter((t): t is RegExp => t instanceof RegExp);
  }

  isSensitive(tag: string): boolean {
    return this.exact.has(tag) || this.patterns.some((pattern) => pattern.test(tag));
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

  /** Replaces sensitive values in `tags` in place (non-string values are stringified as JSON first). */
  encryptTags(tags: Record<string, unknown>): void {
    for (const key in tags) {
      const value = tags[key];
      if (value === undefined || value === null || !this.isSensitive(key)) continue;
      if (typeof value === 'string' && value.startsWith(ENCRYPTED_PREFIX)) continue;
      tags[key] = this.encrypt(typeof value === 'string' ? value : JSON.stringify(value));
    }
  }
}
