import { suppressTracing } from '../context/global.js';
import { diag } from '../diag.js';
import type { ExportResult, SpanExporter } from '../export/SpanExporter.js';
import { invalidOption, unknownOption } from '../invalidOption.js';
import type { ReadableSpan } from '../types.js';
import { deadline, within, type Deadline } from './deadline.js';
import { spanBytes } from './spanBytes.js';
import { DEFAULT_FLUSH_TIMEOUT_MS, type FlushOptions, type ProcessorStats, type SpanProcessor } from './SpanProcessor.js';

// Batching as the OpenTelemetry SDK specifies it, sized for a busy service: a full batch goes out at once, several
// exports run at once, and batches grow while a backlog waits, so the exporter keeps up with the spans that come.
// https://opentelemetry.io/docs/specs/otel/trace/sdk/#batching-processor

/** Spans per export request while the exporter keeps up (the design's batch). */
export const DEFAULT_MAX_EXPORT_BATCH_SIZE = 100;
/** Spans waiting at most; beyond this, finished spans are dropped and counted (`queue_full`) rather than held. */
export const DEFAULT_MAX_QUEUE_SIZE = 8192;
/** Estimated bytes waiting at most (`ReadableSpan.estimatedBytes`); beyond this, spans are dropped (`queue_bytes`). */
export const DEFAULT_MAX_QUEUE_BYTES = 32 * 1024 * 1024;
/** A partial batch waits at most this long. */
export const DEFAULT_SCHEDULED_DELAY_MS = 5000;
/** One export's whole time budget, retries included: when it is spent the request is aborted and its spans counted. */
export const DEFAULT_EXPORT_TIMEOUT_MS = 10_000;
/** Exports in flight at once. */
export const DEFAULT_MAX_CONCURRENT_EXPORTS = 4;
/** While a backlog waits, a batch grows up to this many times `maxExportBatchSize` (the body size limit still holds). */
export const MAX_BATCH_GROWTH = 20;
/**
 * After an abort, an answer that was already on its way still counts as delivered if it comes within this long;
 * an exporter that ignores the signal loses its slot then.
 */
export const ABORT_GRACE_MS = 20;
/** What shutdown keeps of its deadline for aborting exports and shutting the exporter down. */
const SHUTDOWN_MARGIN_MS = 250;

export interface BatchConfig {
  /** Spans per export request while the exporter keeps up; batches grow while a backlog waits. Default 100. */
  maxExportBatchSize?: number;
  /** Spans waiting at most; more are dropped and counted. Default 8192. */
  maxQueueSize?: number;
  /** Estimated bytes waiting at most; more are dropped and counted. Default 32 MiB. */
  maxQueueBytes?: number;
  /** Flush interval in ms for partial batches. Default 5000. */
  scheduledDelayMs?: number;
  /** One export's whole budget in ms, retries included. Default 10000. */
  exportTimeoutMs?: number;
  /** Exports in flight at once per exporter. Default 4. */
  maxConcurrentExports?: number;
}

/** Why spans were dropped, the keys of `spansDropped`. */
export type DropReason = 'queue_full' | 'queue_bytes' | 'export_failed' | 'export_timeout' | 'rejected' | 'too_large' | 'shutdown';

const BATCH_OPTIONS: readonly (keyof BatchConfig)[] = ['maxExportBatchSize', 'maxQueueSize', 'maxQueueBytes', 'scheduledDelayMs', 'exportTimeoutMs', 'maxConcurrentExports'];

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
    maxQueueBytes: positiveInt(options, 'maxQueueBytes', DEFAULT_MAX_QUEUE_BYTES),
    scheduledDelayMs: positiveInt(options, 'scheduledDelayMs', DEFAULT_SCHEDULED_DELAY_MS),
    exportTimeoutMs: positiveInt(options, 'exportTimeoutMs', DEFAULT_EXPORT_TIMEOUT_MS),
    maxConcurrentExports: positiveInt(options, 'maxConcurrentExports', DEFAULT_MAX_CONCURRENT_EXPORTS),
  };
}

interface Export {
  readonly controller: AbortController;
  done: Promise<void>;
}

const ABANDONED: unique symbol = Symbol('abandoned');

/**
 * Queues finished spans and exports them in batches, off the request path: `onEnd` only appends to an array.
 * A batch goes out as soon as it is full (on the next turn of the event loop), or when the oldest queued span has
 * waited `scheduledDelayMs`, on a timer that never keeps the process alive. Up to `maxConcurrentExports` exports
 * run at once and batches grow while a backlog waits. Each export has one time budget, retries included: when it
 * is spent the exporter is told to abort (an `AbortSignal`), so spans counted as dropped are never delivered
 * later and shutdown never waits for abandoned sends. A full queue (in spans or in bytes) drops and counts.
 * Export failures are counted, reported once, and never reach the application.
 */
