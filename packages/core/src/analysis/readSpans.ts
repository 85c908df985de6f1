import type { ReadableSpan } from '../types.js';
import { invalidOption } from '../invalidOption.js';
import { decodeOtlpProtobuf } from './read/decodeOtlpProtobuf.js';
import { spanFromRecord, type ResourceCache } from './read/fromRecord.js';
import { spansFromOtlp } from './read/fromOtlp.js';
import { spanDecodeError } from './read/spanDecodeError.js';

/**
 * What `readSpans` reads:
 * - `jsonl`: JSON lines, one span record per line (what `FileSpanExporter` writes); a line may also hold a whole
 *   OTLP/JSON request (what the OpenTelemetry Collector's file exporter writes);
 * - `otlp-json`: an OTLP/JSON `ExportTraceServiceRequest` (or one per line);
 * - `otlp-protobuf`: an OTLP/protobuf `ExportTraceServiceRequest` body.
 */
export type SpanInputFormat = 'jsonl' | 'otlp-json' | 'otlp-protobuf';

export interface ReadSpansOptions {
  /** Detected when left out: bytes that do not start as JSON text are OTLP/protobuf; JSON text whose first line is a whole JSON value is JSON lines, else one OTLP/JSON document. */
  format?: SpanInputFormat;
}

const FORMATS: ReadonlySet<string> = new Set<SpanInputFormat>(['jsonl', 'otlp-json', 'otlp-protobuf']);
const OPEN_BRACE = 0x7b;
const NEWLINE = 0x0a;
const BOM = '\ufeff';

function isRequest(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'resourceSpans' in value;
}

/** The position V8 names in a JSON syntax error, never the text around it (which may be anyone's data). */
function notJson(where: string, error: unknown): never {
  const at = /position (\d+)/.exec(error instanceof Error ? error.message : '');
  throw spanDecodeError(`${where}: not valid JSON${at ? ` (at character ${at[1]})` : ''}`);
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    return notJson(where, error);
  }
}

/** Each non-blank line a span record or, with `requestsOnly` or when it has `resourceSpans`, an OTLP request. */
function readLines(text: string, requestsOnly: boolean, out: ReadableSpan[]): void {
  const resources: ResourceCache = new Map();
  const label = requestsOnly ? 'OTLP/JSON' : 'JSON lines';
  let start = 0;
  for (let line = 1; start < text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const content = text.slice(start, end).trim();
    start = end + 1;
    if (content === '') continue;
    const value = parseJson(content, `${label}: line ${line}`);
    if (requestsOnly || isRequest(value)) spansFromOtlp(value, out, `line ${line}: `);
    else out.push(spanFromRecord(value, resources, `line ${line}`));
  }
}

function readOtlpJson(text: string, out: ReadableSpan[]): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // not one document: perhaps one request per line, as the Collector's file exporter writes them
    if (text.indexOf('\n') < 0) notJson('OTLP/JSON', error);
    readLines(text, true, out);
    return;
  }
  spansFromOtlp(value, out);
}

function detectText(text: string): 'jsonl' | 'otlp-json' {
  const firstLineEnd = text.indexOf('\n');
  if (firstLineEnd < 0) {
    // one line: a record or a whole request
    return 'jsonl';
  }
  try {
    JSON.parse(text.slice(0, firstLineEnd));
    return 'jsonl';
  } catch {
    return 'otlp-json';
  }
}

function firstNonSpace(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== NEWLINE) return b;
  }
  return -1;
}

/**
 * Span records from JSON lines, OTLP/JSON or OTLP/protobuf (see `SpanInputFormat`), the format detected when not
 * given. The records are what our exporters were given: `readSpans(encodeOtlpJson(spans))` gives back `spans`
 * (their `estimatedBytes` aside, and a `correlationId` only where the span carried it as a tag). Spans of other
 * SDKs map as `fromOtlp.ts` describes. Malformed input throws an Error with `code`
 * `AUDIT_TRACING_ERR_SPAN_DECODE` that says where; reading costs time and memory in proportion to the input, and
 * attribute values nested deeper than 32 are refused.
 */
export function readSpans(input: string | Uint8Array, options: ReadSpansOptions = {}): ReadableSpan[] {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) throw invalidOption('readSpans', '', 'a string or a Uint8Array', input);
  const format = options?.format;
  if (format !== undefined && !FORMATS.has(format)) throw invalidOption('readSpans', 'format', '"jsonl", "otlp-json" or "otlp-protobuf"', format);
  const out: ReadableSpan[] = [];
  if (typeof input !== 'string') {
    if (format === 'otlp-protobuf') {
      spansFromOtlp(decodeOtlpProtobuf(input), out);
      return out;
    }
    if (format === undefined && input.length > 0) {
      const first = input[0];
      // '{' (or a BOM) cannot start a protobuf request; a newline can (field 1, length-delimited), so a body
      // starting with one is read as protobuf first and as text only when that fails.
      if (first === NEWLINE) {
        try {
          spansFromOtlp(decodeOtlpProtobuf(input), out);
          return out;
        } catch (error) {
          if (firstNonSpace(input) !== OPEN_BRACE) throw error;
          out.length = 0;
        }
      } else if (first !== OPEN_BRACE && first !== 0xef && firstNonSpace(input) !== OPEN_BRACE) {
        spansFromOtlp(decodeOtlpProtobuf(input), out);
        return out;
      }
    }
    input = Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  } else if (format === 'otlp-protobuf') {
    throw invalidOption('readSpans', '', 'bytes (a Uint8Array) for format "otlp-protobuf"', input);
  }
  const text = input.startsWith(BOM) ? input.slice(1) : input;
  const trimmed = text.trim();
  if (trimmed === '') return out;
  const chosen = format ?? detectText(trimmed);
  if (chosen === 'otlp-json') readOtlpJson(trimmed, out);
  else if (trimmed.indexOf('\n') >= 0) readLines(text, false, out);
  else {
    // one line, as our encoder writes a request: a request or a single record
    const value = parseJson(trimmed, 'JSON lines: line 1');
    if (isRequest(value)) spansFromOtlp(value, out);
    else out.push(spanFromRecord(value, new Map(), 'line 1'));
  }
  return out;
}
