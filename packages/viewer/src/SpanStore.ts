import type { ReadableSpan } from '@audit-tracing/core';

/** One trace as the store holds it, with the summary the trace list shows kept up to date as spans arrive. */
export interface StoredTrace {
  readonly traceId: string;
  readonly spans: ReadableSpan[];
  /** Bytes of span JSON the trace holds. */
  bytes: number;
  /** Earliest start and latest end of its spans, epoch ms. */
  start: number;
  end: number;
  errorCount: number;
  /** Spans per service. */
  readonly services: Map<string, number>;
}

export interface SpanStoreLimits {
  maxSpans: number;
  maxBytes: number;
}

export interface SpanStoreStats {
  traces: number;
  spans: number;
  bytes: number;
  /** Spans received again (same trace and span id) and ignored. */
  duplicates: number;
  /** Spans let go to keep within the limits, with their traces. */
  evictedSpans: number;
  evictedTraces: number;
  /** Spans that alone were larger than the byte limit. */
  tooLarge: number;
  /** Spans that could not be written as JSON (a log field holding a BigInt or a cycle, from a live tracer). */
  unserializable: number;
}

/** A span's size against the byte limit: the length of its JSON line, which persistence writes anyway. */
export function spanLine(span: ReadableSpan): string {
  return JSON.stringify(span);
}

/**
 * The viewer's traces, bounded by spans and by bytes. Traces are kept in the order they were last written to (a
 * Map keeps insertion order, and a trace that receives a span moves to the end), so the ones that went quiet
 * longest are evicted first, whole: a trace is never shown with half its spans cut away by the limits.
 */
export class SpanStore {
  private readonly traces = new Map<string, StoredTrace>();
  private readonly spanIds = new Map<string, Set<string>>();
  private spanCount = 0;
  private byteCount = 0;
  private duplicates = 0;
  private evictedSpans = 0;
  private evictedTraces = 0;
  private tooLarge = 0;
  private unserializable = 0;
  /** Called with each span the store took and its JSON line (persistence appends it). */
  onAdd: ((span: ReadableSpan, line: string) => void) | undefined;

  constructor(private readonly limits: SpanStoreLimits) {}

  /** Adds spans; returns how many were taken (duplicates and spans over the byte limit are not). */
  add(spans: Iterable<ReadableSpan>, lines?: readonly string[]): number {
    let taken = 0;
    let i = 0;
    for (const span of spans) {
      let line = lines?.[i++];
      if (line === undefined) {
        try {
          line = spanLine(span);
        } catch {
          this.unserializable++;
          continue;
        }
      }
      if (this.addOne(span, line)) taken++;
    }
    this.evict();
    return taken;
  }

  private addOne(span: ReadableSpan, line: string): boolean {
    const bytes = line.length;
    if (bytes > this.limits.maxBytes) {
      this.tooLarge++;
      return false;
    }
    let ids = this.spanIds.get(span.traceId);
    if (ids?.has(span.spanId)) {
      this.duplicates++;
      return false;
    }
    let trace = this.traces.get(span.traceId);
    const end = span.endTime ?? span.startTime;
    if (trace === undefined) {
      trace = { traceId: span.traceId, spans: [], bytes: 0, start: span.startTime, end, errorCount: 0, services: new Map() };
      ids = new Set();
      this.spanIds.set(span.traceId, ids);
    } else {
      // Moves to the end of the eviction order: it is being written to.
      this.traces.delete(span.traceId);
      if (span.startTime < trace.start) trace.start = span.startTime;
      if (end > trace.end) trace.end = end;
    }
    this.traces.set(span.traceId, trace);
    ids!.add(span.spanId);
    trace.spans.push(span);
    trace.bytes += bytes;
    if (span.status.code !== 'OK') trace.errorCount++;
    const service = span.resource.serviceName;
    trace.services.set(service, (trace.services.get(service) ?? 0) + 1);
    this.spanCount++;
    this.byteCount += bytes;
    this.onAdd?.(span, line);
    return true;
  }

  private evict(): void {
    const { maxSpans, maxBytes } = this.limits;
    if (this.spanCount <= maxSpans && this.byteCount <= maxBytes) return;
    for (const trace of this.traces.values()) {
      if (this.spanCount <= maxSpans && this.byteCount <= maxBytes) break;
      this.traces.delete(trace.traceId);
      this.spanIds.delete(trace.traceId);
      this.spanCount -= trace.spans.length;
      this.byteCount -= trace.bytes;
      this.evictedSpans += trace.spans.length;
      this.evictedTraces++;
    }
  }

  get(traceId: string): StoredTrace | undefined {
    return this.traces.get(traceId);
  }

  /** Every trace, the most recently written last. */
  values(): IterableIterator<StoredTrace> {
    return this.traces.values();
  }

  /** Every span, trace by trace. */
  *spans(): IterableIterator<ReadableSpan> {
    for (const trace of this.traces.values()) yield* trace.spans;
  }

  clear(): void {
    this.traces.clear();
    this.spanIds.clear();
    this.spanCount = 0;
    this.byteCount = 0;
  }

  getStats(): SpanStoreStats {
    return {
      traces: this.traces.size,
      spans: this.spanCount,
      bytes: this.byteCount,
      duplicates: this.duplicates,
      evictedSpans: this.evictedSpans,
      evictedTraces: this.evictedTraces,
      tooLarge: this.tooLarge,
      unserializable: this.unserializable,
    };
  }
}
