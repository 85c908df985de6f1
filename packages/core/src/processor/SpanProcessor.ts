import type { AuditSpan } from '../trace/AuditSpan.js';

/** Counters a processor keeps for `tracer.getStats()`. */
export interface ProcessorStats {
  spansExported: number;
  spansDropped: Record<string, number>;
  exportAttempts: number;
  exportRetries: number;
  exportFailures: number;
}

/**
 * Hooks for span start and end. `onEnd` runs on the request path: it must be synchronous, cheap, and never
 * throw or wait on the network.
 */
export interface SpanProcessor {
  onStart?(span: AuditSpan): void;
  onEnd(span: AuditSpan): void;
  /** Delivers everything already accepted. */
  forceFlush(): Promise<void>;
  /** Delivers everything already accepted, then stops accepting. */
  shutdown(): Promise<void>;
  getStats?(): Partial<ProcessorStats>;
}
