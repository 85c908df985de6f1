import type { InstrumentationScope, ReadableSpan, Resource, SpanLink, SpanLog, TagValue } from '../../types.js';
import { toAttributeValue } from '../attributeValue.js';
import {
  LOG_LEVEL_ATTRIBUTE,
  groupByResource,
  groupByScope,
  otlpSpanKind,
  otlpStatusCode,
  otlpStatusMessage,
} from './otlpModel.js';
import { attributeRunsOf, type AttributeRuns } from './AttributeRuns.js';
import { KeyCache, RepeatedValue } from './keyCache.js';
import { LikeSpans } from './LikeSpans.js';
import { Scratch } from './BufferWriter.js';
import { ProtobufWriter, varint32Size } from './ProtobufWriter.js';
import { splitUnixNanos, type Fixed64 } from './unixNanos.js';

// ExportTraceServiceRequest in the protobuf wire format, written by hand (no protobufjs at run time).
// Field numbers: opentelemetry-proto v1.5.0, collector/trace/v1/trace_service.proto, trace/v1/trace.proto,
// common/v1/common.proto, resource/v1/resource.proto. Tests decode every body with the generated official
// definitions. A key byte is (field number << 3) | wire type: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.

const REQUEST_RESOURCE_SPANS = 0x0a; // 1, LEN
const RESOURCE_SPANS_RESOURCE = 0x0a; // 1, LEN
const RESOURCE_SPANS_SCOPE_SPANS = 0x12; // 2, LEN
const RESOURCE_ATTRIBUTES = 0x0a; // 1, LEN
const SCOPE_SPANS_SCOPE = 0x0a; // 1, LEN
const SCOPE_SPANS_SPANS = 0x12; // 2, LEN
const SCOPE_SPANS_SCHEMA_URL = 0x1a; // 3, LEN
const SCOPE_NAME = 0x0a; // 1, LEN
const SCOPE_VERSION = 0x12; // 2, LEN
const SPAN_TRACE_ID = 0x0a; // 1, LEN
const SPAN_SPAN_ID = 0x12; // 2, LEN
const SPAN_TRACE_STATE = 0x1a; // 3, LEN
const SPAN_PARENT_SPAN_ID = 0x22; // 4, LEN
const SPAN_NAME = 0x2a; // 5, LEN
const SPAN_KIND = 0x30; // 6, VARINT
const SPAN_START_TIME = 0x39; // 7, I64
const SPAN_END_TIME = 0x41; // 8, I64
const SPAN_ATTRIBUTES = 0x4a; // 9, LEN
const SPAN_DROPPED_ATTRIBUTES_COUNT = 0x50; // 10, VARINT
const SPAN_EVENTS = 0x5a; // 11, LEN
const SPAN_DROPPED_EVENTS_COUNT = 0x60; // 12, VARINT
const SPAN_LINKS = 0x6a; // 13, LEN
const SPAN_DROPPED_LINKS_COUNT = 0x70; // 14, VARINT
const SPAN_STATUS = 0x7a; // 15, LEN
const SPAN_FLAGS = [0x85, 0x01] as const; // 16, I32 (two-byte key)
const EVENT_TIME = 0x09; // 1, I64
const EVENT_NAME = 0x12; // 2, LEN
const EVENT_ATTRIBUTES = 0x1a; // 3, LEN
const EVENT_DROPPED_ATTRIBUTES_COUNT = 0x20; // 4, VARINT
const LINK_TRACE_ID = 0x0a; // 1, LEN
const LINK_SPAN_ID = 0x12; // 2, LEN
const LINK_TRACE_STATE = 0x1a; // 3, LEN
const LINK_ATTRIBUTES = 0x22; // 4, LEN
const LINK_DROPPED_ATTRIBUTES_COUNT = 0x28; // 5, VARINT
const LINK_FLAGS = 0x35; // 6, I32
const STATUS_MESSAGE = 0x12; // 2, LEN
const STATUS_CODE = 0x18; // 3, VARINT
const KEY_VALUE_KEY = 0x0a; // 1, LEN
const KEY_VALUE_VALUE = 0x12; // 2, LEN
const ANY_STRING = 0x0a; // 1, LEN
const ANY_BOOL = 0x10; // 2, VARINT
const ANY_INT = 0x18; // 3, VARINT
const ANY_DOUBLE = 0x21; // 4, I64
const ANY_ARRAY = 0x2a; // 5, LEN
const ARRAY_VALUES = 0x0a; // 1, LEN

// A span message is mostly 128 to 16383 bytes long: its length takes two bytes, reserved up front.
const SPAN_LENGTH_BYTES = 2;

/** Span.flags keeps the W3C trace flags in its low byte. */
const SPAN_FLAGS_TRACE_FLAGS_MASK = 0xff;

