import type { EncryptionStats } from '../security/TagEncryptor.js';
import type { ReadableSpan, Span } from '../types.js';

/** Counters a processor keeps for `tracer.getStats()`. */
export interface ProcessorStats {
  spansExported: number;
  spansDropped: Record<string, number>;
  exportAttempts: number;
  exportRetries: number;
  exportFailures: number;
  /** What encryption did, when it is configured: values encrypted and dropped, data keys fetched and failed. */
  encryption?: EncryptionStats;
}

/** How long a flush or a shutdown may take. */
export interface FlushOptions {
  /** The deadline, in ms: the call resolves by then whatever the exporter does. Default 5000. */
  timeoutMs?: number;
}

/** The deadline of `forceFlush` and `shutdown` when none is given. */
export const DEFAULT_FLUSH_TIMEOUT_MS = 5000;

/**
 * Hooks for span start and end. `onStart` sees the live span (it may still add tags); `onEnd` the read-only
 * record of the ended span. Both run on the request path: synchronous, cheap, and never throwing or waiting on
 * the network.
 */
export interface SpanProcessor {
  onStart?(span: Span): void;
  onEnd(span: ReadableSpan): void;
  /** Delivers everything already accepted, or as much as the deadline allows (what is left stays queued). */
  forceFlush(options?: FlushOptions): Promise<void>;
  /** Stops accepting, delivers what it can by the deadline, counts the rest as dropped (`shutdown`). */
  shutdown(options?: FlushOptions): Promise<void>;
  getStats?(): Partial<ProcessorStats>;
}
