import { diag } from '../diag.js';
import type { DataKey, KeyProvider } from './KeyProvider.js';
import { SealingKey } from './envelope.js';

/** How long a data key is used before it is replaced, in ms. */
export const DEFAULT_DATA_KEY_TTL_MS = 5 * 60_000;
/** How many values one data key encrypts before it is replaced. */
export const DEFAULT_DATA_KEY_MAX_USES = 1_000_000;
/** How long one call to the key provider may take before it counts as failed (and is tried again later). */
export const DEFAULT_DATA_KEY_TIMEOUT_MS = 10_000;
// The replacement is fetched when this share of the TTL or of the uses is spent, so it is there before expiry.
const REFRESH_AT = 0.8;
// After a failure the provider is asked again after 1 s, doubling up to 30 s: a KMS in trouble is not hammered.
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;

export interface DataKeyCacheOptions {
  ttlMs: number;
  maxUses: number;
  timeoutMs: number;
}

/** Counters of the cache, reported in `getStats().encryption`. */
export interface DataKeyStats {
  /** Data keys received from the key provider. */
  dataKeysGenerated: number;
  /** Calls to the key provider that failed or timed out. */
  dataKeyFailures: number;
}

interface Entry {
  readonly key: SealingKey;
  readonly refreshAt: number;
  readonly expiresAt: number;
}

/**
 * The data key in use, replaced after a TTL or a number of uses. `take()` never calls the provider and never
 * waits: the successor is fetched in the background when 80 % of the TTL or of the uses is spent, one call at a
 * time (single flight), and takes over when the current key expires. A key encrypts for at most `ttlMs` from its
 * first use, so however many requests are in flight the provider sees at most one call per TTL. When there is no
 * usable key, `take()` returns undefined and the caller fails closed.
 */
export class DataKeyCache {
  readonly stats: DataKeyStats = { dataKeysGenerated: 0, dataKeyFailures: 0 };
  private entry: Entry | undefined;
  /** The successor, fetched ahead of time, waiting for the current key to expire. */
  private next: SealingKey | undefined;
  private refreshing = false;
  private scheduled = false;
  private failuresInRow = 0;
  private retryAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly provider: KeyProvider,
    private readonly options: DataKeyCacheOptions,
  ) {}

  /** Gets the first data key: at once from a provider that can (the local one), else in the background. */
  start(): void {
    if (typeof this.provider.generateDataKeySync === 'function') {
      try {
        this.install(this.provider.generateDataKeySync());
        return;
      } catch (error) {
        this.failed(error);
      }
    }
    this.scheduleRefresh();
  }

  /** The data key for one more value, or undefined when none is usable now. Cheap, synchronous, never throws. */
  take(): SealingKey | undefined {
    let entry = this.entry;
    const time = Date.now();
    if (entry === undefined || time >= entry.expiresAt || entry.key.uses >= this.options.maxUses) {
      if (this.next === undefined) {
        this.scheduleRefresh();
        return undefined;
      }
      entry = this.promote(this.next, time);
    }
    if (this.next === undefined && (time >= entry.refreshAt || entry.key.uses + 1 >= this.options.maxUses * REFRESH_AT)) this.scheduleRefresh();
    return entry.key;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.entry?.key.destroy();
    this.next?.destroy();
    this.entry = this.next = undefined;
  }

  private scheduleRefresh(): void {
    if (this.refreshing || this.scheduled || this.stopped || this.next !== undefined || Date.now() < this.retryAt) return;
    this.scheduled = true;
    // Off the caller's stack: the provider (an SDK building and signing a request) never runs on the request path.
    setImmediate(() => void this.refresh());
  }

  private async refresh(): Promise<void> {
    this.scheduled = false;
    if (this.refreshing || this.stopped) return;
    this.refreshing = true;
    let timeout: NodeJS.Timeout | undefined;
    try {
      const timedOut = new Promise<never>((_, reject) => {
        timeout = setTimeout(() => reject(new Error(`no answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
        timeout.unref();
      });
      const dataKey = await Promise.race([this.provider.generateDataKey(), timedOut]);
      if (!this.stopped) this.install(dataKey);
    } catch (error) {
      if (!this.stopped) this.failed(error); // a call that outlived shutdown is nobody's news
    } finally {
      clearTimeout(timeout);
      this.refreshing = false;
    }
  }

  private install(dataKey: DataKey): void {
    if (!dataKey || !Buffer.isBuffer(dataKey.plaintext) || dataKey.plaintext.length !== 32 || !Buffer.isBuffer(dataKey.wrapped) || typeof dataKey.keyId !== 'string') {
      throw new TypeError('the key provider returned no valid data key (32-byte plaintext, wrapped Buffer, keyId)');
    }
    const key = new SealingKey(dataKey);
    this.stats.dataKeysGenerated++;
    this.failuresInRow = 0;
    this.retryAt = 0;
    const entry = this.entry;
    const time = Date.now();
    // A successor fetched ahead of time waits for the current key to expire; with none usable it starts now.
    if (entry !== undefined && time < entry.expiresAt && entry.key.uses < this.options.maxUses) this.next = key;
    else this.promote(key, time);
  }

  private promote(key: SealingKey, time: number): Entry {
    this.entry?.key.destroy();
    const entry: Entry = { key, refreshAt: time + this.options.ttlMs * REFRESH_AT, expiresAt: time + this.options.ttlMs };
    this.entry = entry;
    if (this.next === key) this.next = undefined;
    this.arm(this.options.ttlMs * REFRESH_AT);
    return entry;
  }

  private failed(error: unknown): void {
    this.stats.dataKeyFailures++;
    const delay = Math.min(RETRY_MIN_MS * 2 ** this.failuresInRow, RETRY_MAX_MS);
    // Said once per outage (the first failure after a success), not once per process: each outage is news, and
    // the retries between are at most one every 30 s. The provider's message (a KMS error code and text) holds no
    // key: the provider has none to give us here.
    if (this.failuresInRow === 0) {
      diag.warn(`encryption: no data key from the key provider (${describeError(error)}); sensitive values are dropped until one arrives, and retried in the background`);
    }
    this.failuresInRow++;
    this.retryAt = Date.now() + delay;
    this.arm(delay);
  }

  private arm(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.retryAt = 0;
      this.scheduleRefresh();
    }, delayMs);
    this.timer.unref();
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 300);
  return typeof error;
}