const scratch: Fixed64 = { lo: 0, hi: 0 };

interface KeyEntry {
  /** The `key` field of a KeyValue and the key of its `value` field. */
  key: Buffer;
  /** A KeyValue (its length and body, without the field key in front) whose string or number value repeats. */
  last: RepeatedValue;
}

// Encoded once per attribute name.
const keys = new KeyCache<KeyEntry>(function encodeKey(key) {
  const w = new ProtobufWriter(key.length * 3 + 8);
  w.tag(KEY_VALUE_KEY);
  w.string(key);
  w.tag(KEY_VALUE_VALUE);
  return { key: Buffer.from(w.finish()), last: new RepeatedValue() };
});

// Bodies are written into a scratch buffer kept between calls (see Scratch), sized from what earlier bodies took per
// span so that it rarely has to grow; each body is then copied out to a buffer of its own.
const INITIAL_BYTES_PER_SPAN = 512;
const MAX_BYTES_PER_SPAN_HINT = 4096;
const SIZE_MARGIN = 1.25;
let bytesPerSpan = INITIAL_BYTES_PER_SPAN;
const bodyScratch = new Scratch();

/** The body of an AnyValue. Returns false when the value carries nothing (the attribute is then left out). */
function writeAnyValueBody(w: ProtobufWriter, value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      w.tag(ANY_STRING);
      w.string(value);
      return true;
    case 'number':
      if (Number.isSafeInteger(value)) {
        w.tag(ANY_INT);
        w.int64(value);
      } else {
        w.tag(ANY_DOUBLE);
        w.double(value);
      }
      return true;
    case 'boolean':
      w.tag(ANY_BOOL);
      w.bool(value);
      return true;
    case 'undefined':
      return false;
    default: {
      if (value === null) return false;
      const normalized = toAttributeValue(value);
      if (!Array.isArray(normalized)) return writeAnyValueBody(w, normalized);
      w.tag(ANY_ARRAY);
      const array = w.fork();
      for (const item of normalized) {
        w.tag(ARRAY_VALUES);
        const element = w.fork();
        writeAnyValueBody(w, item);
        w.join(element);
      }
      w.join(array);
      return true;
    }
  }
}

/** One KeyValue under `fieldKey`; nothing at all when the value carries nothing. */
function writeKeyValue(w: ProtobufWriter, fieldKey: number, key: string, value: unknown): void {
  if (value === undefined || value === null) return;
  writeKeyValueOf(w, fieldKey, keys.get(key), value);
}

/** The same, given the key's cached entry. */
function writeKeyValueOf(w: ProtobufWriter, fieldKey: number, entry: KeyEntry, value: unknown): void {
  const mark = w.pos;
  w.tag(fieldKey);
  if (value === entry.last.value) {
    w.copy(entry.last.encoded!);
    return;
  }
  const keyValue = w.fork();
  w.copy(entry.key);
  const anyValue = w.fork();
  if (!writeAnyValueBody(w, value)) {
    w.pos = mark;
    return;
  }
  w.join(anyValue);
  w.join(keyValue);
  if (typeof value !== 'object') entry.last.remember(value, w.buf, keyValue, w.pos);
}

function writeAttributes(w: ProtobufWriter, fieldKey: number, attributes: Readonly<Record<string, TagValue | unknown>>): void {
  for (const key in attributes) writeKeyValue(w, fieldKey, key, attributes[key]);
}

function writeEvent(w: ProtobufWriter, log: SpanLog): void {
  w.tag(SPAN_EVENTS);
  const event = w.fork();
  splitUnixNanos(log.timestamp, scratch);
  w.tag(EVENT_TIME);
  w.fixed64(scratch.lo, scratch.hi);
  w.tag(EVENT_NAME);
  w.string(log.message);
  writeKeyValue(w, EVENT_ATTRIBUTES, LOG_LEVEL_ATTRIBUTE, log.level);
  if (log.fields) writeAttributes(w, EVENT_ATTRIBUTES, log.fields);
  writeCount(w, EVENT_DROPPED_ATTRIBUTES_COUNT, log.droppedFieldsCount);
  w.join(event);
}

function writeLink(w: ProtobufWriter, link: SpanLink): void {
  w.tag(SPAN_LINKS);
  const start = w.fork();
  w.tag(LINK_TRACE_ID);
  w.bytesFromHex(link.context.traceId);
  w.tag(LINK_SPAN_ID);
  w.bytesFromHex(link.context.spanId);
  if (link.context.traceState) {
    w.tag(LINK_TRACE_STATE);
    w.string(link.context.traceState);
  }
  if (link.tags) writeAttributes(w, LINK_ATTRIBUTES, link.tags);
  writeCount(w, LINK_DROPPED_ATTRIBUTES_COUNT, link.droppedTagsCount);
  w.tag(LINK_FLAGS);
  w.fixed32((link.context.traceFlags ?? 0) & SPAN_FLAGS_TRACE_FLAGS_MASK);
  w.join(start);
}

