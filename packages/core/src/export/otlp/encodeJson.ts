import type { InstrumentationScope, ReadableSpan, Resource, SpanLink, SpanLog, TagValue } from '../../types.js';
import { toAttributeValue } from '../attributeValue.js';
import { Scratch } from './BufferWriter.js';
import { JsonWriter } from './JsonWriter.js';
import { attributeRunsOf, type AttributeRuns } from './AttributeRuns.js';
import { KeyCache, RepeatedValue } from './keyCache.js';
import { LikeSpans } from './LikeSpans.js';
import {
  LOG_LEVEL_ATTRIBUTE,
  groupByResource,
  groupByScope,
  otlpSpanKind,
  otlpStatusCode,
  otlpStatusMessage,
} from './otlpModel.js';
import { splitEpochMs, type EpochParts } from './unixNanos.js';

// ExportTraceServiceRequest in the OTLP JSON encoding, written as UTF-8 bytes: faster than building the object tree
// and calling JSON.stringify on it. https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding
// - trace and span ids are hex strings, not base64;
// - enum fields (kind, status code) are integers;
// - 64-bit integers (timestamps, intValue) are decimal strings, as in the protobuf JSON mapping;
// - keys are lowerCamelCase field names.
// Every string we did not spell ourselves goes through JsonWriter.string (escaped); ids are validated hex.

const parts: EpochParts = { ms: 0, nanos: 0 };

// Constant fragments, as bytes: copying them beats writing them out character by character.
const ascii = (text: string) => Buffer.from(text, 'latin1');
const REQUEST_START = ascii('{"resourceSpans":[');
const SPAN_START = ascii('{"traceId":"');
const SPAN_ID = ascii('","spanId":"');
const TRACE_STATE = ascii(',"traceState":');
const PARENT_SPAN_ID = ascii('","parentSpanId":"');
// A span's head (see RepeatedHead), from the quote that closes its last id to the one that opens its start time:
// flags, name, kind and status.
const HEAD_FLAGS = ascii('","flags":');
const NAME = ascii(',"name":');
const KIND = ascii(',"kind":');
const HEAD_END = ascii('},"startTimeUnixNano":"');
const END_TIME = ascii('","endTimeUnixNano":"');
const TIME_END_TRACE_STATE = ascii('","traceState":');
const TIME_END_ATTRIBUTES = ascii('","attributes":');
const FLAGS = ascii(',"flags":');
const ATTRIBUTES = ascii(',"attributes":');
const EVENTS = ascii(',"events":[');
const EVENT_START = ascii('{"timeUnixNano":');
const LINKS = ascii(',"links":[');
const LINK_START = ascii('{"traceId":"');
const DROPPED_ATTRIBUTES = ascii(',"droppedAttributesCount":');
const DROPPED_EVENTS = ascii(',"droppedEventsCount":');
const DROPPED_LINKS = ascii(',"droppedLinksCount":');
const STATUS_WITH_MESSAGE = ascii(',"status":{"message":');
const STATUS_CODE_AFTER_MESSAGE = ascii(',"code":');
const STATUS_CODE_ONLY = ascii(',"status":{"code":');
const STRING_VALUE = ascii('{"stringValue":');
const INT_VALUE = ascii('{"intValue":"');
const DOUBLE_VALUE = ascii('{"doubleValue":');
const BOOL_TRUE = ascii('{"boolValue":true}');
const BOOL_FALSE = ascii('{"boolValue":false}');
const ARRAY_START = ascii('{"arrayValue":{"values":[');
const SCOPE_END = ascii(']}');
const SCOPE_END_WITH_SCHEMA = ascii('],"schemaUrl":');
const RESOURCE_END = ascii(']}');

/**
 * The start of a KeyValue for one key, for each kind of value, up to the value itself, with the comma that goes in
 * front of it (see `openList`).
 */
