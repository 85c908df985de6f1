// A collector that accepts a request but drops some spans says so in the response's `partial_success`.
// https://opentelemetry.io/docs/specs/otlp/#partial-success-1
// ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
// ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }

export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

/** Reads the JSON response; undefined when there is none, it is not JSON, or nothing was rejected. */
export function readPartialSuccessJson(body: Buffer): PartialSuccess | undefined {
  if (body.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const partial = (parsed as { partialSuccess?: { rejectedSpans?: unknown; errorMessage?: unknown } } | null)?.partialSuccess;
  if (partial === null || typeof partial !== 'object') return undefined;
  const rejectedSpans = Number(partial.rejectedSpans ?? 0);
  const errorMessage = typeof partial.errorMessage === 'string' ? partial.errorMessage : '';
  if (!(Number.isSafeInteger(rejectedSpans) && rejectedSpans >= 0) || (rejectedSpans === 0 && errorMessage === '')) return undefined;
  return { rejectedSpans, errorMessage };
}

/** A bounds-checked cursor over protobuf bytes; any malformation throws and the caller gives up on the body. */
class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array, private readonly end = buf.length) {}

  done(): boolean {
    return this.pos >= this.end;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new RangeError('truncated varint');
      const byte = this.buf[this.pos++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw new RangeError('varint too long');
  }

  /** A length-delimited field's extent, as [start, end). */
  span(): [number, number] {
    const length = this.varint();
    const start = this.pos;
    if (start + length > this.end) throw new RangeError('truncated field');
    this.pos = start + length;
    return [start, start + length];
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.span();
    else if (wireType === 5) this.pos += 4;
    else throw new RangeError(`unsupported wire type ${wireType}`);
    if (this.pos > this.end) throw new RangeError('truncated field');
  }
}

/** Reads the protobuf response; undefined when there is none, it is malformed, or nothing was rejected. */
export function readPartialSuccessProtobuf(body: Buffer): PartialSuccess | undefined {
  try {
    const response = new Reader(body);
    while (!response.done()) {
      const key = response.varint();
      if (key >>> 3 !== 1 || (key & 7) !== 2) {
        response.skip(key & 7);
        continue;
      }
      const [start, end] = response.span();
      const partial = new Reader(body, end);
      partial.pos = start;
      let rejectedSpans = 0;
      let errorMessage = '';
      while (!partial.done()) {
        const field = partial.varint();
        if (field === 0x08) rejectedSpans = partial.varint();
        else if (field === 0x12) {
          const [from, to] = partial.span();
          errorMessage = body.toString('utf8', from, to);
        } else partial.skip(field & 7);
      }
      if (rejectedSpans === 0 && errorMessage === '') return undefined;
      return { rejectedSpans, errorMessage };
    }
  } catch {
    // not an ExportTraceServiceResponse; the request was accepted all the same
  }
  return undefined;
}