/** A dropped-something count, left out when zero (the protobuf default). */
function writeCount(w: ProtobufWriter, fieldKey: number, count: number | undefined): void {
  if (!count) return;
  w.tag(fieldKey);
  w.uint32(count);
}

function keyEntry(key: string): KeyEntry {
  return keys.get(key);
}

function writeSpanAttribute(w: ProtobufWriter, entry: KeyEntry, value: unknown): void {
  if (value === undefined || value === null) return;
  writeKeyValueOf(w, SPAN_ATTRIBUTES, entry, value);
}

/** A span's attributes, copied from an earlier span of its shape where they are the same (see AttributeRuns). */
const ProtobufAttributeRuns = attributeRunsOf<ProtobufWriter, KeyEntry>(keyEntry, writeSpanAttribute, -1);
const newAttributeRuns = (): AttributeRuns<ProtobufWriter> => new ProtobufAttributeRuns();

/** A span's fields up to its attributes: ids, trace state, head (name, kind, flags, status), times. */
function writeSpanStart(w: ProtobufWriter, span: ReadableSpan): void {
  w.tag(SPAN_TRACE_ID);
  w.bytesFromHex(span.traceId);
  w.tag(SPAN_SPAN_ID);
  w.bytesFromHex(span.spanId);
  if (span.traceState) {
    w.tag(SPAN_TRACE_STATE);
    w.string(span.traceState);
  }
  if (span.parentSpanId) {
    w.tag(SPAN_PARENT_SPAN_ID);
    w.bytesFromHex(span.parentSpanId);
  }
  w.tag(SPAN_NAME);
  w.string(span.operationName);
  w.tag(SPAN_KIND);
  w.uint32(otlpSpanKind(span.kind));
  w.tag(SPAN_FLAGS[0]);
  w.tag(SPAN_FLAGS[1]);
  w.fixed32(span.traceFlags & SPAN_FLAGS_TRACE_FLAGS_MASK);
  w.tag(SPAN_STATUS);
  const statusStart = w.fork();
  const status = span.status;
  const message = otlpStatusMessage(status);
  if (message) {
    w.tag(STATUS_MESSAGE);
    w.string(message);
  }
  w.tag(STATUS_CODE);
  w.uint32(otlpStatusCode(status));
  w.join(statusStart);
  writeTimes(w, span);
}

function writeTimes(w: ProtobufWriter, span: ReadableSpan): void {
  w.tag(SPAN_START_TIME);
  splitUnixNanos(span.startTime, scratch);
  w.fixed64(scratch.lo, scratch.hi);
  w.tag(SPAN_END_TIME);
  splitUnixNanos(span.endTime ?? span.startTime, scratch);
  w.fixed64(scratch.lo, scratch.hi);
}

// When ids have their usual 16 and 8 bytes and there is no trace state, a span whose head (RepeatedHead) is an
// earlier like span's starts as that span did but for its ids and times, at fixed offsets from the trace id's key;
// its times end its start. That start is copied with the first run of unchanged attributes (AttributeRuns), then the
// ids and times are written over it.
const TRACE_ID_LENGTH_AT = 1;
const SPAN_ID_LENGTH_AT = TRACE_ID_LENGTH_AT + 1 + 16 + 1;
const PARENT_SPAN_ID_LENGTH_AT = SPAN_ID_LENGTH_AT + 1 + 8 + 1;
const TIMES_BYTES = 2 * (1 + 8);

