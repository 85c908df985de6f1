// The protobuf wire format, read: the counterpart of export/otlp/ProtobufWriter, for as much as OTLP traces need.
// https://protobuf.dev/programming-guides/encoding/
// Every length is checked against the bytes that are left before anything is read or allocated, so a hostile
// body costs at most its own size; a read past the end is an error, never an out-of-range slice.

import { spanDecodeError } from './spanDecodeError.js';

const TWO_32 = 0x1_0000_0000;
const MAX_VARINT_BYTES = 10;

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

/** A cursor over one message: `[pos, end)` of a shared buffer. Nested messages get readers of their own. */
export class ProtobufReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  more(): boolean {
    return this.pos < this.end;
  }

  private fail(what: string): never {
    throw spanDecodeError(`OTLP protobuf: ${what} at byte ${this.pos}`);
  }

  private need(bytes: number): void {
    if (bytes > this.end - this.pos) this.fail(`truncated input (${bytes} bytes needed, ${this.end - this.pos} left)`);
  }

  /** A field key: field number and wire type. Groups (wire types 3 and 4, deprecated) are not accepted. */
  key(): { field: number; wire: number } {
    const key = this.uint32();
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 0) this.fail('field number 0');
    if (wire !== WIRE_VARINT && wire !== WIRE_I64 && wire !== WIRE_LEN && wire !== WIRE_I32) this.fail(`unsupported wire type ${wire}`);
    return { field, wire };
  }

  /** A varint's low and high 32 bits, unsigned. */
  private varint64(out: { lo: number; hi: number }): void {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const byte = this.buf[this.pos++];
      const bits = byte & 0x7f;
      if (i < 4) lo += bits * 2 ** (7 * i);
      else if (i === 4) {
        lo += (bits & 0x0f) * 2 ** 28;
        hi += bits >>> 4;
      } else hi += bits * 2 ** (7 * i - 32);
      if (byte < 0x80) {
        out.lo = lo >>> 0;
        out.hi = hi >>> 0;
        return;
      }
    }
    this.fail('varint longer than 10 bytes');
  }

  private readonly halves = { lo: 0, hi: 0 };

  /** A varint as an unsigned 32-bit number (enums, counts, keys): higher bits are dropped, as protobuf does. */
  uint32(): number {
    this.varint64(this.halves);
    return this.halves.lo;
  }

  /** An int64 varint: a number when it is a safe integer, else its exact decimal text. */
  int64(): number | string {
    this.varint64(this.halves);
    const { lo, hi } = this.halves;
    if (hi < 0x20_0000) return hi * TWO_32 + lo; // below 2^53
    const value = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  }

  fixed32(): number {
    this.need(4);
    const value = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return value;
  }

  /** A fixed64 as its low and high 32-bit halves. */
  fixed64(out: { lo: number; hi: number }): void {
    this.need(8);
    out.lo = this.buf.readUInt32LE(this.pos);
    out.hi = this.buf.readUInt32LE(this.pos + 4);
    this.pos += 8;
  }

  double(): number {
    this.need(8);
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  /** The extent of a length-delimited field, which the cursor then steps over. */
  private span(): [number, number] {
    const length = this.uint32();
    this.need(length);
    const start = this.pos;
    this.pos += length;
    return [start, this.pos];
  }

  /** A nested message. */
  message(): ProtobufReader {
    const [start, end] = this.span();
    return new ProtobufReader(this.buf, start, end);
  }

  string(): string {
    const [start, end] = this.span();
    return this.buf.toString('utf8', start, end);
  }

  hex(): string {
    const [start, end] = this.span();
    return this.buf.toString('hex', start, end);
  }

  base64(): string {
    const [start, end] = this.span();
    return this.buf.toString('base64', start, end);
  }

  /** Steps over a field this decoder does not know (newer schema versions add fields). */
  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint64(this.halves);
    else if (wire === WIRE_I64) this.need(8), (this.pos += 8);
    else if (wire === WIRE_I32) this.need(4), (this.pos += 4);
    else this.span();
  }

  /** Fails unless a known field came with the wire type its schema gives it. */
  expect(wire: number, expected: number, field: string): void {
    if (wire !== expected) this.fail(`${field}: wire type ${wire}, expected ${expected}`);
  }
}
