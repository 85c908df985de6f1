// An OTLP ExportTraceServiceRequest (JSON shape) back into span records: the inverse of export/otlp/encodeJson.ts
// and encodeProtobuf.ts, and tolerant of what OpenTelemetry SDKs and the Collector write. The mapping:
//   name → operationName; the `component` attribute → component (else the instrumentation scope's name, when the
//   scope is not ours); Status.code UNSET/OK → OK, ERROR → ERROR, refined to TIMEOUT/CANCELLED by the
//   `audit.status_code` attribute (whose name prefix is then taken off the message); kind 1–5 → internal, server,
//   client, producer, consumer (0 → internal); nanoseconds → epoch ms with the fraction; events → logs (the
//   `level` attribute → level, the rest → fields); flags' low byte → traceFlags; resource attributes → resource,
//   one shared object per ResourceSpans. Ids are hex (base64 accepted: the protobuf JSON mapping's own spelling).
// https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding

import type { LogLevel, ReadableSpan, Resource, SpanKind, SpanLink, SpanLog, SpanStatus, SpanStatusCode, TagValue, Tags } from '../../types.js';
import { ATTR_SERVICE_NAME } from '../../semconv.js';
import { setOwnProperty } from '../../ownProperty.js';
import { CORRELATION_ID_TAG } from '../../trace/AuditTracer.js';
import { COMPONENT_ATTRIBUTE, INSTRUMENTATION_SCOPE_NAME, LOG_LEVEL_ATTRIBUTE, STATUS_NAME_ATTRIBUTE } from '../../export/otlp/otlpModel.js';
import { END_MS, MAX_ANY_VALUE_DEPTH, START_MS, TIME_MS } from './decodeOtlpProtobuf.js';
import { spanDecodeError } from './spanDecodeError.js';

type Json = Record<string | symbol, unknown>;

/** The service name OpenTelemetry reports when none is configured. https://opentelemetry.io/docs/specs/semconv/resource/#service */
export const UNKNOWN_SERVICE = 'unknown_service';

const KINDS: readonly SpanKind[] = ['internal', 'internal', 'server', 'client', 'producer', 'consumer'];
const KIND_NAMES: Readonly<Record<string, number>> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_NAMES: Readonly<Record<string, number>> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };
const LEVELS: ReadonlySet<string> = new Set<LogLevel>(['debug', 'info', 'warn', 'error']);
const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const DECIMAL = /^\d+$/;
const NANOS_PER_MS = 1_000_000;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Where we are, for error messages: `resourceSpans[0].scopeSpans[1].spans[7]`, spelled only when needed. */
class Place {
  constructor(
    readonly where: string,
    readonly r: number,
    readonly s = -1,
    readonly i = -1,
  ) {}
  fail(what: string): never {
    const path = `${this.where}resourceSpans[${this.r}]${this.s < 0 ? '.resource' : `.scopeSpans[${this.s}].spans[${this.i}]`}`;
    throw spanDecodeError(`OTLP: ${path}: ${what}`);
  }
}

/** An id of `bytes` bytes from hex (or base64) text; empty text and all zeros read as absent. */
function id(value: unknown, bytes: number, field: string, at: Place): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') at.fail(`${field}: expected hex text, got ${typeof value}`);
  let hex: string | undefined;
  if (value.length === bytes * 2 && HEX.test(value)) hex = value.toLowerCase();
  else if (BASE64.test(value) && value.length <= Math.ceil(bytes / 3) * 4) {
    const decoded = Buffer.from(value, 'base64');
    if (decoded.length === bytes) hex = decoded.toString('hex');
  }
  if (hex === undefined) at.fail(`${field}: expected ${bytes * 2} hex characters`);
  return /^0+$/.test(hex) ? undefined : hex;
}

/** A 64-bit nanosecond timestamp (decimal text or a number) as epoch ms, exact to the double nearest. */
function epochMs(value: unknown, field: string, at: Place): number {
  if (typeof value === 'number' && value >= 0 && Number.isFinite(value)) return value / NANOS_PER_MS;
  if (typeof value === 'string' && DECIMAL.test(value) && value.length <= 20) {
    if (value.length <= 6) return Number(value) / NANOS_PER_MS;
    return Number(value.slice(0, -6)) + Number(value.slice(-6)) / NANOS_PER_MS;
  }
  return at.fail(`${field}: expected unsigned nanoseconds as decimal text, got ${typeof value === 'string' ? 'other text' : typeof value}`);
}

function count(value: unknown): number {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : 0;
}

function enumValue(value: unknown, names: Readonly<Record<string, number>>): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return names[value] ?? 0;
  return 0;
}

