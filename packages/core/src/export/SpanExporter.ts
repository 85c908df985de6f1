import type { ReadableSpan } from '../types.js';

/**
 * The outcome of one export, as data, not as an exception.
 * `retryable` failures have already been retried by the transport when they reach the processor. A success may
 * still leave some spans undelivered: `rejected` by the collector (a partial success), or `dropped` by reason
 * (`too_large`: a span that alone exceeds the largest body the exporter sends).
 */
export type ExportResult =
  | { code: 'success'; rejected?: number; dropped?: Readonly<Record<string, number>> }
  | { code: 'failure'; error: Error; retryable?: boolean; attempts?: number; aborted?: boolean };

/** What the processor hands an export besides the spans. */
export interface ExportOptions {
  /**
   * Aborted when the export's time budget is spent (or shutdown's deadline passes): the exporter stops sending
   * and retrying at once and resolves to a failure, so nothing counted as dropped is delivered later.
   */
  signal?: AbortSignal;
}

/** A backend. Exporters never throw from `export`: they resolve to a failure. */
export interface SpanExporter {
  export(spans: readonly ReadableSpan[], options?: ExportOptions): Promise<ExportResult>;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
  /** Transport counters (attempts, retries…), when the exporter keeps them. */
  getStats?(): { exportAttempts?: number; exportRetries?: number };
}

export const SUCCESS: ExportResult = Object.freeze({ code: 'success' });
