import { RepeatedHead } from './RepeatedHead.js';

/**
 * Spans of one name and kind kept apart in the body: the last span written of each, as its head (RepeatedHead) and
 * its attributes (AttributeRuns, given as `Runs`). A batch is rarely one span after another of the same kind: spans
 * end children first (a query, an outgoing call, an internal step, then the server span), so the span written just
 * before is mostly of another kind; the last one of the same name and kind is mostly the same but for ids, times
 * and a value or two, and any earlier span in the body can be copied from.
 */
export interface LikeSpan<Runs> {
  readonly head: RepeatedHead;
  readonly runs: Runs;
}

/**
 * The names and kinds kept. A handful covers the shapes one request makes; past it, the one kept longest is
 * replaced (first in, first out), so a batch of ever new names costs a scan of this many at most per span.
 */
export const LIKE_SPANS = 8;

/**
 * One instance per body (created per call, so a nested call gets its own); slots are made as names come, so a
 * body of one kind makes one.
 */
export class LikeSpans<Runs extends { forget(): void }> {
  private readonly names: string[] = [];
  private readonly kinds: string[] = [];
  private readonly slots: LikeSpan<Runs>[] = [];
  private used = 0;
  /** The slot found last: the scan starts there (a run of like spans), then goes on to the next (a cycle). */
  private last = 0;
  /** The slot replaced next once all are used. */
  private oldest = 0;

  constructor(private readonly newRuns: () => Runs) {}

  /** The last span written with this name and kind, or a slot for it, its earlier span forgotten. */
  find(name: string, kind: string): LikeSpan<Runs> {
    const { names, kinds, used } = this;
    let i = this.last;
    for (let k = 0; k < used; k++) {
      if (kinds[i] === kind && names[i] === name) {
        this.last = i;
        return this.slots[i];
      }
      if (++i === used) i = 0;
    }
    if (used < LIKE_SPANS) {
      i = this.used++;
      if (i === this.slots.length) this.slots.push({ head: new RepeatedHead(), runs: this.newRuns() });
    } else {
      i = this.oldest;
      this.oldest = i + 1 === LIKE_SPANS ? 0 : i + 1;
    }
    names[i] = name;
    kinds[i] = kind;
    this.last = i;
    const slot = this.slots[i];
    slot.head.forget();
    slot.runs.forget();
    return slot;
  }

  /** What was written before cannot be copied any longer (it moved). */
  forget(): void {
    this.used = 0;
    this.last = 0;
    this.oldest = 0;
  }
}
