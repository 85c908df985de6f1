import { randomFillSync } from 'node:crypto';

// Ids come from a pooled cryptographic buffer, turned into hex once per refill: an id is then a substring of that
// hex (a cheap slice in V8), instead of one randomFillSync and one hex conversion per id.
const POOL_BYTES = 8192;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let hex = '';
let offset = POOL_BYTES;

const INVALID_TRACE_ID = '00000000000000000000000000000000';
const INVALID_SPAN_ID = '0000000000000000';

function take(bytes: number): number {
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    hex = pool.toString('hex');
    offset = 0;
  }
  const start = offset;
  offset += bytes;
  return start * 2;
}

/** A random 128-bit trace id as 32 lowercase hex characters, never all zero. */
export function generateTraceId(): string {
  for (;;) {
    const start = take(16);
    const id = hex.substring(start, start + 32);
    if (id !== INVALID_TRACE_ID) return id;
  }
}

/** A random 64-bit span id as 16 lowercase hex characters, never all zero. */
export function generateSpanId(): string {
  for (;;) {
    const start = take(8);
    const id = hex.substring(start, start + 16);
    if (id !== INVALID_SPAN_ID) return id;
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
