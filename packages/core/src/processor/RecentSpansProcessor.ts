import { now } from '../clock.js';
import type { ReadableSpan } from '../types.js';
import { spanBytes } from './spanBytes.js';
import type { SpanProcessor } from './SpanProcessor.js';

export interface RecentSpansOptions {
  /** How many ended spans are kept; 0 keeps none. */
  maxSpans: number;
  /** How many bytes they may hold together, estimated (`ReadableSpan.estimatedBytes`); the oldest go first. */
  maxBytes: number;
  /** How long an ended span stays visible, in ms. */
  ttlMs: number;
}


/**
 * Keeps the most recently ended spans for `tracer.getTraceSpans`: a fixed ring, bounded in spans and in estimated
 * bytes, so memory is flat however long the process runs and whatever the spans hold. Spans older than `ttlMs` are
 * not returned, and `cleanup` releases them.
 */
export class RecentSpansProcessor implements SpanProcessor {
  private readonly ring: (ReadableSpan | undefined)[];
  private readonly sizes: Float64Array;
  // The ring runs from `oldest` (inclusive) to `next` (exclusive), `count` entries holding `bytes`.
  private next = 0;
  private oldest = 0;
  private count = 0;
  private bytes = 0;

  constructor(private readonly options: RecentSpansOptions) {
    this.ring = new Array(options.maxSpans);
    this.sizes = new Float64Array(options.maxSpans);
  }

  /** Estimated bytes the kept spans hold. */
  get heldBytes(): number {
    return this.bytes;
  }

  onEnd(span: ReadableSpan): void {
    const ring = this.ring;
    const length = ring.length;
    if (length === 0) return;
    const size = spanBytes(span);
    const at = this.next;
    const following = at + 1 === length ? 0 : at + 1;
    if (this.count === length) {
      // Full (the steady state): the span takes the oldest one's slot, when the budget allows.
      const bytes = this.bytes - this.sizes[at] + size;
      if (bytes <= this.options.maxBytes) {
        ring[at] = span;
        this.sizes[at] = size;
        this.bytes = bytes;
        this.next = this.oldest = following;
        return;
      }
    } else if (this.bytes + size <= this.options.maxBytes) {
      ring[at] = span;
      this.sizes[at] = size;
      this.bytes += size;
      this.count++;
      this.next = following;
      return;
    }
    this.makeRoom(span, size);
  }

  // Over the byte budget: the oldest go until the span fits (a span over the whole budget is not kept).
  private makeRoom(span: ReadableSpan, size: number): void {
    if (size > this.options.maxBytes) return;
    const ring = this.ring;
    if (this.count === ring.length) this.evictOldest();
    while (this.count > 0 && this.bytes + size > this.options.maxBytes) this.evictOldest();
    ring[this.next] = span;
    this.sizes[this.next] = size;
    this.bytes += size;
    this.count++;
    this.next = this.next + 1 === ring.length ? 0 : this.next + 1;
  }

  /** The kept spans of one trace, younger than `ttlMs`, in the order they ended. */
  getTraceSpans(traceId: string): ReadableSpan[] {
    const limit = now() - this.options.ttlMs;
    const out: ReadableSpan[] = [];
    const ring = this.ring;
    for (let i = 0, at = this.oldest; i < this.count; i++, at = at + 1 === ring.length ? 0 : at + 1) {
      const span = ring[at];
      if (span !== undefined && span.traceId === traceId && (span.endTime ?? 0) >= limit) out.push(span);
    }
    return out;
  }

  /** Releases spans older than `ttlMs` (the oldest end first: the ring is in the order spans ended). */
  cleanup(time = now()): void {
    const limit = time - this.options.ttlMs;
    while (this.count > 0 && (this.ring[this.oldest]?.endTime ?? 0) < limit) this.evictOldest();
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}

  private evictOldest(): void {
    const at = this.oldest;
    this.ring[at] = undefined;
    this.bytes -= this.sizes[at];
    this.sizes[at] = 0;
    this.count--;
    this.oldest = at + 1 === this.ring.length ? 0 : at + 1;
  }
}
