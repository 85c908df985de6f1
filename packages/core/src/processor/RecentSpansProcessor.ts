import { now } from '../clock.js';
import type { ReadableSpan } from '../types.js';
import type { SpanProcessor } from './SpanProcessor.js';

export interface RecentSpansOptions {
  /** How many ended spans are kept; 0 keeps none. */
  maxSpans: number;
  /** How long an ended span stays visible, in ms. */
  ttlMs: number;
}

/**
 * Keeps the most recently ended spans for `tracer.getTraceSpans`: a fixed ring, so memory is flat however long
 * the process runs. Spans older than `ttlMs` are not returned, and `cleanup` releases them.
 */
export class RecentSpansProcessor implements SpanProcessor {
  private readonly ring: (ReadableSpan | undefined)[];
  private next = 0;

  constructor(private readonly options: RecentSpansOptions) {
    this.ring = new Array(options.maxSpans);
  }

  onEnd(span: ReadableSpan): void {
    const ring = this.ring;
    if (ring.length === 0) return;
    ring[this.next] = span;
    this.next = this.next + 1 === ring.length ? 0 : this.next + 1;
  }

  /** The kept spans of one trace, younger than `ttlMs`, in the order they ended. */
  getTraceSpans(traceId: string): ReadableSpan[] {
    const oldest = now() - this.options.ttlMs;
    const out: ReadableSpan[] = [];
    const ring = this.ring;
    for (let i = 0; i < ring.length; i++) {
      const span = ring[(this.next + i) % ring.length];
      if (span !== undefined && span.traceId === traceId && (span.endTime ?? 0) >= oldest) out.push(span);
    }
    return out;
  }

  /** Releases spans older than `ttlMs`. */
  cleanup(time = now()): void {
    const limit = time - this.options.ttlMs;
    const ring = this.ring;
    for (let i = 0; i < ring.length; i++) {
      const span = ring[i];
      if (span !== undefined && (span.endTime ?? 0) < limit) ring[i] = undefined;
    }
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}
