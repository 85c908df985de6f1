// One line of a JSON-lines span file (the JSON of a `ReadableSpan`, as FileSpanExporter writes it) checked and
// turned back into a record. Ids and times must be right, or the line is an error; what analysis can do without
// (a malformed log entry, an unknown kind) falls back to the default. Equal resources share one frozen object, so
// a file of a million spans holds a handful of resources, not a million copies.

import type { LogLevel, ReadableSpan, Resource, SpanKind, SpanLink, SpanLog, SpanStatus, Tags } from '../../types.js';
import { spanDecodeError } from './spanDecodeError.js';
import { UNKNOWN_SERVICE } from './fromOtlp.js';

type Json = Record<string, unknown>;

const KINDS: ReadonlySet<string> = new Set<SpanKind>(['server', 'client', 'internal', 'producer', 'consumer']);
const STATUS_CODES: ReadonlySet<string> = new Set(['OK', 'ERROR', 'TIMEOUT', 'CANCELLED']);
const LEVELS: ReadonlySet<string> = new Set<LogLevel>(['debug', 'info', 'warn', 'error']);
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const NO_TAGS: Readonly<Tags> = Object.freeze({});

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const count = (value: unknown): number => (typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0);

function idOf(value: unknown, pattern: RegExp): string | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return pattern.test(lower) ? lower : undefined;
}

function logOf(value: unknown): SpanLog | undefined {
  if (!isObject(value) || !isTime(value.timestamp)) return undefined;
  const entry: { timestamp: number; level: LogLevel; message: string; fields?: Record<string, unknown>; droppedFieldsCount?: number } = {
    timestamp: value.timestamp,
    level: typeof value.level === 'string' && LEVELS.has(value.level) ? (value.level as LogLevel) : 'info',
    message: typeof value.message === 'string' ? value.message : '',
  };
  if (isObject(value.fields)) entry.fields = value.fields;
  if (count(value.droppedFieldsCount) > 0) entry.droppedFieldsCount = count(value.droppedFieldsCount);
  return entry;
}

function linkOf(value: unknown): SpanLink | undefined {
  if (!isObject(value) || !isObject(value.context)) return undefined;
  const context = value.context;
  const traceId = idOf(context.traceId, TRACE_ID);
  const spanId = idOf(context.spanId, SPAN_ID);
  if (traceId === undefined || spanId === undefined) return undefined;
  const link: { context: SpanLink['context']; tags?: Tags; droppedTagsCount?: number } = {
    context: { traceId, spanId, traceFlags: count(context.traceFlags) & 0xff, traceState: typeof context.traceState === 'string' ? context.traceState : undefined },
  };
  if (isObject(value.tags)) link.tags = value.tags as Tags;
  if (count(value.droppedTagsCount) > 0) link.droppedTagsCount = count(value.droppedTagsCount);
  return link;
}

function statusOf(value: unknown): SpanStatus {
  if (!isObject(value) || typeof value.code !== 'string' || !STATUS_CODES.has(value.code)) return { code: 'OK' };
  const code = value.code as SpanStatus['code'];
  return typeof value.message === 'string' ? { code, message: value.message } : { code };
}

/** Resources seen in one read, by their JSON text. */
export type ResourceCache = Map<string, Resource>;

function resourceOf(value: unknown, cache: ResourceCache): Resource {
  const r = isObject(value) ? value : {};
  const attributes = isObject(r.attributes) ? (r.attributes as Tags) : NO_TAGS;
  const named = typeof r.serviceName === 'string' && r.serviceName !== '' ? r.serviceName : attributes['service.name'];
  const serviceName = typeof named === 'string' && named !== '' ? named : UNKNOWN_SERVICE;
  const key = `${serviceName}\u0000${JSON.stringify(attributes)}`;
  let resource = cache.get(key);
  if (resource === undefined) cache.set(key, (resource = Object.freeze({ serviceName, attributes: Object.freeze(attributes) })));
  return resource;
}

/** A span record from the parsed JSON of one line. `where` names the line in errors. */
export function spanFromRecord(value: unknown, resources: ResourceCache, where: string): ReadableSpan {
  const fail = (what: string): never => {
    throw spanDecodeError(`JSON lines: ${where}: ${what}`);
  };
  if (!isObject(value)) return fail('expected a span object');
  const traceId = idOf(value.traceId, TRACE_ID) ?? fail('traceId: expected 32 lowercase hex characters');
  const spanId = idOf(value.spanId, SPAN_ID) ?? fail('spanId: expected 16 lowercase hex characters');
  let parentSpanId: string | undefined;
  if (value.parentSpanId !== undefined && value.parentSpanId !== null) parentSpanId = idOf(value.parentSpanId, SPAN_ID) ?? fail('parentSpanId: expected 16 lowercase hex characters');
  if (typeof value.operationName !== 'string') fail('operationName: expected a string');
  if (!isTime(value.startTime)) fail('startTime: expected epoch milliseconds');
  const startTime = value.startTime as number;
  let endTime: number | undefined;
  if (value.endTime !== undefined && value.endTime !== null) {
    if (!isTime(value.endTime)) fail('endTime: expected epoch milliseconds');
    endTime = Math.max(value.endTime as number, startTime);
  }
  const logs: SpanLog[] = [];
  if (Array.isArray(value.logs)) for (const item of value.logs) {
    const entry = logOf(item);
    if (entry) logs.push(entry);
  }
  const links: SpanLink[] = [];
  if (Array.isArray(value.links)) for (const item of value.links) {
    const link = linkOf(item);
    if (link) links.push(link);
  }
  return {
    traceId,
    spanId,
    parentSpanId,
    operationName: value.operationName as string,
    component: typeof value.component === 'string' ? value.component : '',
    kind: typeof value.kind === 'string' && KINDS.has(value.kind) ? (value.kind as SpanKind) : 'internal',
    startTime,
    endTime,
    duration: endTime === undefined ? undefined : endTime - startTime,
    tags: isObject(value.tags) ? (value.tags as Tags) : {},
    logs,
    links,
    status: statusOf(value.status),
    traceFlags: count(value.traceFlags) & 0xff,
    traceState: typeof value.traceState === 'string' ? value.traceState : undefined,
    correlationId: typeof value.correlationId === 'string' ? value.correlationId : undefined,
    resource: resourceOf(value.resource, resources),
    droppedTagsCount: count(value.droppedTagsCount),
    droppedLogsCount: count(value.droppedLogsCount),
    droppedLinksCount: count(value.droppedLinksCount),
  };
}