/** A JSON-ish copy of an AnyValue, for kvlists and nested arrays, which a tag holds as JSON text. */
function plain(value: unknown, depth: number, at: Place): unknown {
  if (depth > MAX_ANY_VALUE_DEPTH) at.fail(`attribute values nested deeper than ${MAX_ANY_VALUE_DEPTH}`);
  if (!isObject(value)) return null;
  if ('arrayValue' in value) return list(isObject(value.arrayValue) ? value.arrayValue.values : undefined).map((v) => plain(v, depth + 1, at));
  if ('kvlistValue' in value) {
    const out: Json = {};
    for (const kv of list(isObject(value.kvlistValue) ? value.kvlistValue.values : undefined)) {
      if (isObject(kv) && typeof kv.key === 'string') setOwnProperty(out, kv.key, plain(kv.value, depth + 1, at));
    }
    return out;
  }
  return scalar(value, depth, at) ?? null;
}

function scalar(value: Json, depth: number, at: Place): string | number | boolean | undefined {
  if ('stringValue' in value) return typeof value.stringValue === 'string' ? value.stringValue : undefined;
  if ('boolValue' in value) return value.boolValue === true;
  if ('intValue' in value) {
    const v = value.intValue;
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && /^-?\d+$/.test(v)) {
      const n = Number(v);
      // beyond 2^53 a number would change the value: its exact text is kept instead
      return Number.isSafeInteger(n) ? n : v.replace(/^(-?)0+(?=\d)/, '$1');
    }
    return undefined;
  }
  if ('doubleValue' in value) {
    const v = value.doubleValue;
    if (typeof v === 'number') return v;
    if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v);
    return typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
  }
  if ('bytesValue' in value) return typeof value.bytesValue === 'string' ? value.bytesValue : undefined;
  if ('arrayValue' in value || 'kvlistValue' in value) return JSON.stringify(plain(value, depth, at));
  return undefined;
}

/** An AnyValue as a tag value: scalars as they are, flat arrays of scalars as arrays, anything deeper as JSON text. */
function tagValue(value: unknown, at: Place): TagValue {
  if (!isObject(value)) return undefined;
  if ('arrayValue' in value) {
    const items = list(isObject(value.arrayValue) ? value.arrayValue.values : undefined);
    const out: (string | number | boolean)[] = [];
    for (const item of items) {
      if (!isObject(item)) continue;
      const s = scalar(item, 1, at);
      if (s !== undefined) out.push(s);
    }
    return out;
  }
  return scalar(value, 0, at);
}

function attributes(value: unknown, at: Place): Record<string, TagValue> {
  const out: Record<string, TagValue> = {};
  for (const kv of list(value)) {
    if (!isObject(kv) || typeof kv.key !== 'string') continue;
    const v = tagValue(kv.value, at);
    if (v !== undefined) setOwnProperty(out, kv.key, v);
  }
  return out;
}

function take(tags: Record<string, TagValue>, key: string): TagValue {
  const value = tags[key];
  delete tags[key];
  return value;
}

function status(value: unknown, tags: Record<string, TagValue>): SpanStatus {
  const s = isObject(value) ? value : {};
  const otlpCode = enumValue(s.code, STATUS_NAMES);
  let code: SpanStatusCode = otlpCode === 2 ? 'ERROR' : 'OK';
  let message = typeof s.message === 'string' && s.message !== '' ? s.message : undefined;
  const name = tags[STATUS_NAME_ATTRIBUTE];
  if (code === 'ERROR' && (name === 'TIMEOUT' || name === 'CANCELLED')) {
    delete tags[STATUS_NAME_ATTRIBUTE];
    code = name;
    if (message === name) message = undefined;
    else if (message?.startsWith(`${name}: `)) message = message.slice(name.length + 2);
  }
  return message === undefined ? { code } : { code, message };
}

function log(value: unknown, at: Place): SpanLog {
  const e = isObject(value) ? value : {};
  const fields: Record<string, unknown> = attributes(e.attributes, at);
  const level = fields[LOG_LEVEL_ATTRIBUTE];
  const known = typeof level === 'string' && LEVELS.has(level);
  if (known) delete fields[LOG_LEVEL_ATTRIBUTE];
  const entry: { timestamp: number; level: LogLevel; message: string; fields?: Record<string, unknown>; droppedFieldsCount?: number } = {
    timestamp: typeof e[TIME_MS] === 'number' ? e[TIME_MS] : epochMs(e.timeUnixNano ?? '0', 'timeUnixNano', at),
    level: known ? (level as LogLevel) : 'info',
    message: typeof e.name === 'string' ? e.name : '',
  };
  for (const _ in fields) {
    entry.fields = fields;
    break;
  }
  const dropped = count(e.droppedAttributesCount);
  if (dropped > 0) entry.droppedFieldsCount = dropped;
  return entry;
}

