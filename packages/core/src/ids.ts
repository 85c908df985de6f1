import { randomFillSync } from 'node:crypto';

// Ids come from a pooled cryptographic buffer, turned into hex once per refill: an id is then a substring of that
// hex (a cheap slice in V8), instead of one randomFillSync and one hex conversion per id.
const POOL_BYTES = 8192;
// Read as 32-bit words to tell an all-zero id (invalid) without comparing strings: comparing a fresh substring to a
// constant cost ~35 ns per span, as much as the rest of making both ids.
const words = new Uint32Array(POOL_BYTES / 4);
const pool = Buffer.from(words.buffer);
let hex = '';
let offset = POOL_BYTES;

const INVALID_TRACE_ID = '00000000000000000000000000000000';
const INVALID_SPAN_ID = '0000000000000000';

// Ids are taken at offsets that are multiples of 8 bytes, so each starts on a word.
function take(bytes: number): number {
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    hex = pool.toString('hex');
    offset = 0;
  }
  const start = offset;
  offset += bytes;
  return start;
}

/** A random 128-bit trace id as 32 lowercase hex characters, never all zero. */
export function generateTraceId(): string {
  for (;;) {
    const start = take(16);
    const word = start >> 2;
    if ((words[word] | words[word + 1] | words[word + 2] | words[word + 3]) !== 0) return hex.substring(start * 2, start * 2 + 32);
  }
}

/** A random 64-bit span id as 16 lowercase hex characters, never all zero. */
export function generateSpanId(): string {
  for (;;) {
    const start = take(8);
    const word = start >> 2;
    if ((words[word] | words[word + 1]) !== 0) return hex.substring(start * 2, start * 2 + 16);
  }
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

export function isValidTraceId(id: unknown): id is string {
  return typeof id === 'string' && TRACE_ID.test(id) && id !== INVALID_TRACE_ID;
}

export function isValidSpanId(id: unknown): id is string {
  return typeof id === 'string' && SPAN_ID.test(id) && id !== INVALID_SPAN_ID;
}
