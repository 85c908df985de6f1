import {
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  diag,
  EVENT_EXCEPTION,
  type Span as AuditSpan,
  type TagValue,
} from '@audit-tracing/core';
import {
  createTraceState,
  SpanStatusCode,
  type Attributes,
  type Exception,
  type Link,
  type Span,
  type SpanContext,
  type SpanStatus,
  type TimeInput,
} from '@opentelemetry/api';
import { toSpanLink } from './links.js';
import { epochMsOrNow, toEpochMs } from './timeInput.js';

function isTimeInput(value: unknown): value is TimeInput {
  return typeof value === 'number' || value instanceof Date || (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number');
}

/** What OpenTelemetry's SDK accepts as an attribute value: a primitive, or an array of one primitive type. */
function isAttributeValue(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return true;
  if (!Array.isArray(value)) return false;
  let itemType: string | undefined;
  for (const item of value) {
    if (item === undefined || item === null) continue;
    const current = typeof item;
    if (current !== 'string' && current !== 'number' && current !== 'boolean') return false;
    if (itemType !== undefined && current !== itemType) return false;
    itemType = current;
  }
  return true;
}

/**
 * OpenTelemetry's `Span` on one of our spans: everything written through it lands in our span, which our
 * pipeline exports. https://opentelemetry.io/docs/specs/otel/trace/api/#span
 */
export class BridgeSpan implements Span {
  /** The span everything is written to. */
  readonly span: AuditSpan;
  private context: SpanContext | undefined = undefined;
  // "When span status is set to Ok it SHOULD be considered final" (trace/api/#set-status).
  private statusFinal = false;

  constructor(span: AuditSpan) {
    this.span = span;
  }

  spanContext(): SpanContext {
    if (this.context === undefined) {
      const span = this.span;
      const context: SpanContext = { traceId: span.traceId, spanId: span.spanId, traceFlags: span.traceFlags, isRemote: false };
      if (span.traceState !== undefined) context.traceState = createTraceState(span.traceState);
      this.context = context;
    }
    return this.context;
  }

  setAttribute(key: string, value: unknown): this {
    if (typeof key !== 'string' || key === '') diag.warnOnce('opentelemetry.attributeKey', 'OpenTelemetry API: an attribute with an empty or non-string key was dropped (further ones are not reported)');
    else if (!isAttributeValue(value)) diag.warnOnce('opentelemetry.attributeValue', `OpenTelemetry API: attribute "${key}" has a value that is not a primitive or an array of one primitive type; dropped (further ones are not reported)`);
    else this.span.setTag(key, value as TagValue);
    return this;
  }

  setAttributes(attributes: Attributes): this {
    if (attributes !== null && typeof attributes === 'object') for (const key in attributes) this.setAttribute(key, attributes[key]);
    return this;
  }

  /** An event is one of our span's logs, at level info. */
  addEvent(name: string, attributesOrStartTime?: Attributes | TimeInput, startTime?: TimeInput): this {
    let attributes: Attributes | undefined;
    if (isTimeInput(attributesOrStartTime)) startTime = attributesOrStartTime;
    else attributes = attributesOrStartTime;
    this.span.log('info', String(name), attributes, epochMsOrNow(startTime));
    return this;
  }

  addLink(link: Link): this {
    this.span.addLink(toSpanLink(link));
    return this;
  }

  addLinks(links: Link[]): this {
    if (Array.isArray(links)) for (const link of links) this.addLink(link);
    return this;
  }

  /** UNSET is ignored, OK is final, ERROR keeps its description: the API's rules. Ours has OK where they have UNSET. */
  setStatus(status: SpanStatus): this {
    if (this.statusFinal) return this;
    if (status?.code === SpanStatusCode.OK) {
      this.statusFinal = !this.span.isEnded();
      this.span.setStatus('OK');
    } else if (status?.code === SpanStatusCode.ERROR) {
      this.span.setStatus('ERROR', typeof status.message === 'string' && status.message !== '' ? status.message : undefined);
    }
    return this;
  }

  updateName(name: string): this {
    this.span.setOperationName(String(name));
    return this;
  }

  end(endTime?: TimeInput): void {
    this.span.finish(toEpochMs(endTime));
  }

  isRecording(): boolean {
    return this.span.isRecording() && !this.span.isEnded();
  }

  /** An `exception` event with the semantic conventions' attributes; the status is left to the caller, as the API says. */
  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Record<string, string> = {};
    if (typeof exception === 'string') attributes[ATTR_EXCEPTION_MESSAGE] = exception;
    else if (exception !== null && typeof exception === 'object') {
      const type = exception.code !== undefined && exception.code !== null ? String(exception.code) : exception.name;
      if (type) attributes[ATTR_EXCEPTION_TYPE] = String(type);
      if (exception.message) attributes[ATTR_EXCEPTION_MESSAGE] = String(exception.message);
      if (exception.stack) attributes[ATTR_EXCEPTION_STACKTRACE] = String(exception.stack);
    }
    // "at least one of the following sets of attributes is required: exception.type, exception.message"
    if (attributes[ATTR_EXCEPTION_TYPE] === undefined && attributes[ATTR_EXCEPTION_MESSAGE] === undefined) {
      diag.warnOnce('opentelemetry.recordException', 'OpenTelemetry API: recordException got neither a type nor a message; nothing recorded (further ones are not reported)');
      return;
    }
    this.span.log('error', EVENT_EXCEPTION, attributes, epochMsOrNow(time));
  }
}
