/**
 * Attribute keys whose encoding is kept, per encoder. Keys are few and repeat in every span; the limit bounds the
 * odd application that puts ids into keys: past it, new keys are encoded each time.
 */
export const MAX_CACHED_KEYS = 1024;

/** Encoded forms of attribute keys, computed once: copying bytes beats encoding the same text for every span. */
export class KeyCache<Entry> {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly encode: (key: string) => Entry) {}

  get(key: string): Entry {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = this.encode(key);
      if (this.entries.size < MAX_CACHED_KEYS) this.entries.set(key, entry);
    }
    return entry;
  }
}

/** The longest encoding of one attribute that `RepeatedValue` keeps. */
export const MAX_CACHED_ATTRIBUTE_BYTES = 128;

/**
 * The whole encoding of one attribute (key and value) whose value came twice in a row, kept with its key's cached
 * entry: values that repeat across spans (a method, a route, a status code, a host, a user agent) are then one copy
 * of bytes instead of a key, a value and its punctuation. One value per key, so memory stays bounded by the key
 * cache; values that change every time (paths, ids) cost two comparisons. Values are cached as the span holds them,
 * after redaction and encryption (ciphertext never repeats).
 */
export class RepeatedValue {
  /** The value written last, when its encoding was short enough to keep (so no long value is held here). */
  private seen: unknown = undefined;
  /** The value whose encoding is kept (never an object: only strings, numbers and booleans are offered). */
  value: unknown = undefined;
  encoded: Buffer | undefined = undefined;

  /** After `value` was written as `buf[start, end)`: keeps that encoding when the same value came just before. */
  remember(value: unknown, buf: Buffer, start: number, end: number): void {
    if (end - start > MAX_CACHED_ATTRIBUTE_BYTES) {
      this.seen = undefined;
      return;
    }
    if (value !== this.seen) {
      this.seen = value;
      return;
    }
    this.value = value;
    this.encoded = Buffer.from(buf.subarray(start, end));
  }
}
