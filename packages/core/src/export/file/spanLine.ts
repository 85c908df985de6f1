import type { ReadableSpan, SpanLink, SpanLog } from '../../types.js';
import { toAttributeValue } from '../attributeValue.js';

// One span as one line of JSON: the record itself (what `readSpans` reads back to the same record), with values
// JSON cannot hold reduced as the OTLP encoders reduce them (an Error in a log field becomes `Name: message`, a
// Date its ISO text, a BigInt a number or its digits). `estimatedBytes` stays behind: it describes this process's
// memory, not the span.

function isPlain(value: unknown): boolean {
  const type = typeof value;
  return type === 'string' || type === 'boolean' || (type === 'number' && Number.isFinite(value)) || value === null || value === undefined;
}

function plainValues(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key in fields) {
    const value = fields[key];
    if (isPlain(value) || (Array.isArray(value) && value.every(isPlain))) continue;
    out ??= { ...fields };
    Object.defineProperty(out, key, { value: typeof value === 'number' ? String(value) : toAttributeValue(value), enumerable: true, writable: true, configurable: true });
  }
  return out ?? (fields as Record<string, unknown>);
}

function plainLog(log: SpanLog): SpanLog {
  return log.fields === undefined ? log : { ...log, fields: plainValues(log.fields) };
}

function plainLink(link: SpanLink): SpanLink {
  return link.tags === undefined ? link : { ...link, tags: plainValues(link.tags) as SpanLink['tags'] };
}

/** The JSON line of a span record, without the newline. */
export function spanLine(span: ReadableSpan): string {
  return JSON.stringify({
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    operationName: span.operationName,
    component: span.component,
    kind: span.kind,
    startTime: span.startTime,
    endTime: span.endTime,
    duration: span.duration,
    tags: plainValues(span.tags),
    logs: span.logs.length === 0 ? span.logs : span.logs.map(plainLog),
    links: span.links.length === 0 ? span.links : span.links.map(plainLink),
    status: span.status,
    traceFlags: span.traceFlags,
    traceState: span.traceState,
    correlationId: span.correlationId,
    resource: { serviceName: span.resource.serviceName, attributes: span.resource.attributes },
    droppedTagsCount: span.droppedTagsCount,
    droppedLogsCount: span.droppedLogsCount,
    droppedLinksCount: span.droppedLinksCount,
  });
}
