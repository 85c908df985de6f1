import { suppressTracing } from '../context/global.js';
import { diag } from '../diag.js';
import type { ExportResult, SpanExporter } from '../export/SpanExporter.js';
import { invalidOption, unknownOption } from '../invalidOption.js';
import type { ReadableSpan } from '../types.js';
import type { ProcessorStats, SpanProcessor } from './SpanProcessor.js';

// Batching as the OpenTelemetry SDK specifies it (smaller batches than its 512: a batch is one request body).
// https://opentelemetry.io/docs/specs/otel/trace/sdk/#batching-processor

/** Spans per export request. */
export const DEFAULT_MAX_EXPORT_BATCH_SIZE = 100;
/** Spans waiting at most; beyond this, finished spans are dropped and counted rather than held. */
export const DEFAULT_MAX_QUEUE_SIZE = 2048;
/** A partial batch waits at most this long. */
export const DEFAULT_SCHEDULED_DELAY_MS = 5000;
/** One export, retries included, may take this long before its spans are counted as failed. */
export const DEFAULT_EXPORT_TIMEOUT_MS = 30_000;
/** Exports in flight at once. */
export const DEFAULT_MAX_CONCURRENT_EXPORTS = 1;

export interface BatchConfig {
  /** Spans per export request. Default 100. */
  maxExportBatchSize?: number;
  /** Spans waiting at most; more are dropped and counted. Default 2048. */
  maxQueueSize?: number;
  /** Flush interval in ms. Default 5000. */
  scheduledDelayMs?: number;
  /** How long one export may take, in ms. Default 30000. */
  exportTimeoutMs?: number;
  /** Exports in flight at once per exporter. Default 1. */
  maxConcurrentExports?: number;
}

/** Why spans were dropped, the keys of `spansDropped`. */
export type DropReason = 'queue_full' | 'export_failed' | 'export_timeout' | 'rejected' | 'shutdown';

const TIMED_OUT: unique symbol = Symbol('timed out');

const BATCH_OPTIONS: readonly (keyof BatchConfig)[] = ['maxExportBatchSize', 'maxQueueSize', 'scheduledDelayMs', 'exportTimeoutMs', 'maxConcurrentExports'];

