import { now } from '../clock.js';
import { resolveTracingConfig, type ObservabilityConfig, type TracingConfig, type TracingOptions } from '../config.js';
import { getContextManager } from '../context/global.js';
import { diag } from '../diag.js';
import { generateSpanId, generateTraceId } from '../ids.js';
import type { HeaderCarrier, IncomingHeaders } from '../propagation/headers.js';
import type { CompositePropagator } from '../propagation/CompositePropagator.js';
import { createPropagator } from '../propagation/registry.js';
import { RecentSpansProcessor } from '../processor/RecentSpansProcessor.js';
import { deadline, within } from '../processor/deadline.js';
import { DEFAULT_FLUSH_TIMEOUT_MS, type FlushOptions, type ProcessorStats, type SpanProcessor } from '../processor/SpanProcessor.js';
import type { Sampler } from '../sampling/Sampler.js';
import { compileNameMatcher } from '../matcher.js';
import { Redactor } from '../security/Redactor.js';
import {
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
  ATTR_TELEMETRY_SDK_LANGUAGE,
  ATTR_TELEMETRY_SDK_NAME,
  ATTR_TELEMETRY_SDK_VERSION,
} from '../semconv.js';
import { NO_SPAN_ID, TRACE_FLAG_RANDOM, TRACE_FLAG_SAMPLED, type ReadableSpan, type Resource, type Span, type SpanOptions, type TagValue, type TraceContext } from '../types.js';
import { AuditSpan, toReadableSpan, type SpanCuts, type SpanOwner } from './AuditSpan.js';
import { NonRecordingSpan } from './NonRecordingSpan.js';
import { createExportProcessor } from './pipeline.js';
import { createSampler } from './sampler.js';
import type { ResolvedSpanLimits } from './spanLimits.js';
import type { Tracer } from './Tracer.js';

/** Tag under which an incoming non-W3C correlation id (a UUID, say) is kept on the span that received it. */
export const CORRELATION_ID_TAG = 'correlation.id';

const SDK_VERSION = '0.1.0';

/** Counters for `getStats()`. */
export interface TracerStats extends ProcessorStats {
  spansStarted: number;
  spansFinished: number;
  spansUnsampled: number;
  /** Spans never finished within `maxActiveSpanAgeMs`, dropped from the active set. */
  spansExpired: number;
  activeSpans: number;
  /** What the span limits cut, summed over every ended span. */
  spanLimits: SpanLimitStats;
}

/** What the span limits cut: tags, logs and links dropped, values shortened, log fields and link tags dropped. */
export interface SpanLimitStats {
  tagsDropped: number;
  logsDropped: number;
  linksDropped: number;
  valuesTruncated: number;
  fieldsDropped: number;
}

// Keys listed for encryption are encrypted at export instead of redacted here. (An invalid list is reported by the
// encryption's own option check; it exempts nothing.)
function createRedactor(config: TracingConfig): Redactor {
  const sensitiveTags = config.encryption?.sensitiveTags;
  const exempt = Array.isArray(sensitiveTags) ? compileNameMatcher(sensitiveTags.filter((entry) => (typeof entry === 'string' && entry !== '') || entry instanceof RegExp), 'encryption', 'sensitiveTags') : undefined;
  return new Redactor(config.redact, exempt);
}

function buildResource(config: TracingConfig, redactor: Redactor): Resource {
  const attributes: Record<string, TagValue> = {
    [ATTR_SERVICE_NAME]: config.serviceName,
    [ATTR_TELEMETRY_SDK_NAME]: 'audit-tracing',
    [ATTR_TELEMETRY_SDK_LANGUAGE]: 'nodejs',
    [ATTR_TELEMETRY_SDK_VERSION]: SDK_VERSION,
  };
  if (config.serviceVersion) attributes[ATTR_SERVICE_VERSION] = config.serviceVersion;
  if (config.environment) attributes[ATTR_DEPLOYMENT_ENVIRONMENT_NAME] = config.environment;
  Object.assign(attributes, config.resourceAttributes);
  return Object.freeze({ serviceName: config.serviceName, attributes: Object.freeze(redactor.fields(attributes)) });
}

