import type { BufferWriter } from './BufferWriter.js';

/**
 * The fields of a span that depend only on its name, kind and trace flags, as the previous span in the same body
 * wrote them: the spans of one route share all three, and then the whole run of fields is one copy within the body
 * instead of a field at a time. One instance per body (positions are the writer's offsets).
 */
export class RepeatedHead {
  private name: string | undefined = undefined;
  private kind: string | undefined = undefined;
  private flags = -1;
  private start = 0;
  private end = 0;

  /** Copies the head when the span before had the same name, kind and flags; false when it must be written. */
  copied(w: BufferWriter, name: string, kind: string, flags: number): boolean {
    if (name !== this.name || kind !== this.kind || flags !== this.flags || this.end === 0) {
      this.name = name;
      this.kind = kind;
      this.flags = flags;
      this.start = w.pos;
      this.end = 0;
      return false;
    }
    const length = this.end - this.start;
    w.ensure(length);
    const target = w.pos;
    w.buf.copyWithin(target, this.start, this.end);
    this.start = target;
    this.end = target + length;
    w.pos = this.end;
    return true;
  }

  /** The head that `copied` declined to copy was written up to here. */
  written(w: BufferWriter): void {
    this.end = w.pos;
  }

  /** The bytes written since the head moved by `delta` (a protobuf message's length grew or shrank). */
  moved(delta: number): void {
    this.start += delta;
    this.end += delta;
  }

  /** What was written before cannot be copied any longer. */
  forget(): void {
    this.end = 0;
  }
}
