import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { invalidOption } from '../invalidOption.js';
import type { DataKey, KeyProvider } from './KeyProvider.js';
import { ENCRYPTION_KEY_ENV, parseMasterKeys, type MasterKeyInput, type MasterKeys } from './masterKeys.js';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;
/** Prefix of a value in the old format: AES-256-GCM under one local key, no envelope, no binding. */
const V1_PREFIX = 'enc:v1:';

export interface LocalKeyProviderOptions {
  /** One key (base64 or hex, 32 bytes; its id is derived from it), `"id1:key1,id2:key2"`, or ids mapped to keys. */
  keys: MasterKeyInput;
  /** The key new data keys are wrapped with. Default: the first one given. The others only unwrap. */
  activeKeyId?: string;
}

// The wrapped key names its master key in the associated data: a wrapped key presented under another id fails.
const wrapContext = (keyId: string) => Buffer.from(`audit-tracing data key\0${keyId}`);

/**
 * Master keys held by the process (from options or `AUDIT_TRACING_ENCRYPTION_KEY`): data keys are random and
 * wrapped with the active master key (AES-256-GCM); every listed key still unwraps, so rotating means putting
 * the new key first and keeping the old ones listed while their traces are read.
 */
export class LocalKeyProvider implements KeyProvider {
  readonly activeKeyId: string;
  private readonly keys: MasterKeys;

  constructor(options: LocalKeyProviderOptions, owner = 'LocalKeyProvider', option = 'keys') {
    if (options === null || typeof options !== 'object') throw invalidOption(owner, '', 'an options object', options);
    this.keys = parseMasterKeys(options.keys, owner, option);
    this.activeKeyId = options.activeKeyId ?? this.keys.keys().next().value!;
    if (!this.keys.has(this.activeKeyId)) throw invalidOption(owner, 'activeKeyId', `one of the key ids (${[...this.keys.keys()].join(', ')})`, options.activeKeyId);
  }

  /** The provider of `AUDIT_TRACING_ENCRYPTION_KEY`, or undefined when it is not set. Throws when it is malformed. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): LocalKeyProvider | undefined {
    const value = env[ENCRYPTION_KEY_ENV];
    if (value === undefined || value.trim() === '') return undefined;
    return new LocalKeyProvider({ keys: value }, ENCRYPTION_KEY_ENV, '');
  }

  /** The ids of every master key held, the active one first. */
  get keyIds(): string[] {
    return [this.activeKeyId, ...[...this.keys.keys()].filter((id) => id !== this.activeKeyId)];
  }

  generateDataKeySync(): DataKey {
    const plaintext = randomBytes(DATA_KEY_BYTES);
    const keyId = this.activeKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.keys.get(keyId)!, iv);
    cipher.setAAD(wrapContext(keyId));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { plaintext, wrapped: Buffer.concat([iv, body, cipher.getAuthTag()]), keyId };
  }

  async generateDataKey(): Promise<DataKey> {
    return this.generateDataKeySync();
  }

  async decryptDataKey(wrapped: Buffer, keyId: string): Promise<Buffer> {
    const master = this.keys.get(keyId);
    if (!master) throw new Error(`no local master key with id "${keyId}" (held: ${[...this.keys.keys()].join(', ')})`);
    if (wrapped.length !== IV_BYTES + DATA_KEY_BYTES + TAG_BYTES) throw new Error('wrapped data key has the wrong length');
    const decipher = createDecipheriv(ALGORITHM, master, wrapped.subarray(0, IV_BYTES));
    decipher.setAAD(wrapContext(keyId));
    decipher.setAuthTag(wrapped.subarray(IV_BYTES + DATA_KEY_BYTES));
    try {
      return Buffer.concat([decipher.update(wrapped.subarray(IV_BYTES, IV_BYTES + DATA_KEY_BYTES)), decipher.final()]);
    } catch {
      throw new Error(`wrapped data key does not authenticate under master key "${keyId}"`);
    }
  }

  /** An `enc:v1:` value (iv | tag | ciphertext, base64), tried with every master key. */
  decryptV1Value(value: string): string {
    if (!value.startsWith(V1_PREFIX)) throw new TypeError('not an enc:v1: value');
    const raw = Buffer.from(value.slice(V1_PREFIX.length), 'base64');
    for (const key of this.keys.values()) {
      const decipher = createDecipheriv(ALGORITHM, key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        // not this key
      }
    }
    throw new Error('enc:v1: value does not authenticate under any local master key');
  }
}