/**
 * The tracer: starts spans, hands each ended span's read-only record to its processors, and keeps the set of
 * active spans bounded. It knows no exporter by name (`exporterType` is looked up in the exporter registry), keeps
 * no finished spans itself (a `RecentSpansProcessor` does, for `getTraceSpans`), and changes no process-wide
 * state: installing a context manager or a global tracer is the caller's explicit call.
 */
export class AuditTracer implements Tracer, SpanOwner {
  readonly config: Readonly<TracingConfig>;
  readonly resource: Resource;
  readonly sampler: Sampler;
  readonly propagator: CompositePropagator;
  /** What replaces secrets in every span this tracer records. */
  readonly redactor: Redactor;
  private readonly limits: ResolvedSpanLimits;
  private readonly recent: RecentSpansProcessor | undefined;
  private readonly exportProcessor: SpanProcessor | undefined;
  /** The processors that receive records, in the order they hear of a span: the user's, then the exporting one. */
  private readonly processors: readonly SpanProcessor[];
  private readonly hasOnStart: boolean;
  // Active spans form a doubly linked list through the spans themselves: O(1) to add and remove, no hashing.
  private activeHead: AuditSpan | undefined = undefined;
  private activeTail: AuditSpan | undefined = undefined;
  private activeCount = 0;
  private cleanupTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private shutdownDone: Promise<void> | undefined;
  private spansStarted = 0;
  private spansFinished = 0;
  private spansUnsampled = 0;
  private spansExpired = 0;
  private spansAfterShutdown = 0;
  private readonly cuts: SpanLimitStats = { tagsDropped: 0, logsDropped: 0, linksDropped: 0, valuesTruncated: 0, fieldsDropped: 0 };

  constructor(options: TracingOptions | ObservabilityConfig = {}) {
    const config = resolveTracingConfig(options);
    this.config = config;
    this.redactor = createRedactor(config);
    this.resource = buildResource(config, this.redactor);
    this.sampler = createSampler(config);
    this.propagator = createPropagator(config);
    this.limits = config.spanLimits as ResolvedSpanLimits;
    this.recent =
      config.maxFinishedSpans > 0 && config.maxFinishedSpanBytes > 0
        ? new RecentSpansProcessor({ maxSpans: config.maxFinishedSpans, maxBytes: config.maxFinishedSpanBytes, ttlMs: config.finishedSpanTtlMs })
        : undefined;
    this.exportProcessor = config.enabled ? createExportProcessor(config) : undefined;
    const processors: SpanProcessor[] = [];
    if (config.processors) processors.push(...config.processors);
    if (this.exportProcessor) processors.push(this.exportProcessor);
    this.processors = processors;
    this.hasOnStart = processors.some((processor) => typeof processor.onStart === 'function');
    if (config.cleanupIntervalMs > 0) {
      this.cleanupTimer = setInterval(() => this.cleanup(), config.cleanupIntervalMs);
      this.cleanupTimer.unref();
    }
  }

  startSpan(operationName: string, parentContext?: TraceContext | Span | null, options?: SpanOptions): Span {
    let parent: TraceContext | Span | undefined;
    if (parentContext) parent = parentContext;
    else if (parentContext === undefined && options?.root !== true) parent = getContextManager().active();

    const traceId = parent ? parent.traceId : generateTraceId();
    // A context that names a trace but no span (NO_SPAN_ID, from an x-trace-id alone) makes this span the root.
    const parentSpanId = parent !== undefined && parent.spanId !== NO_SPAN_ID ? parent.spanId : undefined;
    const spanId = generateSpanId();
    // Ids we generate are random (W3C level 2); a continued trace keeps whatever its origin promised.
    const randomFlag = parent ? parent.traceFlags & TRACE_FLAG_RANDOM : TRACE_FLAG_RANDOM;
    this.spansStarted++;

    if (this.stopped || !this.config.enabled || !this.sampler.shouldSample(traceId, parent)) {
      if (this.stopped) this.spansAfterShutdown++;
      else this.spansUnsampled++;
      return new NonRecordingSpan(traceId, spanId, parentSpanId, operationName, randomFlag, parent?.traceState, parent?.correlationId, this);
    }

    const span = new AuditSpan(
      {
        traceId,
        spanId,
        parentSpanId,
        operationName,
        component: options?.component ?? (parent instanceof AuditSpan ? parent.component : 'internal'),
        kind: options?.kind ?? 'internal',
        traceFlags: randomFlag | TRACE_FLAG_SAMPLED,
        traceState: parent?.traceState,
        correlationId: parent?.correlationId,
        resource: this.resource,
        startTime: options?.startTime,
        tags: options?.tags,
        links: options?.links,
        limits: this.limits,
        instrumentationScope: options?.instrumentationScope,
        redactor: this.redactor,
      },
      this,
    );
    if (parent !== undefined && (parent as TraceContext).isRemote === true && parent.correlationId !== undefined) span.setTag(CORRELATION_ID_TAG, parent.correlationId);
    if (this.activeCount < this.config.maxActiveSpans) this.track(span);
    if (this.hasOnStart) this.notifyStart(span);
    return span;
  }

