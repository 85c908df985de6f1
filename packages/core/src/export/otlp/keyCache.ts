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
