// An OTLP/protobuf ExportTraceServiceRequest decoded into the shape of its OTLP/JSON encoding (hex ids, times in
// epoch ms under symbol keys, enums as numbers), so that one mapping (fromOtlp.ts) serves both encodings.
// Field numbers: opentelemetry-proto v1.5.0, the ones export/otlp/encodeProtobuf.ts writes; tests check this
// decoder against protobufjs with the official definitions. Unknown fields are skipped, as protobuf requires.

import { ProtobufReader, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './ProtobufReader.js';
import { spanDecodeError } from './spanDecodeError.js';

/** AnyValue nesting (arrays in arrays, lists of key-values) deeper than this is refused. */
export const MAX_ANY_VALUE_DEPTH = 32;

type Json = Record<string | symbol, unknown>;

const TWO_32 = 0x1_0000_0000;
const NANOS_PER_MS = 1_000_000;
// 2^32 ns = 4294 ms + 967296 ns: a fixed64 split so that every partial value stays an exact double.
const TWO_32_MS = 4294;
const TWO_32_REST_NANOS = 967_296;

const halves = { lo: 0, hi: 0 };

/**
 * Where the decoder leaves times already converted to epoch ms (exact to the double, as `fromOtlp` converts the
 * decimal text of JSON): symbols, which no JSON input can carry, beside the OTLP field names.
 */
export const START_MS = Symbol('startTimeMs');
export const END_MS = Symbol('endTimeMs');
export const TIME_MS = Symbol('timeMs');

/** A fixed64 nanosecond count as epoch ms: whole ms plus the nanoseconds past them, as fromOtlp's `epochMs`. */
function unixNanosToMs(r: ProtobufReader): number {
  r.fixed64(halves);
  const { lo, hi } = halves;
  let ms: number;
  let nanos: number;
  if (hi < 0x20_0000) {
    const total = hi * TWO_32 + lo; // < 2^53
    ms = Math.floor(total / NANOS_PER_MS);
    nanos = total - ms * NANOS_PER_MS;
  } else {
    const rest = hi * TWO_32_REST_NANOS + lo; // < 2^53
    ms = hi * TWO_32_MS + Math.floor(rest / NANOS_PER_MS);
    nanos = rest % NANOS_PER_MS;
  }
  return ms === 0 ? nanos / NANOS_PER_MS : ms + nanos / NANOS_PER_MS;
}

function anyValue(r: ProtobufReader, depth: number): Json {
  if (depth > MAX_ANY_VALUE_DEPTH) throw spanDecodeError(`OTLP protobuf: attribute values nested deeper than ${MAX_ANY_VALUE_DEPTH}`);
  let value: Json = {};
  while (r.more()) {
    const { field, wire } = r.key();
    switch (field) {
      case 1:
        r.expect(wire, WIRE_LEN, 'AnyValue.string_value');
        value = { stringValue: r.string() };
        break;
      case 2:
        r.expect(wire, WIRE_VARINT, 'AnyValue.bool_value');
        value = { boolValue: r.uint32() !== 0 };
        break;
      case 3:
        r.expect(wire, WIRE_VARINT, 'AnyValue.int_value');
        value = { intValue: r.int64() };
        break;
      case 4:
        r.expect(wire, WIRE_I64, 'AnyValue.double_value');
        value = { doubleValue: r.double() };
        break;
      case 5: {
        r.expect(wire, WIRE_LEN, 'AnyValue.array_value');
        const array = r.message();
        const values: Json[] = [];
        while (array.more()) {
          const item = array.key();
          if (item.field === 1) {
            array.expect(item.wire, WIRE_LEN, 'ArrayValue.values');
            values.push(anyValue(array.message(), depth + 1));
          } else array.skip(item.wire);
        }
        value = { arrayValue: { values } };
        break;
      }
      case 6: {
        r.expect(wire, WIRE_LEN, 'AnyValue.kvlist_value');
        value = { kvlistValue: { values: keyValues(r.message(), 1, depth + 1) } };
        break;
      }
      case 7:
        r.expect(wire, WIRE_LEN, 'AnyValue.bytes_value');
        value = { bytesValue: r.base64() };
        break;
      default:
        r.skip(wire);
    }
  }
  return value;
}

function keyValue(r: ProtobufReader, depth: number): Json {
  const kv: Json = { key: '', value: {} };
  while (r.more()) {
    const { field, wire } = r.key();
    if (field === 1) {
      r.expect(wire, WIRE_LEN, 'KeyValue.key');
      kv.key = r.string();
    } else if (field === 2) {
      r.expect(wire, WIRE_LEN, 'KeyValue.value');
      kv.value = anyValue(r.message(), depth);
    } else r.skip(wire);
  }
  return kv;
}

/** The repeated KeyValue field `number` of a message, other fields skipped. */
function keyValues(r: ProtobufReader, number: number, depth: number): Json[] {
  const out: Json[] = [];
  while (r.more()) {
    const { field, wire } = r.key();
    if (field === number) {
      r.expect(wire, WIRE_LEN, 'KeyValue');
      out.push(keyValue(r.message(), depth));
    } else r.skip(wire);
  }
  return out;
}

function attribute(r: ProtobufReader, wire: number, into: Json[]): void {
  r.expect(wire, WIRE_LEN, 'attributes');
  into.push(keyValue(r.message(), 0));
}

function event(r: ProtobufReader): Json {
  const out: Json = { name: '', attributes: [] as Json[], [TIME_MS]: 0 };
  while (r.more()) {
    const { field, wire } = r.key();
    if (field === 1) {
      r.expect(wire, WIRE_I64, 'Event.time_unix_nano');
      out[TIME_MS] = unixNanosToMs(r);
    } else if (field === 2) {
      r.expect(wire, WIRE_LEN, 'Event.name');
      out.name = r.string();
    } else if (field === 3) attribute(r, wire, out.attributes as Json[]);
    else if (field === 4) {
      r.expect(wire, WIRE_VARINT, 'Event.dropped_attributes_count');
      out.droppedAttributesCount = r.uint32();
    } else r.skip(wire);
  }
  return out;
}

function link(r: ProtobufReader): Json {
  const out: Json = { traceId: '', spanId: '', attributes: [] as Json[] };
  while (r.more()) {
    const { field, wire } = r.key();
    if (field === 1 || field === 2) {
      r.expect(wire, WIRE_LEN, 'Link ids');
      out[field === 1 ? 'traceId' : 'spanId'] = r.hex();
    } else if (field === 3) {
      r.expect(wire, WIRE_LEN, 'Link.trace_state');
      out.traceState = r.string();
    } else if (field === 4) attribute(r, wire, out.attributes as Json[]);
    else if (field === 5) {
      r.expect(wire, WIRE_VARINT, 'Link.dropped_attributes_count');
      out.droppedAttributesCount = r.uint32();
    } else if (field === 6) {
      r.expect(wire, WIRE_I32, 'Link.flags');
      out.flags = r.fixed32();
    } else r.skip(wire);
  }
  return out;
}

function status(r: ProtobufReader): Json {
  const out: Json = {};
  while (r.more()) {
    const { field, wire } = r.key();
    if (field === 2) {
      r.expect(wire, WIRE_LEN, 'Status.message');
      out.message = r.string();
    } else if (field === 3) {
      r.expect(wire, WIRE_VARINT, 'Status.code');
      out.code = r.uint32();
    } else r.skip(wire);
  }
  return out;
}

const SPAN_COUNTS: Record<number, string> = { 10: 'droppedAttributesCount', 12: 'droppedEventsCount', 14: 'droppedLinksCount' };

function span(r: ProtobufReader): Json {
  const out: Json = { traceId: '', spanId: '', name: '', kind: 0, attributes: [], events: [], links: [], [START_MS]: 0, [END_MS]: 0 };
  while (r.more()) {
    const { field, wire } = r.key();
    switch (field) {
      case 1:
      case 2:
      case 4:
        r.expect(wire, WIRE_LEN, 'Span ids');
        out[field === 1 ? 'traceId' : field === 2 ? 'spanId' : 'parentSpanId'] = r.hex();
        break;
      case 3:
        r.expect(wire, WIRE_LEN, 'Span.trace_state');
        out.traceState = r.string();
        break;
      case 5:
        r.expect(wire, WIRE_LEN, 'Span.name');
        out.name = r.string();
        break;
      case 6:
        r.expect(wire, WIRE_VARINT, 'Span.kind');
        out.kind = r.uint32();
        break;
      case 7:
      case 8:
        r.expect(wire, WIRE_I64, 'Span times');
        out[field === 7 ? START_MS : END_MS] = unixNanosToMs(r);
        break;
      case 9:
        attribute(r, wire, out.attributes as Json[]);
        break;
      case 10:
      case 12:
      case 14:
        r.expect(wire, WIRE_VARINT, `Span.${SPAN_COUNTS[field]}`);
        out[SPAN_COUNTS[field]] = r.uint32();
        break;
      case 11:
        r.expect(wire, WIRE_LEN, 'Span.events');
        (out.events as Json[]).push(event(r.message()));
        break;
      case 13:
        r.expect(wire, WIRE_LEN, 'Span.links');
        (out.links as Json[]).push(link(r.message()));
        break;
      case 15:
        r.expect(wire, WIRE_LEN, 'Span.status');
        out.status = status(r.message());
        break;
      case 16:
        r.expect(wire, WIRE_I32, 'Span.flags');
        out.flags = r.fixed32();
        break;
      default:
        r.skip(wire);
    }
  }
  return out;
}

function scope(r: ProtobufReader): Json {
  const out: Json = {};
  while (r.more()) {
    const { field, wire } = r.key();
    if (field === 1 || field === 2) {
      r.expect(wire, WIRE_LEN, 'InstrumentationScope');
      out[field === 1 ? 'name' : 'version'] = r.string();
    } else r.skip(wire);
  }
  return out;
}

function scopeSpans(r: ProtobufReader): Json {
  const out: Json = { spans: [] as Json[] };
  while (r.more()) {
    const { field, wire } = r.key();
    if (field === 1) {
      r.expect(wire, WIRE_LEN, 'ScopeSpans.scope');
      out.scope = scope(r.message());
    } else if (field === 2) {
      r.expect(wire, WIRE_LEN, 'ScopeSpans.spans');
      (out.spans as Json[]).push(span(r.message()));
    } else r.skip(wire);
  }
  return out;
}

function resourceSpans(r: ProtobufReader): Json {
  const out: Json = { resource: { attributes: [] }, scopeSpans: [] as Json[] };
  while (r.more()) {
    const { field, wire } = r.key();
    if (field === 1) {
      r.expect(wire, WIRE_LEN, 'ResourceSpans.resource');
      out.resource = { attributes: keyValues(r.message(), 1, 0) };
    } else if (field === 2) {
      r.expect(wire, WIRE_LEN, 'ResourceSpans.scope_spans');
      (out.scopeSpans as Json[]).push(scopeSpans(r.message()));
    } else r.skip(wire);
  }
  return out;
}

/** An ExportTraceServiceRequest body, in the OTLP/JSON shape. */
export function decodeOtlpProtobuf(body: Uint8Array): Json {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const r = new ProtobufReader(buf, 0, buf.length);
  const out: Json[] = [];
  while (r.more()) {
    const { field, wire } = r.key();
    if (field === 1) {
      r.expect(wire, WIRE_LEN, 'ExportTraceServiceRequest.resource_spans');
      out.push(resourceSpans(r.message()));
    } else r.skip(wire);
  }
  return { resourceSpans: out };
}