function writeSpan(w: ProtobufWriter, span: ReadableSpan, likeSpans: LikeSpans<AttributeRuns<ProtobufWriter>>): void {
  w.tag(SCOPE_SPANS_SPANS);
  const start = w.fork(SPAN_LENGTH_BYTES);
  const at = w.pos;
  const { head, runs } = likeSpans.find(span.operationName, span.kind);
  const parent = span.parentSpanId;
  const fixedLayout = !span.traceState && span.traceId.length === 32 && span.spanId.length === 16 && (!parent || parent.length === 16);
  const copyFrom = fixedLayout ? head.match(w, span, parent ? 1 : 0) : -1;
  if (copyFrom < 0) {
    if (!fixedLayout) head.forget();
    writeSpanStart(w, span);
    if (fixedLayout) head.written(w);
  }
  const attributesAt = copyFrom < 0 ? w.pos : at + head.length;

  runs.spanAttributes(w, span, copyFrom);
  if (copyFrom >= 0) {
    const after = w.pos;
    w.pos = at + TRACE_ID_LENGTH_AT;
    w.bytesFromHex(span.traceId);
    w.pos = at + SPAN_ID_LENGTH_AT;
    w.bytesFromHex(span.spanId);
    if (parent) {
      w.pos = at + PARENT_SPAN_ID_LENGTH_AT;
      w.bytesFromHex(parent);
    }
    w.pos = attributesAt - TIMES_BYTES;
    writeTimes(w, span);
    w.pos = after;
  }

  writeCount(w, SPAN_DROPPED_ATTRIBUTES_COUNT, span.droppedTagsCount);
  const logs = span.logs;
  for (let i = 0; i < logs.length; i++) writeEvent(w, logs[i]);
  writeCount(w, SPAN_DROPPED_EVENTS_COUNT, span.droppedLogsCount);
  const links = span.links;
  for (let i = 0; i < links.length; i++) writeLink(w, links[i]);
  writeCount(w, SPAN_DROPPED_LINKS_COUNT, span.droppedLinksCount);

  const moved = w.join(start, SPAN_LENGTH_BYTES);
  if (moved !== 0) {
    runs.moved(moved);
    head.moved(moved);
  }
}

// A resource is the same for every span of a tracer: encode it once.
const resourceCache = new WeakMap<Resource, Buffer>();

function encodedResource(resource: Resource): Buffer {
  let bytes = resourceCache.get(resource);
  if (bytes === undefined) {
    const w = new ProtobufWriter(1024);
    w.tag(RESOURCE_SPANS_RESOURCE);
    const start = w.fork();
    writeAttributes(w, RESOURCE_ATTRIBUTES, resource.attributes);
    w.join(start);
    bytes = Buffer.from(w.finish());
    resourceCache.set(resource, bytes);
  }
  return bytes;
}

// The InstrumentationScope message of a scope (its key included), encoded once per scope.
const scopeCache = new WeakMap<InstrumentationScope, Buffer>();

function encodedScope(scope: InstrumentationScope): Buffer {
  let bytes = scopeCache.get(scope);
  if (bytes === undefined) {
    const w = new ProtobufWriter(256);
    w.tag(SCOPE_SPANS_SCOPE);
    const start = w.fork();
    w.tag(SCOPE_NAME);
    w.string(String(scope.name));
    if (scope.version) {
      w.tag(SCOPE_VERSION);
      w.string(String(scope.version));
    }
    w.join(start);
    bytes = Buffer.from(w.finish());
    scopeCache.set(scope, bytes);
  }
  return bytes;
}

/**
 * Spans as an OTLP `ExportTraceServiceRequest`, protobuf-encoded: the body of an `application/x-protobuf` POST to
 * `/v1/traces`. https://opentelemetry.io/docs/specs/otlp/#binary-protobuf-encoding
 */
export function encodeOtlpProtobuf(spans: readonly ReadableSpan[]): Buffer {
  const size = Math.ceil(spans.length * bytesPerSpan * SIZE_MARGIN) + 1024;
  const w = new ProtobufWriter(size, bodyScratch.take(size));
  const likeSpans = new LikeSpans(newAttributeRuns);
  for (const [resource, group] of groupByResource(spans)) {
    w.tag(REQUEST_RESOURCE_SPANS);
    // The bytes its length will take, from what spans took so far: when right, joining moves nothing (a move is a
    // copy of everything written since the fork, the whole body here).
    const resourceLengthBytes = varint32Size(Math.round(group.length * bytesPerSpan));
    const resourceSpans = w.fork(resourceLengthBytes);
    w.copy(encodedResource(resource));
    for (const [scope, scopeGroup] of groupByScope(resource, group)) {
      w.tag(RESOURCE_SPANS_SCOPE_SPANS);
      const scopeLengthBytes = varint32Size(Math.round(scopeGroup.length * bytesPerSpan));
      const scopeSpans = w.fork(scopeLengthBytes);
      // Joining the previous group may have moved its spans: none of them is copied from.
      likeSpans.forget();
      w.copy(encodedScope(scope));
      for (let i = 0; i < scopeGroup.length; i++) writeSpan(w, scopeGroup[i], likeSpans);
      if (scope.schemaUrl) {
        w.tag(SCOPE_SPANS_SCHEMA_URL);
        w.string(String(scope.schemaUrl));
      }
      w.join(scopeSpans, scopeLengthBytes);
    }
    w.join(resourceSpans, resourceLengthBytes);
  }
  if (spans.length > 0) bytesPerSpan = Math.min(MAX_BYTES_PER_SPAN_HINT, w.pos / spans.length);
  return bodyScratch.finish(w);
}
