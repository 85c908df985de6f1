import type { ReadableSpan } from '../../types.js';
import type { BufferWriter } from './BufferWriter.js';
import { COMPONENT_ATTRIBUTE, STATUS_NAME_ATTRIBUTE, statusNameAttribute } from './otlpModel.js';

/**
 * Writes one attribute (a KeyValue with whatever the format puts around it), given its key's cached entry. It may
 * write nothing, when the value carries nothing.
 */
export type WriteAttribute<W extends BufferWriter, Entry> = (w: W, entry: Entry, value: unknown) => void;

/** `runFrom` when the pending run starts with the prefix given to `begin`. */
const PREFIX = -2;

/**
 * The attributes of an earlier span in the same body (the last one of the same name and kind, see LikeSpans), and
 * where each one's encoding starts: an attribute whose key and value are that span's at the same position is the
 * same bytes, so it is copied from there, and a run of such attributes (spans of one route differ in a path, an id,
 * a status at most) is ONE copy within the body. Only primitive values are compared (===); objects and arrays are
 * always written.
 *
 * One instance per span shape and body (created per call, so a nested call gets its own); positions are the
 * writer's offsets, which stay valid when it grows. The earlier span's entries are overwritten in place as the next
 * span is written: an attribute's start is only replaced once no run can still need it.
 */
export interface AttributeRuns<W extends BufferWriter> {
  /**
   * Starts a span's attributes. `prefixFrom`, when given, is where the bytes that go right in front of them start in
   * the earlier span (up to where its attributes started): they make a pending run with its first attributes, so
   * that the span's start and its first unchanged attributes are one copy. Nothing is written until the run ends.
   */
  begin(prefixFrom?: number): void;
  attribute(w: W, key: string, value: unknown): void;
  end(w: W): void;
  /**
   * A span's OTLP attributes, between `begin(prefixFrom)` and `end`: its tags, then its component and its status
   * name when they add something (otlpModel.ts).
   */
  spanAttributes(w: W, span: ReadableSpan, prefixFrom: number): void;
  moved(delta: number): void;
  forget(): void;
}

/**
 * The AttributeRuns class of one encoder. Each encoder gets a class of its own, so that V8's feedback at the calls
 * of `lookup` and `write` sees one function and inlines it: one class shared by both encoders was 3–5 % slower per
 * span when spans have little in common.
 */
export function attributeRunsOf<W extends BufferWriter, Entry>(
  lookup: (key: string) => Entry,
  write: WriteAttribute<W, Entry>,
  /** The byte every copied run must start with (JSON: the comma in front of a KeyValue), or -1. */
  runFirstByte: number,
): new () => AttributeRuns<W> {
  return class EncoderAttributeRuns implements AttributeRuns<W> {
    private readonly keys: string[] = [];
    private readonly values: unknown[] = [];
    private readonly entries: Entry[] = [];
    /** Where attribute i starts; `starts[count]` is where the last one ends. */
    private readonly starts: number[] = [0];
    /** Attributes of the earlier span. */
    private count = 0;
    /** Of the span being written: attributes seen, and the first one of the pending run (-1: none, see PREFIX). */
    private index = 0;
    private runFrom = -1;
    /** Where the bytes copied in front of the attributes start (see `begin`). */
    private prefixFrom = 0;

    begin(prefixFrom = -1): void {
      this.index = 0;
      this.runFrom = prefixFrom < 0 ? -1 : PREFIX;
      this.prefixFrom = prefixFrom;
    }

    spanAttributes(w: W, span: ReadableSpan, prefixFrom: number): void {
      this.begin(prefixFrom);
      const tags = span.tags;
      for (const key in tags) this.attribute(w, key, tags[key]);
      if (span.component && tags[COMPONENT_ATTRIBUTE] === undefined) this.attribute(w, COMPONENT_ATTRIBUTE, span.component);
      const statusName = statusNameAttribute(span.status);
      if (statusName !== undefined) this.attribute(w, STATUS_NAME_ATTRIBUTE, statusName);
      this.end(w);
    }

    attribute(w: W, key: string, value: unknown): void {
      const i = this.index++;
      if (i < this.count && key === this.keys[i]) {
        if (value === this.values[i] && typeof value !== 'object') {
          if (this.runFrom === -1) this.runFrom = i;
          return;
        }
        if (this.runFrom !== -1) this.flush(w, i);
        this.starts[i] = w.pos;
        this.values[i] = value;
        write(w, this.entries[i], value);
        return;
      }
      if (this.runFrom !== -1) this.flush(w, i);
      const entry = lookup(key);
      this.starts[i] = w.pos;
      this.keys[i] = key;
      this.values[i] = value;
      this.entries[i] = entry;
      write(w, entry, value);
    }

    moved(delta: number): void {
      for (let k = 0; k <= this.count; k++) this.starts[k] += delta;
    }

    forget(): void {
      this.count = 0;
    }

    end(w: W): void {
      const count = this.index;
      if (this.runFrom !== -1) this.flush(w, count);
      this.starts[count] = w.pos;
      this.count = count;
    }

    /** Copies the earlier span's attributes runFrom..end-1 (and the prefix) and records where they now start. */
    private flush(w: W, end: number): void {
      const prefixed = this.runFrom === PREFIX;
      const from = prefixed ? 0 : this.runFrom;
      this.runFrom = -1;
      const starts = this.starts;
      const source = prefixed ? this.prefixFrom : starts[from];
      const length = starts[end] - source;
      const target = w.pos;
      for (let k = from; k < end; k++) starts[k] += target - source;
      if (length === 0) return;
      w.ensure(length);
      w.buf.copyWithin(target, source, source + length);
      if (runFirstByte >= 0 && !prefixed) w.buf[target] = runFirstByte;
      w.pos = target + length;
    }
  };
}
