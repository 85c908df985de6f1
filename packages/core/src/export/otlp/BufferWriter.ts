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

/**
 * The largest body written in scratch memory (a 100-span JSON body is ~90 KB, a 512-span one ~450 KB). Larger ones
 * (spans with big tags, up to the 4 MiB a request may take) are written into a buffer of their own and handed over
 * without a copy, so that no large buffer is held between exports.
 */
const MAX_SCRATCH_BYTES = 1024 * 1024;

/**
 * One encoder's working buffer, kept from one request body to the next. A body written into fresh memory pays a
 * page fault for every 4 KB it touches: on the benchmark machine, a quarter of the JSON encoder's time. Writing into
 * warm memory and copying the result out costs one memcpy. Taken while an encoder runs, so a nested call (an
 * attribute's toString that encodes) gets its own.
 */
export class Scratch {
  private buf: Buffer | undefined = undefined;

  /** The scratch buffer for a body of about `bytes`, or undefined (none yet, in use, or too large a body). */
  take(bytes: number): Buffer | undefined {
    if (bytes > MAX_SCRATCH_BYTES) return undefined;
    const buf = this.buf;
    this.buf = undefined;
    return buf;
  }

  /** The body `w` wrote, as a Buffer of its own; `w`'s buffer becomes the scratch again unless it grew too large. */
  finish(w: BufferWriter): Buffer {
    if (w.buf.length > MAX_SCRATCH_BYTES) return w.finish();
    const body = Buffer.from(w.buf.subarray(0, w.pos));
    this.buf = w.buf;
    return body;
  }
}
