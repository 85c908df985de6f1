import type { ReadableSpan, SpanKind, SpanLog, SpanStatus, SpanStatusCode, TagValue } from '../../types.js';
import { widenTraceId } from '../../semconv.js';
import { toAttributeValue } from '../attributeValue.js';

// Zipkin v2 span model. https://zipkin.io/zipkin-api/#/default/post_spans (zipkin2-api.yaml, definitions/Span)

export interface ZipkinEndpoint {
  serviceName?: string;
  ipv4?: string;
  ipv6?: string;
  port?: number;
}

export interface ZipkinAnnotation {
  /** Epoch microseconds. */
  timestamp: number;
  value: string;
}

export interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name?: string;
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  /** Epoch microseconds. */
  timestamp?: number;
  /** Microseconds, at least 1. */
  duration?: number;
  debug?: boolean;
  shared?: boolean;
  localEndpoint?: ZipkinEndpoint;
  remoteEndpoint?: ZipkinEndpoint;
  annotations?: ZipkinAnnotation[];
  tags?: Record<string, string>;
}

/** Zipkin has no internal kind: such spans leave `kind` out. */
const ZIPKIN_KIND: Readonly<Record<SpanKind, ZipkinSpan['kind']>> = Object.freeze({
  server: 'SERVER',
  client: 'CLIENT',
  producer: 'PRODUCER',
  consumer: 'CONSUMER',
  internal: undefined,
});

/** The tags the OpenTelemetry Zipkin mapping uses for status. https://opentelemetry.io/docs/specs/otel/trace/sdk_exporters/zipkin/#status */
export const ZIPKIN_STATUS_CODE_TAG = 'otel.status_code';
export const ZIPKIN_ERROR_TAG = 'error';
/** As in OTLP: TIMEOUT and CANCELLED keep their name next to the error. */
export const ZIPKIN_STATUS_NAME_TAG = 'audit.status_code';

/** Zipkin tags are strings: arrays become JSON text, everything else its string form. */
function tagText(value: TagValue | unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
      return String(value);
    case 'undefined':
      return undefined;
    default: {
      if (value === null) return undefined;
      const normalized = toAttributeValue(value);
      return Array.isArray(normalized) ? JSON.stringify(normalized) : tagText(normalized);
    }
  }
}

function micros(epochMs: number): number {
  return Math.round(epochMs * 1000);
}

function annotation(log: SpanLog): ZipkinAnnotation {
  // An annotation is one string: the message, then the level and fields as JSON when there is more to say.
  const extra = log.fields === undefined && log.level === 'info' ? undefined : { level: log.level, ...log.fields };
  const detail = extra === undefined ? '' : ` ${tagText(extra) ?? ''}`;
  return { timestamp: micros(log.timestamp), value: `${log.message}${detail}` };
}

/** One span in the Zipkin v2 model. */
export function toZipkinSpan(span: ReadableSpan): ZipkinSpan {
  const tags: Record<string, string> = {};
  // Resource attributes first, so a span's own tag of the same name wins; service.name is the local endpoint.
  const resourceAttributes = span.resource.attributes;
  for (const key in resourceAttributes) {
    if (key === 'service.name') continue;
    const text = tagText(resourceAttributes[key]);
    if (text !== undefined) tags[key] = text;
  }
  if (span.component) tags.component = span.component;
  for (const key in span.tags) {
    const text = tagText(span.tags[key]);
    if (text !== undefined) tags[key] = text;
  }
  const status = span.status;
  if (status.code === 'OK') tags[ZIPKIN_STATUS_CODE_TAG] = 'OK';
  else {
    tags[ZIPKIN_STATUS_CODE_TAG] = 'ERROR';
    if (status.code !== 'ERROR') tags[ZIPKIN_STATUS_NAME_TAG] = status.code;
    const message = status.code === 'ERROR' ? status.message : status.message ? `${status.code}: ${status.message}` : status.code;
    tags[ZIPKIN_ERROR_TAG] = message || 'true';
  }

  const start = micros(span.startTime);
  const out: ZipkinSpan = {
    traceId: span.traceId,
    id: span.spanId,
    name: span.operationName,
    timestamp: start,
    // Zipkin rounds durations under a microsecond up to one.
    duration: Math.max(1, micros(span.endTime ?? span.startTime) - start),
    localEndpoint: { serviceName: span.resource.serviceName },
    tags,
  };
  if (span.parentSpanId) out.parentId = span.parentSpanId;
  const kind = ZIPKIN_KIND[span.kind];
  if (kind) out.kind = kind;
  if (span.logs.length > 0) out.annotations = span.logs.map(annotation);
  return out;
}

/** Spans as a Zipkin v2 JSON list: the body of a POST to `/api/v2/spans`. */
export function encodeZipkinJson(spans: readonly ReadableSpan[]): string {
  return JSON.stringify(spans.map(toZipkinSpan));
}

// ---------------------------------------------------------------------------------------------------------
// Zipkin v2 → span records: the reverse of `toZipkinSpan`, kept beside it so the two directions share their tags.
// ---------------------------------------------------------------------------------------------------------

/** The `code` of the error `fromZipkinSpan` throws on input that is not a Zipkin v2 span. */
export const ERR_MALFORMED_ZIPKIN_SPAN = 'AUDIT_TRACING_ERR_MALFORMED_ZIPKIN_SPAN';

const ZIPKIN_TRACE_ID = /^(?:[0-9a-f]{16}|[0-9a-f]{32})$/;
const ZIPKIN_SPAN_ID = /^[0-9a-f]{16}$/;
const LOG_LEVELS: ReadonlySet<string> = new Set(['debug', 'info', 'warn', 'error']);
const SPAN_KINDS: Readonly<Record<string, SpanKind>> = Object.freeze({ SERVER: 'server', CLIENT: 'client', PRODUCER: 'producer', CONSUMER: 'consumer' });
/** The service of a span that names none (Zipkin's own placeholder). */
export const UNKNOWN_ZIPKIN_SERVICE = 'unknown';