interface KeyPrefixes {
  string: Buffer; // ,{"key":"k","value":{"stringValue":
  int: Buffer; // ,{"key":"k","value":{"intValue":"
  double: Buffer; // ,{"key":"k","value":{"doubleValue":
  true: Buffer; // the whole KeyValue, ,{"key":"k","value":{"boolValue":true}}
  false: Buffer;
  any: Buffer; // ,{"key":"k","value":
  /** The whole KeyValue of a string or number value that repeats. */
  last: RepeatedValue;
}

const keys = new KeyCache<KeyPrefixes>(function encodeKey(key) {
  const w = new JsonWriter(key.length * 6 + 32);
  w.raw(',{"key":');
  w.string(key);
  w.raw(',"value":');
  const any = Buffer.from(w.finish());
  const withValue = (rest: string) => Buffer.concat([any, ascii(rest)]);
  return {
    string: withValue('{"stringValue":'),
    int: withValue('{"intValue":"'),
    double: withValue('{"doubleValue":'),
    true: withValue('{"boolValue":true}}'),
    false: withValue('{"boolValue":false}}'),
    any,
    last: new RepeatedValue(),
  };
});

// Bodies are written into a scratch buffer kept between calls, sized from what earlier bodies took per span so that
// it rarely has to grow; each body is then copied out to a buffer of its own (it is compressed and sent while the
// next one is being written).
const INITIAL_BYTES_PER_SPAN = 1024;
const MAX_BYTES_PER_SPAN_HINT = 8192;
const SIZE_MARGIN = 1.25;
let bytesPerSpan = INITIAL_BYTES_PER_SPAN;
const bodyScratch = new Scratch();

/** A 64-bit nanosecond timestamp in decimal, without its quotes. */
function writeUnixNanoDigits(w: JsonWriter, { ms, nanos }: EpochParts): void {
  if (ms === 0) w.integer(nanos);
  else w.millisAndNanos(ms, nanos);
}

/** A 64-bit nanosecond timestamp as a quoted decimal string. */
function writeUnixNanos(w: JsonWriter, epochMs: number): void {
  w.raw('"');
  writeUnixNanoDigits(w, splitEpochMs(epochMs, parts));
  w.raw('"');
}

/** A double as JSON: non-finite values are strings, as the protobuf JSON mapping spells them. */
function writeDouble(w: JsonWriter, value: number): void {
  if (Number.isFinite(value)) w.number(value);
  else w.raw(Number.isNaN(value) ? '"NaN"' : value > 0 ? '"Infinity"' : '"-Infinity"');
}

/** An AnyValue. Returns false, having written nothing, when the value carries nothing. */
function writeAnyValue(w: JsonWriter, value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      w.copy(STRING_VALUE);
      w.string(value);
      w.raw('}');
      return true;
    case 'number':
      if (Number.isSafeInteger(value)) {
        w.copy(INT_VALUE);
        w.integer(value);
        w.raw('"}');
      } else {
        w.copy(DOUBLE_VALUE);
        writeDouble(w, value);
        w.raw('}');
      }
      return true;
    case 'boolean':
      w.copy(value ? BOOL_TRUE : BOOL_FALSE);
      return true;
    case 'undefined':
      return false;
    default: {
      if (value === null) return false;
      const normalized = toAttributeValue(value);
      if (!Array.isArray(normalized)) return writeAnyValue(w, normalized);
      w.copy(ARRAY_START);
      for (let i = 0; i < normalized.length; i++) {
        if (i > 0) w.raw(',');
        if (!writeAnyValue(w, normalized[i])) w.raw('{}');
      }
      w.raw(']}}');
      return true;
    }
  }
}

// Lists of KeyValues are written with a comma in front of every entry, so that a cached KeyValue is one copy: the
// list's opening bracket then takes the place of the first comma.
function openList(w: JsonWriter): number {
  return w.pos;
}

function closeList(w: JsonWriter, start: number): void {
  if (w.pos === start) w.raw('[]');
  else {
    w.buf[start] = 0x5b; // [
    w.raw(']');
  }
}