  createChildSpan(parentSpan: Span, operationName: string, options?: SpanOptions): Span {
    return this.startSpan(operationName, parentSpan, options);
  }

  finishSpan(span: Span): void {
    span.finish();
  }

  /** @internal Called by a span when it finishes: its record goes to every processor. */
  onSpanEnd(span: AuditSpan): void {
    this.spansFinished++;
    if (span._tracked) this.untrack(span);
    if (span._cuts !== undefined) this.countCuts(span._cuts);
    // The ring for getTraceSpans keeps the ended span itself: it stays in this process, is read-only once ended
    // (its list pointers are cleared above), and a record made only for it would cost ~45 ns per span.
    this.recent?.onEnd(span);
    const processors = this.processors;
    if (processors.length === 0) return;
    // What leaves through processors is a record of its own, made once, shared by them all.
    const record = toReadableSpan(span);
    for (let i = 0; i < processors.length; i++) {
      try {
        processors[i].onEnd(record);
      } catch (error) {
        diag.warnOnce('processor.onEnd', `span processor failed: ${String(error)}`);
      }
    }
  }

  /** The context of `span` as plain data, as it would cross the wire. */
  injectContext(span: Span): TraceContext {
    const context: TraceContext = { traceId: span.traceId, spanId: span.spanId, traceFlags: span.traceFlags, sampled: span.sampled };
    if (span.parentSpanId !== undefined) context.parentSpanId = span.parentSpanId;
    if (span.traceState !== undefined) context.traceState = span.traceState;
    if (span.correlationId !== undefined) context.correlationId = span.correlationId;
    return context;
  }

  /**
   * Writes the configured header formats for `span` (default: the active span) into `carrier` and returns it.
   * Headers the carrier already has are left as they are.
   */
  injectHeaders<C extends HeaderCarrier = Record<string, string>>(span?: Span | TraceContext, carrier?: C): C {
    const target = carrier ?? ({} as C);
    const context = span ?? getContextManager().active();
    if (context) this.propagator.inject(context, target);
    return target;
  }

  /** Reads a remote parent from incoming headers; null when there is none or it is malformed. Never throws. */
  extractContext(headers: IncomingHeaders): TraceContext | null {
    try {
      return this.propagator.extract(headers);
    } catch {
      return null;
    }
  }

  /**
   * Spans of one trace this tracer still holds, by start time: active ones (live, `endTime` unset) and the
   * recently ended ones the `maxFinishedSpans` ring keeps.
   */
  getTraceSpans(traceId: string): ReadableSpan[] {
    const out: ReadableSpan[] = [];
    for (let span = this.activeHead; span !== undefined; span = span._next) if (span.traceId === traceId) out.push(span);
    if (this.recent) for (const span of this.recent.getTraceSpans(traceId)) out.push(span);
    return out.sort((a, b) => a.startTime - b.startTime);
  }

  /** Spans started and not yet finished (bounded by `maxActiveSpans`). */
  getActiveSpans(): AuditSpan[] {
    const out: AuditSpan[] = [];
    for (let span = this.activeHead; span !== undefined; span = span._next) out.push(span);
    return out;
  }

  /** The span active in the current asynchronous flow. */
  getActiveSpan(): Span | undefined {
    return getContextManager().active();
  }

  /** Runs `fn` with `span` active. */
  withSpan<T>(span: Span | undefined, fn: () => T): T {
    return getContextManager().with(span, fn);
  }