function link(value: unknown, at: Place): SpanLink | undefined {
  const l = isObject(value) ? value : {};
  const traceId = id(l.traceId, 16, 'link traceId', at);
  const spanId = id(l.spanId, 8, 'link spanId', at);
  if (traceId === undefined || spanId === undefined) return undefined;
  const out: { context: SpanLink['context']; tags?: Tags; droppedTagsCount?: number } = {
    context: { traceId, spanId, traceFlags: count(l.flags) & 0xff, traceState: typeof l.traceState === 'string' && l.traceState !== '' ? l.traceState : undefined },
  };
  const tags = attributes(l.attributes, at);
  for (const _ in tags) {
    out.tags = tags;
    break;
  }
  const dropped = count(l.droppedAttributesCount);
  if (dropped > 0) out.droppedTagsCount = dropped;
  return out;
}

function span(value: unknown, resource: Resource, scopeName: string | undefined, at: Place): ReadableSpan {
  if (!isObject(value)) at.fail('expected a span object');
  const traceId = id(value.traceId, 16, 'traceId', at) ?? at.fail('traceId: missing or all zeros');
  const spanId = id(value.spanId, 8, 'spanId', at) ?? at.fail('spanId: missing or all zeros');
  const tags = attributes(value.attributes, at);
  const statusOut = status(value.status, tags);
  const component = typeof tags[COMPONENT_ATTRIBUTE] === 'string' ? (take(tags, COMPONENT_ATTRIBUTE) as string) : scopeName !== undefined && scopeName !== INSTRUMENTATION_SCOPE_NAME ? scopeName : '';
  // times the protobuf decoder converted already, else the JSON's decimal text
  const startTime = typeof value[START_MS] === 'number' ? value[START_MS] : epochMs(value.startTimeUnixNano, 'startTimeUnixNano', at);
  const endRaw = typeof value[END_MS] === 'number' ? value[END_MS] : epochMs(value.endTimeUnixNano ?? value.startTimeUnixNano, 'endTimeUnixNano', at);
  const endTime = endRaw < startTime ? startTime : endRaw;
  const links: SpanLink[] = [];
  for (const item of list(value.links)) {
    const l = link(item, at);
    if (l) links.push(l);
  }
  const correlationId = tags[CORRELATION_ID_TAG];
  return {
    traceId,
    spanId,
    parentSpanId: id(value.parentSpanId, 8, 'parentSpanId', at),
    operationName: typeof value.name === 'string' ? value.name : '',
    component,
    kind: KINDS[enumValue(value.kind, KIND_NAMES)] ?? 'internal',
    startTime,
    endTime,
    duration: endTime - startTime,
    tags,
    logs: list(value.events).map((e) => log(e, at)),
    links,
    status: statusOut,
    traceFlags: count(value.flags) & 0xff,
    traceState: typeof value.traceState === 'string' && value.traceState !== '' ? value.traceState : undefined,
    correlationId: typeof correlationId === 'string' ? correlationId : undefined,
    resource,
    droppedTagsCount: count(value.droppedAttributesCount),
    droppedLogsCount: count(value.droppedEventsCount),
    droppedLinksCount: count(value.droppedLinksCount),
  };
}

function resourceOf(value: unknown, at: Place): Resource {
  const attrs = attributes(isObject(value) ? value.attributes : undefined, at);
  const name = attrs[ATTR_SERVICE_NAME];
  return Object.freeze({ serviceName: typeof name === 'string' && name !== '' ? name : UNKNOWN_SERVICE, attributes: Object.freeze(attrs) });
}

/** The spans of one ExportTraceServiceRequest (JSON shape), appended to `out`. */
export function spansFromOtlp(request: unknown, out: ReadableSpan[], where = ''): void {
  if (!isObject(request)) throw spanDecodeError(`OTLP: ${where}expected an ExportTraceServiceRequest object`);
  const groups = request.resourceSpans;
  if (groups !== undefined && !Array.isArray(groups)) throw spanDecodeError(`OTLP: ${where}resourceSpans: expected an array`);
  list(groups).forEach((group, r) => {
    const g = isObject(group) ? group : {};
    const resource = resourceOf(g.resource, new Place(where, r));
    // OpenTelemetry JS before 1.0 of the proto wrote `instrumentationLibrarySpans`; the Collector still reads it.
    list(g.scopeSpans ?? g.instrumentationLibrarySpans).forEach((scopeGroup, s) => {
      const sg = isObject(scopeGroup) ? scopeGroup : {};
      const scope = isObject(sg.scope) ? sg.scope : isObject(sg.instrumentationLibrary) ? sg.instrumentationLibrary : {};
      const scopeName = typeof scope.name === 'string' && scope.name !== '' ? scope.name : undefined;
      list(sg.spans).forEach((item, i) => out.push(span(item, resource, scopeName, new Place(where, r, s, i))));
    });
  });
}