/** A KeyValue with a comma in front (see `openList`); nothing when the value carries nothing. */
function writeKeyValue(w: JsonWriter, key: string, value: unknown): void {
  writeKeyValueOf(w, keys.get(key), value);
}

/** The same, given the key's cached entry. */
function writeKeyValueOf(w: JsonWriter, entry: KeyPrefixes, value: unknown): void {
  // The usual value types are written here, in one go with their cached key prefix; the rest by writeAnyValue.
  switch (typeof value) {
    case 'string': {
      if (value === entry.last.value) {
        w.copy(entry.last.encoded!);
        return;
      }
      const start = w.pos;
      w.copy(entry.string);
      w.string(value);
      w.raw('}}');
      entry.last.remember(value, w.buf, start, w.pos);
      return;
    }
    case 'number': {
      if (value === entry.last.value) {
        w.copy(entry.last.encoded!);
        return;
      }
      const start = w.pos;
      if (Number.isSafeInteger(value)) {
        w.copy(entry.int);
        w.integer(value);
        w.raw('"}}');
      } else {
        w.copy(entry.double);
        writeDouble(w, value);
        w.raw('}}');
      }
      entry.last.remember(value, w.buf, start, w.pos);
      return;
    }
    case 'boolean':
      w.copy(value ? entry.true : entry.false);
      return;
    case 'undefined':
      return;
    default: {
      if (value === null) return;
      const mark = w.pos;
      w.copy(entry.any);
      if (!writeAnyValue(w, value)) {
        w.pos = mark;
        return;
      }
      w.raw('}');
    }
  }
}

/** The KeyValues of the attributes that carry a value, each with a comma in front. */
function writeAttributes(w: JsonWriter, attributes: Readonly<Record<string, TagValue | unknown>>): void {
  for (const key in attributes) writeKeyValue(w, key, attributes[key]);
}

function writeEvent(w: JsonWriter, log: SpanLog): void {
  w.copy(EVENT_START);
  writeUnixNanos(w, log.timestamp);
  w.copy(NAME);
  w.string(log.message);
  w.copy(ATTRIBUTES);
  const list = openList(w);
  writeKeyValue(w, LOG_LEVEL_ATTRIBUTE, log.level);
  if (log.fields) writeAttributes(w, log.fields);
  closeList(w, list);
  writeCount(w, DROPPED_ATTRIBUTES, log.droppedFieldsCount);
  w.raw('}');
}

function writeLink(w: JsonWriter, link: SpanLink): void {
  w.copy(LINK_START);
  w.raw(link.context.traceId);
  w.copy(SPAN_ID);
  w.raw(link.context.spanId);
  w.raw('"');
  if (link.context.traceState) {
    w.copy(TRACE_STATE);
    w.string(link.context.traceState);
  }
  if (link.tags) {
    w.copy(ATTRIBUTES);
    const list = openList(w);
    writeAttributes(w, link.tags);
    closeList(w, list);
  }
  writeCount(w, DROPPED_ATTRIBUTES, link.droppedTagsCount);
  w.copy(FLAGS);
  w.integer((link.context.traceFlags ?? 0) & 0xff);
  w.raw('}');
}

/** A dropped-something count, left out when zero (the default). */
function writeCount(w: JsonWriter, field: Buffer, count: number | undefined): void {
  if (!count) return;
  w.copy(field);
  w.integer(count);
}

function keyEntry(key: string): KeyPrefixes {
  return keys.get(key);
}

/** A span's attributes, copied from an earlier span of its shape where they are the same (see AttributeRuns). */
const JsonAttributeRuns = attributeRunsOf<JsonWriter, KeyPrefixes>(keyEntry, writeKeyValueOf, 0x2c);
const newAttributeRuns = (): AttributeRuns<JsonWriter> => new JsonAttributeRuns();

