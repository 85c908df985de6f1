// Our timestamps are epoch milliseconds with a fraction; OTLP wants unsigned 64-bit nanoseconds. Nanoseconds since
// 1970 exceed 2^53, so they cannot be a JS number: the JSON encoder writes them as a decimal string (ms digits, then six nanosecond digits) (as the
// protobuf JSON mapping does for 64-bit integers) and the protobuf encoder as two 32-bit halves. Both start from
// `splitEpochMs`, so both encodings of a span carry the same instant. No `%` on large numbers: it is fmod, slow.

const TWO_32 = 0x1_0000_0000;
const TWO_16 = 0x1_0000;
const NANOS_PER_MS = 1_000_000;

/** Scratch objects, so the hot path allocates nothing. */
export interface EpochParts {
  /** Whole milliseconds since the epoch. */
  ms: number;
  /** Nanoseconds within that millisecond, 0 to 999999. */
  nanos: number;
}

export interface Fixed64 {
  lo: number;
  hi: number;
}

/** Epoch ms → whole ms and the nanoseconds past them (rounded; negative times clamp to the epoch). */
export function splitEpochMs(epochMs: number, out: EpochParts): EpochParts {
  let ms = Math.floor(epochMs);
  let nanos = Math.round((epochMs - ms) * NANOS_PER_MS);
  if (nanos >= NANOS_PER_MS) {
    ms += 1;
    nanos -= NANOS_PER_MS;
  }
  if (!(ms >= 0)) ms = nanos = 0;
  out.ms = ms;
  out.nanos = nanos;
  return out;
}

const parts: EpochParts = { ms: 0, nanos: 0 };

/** Epoch ms → nanoseconds as the low and high 32 bits of a fixed64, written into `out`. */
export function splitUnixNanos(epochMs: number, out: Fixed64): Fixed64 {
  const { ms, nanos } = splitEpochMs(epochMs, parts);
  // ms * 1e6 + nanos, exactly: ms < 2^42, so split it at 16 bits and keep every partial product below 2^53.
  const msHigh = Math.floor(ms / TWO_16);
  const p0 = (ms - msHigh * TWO_16) * NANOS_PER_MS; // < 2^36
  const p1 = msHigh * NANOS_PER_MS; // < 2^46, worth p1 * 2^16
  const p1High = Math.floor(p1 / TWO_16);
  const p0High = Math.floor(p0 / TWO_32);
  let lo = p0 - p0High * TWO_32 + (p1 - p1High * TWO_16) * TWO_16 + nanos; // < 3 * 2^32
  let hi = p0High + p1High;
  const carry = Math.floor(lo / TWO_32);
  lo -= carry * TWO_32;
  hi += carry;
  out.lo = lo;
  out.hi = hi;
  return out;
}
