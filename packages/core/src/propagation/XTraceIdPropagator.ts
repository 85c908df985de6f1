import { createHash } from 'node:crypto';
import { isValidSpanId, isValidTraceId } from '../ids.js';
import { invalidOption } from '../invalidOption.js';
import { widenTraceId } from '../semconv.js';
import { NO_SPAN_ID, type TraceContext } from '../types.js';
import { readHeader, writeHeader, type HeaderCarrier, type IncomingHeaders } from './headers.js';
import type { Propagator } from './Propagator.js';

/** Header names of the x-trace-id family, if yours differ from the defaults. */
export interface XTraceIdHeaderNames {
  traceId?: readonly string[];
  spanId?: readonly string[];
  parentSpanId?: readonly string[];
}

/** Trace id header names read, in order; the first is the one written. */
export const DEFAULT_TRACE_ID_HEADERS: readonly string[] = Object.freeze(['x-trace-id', 'traceid', 'trace-id', 'x-traceid']);
/** Span id header names read, in order; the first is the one written. */
export const DEFAULT_SPAN_ID_HEADERS: readonly string[] = Object.freeze(['x-span-id', 'spanid', 'span-id']);
/** Parent span id header names read, in order; the first is the one written. */
export const DEFAULT_PARENT_SPAN_ID_HEADERS: readonly string[] = Object.freeze(['x-parent-span-id', 'parentspanid', 'parent-span-id']);

/** Longest incoming correlation id kept; a UUID is 36, a ULID 26, a base64 SHA-256 44. */
export const MAX_CORRELATION_ID_LENGTH = 128;

// Letters, digits and -_.:@/+= cover UUIDs, ULIDs, base64 and most vendor request ids, and nothing that can
// split a header, start a list (",") or a parameter (";"), or hide in a log line (spaces, controls, non-ASCII).
// The length limit is inside the pattern so the check is one linear scan. Same idea as Hono's request-id.
const CORRELATION_ID = new RegExp(`^[A-Za-z0-9\\-_.:@/+=]{1,${MAX_CORRELATION_ID_LENGTH}}$`);
const TRACE_ID_128 = /^[0-9a-f]{32}$/;
const TRACE_ID_64 = /^[0-9a-f]{16}$/;
// RFC 9562 §4 string form, any version, either case.
const UUID = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i;
// Header names are RFC 9110 tokens; anything else would make Node's setHeader throw on every request.
// https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/**
 * The `X-Trace-Id` family of headers that load balancers, gateways and home-grown services send. An incoming
 * value that is not a trace id but is a safe correlation id (a UUID, a request id) is kept and passed on
 * unchanged, and a trace id is derived from it deterministically, so every service receiving it agrees.
 */
export class XTraceIdPropagator implements Propagator {
  readonly name = 'x-trace-id';
  private readonly traceIdHeaders: readonly string[];
  private readonly spanIdHeaders: readonly string[];
  private readonly parentSpanIdHeaders: readonly string[];
  private readonly fieldList: readonly string[];

  constructor(names?: XTraceIdHeaderNames) {
    if (names !== undefined && (names === null || typeof names !== 'object')) {
      throw invalidOption('tracing', 'traceIdHeaders', 'an object of header name lists', names);
    }
    this.traceIdHeaders = headerNames(names?.traceId, DEFAULT_TRACE_ID_HEADERS, 'traceId', 1);
    this.spanIdHeaders = headerNames(names?.spanId, DEFAULT_SPAN_ID_HEADERS, 'spanId', 0);
    this.parentSpanIdHeaders = headerNames(names?.parentSpanId, DEFAULT_PARENT_SPAN_ID_HEADERS, 'parentSpanId', 0);
    this.fieldList = [...new Set([...this.traceIdHeaders, ...this.spanIdHeaders, ...this.parentSpanIdHeaders])];
  }

  fields(): readonly string[] {
    return this.fieldList;
  }

  inject(context: TraceContext, carrier: HeaderCarrier): void {
    if (!context || !isValidTraceId(context.traceId) || !isValidSpanId(context.spanId)) return;
    // The caller's own id goes on unchanged so logs across services match, but only if it is still safe to send.
    const correlationId = isCorrelationId(context.correlationId) ? context.correlationId : context.traceId;
    writeHeader(carrier, this.traceIdHeaders[0]!, correlationId);
    const spanHeader = this.spanIdHeaders[0];
    if (spanHeader !== undefined) writeHeader(carrier, spanHeader, context.spanId);
    const parentHeader = this.parentSpanIdHeaders[0];
    if (parentHeader !== undefined && isValidSpanId(context.parentSpanId)) writeHeader(carrier, parentHeader, context.parentSpanId);
  }

  extract(headers: IncomingHeaders): TraceContext | null {
    const incoming = firstPresent(headers, this.traceIdHeaders);
    if (incoming === undefined) return null;
    const ids = traceIdFrom(incoming);
    if (!ids) return null;
    const spanId = firstPresent(headers, this.spanIdHeaders);
    const parentSpanId = firstPresent(headers, this.parentSpanIdHeaders);
    // These headers carry no sampling decision, so it is left to the sampler (sampled undefined, flags 0).
    // Without a usable incoming span id the trace continues with no parent span: an id made up here would be a
    // parent no backend can resolve (Jaeger and Tempo show the request under a missing span). The server span
    // started from this context is the trace's root.
    const context: TraceContext = {
      traceId: ids.traceId,
      spanId: isValidSpanId(spanId) ? spanId : NO_SPAN_ID,
      traceFlags: 0,
      isRemote: true,
    };
    if (isValidSpanId(parentSpanId)) context.parentSpanId = parentSpanId;
    if (ids.correlationId !== undefined) context.correlationId = ids.correlationId;
    return context;
  }
}

function headerNames(value: readonly string[] | undefined, fallback: readonly string[], field: string, minimum: number): readonly string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.length < minimum || !value.every((name) => typeof name === 'string' && HEADER_NAME.test(name.toLowerCase()))) {
    throw invalidOption('tracing', `traceIdHeaders.${field}`, `an array of ${minimum > 0 ? 'at least one ' : ''}header name${minimum > 0 ? '' : 's'}`, value);
  }
  return Object.freeze(value.map((name) => name.toLowerCase()));
}

function firstPresent(headers: IncomingHeaders, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = readHeader(headers, name);
    if (value !== undefined) return value;
  }
  return undefined;
}

function isCorrelationId(value: unknown): value is string {
  return typeof value === 'string' && CORRELATION_ID.test(value);
}

/** The trace id an incoming value stands for, and the correlation id to keep when it was not one already. */
function traceIdFrom(value: string): { traceId: string; correlationId?: string } | null {
  if (TRACE_ID_128.test(value)) return isValidTraceId(value) ? { traceId: value } : null;
  if (TRACE_ID_64.test(value)) {
    // Widened the way B3 and OpenTelemetry widen it, so the same request gets the same trace id.
    const traceId = widenTraceId(value);
    return isValidTraceId(traceId) ? { traceId } : null;
  }
  if (!isCorrelationId(value)) return null;
  const uuid = UUID.exec(value);
  if (uuid) {
    // The nil UUID, like an all-zero trace id, means "no id": it would join every such request into one trace.
    const traceId = uuid.slice(1).join('').toLowerCase();
    return isValidTraceId(traceId) ? { traceId, correlationId: value } : null;
  }
  const traceId = createHash('sha256').update(value).digest('hex').slice(0, 32);
  return isValidTraceId(traceId) ? { traceId, correlationId: value } : null;
}
