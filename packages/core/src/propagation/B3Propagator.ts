import { isValidSpanId, isValidTraceId } from '../ids.js';
import { invalidOption } from '../invalidOption.js';
import { widenTraceId } from '../semconv.js';
import { TRACE_FLAG_SAMPLED, type TraceContext } from '../types.js';
import { readHeader, writeHeader, type HeaderCarrier, type IncomingHeaders } from './headers.js';
import type { Propagator } from './Propagator.js';

/** https://github.com/openzipkin/b3-propagation#single-header */
export const B3_SINGLE_HEADER = 'b3';
/** https://github.com/openzipkin/b3-propagation#multiple-headers */
export const B3_TRACE_ID_HEADER = 'x-b3-traceid';
export const B3_SPAN_ID_HEADER = 'x-b3-spanid';
export const B3_PARENT_SPAN_ID_HEADER = 'x-b3-parentspanid';
export const B3_SAMPLED_HEADER = 'x-b3-sampled';
export const B3_FLAGS_HEADER = 'x-b3-flags';

export type B3InjectEncoding = 'single' | 'multi';

export interface B3PropagatorOptions {
  /** `single` writes one `b3` header; `multi` writes the `X-B3-*` headers. Both are always read. */
  injectEncoding: B3InjectEncoding;
}

// {TraceId}-{SpanId}[-{SamplingState}[-{ParentSpanId}]], lowercase hex, sampling state 0, 1 or d (debug).
// A bare sampling state ("b3: 0") carries no ids and does not match.
// https://github.com/openzipkin/b3-propagation#single-header
const SINGLE_HEADER = /^([0-9a-f]{32}|[0-9a-f]{16})-([0-9a-f]{16})(?:-([01d])(?:-([0-9a-f]{16}))?)?$/;
const B3_TRACE_ID = /^(?:[0-9a-f]{32}|[0-9a-f]{16})$/;

// "1" is debug, which implies an accept decision. https://github.com/openzipkin/b3-propagation#debug-flag
const DEBUG_FLAG = '1';
// Older tracers sent true/false, so both spellings are accepted. https://github.com/openzipkin/b3-propagation#sampling-state-1
const SAMPLED_VALUES: ReadonlyMap<string, boolean> = new Map([
  ['1', true],
  ['true', true],
  ['0', false],
  ['false', false],
]);

const FIELDS = [B3_SINGLE_HEADER, B3_TRACE_ID_HEADER, B3_SPAN_ID_HEADER, B3_PARENT_SPAN_ID_HEADER, B3_SAMPLED_HEADER, B3_FLAGS_HEADER] as const;

/**
 * Zipkin B3 propagation. Extract reads the single `b3` header first, then the `X-B3-*` headers; inject writes
 * the encoding chosen at construction.
 * https://github.com/openzipkin/b3-propagation
 */
export class B3Propagator implements Propagator {
  readonly name: 'b3' | 'b3multi';
  private readonly injectEncoding: B3InjectEncoding;

  constructor(options: B3PropagatorOptions = { injectEncoding: 'single' }) {
    const encoding = options?.injectEncoding;
    if (encoding !== 'single' && encoding !== 'multi') {
      throw invalidOption('B3Propagator', 'injectEncoding', "'single' or 'multi'", encoding);
    }
    this.injectEncoding = encoding;
    this.name = encoding === 'single' ? 'b3' : 'b3multi';
  }

  fields(): readonly string[] {
    return FIELDS;
  }

  inject(context: TraceContext, carrier: HeaderCarrier): void {
    if (!context || !isValidTraceId(context.traceId) || !isValidSpanId(context.spanId)) return;
    // The same bit W3C sends, so both formats always carry one decision.
    const sampled = (Number(context.traceFlags) & TRACE_FLAG_SAMPLED) === TRACE_FLAG_SAMPLED ? '1' : '0';
    if (this.injectEncoding === 'single') {
      writeHeader(carrier, B3_SINGLE_HEADER, `${context.traceId}-${context.spanId}-${sampled}`);
      return;
    }
    writeHeader(carrier, B3_TRACE_ID_HEADER, context.traceId);
    writeHeader(carrier, B3_SPAN_ID_HEADER, context.spanId);
    writeHeader(carrier, B3_SAMPLED_HEADER, sampled);
  }

  extract(headers: IncomingHeaders): TraceContext | null {
    return extractSingle(readHeader(headers, B3_SINGLE_HEADER)) ?? extractMulti(headers);
  }
}

function toContext(rawTraceId: string, spanId: string, sampled: boolean | undefined, parentSpanId: string | undefined): TraceContext | null {
  const traceId = widenTraceId(rawTraceId);
  if (!isValidTraceId(traceId) || !isValidSpanId(spanId)) return null;
  // No random flag: nothing guarantees a B3 trace id was drawn at random.
  const context: TraceContext = { traceId, spanId, traceFlags: sampled ? TRACE_FLAG_SAMPLED : 0, isRemote: true };
  if (sampled !== undefined) context.sampled = sampled;
  if (parentSpanId !== undefined && isValidSpanId(parentSpanId)) context.parentSpanId = parentSpanId;
  return context;
}

function extractSingle(value: string | undefined): TraceContext | null {
  if (value === undefined) return null;
  const match = SINGLE_HEADER.exec(value);
  if (!match) return null;
  const [, traceId, spanId, state, parentSpanId] = match as unknown as [string, string, string, string | undefined, string | undefined];
  // A header naming an all-zero parent is malformed as a whole, not merely parentless.
  if (parentSpanId !== undefined && !isValidSpanId(parentSpanId)) return null;
  const sampled = state === undefined ? undefined : state !== '0';
  return toContext(traceId, spanId, sampled, parentSpanId);
}

function extractMulti(headers: IncomingHeaders): TraceContext | null {
  const traceId = readHeader(headers, B3_TRACE_ID_HEADER);
  const spanId = readHeader(headers, B3_SPAN_ID_HEADER);
  if (traceId === undefined || spanId === undefined || !B3_TRACE_ID.test(traceId)) return null;
  const flags = readHeader(headers, B3_FLAGS_HEADER);
  const sampledHeader = readHeader(headers, B3_SAMPLED_HEADER);
  // An unknown sampling value is treated as absent: the decision is deferred, the ids are still good.
  const sampled = flags === DEBUG_FLAG ? true : sampledHeader === undefined ? undefined : SAMPLED_VALUES.get(sampledHeader);
  // The parent is optional context: a malformed one is dropped without losing the trace.
  return toContext(traceId, spanId, sampled, readHeader(headers, B3_PARENT_SPAN_ID_HEADER));
}
