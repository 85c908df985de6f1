import { querySpans, type ReadableSpan, type SpanQuery } from '@audit-tracing/core';
import type { SpanStore, StoredTrace } from '../SpanStore.js';

/** The trace list's filters, as `/api/traces` takes them in its query string. */
export interface TraceQuery {
  /** A span of this service... */
  service?: string;
  /** ...named so... */
  operation?: string;
  /** ...with these tags (`key=value`, or `key` for any value). All conditions hold on one span, as in Jaeger. */
  tags: Array<[key: string, value: string | undefined]>;
  /** `error`: the trace has a span that is not OK; `ok`: it has none. */
  status?: 'ok' | 'error';
  /** The trace lasts at least / at most this long, ms. */
  minDuration?: number;
  maxDuration?: number;
  /** The trace starts in [from, to], epoch ms. */
  from?: number;
  to?: number;
  /** Most traces returned, newest first. */
  limit: number;
}

/** What the trace list shows of one trace. */
export interface TraceSummary {
  traceId: string;
  rootName: string;
  rootService: string;
  start: number;
  duration: number;
  spanCount: number;
  errorCount: number;
  services: Array<{ name: string; spanCount: number }>;
}

export const DEFAULT_TRACE_LIMIT = 20;
export const MAX_TRACE_LIMIT = 1000;
// Query values come from anyone who can reach the viewer: long ones are refused rather than matched.
const MAX_QUERY_VALUE = 1024;

/** A query string the API refuses, answered with 400 and the message. */
export class QueryError extends Error {}

/** Milliseconds as a number, or a duration with a unit: `250`, `250ms`, `1.5s`, `2m`. */
function durationOf(name: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(us|µs|ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new QueryError(`${name}: expected a duration such as 250, 250ms, 1.5s or 2m`);
  const scale = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 'ms']!;
  return Number(match[1]) * scale;
}

/** Epoch milliseconds, or an ISO 8601 date. */
function timeOf(name: string, text: string): number {
  const value = /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(value)) throw new QueryError(`${name}: expected epoch milliseconds or an ISO 8601 time`);
  return value;
}

/** Reads the filters of `/api/traces`. Throws QueryError on a value it cannot read. */
export function parseTraceQuery(params: URLSearchParams): TraceQuery {
  for (const [key, value] of params) if (value.length > MAX_QUERY_VALUE) throw new QueryError(`${key}: longer than ${MAX_QUERY_VALUE} characters`);
  const text = (name: string) => {
    const value = params.get(name);
    return value === null || value.trim() === '' ? undefined : value;
  };
  const query: TraceQuery = { tags: [], limit: DEFAULT_TRACE_LIMIT };
  query.service = text('service');
  query.operation = text('operation');
  for (const tag of params.getAll('tag')) {
    if (tag.trim() === '') continue;
    const at = tag.indexOf('=');
    query.tags.push(at < 0 ? [tag.trim(), undefined] : [tag.slice(0, at).trim(), tag.slice(at + 1)]);
  }
  const status = text('status');
  if (status !== undefined) {
    const lower = status.toLowerCase();
    if (lower !== 'ok' && lower !== 'error') throw new QueryError('status: expected ok or error');
    query.status = lower;
  }
  const minDuration = text('minDuration');
  if (minDuration !== undefined) query.minDuration = durationOf('minDuration', minDuration);
  const maxDuration = text('maxDuration');
  if (maxDuration !== undefined) query.maxDuration = durationOf('maxDuration', maxDuration);
  const from = text('from');
  if (from !== undefined) query.from = timeOf('from', from);
  const to = text('to');
  if (to !== undefined) query.to = timeOf('to', to);
  const limit = text('limit');
  if (limit !== undefined) {
    const value = Number(limit);
    if (!Number.isSafeInteger(value) || value < 1) throw new QueryError('limit: expected a positive integer');
    query.limit = Math.min(value, MAX_TRACE_LIMIT);
  }
  return query;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The span conditions as core's `querySpans` takes them. A tag value from the address is text, while a span's
 * tag may be a number or a boolean: it is matched as the whole text of the value; a tag without a value matches
 * any value.
 */
function spanQueryOf(query: TraceQuery): SpanQuery | undefined {
  if (query.service === undefined && query.operation === undefined && query.tags.length === 0) return undefined;
  const spanQuery: SpanQuery = {};
  if (query.service !== undefined) spanQuery.service = query.service;
  if (query.operation !== undefined) spanQuery.operation = query.operation;
  if (query.tags.length > 0) spanQuery.tags = Object.fromEntries(query.tags.map(([key, value]) => [key, value === undefined ? /(?:)/ : new RegExp(`^${escapeRegExp(value)}$`)]));
  return spanQuery;
}

function traceMatches(trace: StoredTrace, query: TraceQuery, withSpan: Set<string> | undefined): boolean {
  const duration = trace.end - trace.start;
  if (query.from !== undefined && trace.start < query.from) return false;
  if (query.to !== undefined && trace.start > query.to) return false;
  if (query.minDuration !== undefined && duration < query.minDuration) return false;
  if (query.maxDuration !== undefined && duration > query.maxDuration) return false;
  if (query.status === 'error' && trace.errorCount === 0) return false;
  if (query.status === 'ok' && trace.errorCount > 0) return false;
  return withSpan === undefined || withSpan.has(trace.traceId);
}

/** The span a trace is named after: the earliest one without a parent among the trace's spans, else the earliest. */
export function rootSpanOf(trace: StoredTrace): ReadableSpan {
  const ids = new Set<string>();
  for (const span of trace.spans) ids.add(span.spanId);
  let root: ReadableSpan | undefined;
  let earliest = trace.spans[0];
  for (const span of trace.spans) {
    if (span.startTime < earliest.startTime) earliest = span;
    const isRoot = span.parentSpanId === undefined || !ids.has(span.parentSpanId);
    if (isRoot && (root === undefined || span.startTime < root.startTime)) root = span;
  }
  return root ?? earliest;
}

export function summarize(trace: StoredTrace): TraceSummary {
  const root = rootSpanOf(trace);
  return {
    traceId: trace.traceId,
    rootName: root.operationName,
    rootService: root.resource.serviceName,
    start: trace.start,
    duration: trace.end - trace.start,
    spanCount: trace.spans.length,
    errorCount: trace.errorCount,
    services: [...trace.services].map(([name, spanCount]) => ({ name, spanCount })),
  };
}

/**
 * The traces that match, newest start first, at most `query.limit`. One pass over the store: a bounded list of
 * the newest matches is kept, so the cost is the match test per trace, not a sort of them all.
 */
export function findTraces(store: SpanStore, query: TraceQuery): TraceSummary[] {
  // The span conditions in one pass over the spans (core's querySpans), then the trace conditions per trace.
  const spanQuery = spanQueryOf(query);
  const withSpan = spanQuery === undefined ? undefined : new Set(querySpans(store.spans(), spanQuery).map((span) => span.traceId));
  const best: StoredTrace[] = [];
  for (const trace of store.values()) {
    if (best.length === query.limit && trace.start <= best[best.length - 1].start) continue;
    if (!traceMatches(trace, query, withSpan)) continue;
    // Insert in place, newest first; the list is at most `limit` long.
    let at = best.length;
    while (at > 0 && best[at - 1].start < trace.start) at--;
    best.splice(at, 0, trace);
    if (best.length > query.limit) best.pop();
  }
  return best.map(summarize);
}
