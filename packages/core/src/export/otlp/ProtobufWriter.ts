// The protobuf wire format, as much of it as OTLP traces need, written straight into a growing Buffer.
// https://protobuf.dev/programming-guides/encoding/

import { BufferWriter } from './BufferWriter.js';

const TWO_32 = 0x1_0000_0000;

// '0'-'9', 'a'-'f', 'A'-'F' → 0-15; anything else → 0 (ids are validated before they get here).
const HEX_VALUE = new Uint8Array(128);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) HEX_VALUE[97 + i] = HEX_VALUE[65 + i] = 10 + i;

const float64 = new Float64Array(1);
const float64Bytes = new Uint8Array(float64.buffer);

/** Bytes a varint of `value` (an unsigned 32-bit number) takes. */
export function varint32Size(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x20_0000 ? 3 : value < 0x1000_0000 ? 4 : 5;
}

/**
 * A protobuf writer. Field tags are written by the caller as precomputed bytes (`tag(0x0a)`); nested messages are
 * written in place between `fork()` and `join()`, which patches the length in front of them.
 */
export class ProtobufWriter extends BufferWriter {
  constructor(initialSize = 64 * 1024, reuse?: Buffer) {
    super(initialSize, reuse);
  }

  /** A field key (or any single byte). */
  tag(byte: number): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = byte;
  }

  /** An unsigned 32-bit varint. */
  uint32(value: number): void {
    this.ensure(5);
    const buf = this.buf;
    let pos = this.pos;
    let rest = value >>> 0;
    while (rest > 0x7f) {
      buf[pos++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    buf[pos++] = rest;
    this.pos = pos;
  }

  /** A signed 64-bit varint (int64) from a safe integer; negative numbers take ten bytes, as the format says. */
  int64(value: number): void {
    if (value >= 0 && value < TWO_32) {
      this.uint32(value);
      return;
    }
    const hi = Math.floor(value / TWO_32);
    this.varint64(value - hi * TWO_32, hi >>> 0);
  }

  /** A 64-bit varint from its low and high unsigned 32-bit halves. */
  varint64(lo: number, hi: number): void {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    let low = lo >>> 0;
    let high = hi >>> 0;
    while (high > 0 || low > 0x7f) {
      buf[pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buf[pos++] = low;
    this.pos = pos;
  }

  bool(value: boolean): void {
    this.tag(value ? 1 : 0);
  }

  // Byte stores truncate to the low 8 bits, so shifts alone spell out little-endian integers: cheaper than
  // Buffer#writeUInt32LE and its argument checks.
  fixed32(value: number): void {
    this.ensure(4);
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = value;
    buf[pos + 1] = value >>> 8;
    buf[pos + 2] = value >>> 16;
    buf[pos + 3] = value >>> 24;
    this.pos = pos + 4;
  }

  fixed64(lo: number, hi: number): void {
    this.ensure(8);
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = lo;
    buf[pos + 1] = lo >>> 8;
    buf[pos + 2] = lo >>> 16;
    buf[pos + 3] = lo >>> 24;
    buf[pos + 4] = hi;
    buf[pos + 5] = hi >>> 8;
    buf[pos + 6] = hi >>> 16;
    buf[pos + 7] = hi >>> 24;
    this.pos = pos + 8;
  }

  double(value: number): void {
    this.ensure(8);
    float64[0] = value;
    this.buf.set(float64Bytes, this.pos);
    this.pos += 8;
  }

  /** A length-delimited UTF-8 string. */
  string(value: string): void {
    const length = value.length;
    // Assume ASCII, where bytes = characters and the length prefix is known up front; copy by hand (cheaper than a
    // call into the UTF-8 encoder for keys, names and most values), and start over on the first other character.
    const prefix = varint32Size(length);
    this.ensure(prefix + length);
    const buf = this.buf;
    const start = this.pos;
    let pos = start + prefix;
    for (let i = 0; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) {
        this.pos = start;
        this.utf8String(value);
        return;
      }
      buf[pos++] = code;
    }
    this.pos = start;
    this.uint32(length);
    this.pos = pos;
  }

  private utf8String(value: string): void {
    const bytes = Buffer.byteLength(value, 'utf8');
    this.uint32(bytes);
    this.ensure(bytes);
    this.pos += this.buf.write(value, this.pos, 'utf8');
  }

  /** A length-delimited byte field from hex text: how trace and span ids go on the wire. */
  bytesFromHex(hex: string): void {
    const size = hex.length >>> 1;
    this.ensure(1 + size);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = size;
    for (let i = 0; i < size; i++) {
      buf[pos++] = (HEX_VALUE[hex.charCodeAt(2 * i) & 0x7f] << 4) | HEX_VALUE[hex.charCodeAt(2 * i + 1) & 0x7f];
    }
    this.pos = pos;
  }

  /**
   * Opens a nested message: reserves `lengthBytes` for its length (1 fits up to 127 bytes, 2 up to 16383: a span)
   * and returns where it starts. Reserving what the length will likely take saves moving the message at `join`.
   */
  fork(lengthBytes = 1): number {
    this.ensure(lengthBytes);
    const start = this.pos;
    this.pos += lengthBytes;
    return start;
  }

  /**
   * Closes the message opened at `start` with `lengthBytes` reserved, moving it when its length needs more or fewer.
   * Returns how far it moved (bytes, negative when back).
   */
  join(start: number, lengthBytes = 1): number {
    const length = this.pos - start - lengthBytes;
    if (length < 0x80 && lengthBytes === 1) {
      this.buf[start] = length;
      return 0;
    }
    const size = varint32Size(length);
    if (size !== lengthBytes) {
      if (size > lengthBytes) this.ensure(size - lengthBytes);
      this.buf.copyWithin(start + size, start + lengthBytes, this.pos);
      this.pos += size - lengthBytes;
    }
    const buf = this.buf;
    let pos = start;
    let rest = length;
    while (rest > 0x7f) {
      buf[pos++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    buf[pos] = rest;
    return size - lengthBytes;
  }
}
