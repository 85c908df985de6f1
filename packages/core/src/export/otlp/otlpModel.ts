import type { InstrumentationScope, ReadableSpan, Resource, SpanKind, SpanStatus } from '../../types.js';

// How our span maps onto the OTLP data model, shared by the JSON and protobuf encoders.
// https://github.com/open-telemetry/opentelemetry-proto/blob/v1.5.0/opentelemetry/proto/trace/v1/trace.proto

/** `Span.SpanKind` values; 0 is SPAN_KIND_UNSPECIFIED. */
export const OTLP_SPAN_KIND: Readonly<Record<SpanKind, number>> = Object.freeze({
  internal: 1,
  server: 2,
  client: 3,
  producer: 4,
  consumer: 5,
});

/** `Status.StatusCode` values we send (never UNSET: our spans always have a status). */
export const STATUS_CODE_OK = 1;
export const STATUS_CODE_ERROR = 2;

/** The instrumentation scope every span is reported under; its version is the SDK's, from the resource. */
export const INSTRUMENTATION_SCOPE_NAME = '@audit-tracing/core';

/**
 * OTLP knows only OK and ERROR; TIMEOUT and CANCELLED are exported as ERROR and keep their name here (and as the
 * prefix of the status message), so a backend can still tell them apart.
 */
export const STATUS_NAME_ATTRIBUTE = 'audit.status_code';

/** Our span's `component` (http, db, express…), an OpenTracing convention that backends still display. */
export const COMPONENT_ATTRIBUTE = 'component';

/** A span log's level, carried as an attribute of the event the log becomes. */
export const LOG_LEVEL_ATTRIBUTE = 'level';

export function otlpSpanKind(kind: SpanKind): number {
  return OTLP_SPAN_KIND[kind] ?? 0;
}

export function otlpStatusCode(status: SpanStatus): number {
  return status.code === 'OK' ? STATUS_CODE_OK : STATUS_CODE_ERROR;
}

/** The status message, with TIMEOUT and CANCELLED kept in it: `TIMEOUT: upstream took 30 s`. */
export function otlpStatusMessage(status: SpanStatus): string | undefined {
  if (status.code === 'OK' || status.code === 'ERROR') return status.message || undefined;
  return status.message ? `${status.code}: ${status.message}` : status.code;
}

/** The value of STATUS_NAME_ATTRIBUTE for this status, or undefined when OTLP's own code says it all. */
export function statusNameAttribute(status: SpanStatus): string | undefined {
  return status.code === 'TIMEOUT' || status.code === 'CANCELLED' ? status.code : undefined;
}

const defaultScopes = new WeakMap<Resource, InstrumentationScope>();

/** The scope of spans made through our own API: `@audit-tracing/core` at the SDK's version, from the resource. */
export function defaultScope(resource: Resource): InstrumentationScope {
  let scope = defaultScopes.get(resource);
  if (scope === undefined) {
    const version = resource.attributes['telemetry.sdk.version'];
    scope = Object.freeze(typeof version === 'string' ? { name: INSTRUMENTATION_SCOPE_NAME, version } : { name: INSTRUMENTATION_SCOPE_NAME });
    defaultScopes.set(resource, scope);
  }
  return scope;
}

/**
 * Spans of one resource grouped by instrumentation scope (an OTLP `ScopeSpans` each), in order of first
 * appearance; spans without one go under `defaultScope`. Scopes are told apart by identity: the OpenTelemetry
 * bridge hands every span of a tracer the same object. Spans of our own API alone make one group: the fast case.
 */
export function groupByScope(resource: Resource, spans: readonly ReadableSpan[]): [InstrumentationScope, readonly ReadableSpan[]][] {
  const first = spans[0]?.instrumentationScope;
  let same = true;
  for (let i = 1; i < spans.length && same; i++) same = spans[i].instrumentationScope === first;
  if (same) return spans.length === 0 ? [] : [[first ?? defaultScope(resource), spans]];
  const groups = new Map<InstrumentationScope | undefined, ReadableSpan[]>();
  for (const span of spans) {
    const group = groups.get(span.instrumentationScope);
    if (group) group.push(span);
    else groups.set(span.instrumentationScope, [span]);
  }
  return [...groups].map(([scope, group]) => [scope ?? defaultScope(resource), group]);
}

/** Spans grouped by resource, in order of first appearance. One tracer means one group: the usual, fast case. */
export function groupByResource(spans: readonly ReadableSpan[]): [Resource, readonly ReadableSpan[]][] {
  const first = spans[0]?.resource;
  let same = true;
  for (let i = 1; i < spans.length && same; i++) same = spans[i].resource === first;
  if (same) return first === undefined ? [] : [[first, spans]];
  const groups = new Map<Resource, ReadableSpan[]>();
  for (const span of spans) {
    const group = groups.get(span.resource);
    if (group) group.push(span);
    else groups.set(span.resource, [span]);
  }
  return [...groups];
}