export class BatchSpanProcessor implements SpanProcessor {
  private readonly config: Readonly<Required<BatchConfig>>;
  private queue: ReadableSpan[] = [];
  /** Estimated bytes of the spans waiting. */
  private queueBytes = 0;
  /** Estimated bytes of the spans this processor holds: waiting, and in exports not yet settled (the budget's). */
  private heldBytes = 0;
  private readonly inFlight = new Set<Export>();
  private timer: NodeJS.Timeout | undefined;
  private exportScheduled = false;
  private stopped = false;
  private shutdownDone: Promise<void> | undefined;
  // Aborts every export in flight when shutdown's deadline comes.
  private readonly stopController = new AbortController();
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
    this.config = resolveBatchConfig(options);
  }

  onEnd(span: ReadableSpan): void {
    if (this.stopped) {
      this.drop('shutdown', 1);
      return;
    }
    const queue = this.queue;
    const { maxQueueSize, maxQueueBytes, maxExportBatchSize } = this.config;
    if (queue.length >= maxQueueSize) {
      this.drop('queue_full', 1);
      diag.warnOnce('batch.queue_full', `span queue full (${maxQueueSize} spans): spans are being dropped and counted in getStats().spansDropped.queue_full (further drops are not logged)`);
      return;
    }
    const bytes = spanBytes(span);
    if (this.heldBytes + bytes > maxQueueBytes) {
      this.drop('queue_bytes', 1);
      diag.warnOnce('batch.queue_bytes', `span queue over its byte budget (${maxQueueBytes} bytes): spans are being dropped and counted in getStats().spansDropped.queue_bytes (further drops are not logged)`);
      return;
    }
    queue.push(span);
    this.queueBytes += bytes;
    this.heldBytes += bytes;
    this.accepted++;
    if (!this.batchReady()) {
      if (this.timer === undefined) this.startTimer();
    } else if (this.inFlight.size < this.config.maxConcurrentExports) this.scheduleExport();
    // else: an export in flight starts the next one when it ends
  }

  /** Exports every span queued so far and waits for the exports in flight, up to the deadline (default 5 s). */
  async forceFlush(options: FlushOptions = {}): Promise<void> {
    const limit = deadline(options.timeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS);
    try {
      await within(this.flushUpTo(this.accepted, limit), limit);
      await within(Promise.resolve(this.exporter.forceFlush?.()), limit);
    } finally {
      limit.cancel();
    }
  }

  /**
   * Stops accepting spans, exports what is queued, then shuts the exporter down, all within the deadline (default
   * 5 s) whatever the collector does: exports still running then are aborted and, with what is still queued, counted
   * as dropped (`shutdown`). Idempotent.
   */
  shutdown(options: FlushOptions = {}): Promise<void> {
    this.shutdownDone ??= this.stop(options.timeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS);
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

  private async stop(timeoutMs: number): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    // Most of the deadline goes to delivering; the rest to aborting what still runs and closing the exporter.
    const flushLimit = deadline(Math.max(0, timeoutMs - Math.min(SHUTDOWN_MARGIN_MS, timeoutMs / 5)));
    const overall = deadline(timeoutMs);
    try {
      await within(this.flushUpTo(this.accepted, flushLimit), flushLimit);
      // Time is up, or everything went: abort what still runs, count what never left.
      this.stopController.abort(new Error('shutdown deadline'));
      if (this.queue.length > 0) {
        this.drop('shutdown', this.queue.length);
        this.queue = [];
        this.heldBytes -= this.queueBytes;
        this.queueBytes = 0;
      }
      await within(Promise.all([...this.inFlight].map((entry) => entry.done)), overall);
      await within(Promise.resolve().then(() => this.exporter.shutdown()), overall);
    } catch (error) {
      diag.warnOnce('batch.shutdown', `exporter shutdown failed: ${String(error)}`);
    } finally {
      flushLimit.cancel();
      overall.cancel();
    }
  }

  private drop(reason: DropReason | string, count: number): void {
    if (count > 0) this.dropped[reason] = (this.dropped[reason] ?? 0) + count;
  }

  // Timers and immediates are created with tracing suppressed so that they do not hold on to the context (and
  // span) of the request whose span happened to start them.
  private startTimer(): void {
    suppressTracing(() => {
      this.timer = setTimeout(this.onTimer, this.config.scheduledDelayMs);
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

  /** A batch is ready when it is full in spans, or holds a quarter of the byte budget (large spans, few of them). */
  private batchReady(): boolean {
    return this.queue.length >= this.config.maxExportBatchSize || this.queueBytes >= this.config.maxQueueBytes / 4;
  }

  /** How many spans the next export takes: the usual batch, or a share of the backlog while one waits. */
  private nextBatchSize(): number {
    const { maxExportBatchSize, maxConcurrentExports } = this.config;
    const free = Math.max(1, maxConcurrentExports - this.inFlight.size);
    const share = Math.ceil(this.queue.length / free);
    return Math.min(Math.max(maxExportBatchSize, share), maxExportBatchSize * MAX_BATCH_GROWTH);
  }

  /** Starts exports while slots are free: full batches only, or any remainder when `partial` (the timer fired). */
  private pump(partial: boolean): void {
    // `this.queue`, not a local: taking a batch may replace the array.
    while (this.inFlight.size < this.config.maxConcurrentExports && this.queue.length > 0 && (partial || this.batchReady())) {
      this.startExport(this.nextBatchSize());
    }
    if (this.queue.length > 0 && this.timer === undefined && !this.stopped) this.startTimer();
  }

  private async flushUpTo(target: number, limit: Deadline): Promise<void> {
    let timeUp = false;
    void limit.passed.then(() => (timeUp = true));
    while (!timeUp && this.taken < target && this.queue.length > 0) {
      if (this.inFlight.size < this.config.maxConcurrentExports) this.startExport(Math.min(this.nextBatchSize(), target - this.taken));
      else await Promise.race([...[...this.inFlight].map((entry) => entry.done), limit.passed]);
    }
    if (!timeUp) await Promise.race([Promise.all([...this.inFlight].map((entry) => entry.done)), limit.passed]);
  }

  private startExport(size: number): void {
    const queue = this.queue;
    let batch: ReadableSpan[];
    let bytes: number;
    if (queue.length <= size) {
      batch = queue;
      this.queue = [];
      bytes = this.queueBytes;
      this.queueBytes = 0;
    } else {
      batch = queue.splice(0, size);
      bytes = 0;
      for (let i = 0; i < batch.length; i++) bytes += spanBytes(batch[i]);
      this.queueBytes -= bytes;
    }
    this.taken += batch.length;
    this.exportsStarted++;
    const entry: Export = { controller: new AbortController(), done: Promise.resolve() };
    entry.done = this.exportBatch(batch, entry.controller);
    this.inFlight.add(entry);
    void entry.done.then(() => {
      this.inFlight.delete(entry);
      this.heldBytes -= bytes;
      this.pump(false);
    });
  }

  /** Runs one export to its end, within its budget. Never rejects. */
  private async exportBatch(batch: ReadableSpan[], controller: AbortController): Promise<void> {
    const { signal } = controller;
    let budgetSpent = false;
    const budget = setTimeout(() => {
      budgetSpent = true;
      controller.abort(new Error(`export took over ${this.config.exportTimeoutMs} ms`));
    }, this.config.exportTimeoutMs);
    budget.unref();
    const onStop = (): void => controller.abort(this.stopController.signal.reason);
    this.stopController.signal.addEventListener('abort', onStop, { once: true });
    let grace: NodeJS.Timeout | undefined;
    // An exporter that ignores the signal keeps its promise; the slot is taken back shortly after the abort.
    const abandoned = new Promise<typeof ABANDONED>((resolve) => {
      const onAbort = (): void => {
        grace = setTimeout(resolve, ABORT_GRACE_MS, ABANDONED);
        grace.unref();
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    let result: ExportResult | typeof ABANDONED | undefined;
    try {
      // Exports run with tracing suppressed, so that our own fetch instrumentation never traces them: this is the
      // one place for that (with its twin in SimpleSpanProcessor); exporters do not repeat it.
      result = await Promise.race([suppressTracing(() => this.exporter.export(batch, { signal })), abandoned]);
    } catch (error) {
      result = { code: 'failure', error: error instanceof Error ? error : new Error(String(error)) };
    } finally {
      clearTimeout(budget);
      clearTimeout(grace);
      this.stopController.signal.removeEventListener('abort', onStop);
    }
    this.account(batch.length, result, signal.aborted, budgetSpent);
  }

  private account(count: number, result: ExportResult | typeof ABANDONED | undefined, aborted: boolean, budgetSpent: boolean): void {
    if (result !== ABANDONED && result?.code === 'success') {
      // Delivered, even when it came back as the budget ran out: never count it as dropped too.
      const rejected = Math.min(Number(result.rejected) || 0, count);
      let undelivered = rejected;
      this.drop('rejected', rejected);
      if (result.dropped) {
        for (const reason of Object.keys(result.dropped)) {
          const n = Math.min(Number(result.dropped[reason]) || 0, count - undelivered);
          this.drop(reason, n);
          undelivered += n;
        }
      }
      this.exported += count - undelivered;
      return;
    }
    this.failures++;
    if (aborted) {
      const reason: DropReason = budgetSpent ? 'export_timeout' : 'shutdown';
      this.drop(reason, count);
      if (budgetSpent) {
        diag.warnOnce('batch.export_timeout', `export of ${count} spans took over ${this.config.exportTimeoutMs} ms and was aborted; its spans are counted as dropped (further timeouts are not logged)`);
      }
      return;
    }
    this.drop('export_failed', count);
    // A third-party exporter may resolve to anything; only our own promise of never throwing counts here.
    const reason = result !== ABANDONED && result?.code === 'failure' ? String(result.error?.message ?? result.error) : `unexpected result ${typeof result}`;
    diag.warnOnce('batch.export_failed', `export of ${count} spans failed: ${reason} (further failures are counted in getStats(), not logged)`);
  }
}
