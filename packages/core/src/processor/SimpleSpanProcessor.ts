import { suppressTracing } from '../context/global.js';
import { diag } from '../diag.js';
import type { ExportResult, SpanExporter } from '../export/SpanExporter.js';
import type { ReadableSpan } from '../types.js';
import { deadline, within } from './deadline.js';
import { DEFAULT_FLUSH_TIMEOUT_MS, type FlushOptions, type ProcessorStats, type SpanProcessor } from './SpanProcessor.js';

/**
 * Hands each span to the exporter as it ends. For tests (InMemoryExporter) and the console; network exporters
 * want the BatchSpanProcessor.
 */
export class SimpleSpanProcessor implements SpanProcessor {
  private readonly pending = new Set<Promise<void>>();
  private exported = 0;
  private failures = 0;
  private attempts = 0;
  private stopped = false;
  private shutdownDone: Promise<void> | undefined;

  constructor(private readonly exporter: SpanExporter) {}

  onEnd(span: ReadableSpan): void {
    if (this.stopped) return;
    this.attempts++;
    let done: Promise<void>;
    try {
      // Exports run with tracing suppressed, so that our own fetch instrumentation never traces them: this is the
      // one place for that, with its twin in BatchSpanProcessor.
      done = suppressTracing(() => this.exporter.export([span])).then(
        (result: ExportResult | undefined) => {
          if (result?.code === 'success') this.exported++;
          else {
            // A third-party exporter may resolve to anything; only a success counts as one.
            this.failures++;
            const reason = result?.code === 'failure' ? String(result.error?.message ?? result.error) : `unexpected result ${typeof result}`;
            diag.warnOnce('simple-export', `export failed: ${reason}`);
          }
        },
        (error: unknown) => {
          this.failures++;
          diag.warnOnce('simple-export', `exporter threw: ${String(error)}`);
        },
      );
    } catch (error) {
      this.failures++;
      diag.warnOnce('simple-export', `exporter threw: ${String(error)}`);
      return;
    }
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  /** Waits for every accepted export (and those accepted meanwhile), up to the deadline (default 5 s). */
  async forceFlush(options: FlushOptions = {}): Promise<void> {
    const limit = deadline(options.timeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS);
    try {
      await within(this.drain(), limit);
    } finally {
      limit.cancel();
    }
  }

  /** Stops accepting spans, waits for every accepted export, then shuts the exporter down, once, within the deadline. */
  shutdown(options: FlushOptions = {}): Promise<void> {
    this.shutdownDone ??= this.stop(options.timeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS);
    return this.shutdownDone;
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    await this.exporter.forceFlush?.();
  }

  private async stop(timeoutMs: number): Promise<void> {
    this.stopped = true;
    const limit = deadline(timeoutMs);
    try {
      await within(this.drain(), limit);
      await within(Promise.resolve().then(() => this.exporter.shutdown()), limit);
    } finally {
      limit.cancel();
    }
  }

  getStats(): Partial<ProcessorStats> {
    return { spansExported: this.exported, exportAttempts: this.attempts, exportFailures: this.failures };
  }
}
