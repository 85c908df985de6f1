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

  /** A whole number from 0 to 999999, zero-padded to six digits, three at a time. */
  sixDigits(value: number): void {
    this.ensure(6);
    const buf = this.buf;
    const pos = this.pos;
    const thousands = (value / 1000) | 0;
    const high = 3 * thousands;
    const low = 3 * (value - thousands * 1000);
    buf[pos] = DIGIT_TRIPLES[high];
    buf[pos + 1] = DIGIT_TRIPLES[high + 1];
    buf[pos + 2] = DIGIT_TRIPLES[high + 2];
    buf[pos + 3] = DIGIT_TRIPLES[low];
    buf[pos + 4] = DIGIT_TRIPLES[low + 1];
    buf[pos + 5] = DIGIT_TRIPLES[low + 2];
    this.pos = pos + 6;
  }

  /**
   * Whole milliseconds (a safe integer) then the six digits of the nanoseconds within them: a 64-bit nanosecond
   * timestamp in decimal. The digits of the seconds change once a second, so they are kept from the timestamp before;
   * the rest is written three digits at a time.
   */
  millisAndNanos(ms: number, nanos: number): void {
    const seconds = Math.floor(ms / 1000);
    if (seconds === 0) {
      this.integer(ms);
      this.sixDigits(nanos);
      return;
    }
    if (seconds !== lastSeconds) {
      lastSeconds = seconds;
      const digits = String(seconds);
      lastSecondsLength = digits.length;
      for (let i = 0; i < digits.length; i++) lastSecondsDigits[i] = digits.charCodeAt(i);
    }
    const length = lastSecondsLength;
    this.ensure(length + 9);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < length; i++) buf[pos++] = lastSecondsDigits[i];
    const millis = 3 * (ms - seconds * 1000);
    const micros = (nanos / 1000) | 0;
    const nanosLow = 3 * (nanos - micros * 1000);
    const microsAt = 3 * micros;
    buf[pos] = DIGIT_TRIPLES[millis];
    buf[pos + 1] = DIGIT_TRIPLES[millis + 1];
    buf[pos + 2] = DIGIT_TRIPLES[millis + 2];
    buf[pos + 3] = DIGIT_TRIPLES[microsAt];
    buf[pos + 4] = DIGIT_TRIPLES[microsAt + 1];
    buf[pos + 5] = DIGIT_TRIPLES[microsAt + 2];
    buf[pos + 6] = DIGIT_TRIPLES[nanosLow];
    buf[pos + 7] = DIGIT_TRIPLES[nanosLow + 1];
    buf[pos + 8] = DIGIT_TRIPLES[nanosLow + 2];
    this.pos = pos + 9;
  }
}

/** '000', '001', … '999' as ASCII bytes. */
const DIGIT_TRIPLES = new Uint8Array(3000);
for (let i = 0; i < 1000; i++) {
  DIGIT_TRIPLES[3 * i] = 0x30 + ((i / 100) | 0);
  DIGIT_TRIPLES[3 * i + 1] = 0x30 + (((i / 10) | 0) % 10);
  DIGIT_TRIPLES[3 * i + 2] = 0x30 + (i % 10);
}

// The seconds of the last timestamp written, and their digits (a safe integer has at most 16).
let lastSeconds = -1;
let lastSecondsLength = 0;
const lastSecondsDigits = new Uint8Array(16);
