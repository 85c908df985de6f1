// JSON text written straight into a growing Buffer as UTF-8: no intermediate strings to concatenate, flatten and
// encode again. ASCII, nearly all of a trace, is copied a character at a time; anything else goes through the
// engine's own JSON.stringify and UTF-8 encoder, so escaping is always the standard one.

import { BufferWriter } from './BufferWriter.js';

/** Bytes per UTF-16 unit at worst once escaped: a control character becomes `\u00XX`. */
const MAX_ESCAPED_BYTES_PER_UNIT = 6;
const INT32_LIMIT = 0x8000_0000;

// Escapes for the ASCII characters JSON strings cannot hold as they are; 0 means "copy as is".
const ESCAPE = new Array<string | 0>(128).fill(0);
for (let code = 0; code < 0x20; code++) ESCAPE[code] = `\\u${code.toString(16).padStart(4, '0')}`;
ESCAPE[0x08] = '\\b';
ESCAPE[0x09] = '\\t';
ESCAPE[0x0a] = '\\n';
ESCAPE[0x0c] = '\\f';
ESCAPE[0x0d] = '\\r';
ESCAPE[0x22] = '\\"';
ESCAPE[0x5c] = '\\\\';

export class JsonWriter extends BufferWriter {
  constructor(initialSize = 128 * 1024, reuse?: Buffer) {
    super(initialSize, reuse);
  }

  /** Short ASCII text that needs no escaping: punctuation, digits, hex ids. Longer constants go through `copy`. */
  raw(ascii: string): void {
    const length = ascii.length;
    if (this.pos + length > this.buf.length) this.grow(length);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < length; i++) buf[pos++] = ascii.charCodeAt(i);
    this.pos = pos;
  }

  /** A JSON string, quoted and escaped. */
  string(value: string): void {
    const length = value.length;
    this.ensure(length * MAX_ESCAPED_BYTES_PER_UNIT + 2);
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    buf[pos++] = 0x22;
    for (let i = 0; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) {
        // Beyond ASCII: the engine escapes and encodes the whole string (lone surrogates as \uXXXX escapes, so the
        // UTF-8 written is always valid).
        this.pos = start + buf.write(JSON.stringify(value), start, 'utf8');
        return;
      }
      const escape = ESCAPE[code];
      if (escape === 0) buf[pos++] = code;
      else for (let j = 0; j < escape.length; j++) buf[pos++] = escape.charCodeAt(j);
    }
    buf[pos++] = 0x22;
    this.pos = pos;
  }

  /** A finite number, as JSON writes it. */
  number(value: number): void {
    if (Number.isSafeInteger(value)) this.integer(value);
    else this.raw(String(value));
  }

  /** A safe integer, digit by digit: far cheaper than number-to-string for the long ones (timestamps). */
  integer(value: number): void {
    if (value < 0) {
      this.raw('-');
      value = -value;
    }
    if (value >= INT32_LIMIT) {
      // Split off the last six digits so that both halves fit 32-bit arithmetic.
      const high = Math.floor(value / 1_000_000);
      this.integer(high);
      this.sixDigits(value - high * 1_000_000);
      return;
    }
    let digits = 1;
    for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits++;
    this.ensure(digits);
    const buf = this.buf;
    let rest = value | 0;
    for (let i = this.pos + digits - 1; i >= this.pos; i--) {
      buf[i] = 0x30 + (rest % 10);
      rest = (rest / 10) | 0;
    }
    this.pos += digits;
  }

  /** A whole number from 0 to 999999, zero-padded to six digits, two digits at a time. */
  sixDigits(value: number): void {
    this.ensure(6);
    const buf = this.buf;
    const pos = this.pos;
    const high = (value / 10_000) | 0;
    const rest = value - high * 10_000;
    const middle = (rest / 100) | 0;
    const low = rest - middle * 100;
    buf[pos] = DIGIT_PAIRS[2 * high];
    buf[pos + 1] = DIGIT_PAIRS[2 * high + 1];
    buf[pos + 2] = DIGIT_PAIRS[2 * middle];
    buf[pos + 3] = DIGIT_PAIRS[2 * middle + 1];
    buf[pos + 4] = DIGIT_PAIRS[2 * low];
    buf[pos + 5] = DIGIT_PAIRS[2 * low + 1];
    this.pos = pos + 6;
  }

  /**
   * Whole milliseconds (a safe integer, at least 1) then the six digits of the nanoseconds within them: a 64-bit
   * nanosecond timestamp in decimal. The digits above the last six of the milliseconds change every 1000 s, so they
   * are kept from the timestamp before.
   */
  millisAndNanos(ms: number, nanos: number): void {
    const high = Math.floor(ms / 1_000_000);
    if (high === 0) this.integer(ms);
    else {
      if (high !== lastMillisHigh) {
        lastMillisHigh = high;
        lastMillisHighDigits = String(high);
      }
      this.raw(lastMillisHighDigits);
      this.sixDigits(ms - high * 1_000_000);
    }
    this.sixDigits(nanos);
  }
}

/** '00', '01', … '99' as ASCII bytes. */
const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = 0x30 + ((i / 10) | 0);
  DIGIT_PAIRS[2 * i + 1] = 0x30 + (i % 10);
}

let lastMillisHigh = -1;
let lastMillisHighDigits = '';
