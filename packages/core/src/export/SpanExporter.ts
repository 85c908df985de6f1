import type { ReadableSpan } from '../types.js';

/**
 * The outcome of one export, as data, not as an exception.
 * `retryable` failures have already been retried by the transport when they reach the processor.
 */
export type ExportResult =
  | { code: 'success'; rejected?: number }
  | { code: 'failure'; error: Error; retryable?: boolean; attempts?: number };

/** A backend. Exporters never throw from `export`: they resolve to a failure. */
export interface SpanExporter {
  export(spans: readonly ReadableSpan[]): Promise<ExportResult>;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
  /** Transport counters (attempts, retries…), when the exporter keeps them. */
  getStats?(): { exportAttempts?: number; exportRetries?: number };
}

export const SUCCESS: ExportResult = Object.freeze({ code: 'success' });
