// Zipkin v2 → span records: the reverse of `toZipkinSpan`, reading back the tags its mapping writes (the names
// live once, in export/zipkin/transform.ts). https://zipkin.io/zipkin-api/#/default/post_spans
import type { ReadableSpan, SpanKind, SpanLog, SpanStatus, SpanStatusCode } from '../../types.js';
import { widenTraceId } from '../../semconv.js';
import { ZIPKIN_ERROR_TAG, ZIPKIN_STATUS_CODE_TAG, ZIPKIN_STATUS_NAME_TAG, type ZipkinEndpoint } from '../../export/zipkin/transform.js';
import { spanDecodeError } from './spanDecodeError.js';

const ZIPKIN_TRACE_ID = /^(?:[0-9a-f]{16}|[0-9a-f]{32})$/;
const ZIPKIN_SPAN_ID = /^[0-9a-f]{16}$/;
const LOG_LEVELS: ReadonlySet<string> = new Set(['debug', 'info', 'warn', 'error']);
const SPAN_KINDS: Readonly<Record<string, SpanKind>> = Object.freeze({ SERVER: 'server', CLIENT: 'client', PRODUCER: 'producer', CONSUMER: 'consumer' });
/** The service of a span that names none (Zipkin's own placeholder). */
export const UNKNOWN_ZIPKIN_SERVICE = 'unknown';

function malformed(message: string): Error {
  return spanDecodeError(`Zipkin v2: ${message}`);
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
 * attributes, which Zipkin folds into tags, stay tags. Throws the error `readSpans` throws (`code`
 * ERR_SPAN_DECODE) on anything that is not a span (ids are checked, numbers must be finite); never returns a half-read record.
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
