/** A Buffer that grows as it is written, the base of the JSON and protobuf writers. */
export class BufferWriter {
  buf: Buffer;
  pos = 0;

  /** `reuse`: a buffer to write into when it is large enough (see `Scratch`). */
  constructor(initialSize: number, reuse?: Buffer) {
    this.buf = reuse !== undefined && reuse.length >= initialSize ? reuse : Buffer.allocUnsafe(initialSize);
  }

  /** What was written, without a copy: the writer must not be written to afterwards. */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** What was written, as a Buffer of its own and of its exact size. */
  copyOut(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  /** Bytes encoded beforehand: a constant fragment, a cached key or attribute, a resource. */
  copy(bytes: Uint8Array): void {
    const length = bytes.length;
    if (this.pos + length > this.buf.length) this.grow(length);
    // TypedArray.prototype.set, even for a dozen bytes: a loop of byte stores measured slower (26-33 ns against 20
    // for a 12-50 byte fragment). What is left to save is the number of copies, hence the cached attributes.
    this.buf.set(bytes, this.pos);
    this.pos += length;
  }

  ensure(bytes: number): void {
    if (this.pos + bytes > this.buf.length) this.grow(bytes);
  }

  protected grow(bytes: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

/** The largest buffer a `Scratch` keeps between bodies. */
const MAX_SCRATCH_BYTES = 4 * 1024 * 1024;

/**
 * One encoder's working buffer, kept from one request body to the next. A body written into fresh memory pays a
 * page fault for every 4 KB it touches (a 100-span JSON body is ~90 KB, above the size the allocator reuses): on this
 * machine that was a quarter of the JSON encoder's time. Writing into warm memory and copying the result out costs
 * one memcpy. Taken while an encoder runs, so a nested call (an attribute's toString that encodes) gets its own.
 */
export class Scratch {
  private buf: Buffer | undefined = undefined;

  take(): Buffer | undefined {
    const buf = this.buf;
    this.buf = undefined;
    return buf;
  }

  give(buf: Buffer): void {
    if (buf.length <= MAX_SCRATCH_BYTES) this.buf = buf;
  }
}