function malformed(message: string): Error {
  const error = new Error(`malformed Zipkin span: ${message}`) as Error & { code: string };
  error.code = ERR_MALFORMED_ZIPKIN_SPAN;
  return error;
}

function idOf(value: unknown, pattern: RegExp, name: string): string {
  const id = typeof value === 'string' ? value.toLowerCase() : undefined;
  if (id === undefined || !pattern.test(id)) throw malformed(`${name} must be hex of the right length`);
  return id;
}

function finiteOr(value: unknown, fallback: number, name: string): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw malformed(`${name} must be a non-negative number`);
  return value;
}

/** Undoes `annotation()`: "message {json with level and fields}" when the tail parses so, else the whole value. */
function logOf(item: unknown): SpanLog {
  if (item === null || typeof item !== 'object') throw malformed('an annotation must be an object');
  const { timestamp, value } = item as { timestamp?: unknown; value?: unknown };
  const log: SpanLog = { timestamp: finiteOr(timestamp, 0, 'annotation timestamp') / 1000, level: 'info', message: typeof value === 'string' ? value : String(value ?? '') };
  // The message may itself hold " {": the first split whose tail parses as our JSON wins.
  for (let at = log.message.indexOf(' {'); at >= 0; at = log.message.indexOf(' {', at + 1)) {
    let extra: unknown;
    try {
      extra = JSON.parse(log.message.slice(at + 1));
    } catch {
      continue; // not ours from here
    }
    if (extra === null || typeof extra !== 'object' || Array.isArray(extra) || !LOG_LEVELS.has((extra as { level?: string }).level as string)) break;
    const { level, ...fields } = extra as Record<string, unknown>;
    log.level = level as SpanLog['level'];
    log.message = log.message.slice(0, at);
    if (Object.keys(fields).length > 0) log.fields = fields;
    break;
  }
  return log;
}

function statusOf(tags: Record<string, string>): SpanStatus {
  const code = tags[ZIPKIN_STATUS_CODE_TAG];
  const error = tags[ZIPKIN_ERROR_TAG];
  if (code !== 'ERROR' && error === undefined) return { code: 'OK' };
  const name = tags[ZIPKIN_STATUS_NAME_TAG];
  const statusCode: SpanStatusCode = name === 'TIMEOUT' || name === 'CANCELLED' ? name : 'ERROR';
  let message = error === undefined || error === 'true' || error === '' ? undefined : error;
  if (message !== undefined && statusCode !== 'ERROR') message = message === statusCode ? undefined : message.replace(`${statusCode}: `, '');
  return message === undefined ? { code: statusCode } : { code: statusCode, message };
}

/**
 * One Zipkin v2 span (as a Zipkin client or our `ZipkinExporter` sends it) as a span record. The status, the
 * component and the log levels our exporter writes into tags and annotations come back out of them; resource
 * attributes, which Zipkin folds into tags, stay tags. Throws an error with `code` ERR_MALFORMED_ZIPKIN_SPAN on
 * anything that is not a span (ids are checked, numbers must be finite); never returns a half-read record.
 */
export function fromZipkinSpan(value: unknown): ReadableSpan {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw malformed('expected an object');
  const input = value as Record<string, unknown>;
  const traceId = widenTraceId(idOf(input.traceId, ZIPKIN_TRACE_ID, 'traceId'));
  const spanId = idOf(input.id, ZIPKIN_SPAN_ID, 'id');
  const parentSpanId = input.parentId === undefined || input.parentId === null ? undefined : idOf(input.parentId, ZIPKIN_SPAN_ID, 'parentId');
  const tags: Record<string, string> = {};
  if (input.tags !== undefined && input.tags !== null) {
    if (typeof input.tags !== 'object' || Array.isArray(input.tags)) throw malformed('tags must be an object');
    for (const [key, tag] of Object.entries(input.tags as Record<string, unknown>)) tags[key] = typeof tag === 'string' ? tag : String(tag);
  }
  const annotations = input.annotations ?? [];
  if (!Array.isArray(annotations)) throw malformed('annotations must be a list');
  const local = input.localEndpoint as ZipkinEndpoint | undefined;
  const serviceName = local !== null && typeof local === 'object' && typeof local.serviceName === 'string' && local.serviceName !== '' ? local.serviceName : UNKNOWN_ZIPKIN_SERVICE;
  const startTime = finiteOr(input.timestamp, 0, 'timestamp') / 1000;
  const duration = finiteOr(input.duration, 0, 'duration') / 1000;

  const status = statusOf(tags);
  const component = tags.component ?? 'zipkin';
  for (const key of [ZIPKIN_STATUS_CODE_TAG, ZIPKIN_ERROR_TAG, ZIPKIN_STATUS_NAME_TAG, 'component']) delete tags[key];
  return {
    traceId,
    spanId,
    ...(parentSpanId === undefined ? {} : { parentSpanId }),
    operationName: typeof input.name === 'string' ? input.name : '',
    component,
    kind: SPAN_KINDS[input.kind as string] ?? 'internal',
    startTime,
    endTime: startTime + duration,
    duration,
    tags,
    logs: annotations.map(logOf),
    links: [],
    status,
    traceFlags: 1,
    resource: { serviceName, attributes: { 'service.name': serviceName } },
    droppedTagsCount: 0,
    droppedLogsCount: 0,
    droppedLinksCount: 0,
  };
}
