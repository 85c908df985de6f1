import { diag } from '../diag.js';
import { invalidOption, unknownOption } from '../invalidOption.js';
import { compileNameMatcher, type NameMatcher, type NamePattern } from '../matcher.js';
import { setOwnProperty } from '../ownProperty.js';
import { DataKeyCache, DEFAULT_DATA_KEY_MAX_USES, DEFAULT_DATA_KEY_TIMEOUT_MS, DEFAULT_DATA_KEY_TTL_MS, type DataKeyCacheOptions, type DataKeyStats } from './DataKeyCache.js';
import { ENCRYPTED_PREFIX, ENCRYPTION_UNAVAILABLE, type ValueBinding } from './envelope.js';
import type { KeyProvider } from './KeyProvider.js';
import { LocalKeyProvider } from './LocalKeyProvider.js';
import { ENCRYPTION_KEY_ENV, type MasterKeyInput } from './masterKeys.js';

export interface TagEncryptorOptions {
  /** Tag, log-field and link-tag names (exact) or patterns whose values are sensitive. */
  sensitiveTags: readonly NamePattern[];
  /**
   * Local master key(s): one key (32 bytes: Buffer, base64 or hex), `"id1:key1,id2:key2"` or ids mapped to keys;
   * the first encrypts, all decrypt. Default: `AUDIT_TRACING_ENCRYPTION_KEY`. Not with `provider`.
   */
  key?: MasterKeyInput;
  /** Where data keys come from instead: a KMS (`@audit-tracing/kms-aws`) or your own `KeyProvider`. */
  provider?: KeyProvider;
  /** A data key encrypts for this long from its first use, in ms; its successor is fetched at 80 %. Default 300000. */
  dataKeyTtlMs?: number;
  /** …or this many values. Default 1000000. */
  dataKeyMaxUses?: number;
  /** One call to the provider may take this long before it counts as failed, in ms. Default 10000. */
  dataKeyTimeoutMs?: number;
}

/** Encryption counters in `getStats().encryption`. */
export interface EncryptionStats extends DataKeyStats {
  /** Sensitive values exported encrypted. */
  valuesEncrypted: number;
  /** Sensitive values dropped (exported as `[encryption unavailable]`) because no data key was available. */
  valuesUnavailable: number;
}

const KNOWN_OPTIONS = ['sensitiveTags', 'key', 'provider', 'dataKeyTtlMs', 'dataKeyMaxUses', 'dataKeyTimeoutMs'];

function positiveInt(options: TagEncryptorOptions, option: 'dataKeyTtlMs' | 'dataKeyMaxUses' | 'dataKeyTimeoutMs', fallback: number, max: number): number {
  const value = options[option];
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0 || value > max) throw invalidOption('encryption', option, `a whole number from 1 to ${max}`, value);
  return value;
}

interface ResolvedEncryption {
  matcher: NameMatcher | undefined;
  /** Undefined when no key is configured anywhere: sensitive values are then dropped. */
  provider: KeyProvider | undefined;
  cache: DataKeyCacheOptions;
}

/**
 * Checks the `encryption` option and builds what it names, without side effects: run by `resolveTracingConfig`
 * (so a wrong option fails at set-up even when nothing is exported) and by the encryptor itself.
 */
