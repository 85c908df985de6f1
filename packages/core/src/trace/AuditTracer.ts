import { now } from '../clock.js';
import { resolveTracingConfig, type ObservabilityConfig, type TracingConfig, type TracingOptions } from '../config.js';
import { ClsHookedContextManager } from '../context/ClsHookedContextManager.js';
import { getContextManager, setContextManager } from '../context/global.js';
import { diag } from '../diag.js';
import { generateSpanId, generateTraceId } from '../ids.js';
import type { HeaderCarrier, IncomingHeaders } from '../propagation/headers.js';
import type { CompositePropagator } from '../propagation/CompositePropagator.js';
import { createPropagator } from '../propagation/registry.js';
import type { ProcessorStats, SpanProcessor } from '../processor/SpanProcessor.js';
import type { Sampler } from '../sampling/Sampler.js';
import { TRACE_FLAG_RANDOM, TRACE_FLAG_SAMPLED, type Resource, type Span, type SpanOptions, type TagValue, type TraceContext } from '../types.js';
import { AuditSpan, type SpanOwner } from './AuditSpan.js';
import { NonRecordingSpan } from './NonRecordingSpan.js';
import { createPipeline } from './pipeline.js';
import { createSampler } from './sampler.js';
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
}

function buildResource(config: TracingConfig): Resource {
  const attributes: Record<string, TagValue> = {
    'service.name': config.serviceName,
    'telemetry.sdk.name': 'audit-tracing',
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.version': SDK_VERSION,
  };
  if (config.serviceVersion) attributes['service.version'] = config.serviceVersion;
  if (config.environment) attributes['deployment.environment.name'] = config.environment;
  Object.assign(attributes, config.resourceAttributes);
  return Object.freeze({ serviceName: config.serviceName, attributes: Object.freeze(attributes) });
}

/**
 * The tracer: starts spans, keeps what it holds in memory bounded, and hands finished spans to its processor.
 * It knows no exporter by name; `exporterType` is looked up in the exporter registry.
 */
export class AuditTracer implements Tracer, SpanOwner {
  readonly config: Readonly<TracingConfig>;
  readonly resource: Resource;
  readonly sampler: Sampler;
  readonly propagator: CompositePropagator;
  private readonly processor: SpanProcessor | undefined;
  // Active spans form a doubly linked list through the spans themselves: O(1) to add and remove, no hashing.
  private activeHead: AuditSpan | undefined = undefined;
  private activeTail: AuditSpan | undefined = undefined;
  private activeCount = 0;
  // Finished spans kept for getTraceSpans: a fixed ring, so memory is flat however long the process runs.
  private readonly finished: (AuditSpan | undefined)[];
  private finishedNext = 0;
  private cleanupTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private spansStarted = 0;
  private spansFinished = 0;
  private spansUnsampled = 0;
  private spansExpired = 0;

  constructor(options: TracingOptions | ObservabilityConfig = {}) {
    const config = resolveTracingConfig(options);
    this.config = config;
    this.resource = buildResource(config);
    this.sampler = createSampler(config);
    this.propagator = createPropagator(config);
    if (config.contextManager === 'cls-hooked') setContextManager(new ClsHookedContextManager());
    else if (typeof config.contextManager === 'object') setContextManager(config.contextManager);
    else if (config.contextManager !== undefined && config.contextManager !== 'async-local-storage') {
      throw new TypeError(`tracing.contextManager: expected 'async-local-storage', 'cls-hooked' or a ContextManager, got ${JSON.stringify(config.contextManager)}`);
    }
    this.processor = config.enabled ? createPipeline(config).processor : undefined;
    this.finished = new Array(config.maxFinishedSpans);
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
    const spanId = generateSpanId();
    // Ids we generate are random (W3C level 2); a continued trace keeps whatever its origin promised.
    const randomFlag = parent ? parent.traceFlags & TRACE_FLAG_RANDOM : TRACE_FLAG_RANDOM;
    this.spansStarted++;

    if (this.stopped || !this.config.enabled || !this.sampler.shouldSample(traceId, parent)) {
      this.spansUnsampled++;
      return new NonRecordingSpan(traceId, spanId, parent?.spanId, operationName, randomFlag, parent?.traceState, parent?.correlationId);
    }

    const span = new AuditSpan(
      {
        traceId,
        spanId,
        parentSpanId: parent?.spanId,
        operationName,
        component: options?.component ?? (parent instanceof AuditSpan ? parent.component : 'internal'),
        kind: options?.kind ?? 'internal',
        traceFlags: randomFlag | TRACE_FLAG_SAMPLED,
        traceState: parent?.traceState,
        correlationId: parent?.correlationId,
        resource: this.resource,
        startTime: options?.startTime,
        tags: options?.tags,
      },
      this,
    );
    if (parent !== undefined && (parent as TraceContext).isRemote === true && parent.correlationId !== undefined) span.tags[CORRELATION_ID_TAG] = parent.correlationId;
    if (this.activeCount < this.config.maxActiveSpans) this.track(span);
    if (this.processor?.onStart) this.safely(() => this.processor?.onStart?.(span));
    return span;
  }

  createChildSpan(parentSpan: Span, operationName: string, options?: SpanOptions): Span {
    return this.startSpan(operationName, parentSpan, options);
  }

  finishSpan(span: Span): void {
    span.finish();
  }

  /** @internal Called by a span when it finishes. */
  onSpanEnd(span: AuditSpan): void {
    this.spansFinished++;
    if (span._tracked) this.untrack(span);
    const finished = this.finished;
    if (finished.length > 0) {
      finished[this.finishedNext] = span;
      this.finishedNext = this.finishedNext + 1 === finished.length ? 0 : this.finishedNext + 1;
    }
    const processor = this.processor;
    if (processor) {
      try {
        processor.onEnd(span);
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

  /** Spans of one trace this tracer still holds: active ones and recently finished ones, by start time. */
  getTraceSpans(traceId: string): AuditSpan[] {
    const out: AuditSpan[] = [];
    for (let span = this.activeHead; span !== undefined; span = span._next) if (span.traceId === traceId) out.push(span);
    const oldest = now() - this.config.finishedSpanTtlMs;
    for (const span of this.finished) {
      if (span !== undefined && span.traceId === traceId && (span.endTime ?? 0) >= oldest) out.push(span);
    }
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
    const finishedLimit = time - this.config.finishedSpanTtlMs;
    const finished = this.finished;
    for (let i = 0; i < finished.length; i++) {
      const span = finished[i];
      if (span !== undefined && (span.endTime ?? 0) < finishedLimit) finished[i] = undefined;
    }
  }

  getStats(): TracerStats {
    const processorStats = this.processor?.getStats?.() ?? {};
    return {
      spansStarted: this.spansStarted,
      spansFinished: this.spansFinished,
      spansUnsampled: this.spansUnsampled,
      spansExpired: this.spansExpired,
      activeSpans: this.activeCount,
      spansExported: processorStats.spansExported ?? 0,
      spansDropped: processorStats.spansDropped ?? {},
      exportAttempts: processorStats.exportAttempts ?? 0,
      exportRetries: processorStats.exportRetries ?? 0,
      exportFailures: processorStats.exportFailures ?? 0,
    };
  }

  /** Delivers every finished span already handed to the processor. */
  async forceFlush(): Promise<void> {
    await this.processor?.forceFlush();
  }

  /** Flushes, then stops: later spans are not recorded. Safe to call twice. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.cleanupTimer) clearInterval(this.cleanupTimer);
    await this.processor?.shutdown();
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

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      diag.warnOnce('processor.onStart', `span processor failed: ${String(error)}`);
    }
  }
}
