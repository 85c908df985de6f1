import type { ReadableSpan, Span } from '../types.js';

/** Counters a processor keeps for `tracer.getStats()`. */
export interface ProcessorStats {
  spansExported: number;
  spansDropped: Record<string, number>;
  exportAttempts: number;
  exportRetries: number;
  exportFailures: number;
}

/**
 * Hooks for span start and end. `onStart` sees the live span (it may still add tags); `onEnd` the read-only
 * record of the ended span. Both run on the request path: synchronous, cheap, and never throwing or waiting on
 * the network.
 */
export interface SpanProcessor {
  onStart?(span: Span): void;
  onEnd(span: ReadableSpan): void;
  /** Delivers everything already accepted. */
  forceFlush(): Promise<void>;
  /** Delivers everything already accepted, then stops accepting. */
  shutdown(): Promise<void>;
  getStats?(): Partial<ProcessorStats>;
}