export function resolveEncryption(options: TagEncryptorOptions, env: NodeJS.ProcessEnv = process.env): ResolvedEncryption {
  if (!options || typeof options !== 'object') throw invalidOption('encryption', '', 'an options object', options);
  if (!Array.isArray(options.sensitiveTags)) throw invalidOption('encryption', 'sensitiveTags', 'an array of names or RegExps', options.sensitiveTags);
  const matcher = compileNameMatcher(options.sensitiveTags, 'encryption', 'sensitiveTags');
  for (const option of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(option)) throw unknownOption('encryption', option, KNOWN_OPTIONS);
  }
  const provider = options.provider;
  if (provider !== undefined && (provider === null || typeof provider !== 'object' || typeof provider.generateDataKey !== 'function' || typeof provider.decryptDataKey !== 'function')) {
    throw invalidOption('encryption', 'provider', 'a KeyProvider (generateDataKey, decryptDataKey)', provider);
  }
  if (provider !== undefined && options.key !== undefined) throw invalidOption('encryption', 'key', 'no key when a provider is given', 'both', 'both');
  const cache = {
    ttlMs: positiveInt(options, 'dataKeyTtlMs', DEFAULT_DATA_KEY_TTL_MS, 2 ** 31 - 1),
    maxUses: positiveInt(options, 'dataKeyMaxUses', DEFAULT_DATA_KEY_MAX_USES, 2 ** 32),
    timeoutMs: positiveInt(options, 'dataKeyTimeoutMs', DEFAULT_DATA_KEY_TIMEOUT_MS, 2 ** 31 - 1),
  };
  return {
    matcher,
    provider: provider ?? (options.key !== undefined ? new LocalKeyProvider({ keys: options.key }, 'encryption', 'key') : LocalKeyProvider.fromEnv(env)),
    cache,
  };
}

/**
 * Envelope encryption of sensitive values before spans leave the process: each value is encrypted with the
 * current data key and bound to its span and attribute (`enc:v2:`, see `envelope.ts`); the data key comes from
 * the key provider in the background. With no data key the value is dropped, never sent in clear.
 */
export class TagEncryptor {
  private readonly matches: NameMatcher | undefined;
  private readonly cache: DataKeyCache | undefined;
  private valuesEncrypted = 0;
  private valuesUnavailable = 0;

  constructor(options: TagEncryptorOptions, env: NodeJS.ProcessEnv = process.env) {
    const resolved = resolveEncryption(options, env);
    this.matches = resolved.matcher;
    if (resolved.provider === undefined) {
      if (this.matches !== undefined) {
        diag.warnOnce('encryption.noKey', `encryption: no key (set ${ENCRYPTION_KEY_ENV}, or pass encryption.key or encryption.provider): sensitive values are dropped`);
      }
      return;
    }
    this.cache = new DataKeyCache(resolved.provider, resolved.cache);
    if (this.matches !== undefined) this.cache.start();
  }

  isSensitive(tag: string): boolean {
    return this.matches !== undefined && this.matches(tag);
  }

  /** The matcher of sensitive names (undefined when the list is empty), for steps that must leave them alone. */
  get matcher(): NameMatcher | undefined {
    return this.matches;
  }

  /**
   * `tags` with every sensitive value encrypted and bound to `binding` (non-string values are stringified as
   * JSON first), or `[encryption unavailable]` when there is no data key: a copy when something changed, else
   * `tags` itself. `tags` is never written to.
   */
  encryptTags<T extends Readonly<Record<string, unknown>>>(tags: T, binding: ValueBinding): T {
    if (this.matches === undefined) return tags;
    let out: Record<string, unknown> | undefined;
    for (const key in tags) {
      const value = tags[key];
      if (value === undefined || value === null || !this.matches(key)) continue;
      if (typeof value === 'string' && (value.startsWith(ENCRYPTED_PREFIX) || value === ENCRYPTION_UNAVAILABLE)) continue;
      out ??= { ...tags };
      setOwnProperty(out, key, this.encrypt(typeof value === 'string' ? value : JSON.stringify(value), binding, key));
    }
    return (out ?? tags) as T;
  }

  getStats(): EncryptionStats {
    const keys = this.cache?.stats ?? { dataKeysGenerated: 0, dataKeyFailures: 0 };
    return { valuesEncrypted: this.valuesEncrypted, valuesUnavailable: this.valuesUnavailable, ...keys };
  }

  /** Stops the background refresh and wipes the data key. */
  stop(): void {
    this.cache?.stop();
  }

  private encrypt(plain: string, binding: ValueBinding, key: string): string {
    const dataKey = this.cache?.take();
    if (dataKey === undefined) {
      this.valuesUnavailable++;
      return ENCRYPTION_UNAVAILABLE;
    }
    this.valuesEncrypted++;
    return dataKey.seal(plain, binding, key);
  }
}