/** A span's fields up to its attributes: ids, head (flags, name, kind, status), times, trace state. */
function writeSpanStart(w: JsonWriter, span: ReadableSpan, start: EpochParts, end: EpochParts): void {
  w.copy(SPAN_START);
  w.raw(span.traceId);
  w.copy(SPAN_ID);
  w.raw(span.spanId);
  if (span.parentSpanId) {
    w.copy(PARENT_SPAN_ID);
    w.raw(span.parentSpanId);
  }
  w.copy(HEAD_FLAGS);
  w.integer(span.traceFlags & 0xff);
  w.copy(NAME);
  w.string(span.operationName);
  w.copy(KIND);
  w.integer(otlpSpanKind(span.kind));
  const status = span.status;
  const message = otlpStatusMessage(status);
  if (message) {
    w.copy(STATUS_WITH_MESSAGE);
    w.string(message);
    w.copy(STATUS_CODE_AFTER_MESSAGE);
  } else w.copy(STATUS_CODE_ONLY);
  w.integer(otlpStatusCode(status));
  w.copy(HEAD_END);
  writeUnixNanoDigits(w, start);
  w.copy(END_TIME);
  writeUnixNanoDigits(w, end);
  if (span.traceState) {
    w.copy(TIME_END_TRACE_STATE);
    w.string(span.traceState);
    w.copy(ATTRIBUTES);
  } else w.copy(TIME_END_ATTRIBUTES);
}

// A span starts with its ids, head and times. When none of them changes length (ids of their usual 32 and 16
// characters, nanosecond timestamps of 19 digits: from 2001 to 2286, no trace state), the start of a span whose
// head is an earlier like span's (RepeatedHead) is that span's start with other ids and times: it is copied, and they
// are written over the copy at these offsets.
const TRACE_ID_AT = SPAN_START.length;
const SPAN_ID_AT = TRACE_ID_AT + 32 + SPAN_ID.length;
const PARENT_SPAN_ID_AT = SPAN_ID_AT + 16 + PARENT_SPAN_ID.length;
const TIME_DIGITS = 19;
const START_TIME_FROM_END = TIME_DIGITS + END_TIME.length + TIME_DIGITS + TIME_END_ATTRIBUTES.length;
const MIN_MS_OF_19_DIGITS = 1e12;
const MAX_MS_OF_19_DIGITS = 1e13 - 1;
const startParts: EpochParts = { ms: 0, nanos: 0 };
const endParts: EpochParts = { ms: 0, nanos: 0 };

function writeSpan(w: JsonWriter, span: ReadableSpan, likeSpans: LikeSpans<AttributeRuns<JsonWriter>>): void {
  const at = w.pos;
  const { head, runs } = likeSpans.find(span.operationName, span.kind);
  const start = splitEpochMs(span.startTime, startParts);
  const end = splitEpochMs(span.endTime ?? span.startTime, endParts);
  const parent = span.parentSpanId;
  const fixedLayout =
    !span.traceState &&
    span.traceId.length === 32 &&
    span.spanId.length === 16 &&
    (!parent || parent.length === 16) &&
    start.ms >= MIN_MS_OF_19_DIGITS &&
    start.ms <= MAX_MS_OF_19_DIGITS &&
    end.ms >= MIN_MS_OF_19_DIGITS &&
    end.ms <= MAX_MS_OF_19_DIGITS;
  // The earlier like span's start, when this one's is the same but for ids and times: copied with the first run of
  // unchanged attributes (AttributeRuns), then its ids and times are written over it.
  const copyFrom = fixedLayout ? head.match(w, span, parent ? 1 : 0) : -1;
  // Kept apart from the shared parts objects: an attribute's toJSON could encode spans itself meanwhile.
  const { ms: startMs, nanos: startNanos } = start;
  const { ms: endMs, nanos: endNanos } = end;
  let list: number;
  if (copyFrom >= 0) list = at + head.length;
  else {
    if (!fixedLayout) head.forget();
    writeSpanStart(w, span, start, end);
    if (fixedLayout) head.written(w);
    list = openList(w);
  }
  runs.spanAttributes(w, span, copyFrom);
  closeList(w, list);
  if (copyFrom >= 0) {
    const after = w.pos;
    w.pos = at + TRACE_ID_AT;
    w.raw(span.traceId);
    w.pos = at + SPAN_ID_AT;
    w.raw(span.spanId);
    if (parent) {
      w.pos = at + PARENT_SPAN_ID_AT;
      w.raw(parent);
    }
    w.pos = list - START_TIME_FROM_END;
    w.millisAndNanos(startMs, startNanos);
    w.pos += END_TIME.length;
    w.millisAndNanos(endMs, endNanos);
    w.pos = after;
  }
  writeCount(w, DROPPED_ATTRIBUTES, span.droppedTagsCount);

  const logs = span.logs;
  if (logs.length > 0) {
    w.copy(EVENTS);
    for (let i = 0; i < logs.length; i++) {
      if (i > 0) w.raw(',');
      writeEvent(w, logs[i]);
    }
    w.raw(']');
  }
  writeCount(w, DROPPED_EVENTS, span.droppedLogsCount);
  const links = span.links;
  if (links.length > 0) {
    w.copy(LINKS);
    for (let i = 0; i < links.length; i++) {
      if (i > 0) w.raw(',');
      writeLink(w, links[i]);
    }
    w.raw(']');
  }
  writeCount(w, DROPPED_LINKS, span.droppedLinksCount);
  w.raw('}');
}