  /**
   * Drops spans never finished within `maxActiveSpanAgeMs` (counted as expired) and finished spans older than
   * `finishedSpanTtlMs`. Runs on an unref'd timer; callable by hand.
   */
  cleanup(): void {
    const time = now();
    const activeLimit = time - this.config.maxActiveSpanAgeMs;
    for (let span = this.activeHead; span !== undefined; ) {
      const next = span._next;
      if (span.startTime < activeLimit) {
        this.untrack(span);
        this.spansExpired++;
      }
      span = next;
    }
    this.recent?.cleanup(time);
  }

  getStats(): TracerStats {
    let processorStats: Partial<ProcessorStats> = {};
    try {
      processorStats = this.exportProcessor?.getStats?.() ?? {};
    } catch {
      // a third-party processor's counters are a nicety; ours are still reported
    }
    const spansDropped = { ...processorStats.spansDropped };
    if (this.spansAfterShutdown > 0) spansDropped.shutdown = (spansDropped.shutdown ?? 0) + this.spansAfterShutdown;
    const stats: TracerStats = {
      spansStarted: this.spansStarted,
      spansFinished: this.spansFinished,
      spansUnsampled: this.spansUnsampled,
      spansExpired: this.spansExpired,
      activeSpans: this.activeCount,
      spansExported: processorStats.spansExported ?? 0,
      spansDropped,
      exportAttempts: processorStats.exportAttempts ?? 0,
      exportRetries: processorStats.exportRetries ?? 0,
      exportFailures: processorStats.exportFailures ?? 0,
      spanLimits: { ...this.cuts },
    };
    if (processorStats.encryption) stats.encryption = { ...processorStats.encryption };
    return stats;
  }

  /**
   * Delivers every finished span already handed to the processors, or as much as `timeoutMs` (default 5000)
   * allows; it resolves by then whatever the collector does, and what is left stays queued.
   */
  async forceFlush(options: FlushOptions = {}): Promise<void> {
    const limit = deadline(options.timeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS);
    try {
      await within(Promise.all(this.processors.map((processor) => this.settle('forceFlush', () => processor.forceFlush(options)))), limit);
    } finally {
      limit.cancel();
    }
  }

  /**
   * Stops recording, delivers what it can and shuts the exporter down, within `timeoutMs` (default 5000) whatever
   * the collector does: what could not be sent by then, and spans started later, are counted as dropped
   * (`shutdown`). Safe to call twice.
   */
  shutdown(options: FlushOptions = {}): Promise<void> {
    this.shutdownDone ??= this.stop(options);
    return this.shutdownDone;
  }

  private async stop(options: FlushOptions): Promise<void> {
    this.stopped = true;
    if (this.cleanupTimer) clearInterval(this.cleanupTimer);
    const limit = deadline(options.timeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS);
    try {
      await within(Promise.all(this.processors.map((processor) => this.settle('shutdown', () => processor.shutdown(options)))), limit);
    } finally {
      limit.cancel();
    }
  }

  private track(span: AuditSpan): void {
    span._tracked = true;
    span._prev = this.activeTail;
    if (this.activeTail === undefined) this.activeHead = span;
    else this.activeTail._next = span;
    this.activeTail = span;
    this.activeCount++;
  }

  private untrack(span: AuditSpan): void {
    const { _prev: prev, _next: next } = span;
    if (prev === undefined) this.activeHead = next;
    else prev._next = next;
    if (next === undefined) this.activeTail = prev;
    else next._prev = prev;
    span._prev = span._next = undefined;
    span._tracked = false;
    this.activeCount--;
  }

  private notifyStart(span: AuditSpan): void {
    const processors = this.processors;
    for (let i = 0; i < processors.length; i++) {
      try {
        processors[i].onStart?.(span);
      } catch (error) {
        diag.warnOnce('processor.onStart', `span processor failed: ${String(error)}`);
      }
    }
  }

  private countCuts(span: SpanCuts): void {
    const cuts = this.cuts;
    cuts.tagsDropped += span.droppedTagsCount;
    cuts.logsDropped += span.droppedLogsCount;
    cuts.linksDropped += span.droppedLinksCount;
    cuts.valuesTruncated += span.truncatedValues;
    cuts.fieldsDropped += span.droppedFields;
  }

  // A processor that throws or rejects costs a warning, never the caller's flush or shutdown.
  private async settle(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      diag.warnOnce(`processor.${what}`, `span processor ${what} failed: ${String(error)}`);
    }
  }
}
