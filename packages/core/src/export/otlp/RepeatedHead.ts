import type { ReadableSpan } from '../../types.js';
import type { BufferWriter } from './BufferWriter.js';

/**
 * Where an earlier span in the same body (the last one of its name and kind, see LikeSpans) wrote its head: the
 * fields before its attributes. Those depend on its name, kind, trace flags and status (the spans of one route
 * mostly share all of them), on its ids and times (same lengths, other values: the encoders write them over the
 * copy) and on a `layout` the encoder tells apart (a parent or none). A span whose head matches that one's is then
 * one copy within the body (made together with its first unchanged attributes, see AttributeRuns) instead of a field
 * at a time. Name and kind are compared too, so a slot handed the wrong span copies nothing. One instance per
 * LikeSpans slot; positions are the writer's offsets.
 */
export class RepeatedHead {
  private name: string | undefined = undefined;
  private kind: string | undefined = undefined;
  private flags = -1;
  private statusCode: string | undefined = undefined;
  private statusMessage: string | undefined = undefined;
  private layout = 0;
  private start = 0;
  private end = 0;

  /**
   * Where the head of the earlier span starts when it matches this span's, which then takes `length` bytes from the
   * writer's position on (the caller copies it there); -1 when this span's head must be written (then `written`).
   */
  match(w: BufferWriter, span: ReadableSpan, layout: number): number {
    const { operationName: name, kind, traceFlags: flags, status } = span;
    if (
      name !== this.name ||
      kind !== this.kind ||
      flags !== this.flags ||
      status.code !== this.statusCode ||
      status.message !== this.statusMessage ||
      layout !== this.layout ||
      this.end === 0
    ) {
      this.name = name;
      this.kind = kind;
      this.flags = flags;
      this.statusCode = status.code;
      this.statusMessage = status.message;
      this.layout = layout;
      this.start = w.pos;
      this.end = 0;
      return -1;
    }
    const from = this.start;
    this.end = w.pos + this.length;
    this.start = w.pos;
    return from;
  }

  /** The length of the head recorded last. */
  get length(): number {
    return this.end - this.start;
  }

  /** The head that `match` did not find was written up to here. */
  written(w: BufferWriter): void {
    this.end = w.pos;
  }

  /** The bytes written since the head moved by `delta` (a protobuf message's length grew or shrank). */
  moved(delta: number): void {
    if (this.end === 0) return;
    this.start += delta;
    this.end += delta;
  }

  /** What was written before cannot be copied any longer. */
  forget(): void {
    this.end = 0;
  }
}