// A resource is the same for every span of a tracer, a scope for every span of an instrumentation: each is
// written once.
const resourceCache = new WeakMap<Resource, Buffer>();
const scopeCache = new WeakMap<InstrumentationScope, Buffer>();

function resourceStart(resource: Resource): Buffer {
  let bytes = resourceCache.get(resource);
  if (bytes === undefined) {
    const w = new JsonWriter(1024);
    w.raw('{"resource":{"attributes":');
    const list = openList(w);
    writeAttributes(w, resource.attributes);
    closeList(w, list);
    w.raw('},"scopeSpans":[');
    bytes = Buffer.from(w.finish());
    resourceCache.set(resource, bytes);
  }
  return bytes;
}

function scopeStart(scope: InstrumentationScope): Buffer {
  let bytes = scopeCache.get(scope);
  if (bytes === undefined) {
    const w = new JsonWriter(256);
    w.raw('{"scope":{"name":');
    w.string(String(scope.name));
    if (scope.version) {
      w.raw(',"version":');
      w.string(String(scope.version));
    }
    w.raw('},"spans":[');
    bytes = Buffer.from(w.finish());
    scopeCache.set(scope, bytes);
  }
  return bytes;
}

/**
 * Spans as an OTLP `ExportTraceServiceRequest` in JSON, UTF-8 encoded: the body of an `application/json` POST to
 * `/v1/traces`.
 */
export function encodeOtlpJson(spans: readonly ReadableSpan[]): Buffer {
  const size = Math.ceil(spans.length * bytesPerSpan * SIZE_MARGIN) + 1024;
  const w = new JsonWriter(size, bodyScratch.take(size));
  w.copy(REQUEST_START);
  const likeSpans = new LikeSpans(newAttributeRuns);
  let firstGroup = true;
  for (const [resource, group] of groupByResource(spans)) {
    if (!firstGroup) w.raw(',');
    firstGroup = false;
    w.copy(resourceStart(resource));
    let firstScope = true;
    for (const [scope, scopeGroup] of groupByScope(resource, group)) {
      if (!firstScope) w.raw(',');
      firstScope = false;
      w.copy(scopeStart(scope));
      for (let i = 0; i < scopeGroup.length; i++) {
        if (i > 0) w.raw(',');
        writeSpan(w, scopeGroup[i], likeSpans);
      }
      if (scope.schemaUrl) {
        w.copy(SCOPE_END_WITH_SCHEMA);
        w.string(String(scope.schemaUrl));
        w.raw('}');
      } else w.copy(SCOPE_END);
    }
    w.copy(RESOURCE_END);
  }
  w.raw(']}');
  if (spans.length > 0) bytesPerSpan = Math.min(MAX_BYTES_PER_SPAN_HINT, w.pos / spans.length);
  return bodyScratch.finish(w);
}
