import type { ReadableSpan, SpanKind, SpanLog, TagValue } from '../../types.js';
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
