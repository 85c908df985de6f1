import { createHmac } from 'node:crypto';
import { invalidOption, secretValue } from '../invalidOption.js';

/** The environment variable local master keys are read from: one key, or `id1:key1,id2:key2` (first is active). */
export const ENCRYPTION_KEY_ENV = 'AUDIT_TRACING_ENCRYPTION_KEY';

const KEY_BYTES = 32;
const KEY_ID_SHAPE = /^[A-Za-z0-9._-]{1,64}$/;

/** Master keys by id, in the order given: the first is the active one unless another is named. */
export type MasterKeys = ReadonlyMap<string, Buffer>;

/** What options take for local master keys: one key, a `id:key,…` list, or ids mapped to keys. */
export type MasterKeyInput = Buffer | string | Readonly<Record<string, Buffer | string>>;

function keyBytes(key: unknown): Buffer | undefined {
  if (Buffer.isBuffer(key)) return key.length === KEY_BYTES ? Buffer.from(key) : undefined;
  if (typeof key !== 'string') return undefined;
  const text = key.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(text) ? Buffer.from(text, 'base64') : undefined;
  return bytes?.length === KEY_BYTES ? bytes : undefined;
}

/**
 * The id of a key given without one: a keyed hash of the key (HMAC-SHA-256, 8 bytes shown), so the same key
 * always gets the same id and the id reveals nothing usable about the key.
 */
export function derivedKeyId(key: Buffer): string {
  return `k-${createHmac('sha256', key).update('audit-tracing key id').digest('hex').slice(0, 16)}`;
}

/**
 * Parses master keys (32 bytes each, base64 or hex) with their ids. Throws the option error for a malformed
 * entry; the message shows where, never the key.
 */
export function parseMasterKeys(input: unknown, owner: string, option: string): MasterKeys {
  const keys = new Map<string, Buffer>();
  const add = (id: string | undefined, value: unknown, where: string) => {
    const bytes = keyBytes(value);
    if (!bytes) throw invalidOption(owner, option, `${KEY_BYTES} bytes (Buffer, base64 or hex)${where}`, value, secretValue(value));
    // An id is written into every value: one that is itself a key (the pair given the wrong way round) is refused.
    if (id !== undefined && keyBytes(id) !== undefined) throw invalidOption(owner, option, `a key id before the colon, not a key${where}`, id, secretValue(id));
    const keyId = id ?? derivedKeyId(bytes);
    if (!KEY_ID_SHAPE.test(keyId)) throw invalidOption(owner, option, `key ids of 1 to 64 letters, digits, ".", "_" or "-"${where}`, keyId);
    if (keys.has(keyId)) throw invalidOption(owner, option, `distinct key ids${where}`, keyId);
    keys.set(keyId, bytes);
  };
  if (Buffer.isBuffer(input)) add(undefined, input, '');
  else if (typeof input === 'string') {
    const entries = input.split(',').map((entry) => entry.trim()).filter(Boolean);
    if (entries.length === 0) add(undefined, input, '');
    entries.forEach((entry, i) => {
      const colon = entry.indexOf(':');
      add(colon === -1 ? undefined : entry.slice(0, colon).trim(), colon === -1 ? entry : entry.slice(colon + 1), entries.length > 1 || colon !== -1 ? ` (entry ${i + 1})` : '');
    });
  } else if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    for (const [id, value] of Object.entries(input)) add(id, value, ` (key "${id}")`);
    if (keys.size === 0) throw invalidOption(owner, option, 'at least one key', input);
  } else {
    throw invalidOption(owner, option, `${KEY_BYTES} bytes (Buffer, base64 or hex), "id:key,…" or an object of ids to keys`, input, secretValue(input));
  }
  return keys;
}