function positiveInt(options: BatchConfig, field: keyof BatchConfig, fallback: number): number {
  const value = options[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw invalidOption('tracing', `batch.${field}`, 'a whole number > 0', value);
  return value;
}

/** The batch options with their defaults, checked: the one resolver, used by the tracing config and the constructor. */
export function resolveBatchConfig(options: BatchConfig | undefined): Readonly<Required<BatchConfig>> {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw invalidOption('tracing', 'batch', 'an object', options);
  for (const key of Object.keys(options)) {
    if (!BATCH_OPTIONS.includes(key as keyof BatchConfig)) throw unknownOption('tracing', `batch.${key}`, BATCH_OPTIONS);
  }
  const maxQueueSize = positiveInt(options, 'maxQueueSize', DEFAULT_MAX_QUEUE_SIZE);
  const maxExportBatchSize = positiveInt(options, 'maxExportBatchSize', Math.min(DEFAULT_MAX_EXPORT_BATCH_SIZE, maxQueueSize));
  if (maxExportBatchSize > maxQueueSize) throw invalidOption('tracing', 'batch.maxExportBatchSize', `at most maxQueueSize (${maxQueueSize})`, maxExportBatchSize);
  return {
    maxQueueSize,
    maxExportBatchSize,
    scheduledDelayMs: positiveInt(options, 'scheduledDelayMs', DEFAULT_SCHEDULED_DELAY_MS),
    exportTimeoutMs: positiveInt(options, 'exportTimeoutMs', DEFAULT_EXPORT_TIMEOUT_MS),
    maxConcurrentExports: positiveInt(options, 'maxConcurrentExports', DEFAULT_MAX_CONCURRENT_EXPORTS),
  };
}

/**
 * Queues finished spans and exports them in batches, off the request path: `onEnd` only appends to an array.
 * A batch goes out when it is full (on the next turn of the event loop) or when the oldest queued span has waited
 * `scheduledDelayMs`, on a timer that never keeps the process alive. A full queue drops and counts. Export
 * failures are counted, reported once, and never reach the application.
 */
export class BatchSpanProcessor implements SpanProcessor {
  private readonly maxExportBatchSize: number;
  private readonly maxQueueSize: number;
  private readonly scheduledDelayMs: number;
  private readonly exportTimeoutMs: number;
  private readonly maxConcurrentExports: number;
  private queue: ReadableSpan[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private exportScheduled = false;
  private stopped = false;
  private shutdownDone: Promise<void> | undefined;
  /** Spans ever queued, and spans ever taken off the queue into an export: flushes wait on these. */
  private accepted = 0;
  private taken = 0;
  private exportsStarted = 0;
  private exported = 0;
  private failures = 0;
  private readonly dropped: Record<string, number> = {};

  constructor(
    private readonly exporter: SpanExporter,
    options: BatchConfig = {},
  ) {
    const resolved = resolveBatchConfig(options);
    this.maxQueueSize = resolved.maxQueueSize;
    this.maxExportBatchSize = resolved.maxExportBatchSize;
    this.scheduledDelayMs = resolved.scheduledDelayMs;
    this.exportTimeoutMs = resolved.exportTimeoutMs;
    this.maxConcurrentExports = resolved.maxConcurrentExports;
  }

  onEnd(span: ReadableSpan): void {
    if (this.stopped) {
      this.drop('shutdown', 1);
      return;
    }
    const queue = this.queue;
    if (queue.length >= this.maxQueueSize) {
      this.drop('queue_full', 1);
      diag.warnOnce('batch.queue_full', `span queue full (${this.maxQueueSize}): spans are being dropped and counted in getStats().spansDropped.queue_full (further drops are not logged)`);
      return;
    }
    queue.push(span);
    this.accepted++;
    if (queue.length < this.maxExportBatchSize) {
      if (this.timer === undefined) this.startTimer();
    } else if (this.inFlight.size < this.maxConcurrentExports) this.scheduleExport();
    // else: the export in flight starts the next one when it ends
  }

  /** Exports every span queued so far and waits for the exports in flight. */
  async forceFlush(): Promise<void> {
    await this.flushUpTo(this.accepted);
    try {
      await this.exporter.forceFlush?.();
    } catch (error) {
      diag.warnOnce('batch.forceFlush', `exporter forceFlush failed: ${String(error)}`);
    }
  }

  /** Stops accepting spans, exports every span already queued, then shuts the exporter down. Idempotent. */
  shutdown(): Promise<void> {
    this.shutdownDone ??= this.stop();
    return this.shutdownDone;
  }

  getStats(): Partial<ProcessorStats> {
    let transport: ReturnType<NonNullable<SpanExporter['getStats']>> | undefined;
    try {
      transport = this.exporter.getStats?.();
    } catch {
      // a third-party exporter's counters are a nicety; ours are still reported
    }
    return {
      spansExported: this.exported,
      spansDropped: { ...this.dropped },
      // An exporter with a transport counts requests, retries included; any other export is one attempt.
      exportAttempts: transport?.exportAttempts ?? this.exportsStarted,
      exportRetries: transport?.exportRetries ?? 0,
      exportFailures: this.failures,
    };
  }

  private async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushUpTo(this.accepted);
    try {
      await this.exporter.shutdown();
    } catch (error) {
      diag.warnOnce('batch.shutdown', `exporter shutdown failed: ${String(error)}`);
    }
  }

  private drop(reason: DropReason, count: number): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + count;
  }

  // Timers and immediates are created with tracing suppressed so that they do not hold on to the context (and
  // span) of the request whose span happened to start them.
  private startTimer(): void {
    suppressTracing(() => {
      this.timer = setTimeout(this.onTimer, this.scheduledDelayMs);
      this.timer.unref();
    });
  }

  private scheduleExport(): void {
    if (this.exportScheduled) return;
    this.exportScheduled = true;
    suppressTracing(() => setImmediate(this.onBatchFull));
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.pump(true);
  };

  private readonly onBatchFull = (): void => {
    this.exportScheduled = false;
    this.pump(false);
  };

  /** Starts exports while slots are free: full batches only, or any remainder when `partial` (the timer fired). */
  private pump(partial: boolean): void {
    const queue = this.queue;
    while (this.inFlight.size < this.maxConcurrentExports && (queue.length >= this.maxExportBatchSize || (partial && queue.length > 0))) {
      this.startExport(this.maxExportBatchSize);
    }
    if (queue.length > 0 && this.timer === undefined && !this.stopped) this.startTimer();
  }

  private onExportSettled(done: Promise<void>): void {
    this.inFlight.delete(done);
    this.pump(false);
  }

  private async flushUpTo(target: number): Promise<void> {
    while (this.taken < target && this.queue.length > 0) {
      if (this.inFlight.size < this.maxConcurrentExports) this.startExport(Math.min(this.maxExportBatchSize, target - this.taken));
      else await Promise.race(this.inFlight);
    }
    await Promise.all([...this.inFlight]);
  }

  private startExport(size: number): void {
    const queue = this.queue;
    let batch: ReadableSpan[];
    if (queue.length <= size) {
      batch = queue;
      this.queue = [];
    } else batch = queue.splice(0, size);
    this.taken += batch.length;
    this.exportsStarted++;
    const done = this.exportBatch(batch);
    this.inFlight.add(done);
    void done.then(() => this.onExportSettled(done));
  }

  /** Runs one export to its end. Never rejects. */
  private async exportBatch(batch: ReadableSpan[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let result: ExportResult | typeof TIMED_OUT | undefined;
    try {
      const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
        timer = setTimeout(resolve, this.exportTimeoutMs, TIMED_OUT);
        timer.unref();
      });
      // Exports run with tracing suppressed, so that our own fetch instrumentation never traces them: this is the
      // one place for that (with its twin in SimpleSpanProcessor); exporters do not repeat it.
      result = await Promise.race([suppressTracing(() => this.exporter.export(batch)), timeout]);
    } catch (error) {
      result = { code: 'failure', error: error instanceof Error ? error : new Error(String(error)) };
    } finally {
      clearTimeout(timer);
    }

    if (result === TIMED_OUT) {
      this.failures++;
      this.drop('export_timeout', batch.length);
      diag.warnOnce('batch.export_timeout', `export of ${batch.length} spans took over ${this.exportTimeoutMs} ms; its spans are counted as dropped (further timeouts are not logged)`);
    } else if (result?.code === 'success') {
      const rejected = Math.min(Number(result.rejected) || 0, batch.length);
      this.exported += batch.length - rejected;
      if (rejected > 0) this.drop('rejected', rejected);
    } else {
      // A third-party exporter may resolve to anything; only our own promise of never throwing counts here.
      this.failures++;
      this.drop('export_failed', batch.length);
      const reason = result?.code === 'failure' ? String(result.error?.message ?? result.error) : `unexpected result ${typeof result}`;
      diag.warnOnce('batch.export_failed', `export of ${batch.length} spans failed: ${reason} (further failures are counted in getStats(), not logged)`);
    }
  }
}
