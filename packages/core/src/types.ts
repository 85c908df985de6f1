/** Where a span sits in a call: the OpenTelemetry span kinds, in lowercase. */
export type SpanKind = 'server' | 'client' | 'internal' | 'producer' | 'consumer';

/** The outcome of a span, as the design names it. */
export type SpanStatusCode = 'OK' | 'ERROR' | 'TIMEOUT' | 'CANCELLED';

export interface SpanStatus {
  code: SpanStatusCode;
  message?: string;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface SpanLog {
  /** Epoch milliseconds, sub-millisecond precision. */
  timestamp: number;
  level: LogLevel;
  message: string;
  fields?: Record<string, unknown>;
  /** Fields cut by `attributePerEventCountLimit` (exported as the event's `dropped_attributes_count`). */
  droppedFieldsCount?: number;
}

export type TagValue = string | number | boolean | ReadonlyArray<string | number | boolean> | null | undefined;
export type Tags = Record<string, TagValue>;

/** W3C trace-flags bits. https://www.w3.org/TR/trace-context-2/#trace-flags */
export const TRACE_FLAG_SAMPLED = 0x01;
export const TRACE_FLAG_RANDOM = 0x02;

/** The `spanId` of an extracted context that names a trace but no span. */
export const NO_SPAN_ID = '';

/**
 * What crosses a process boundary: the ids of a span plus the W3C flags and state.
 * Returned by `injectContext` and `extractContext`; accepted by `startSpan` as a parent.
 */
export interface TraceContext {
  /** 32 lowercase hex characters, never all zero. */
  traceId: string;
  /**
   * 16 lowercase hex characters: the span this context describes (for an extracted context, the remote parent).
   * `NO_SPAN_ID` ('') when the headers named a trace but no span (an `x-trace-id` alone): a span started from such
   * a context continues the trace as its root, with no parent span id.
   */
  spanId: string;
  /** The parent of `spanId`, when known. */
  parentSpanId?: string;
  /** W3C trace-flags byte (bit 0 sampled, bit 1 random). */
  traceFlags: number;
  /** The sampling decision carried by the headers; undefined when they carried none (B3 defer, x-trace-id). */
  sampled?: boolean;
  /** The raw, validated `tracestate` list, members in their original order. */
  traceState?: string;
  /** True for a context read from the wire. */
  isRemote?: boolean;
  /** An incoming correlation id that was not a W3C trace id (a UUID, say), kept and passed on unchanged. */
  correlationId?: string;
}

/**
 * A reference from a span to a span of another trace or another branch: a batch job linking the requests it
 * serves, a consumer linking its producer. https://opentelemetry.io/docs/specs/otel/trace/api/#link
 */
export interface SpanLink {
  readonly context: { readonly traceId: string; readonly spanId: string; readonly traceFlags?: number; readonly traceState?: string };
  readonly tags?: Readonly<Tags>;
  /** Tags cut by `attributePerLinkCountLimit`. */
  readonly droppedTagsCount?: number;
}

/**
 * The library that made a span, when it was not audit-tracing itself: an OpenTelemetry instrumentation's tracer
 * name and version (`@opentelemetry/instrumentation-pg`, `0.77.0`). OTLP exporters report spans grouped under it.
 * https://opentelemetry.io/docs/specs/otel/common/instrumentation-scope/
 */
export interface InstrumentationScope {
  readonly name: string;
  readonly version?: string;
  readonly schemaUrl?: string;
}

/**
 * A span as processors and exporters see it: plain data, read-only, with no way back into the tracer. What
 * leaves the process is such a record, made once when the span ends; encryption and redaction write into a copy
 * of it, never into the live span a handler may still read. A live `AuditSpan` is one too (`getTraceSpans`), with
 * `endTime` and `duration` unset until it ends.
 */
export interface ReadableSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly operationName: string;
  readonly component: string;
  readonly kind: SpanKind;
  /** Epoch milliseconds, sub-millisecond precision. */
  readonly startTime: number;
  /** Set on every ended span. */
  readonly endTime?: number;
  /** `endTime - startTime`, in ms; set on every ended span. */
  readonly duration?: number;
  readonly tags: Readonly<Tags>;
  readonly logs: readonly SpanLog[];
  readonly links: readonly SpanLink[];
  readonly status: SpanStatus;
  readonly traceFlags: number;
  readonly traceState?: string;
  readonly correlationId?: string;
  readonly resource: Resource;
  /** The library that made the span; absent for spans of audit-tracing's own API (reported as `@audit-tracing/core`). */
  readonly instrumentationScope?: InstrumentationScope;
  /** Tags cut by `attributeCountLimit` (OTLP `dropped_attributes_count`). */
  readonly droppedTagsCount: number;
  /** Logs cut by `eventCountLimit` (OTLP `dropped_events_count`). */
  readonly droppedLogsCount: number;
  /** Links cut by `linkCountLimit` (OTLP `dropped_links_count`). */
  readonly droppedLinksCount: number;
  /**
   * What the span holds, estimated in bytes (its strings' lengths plus a fixed cost per value), so that queues can
   * keep to a byte budget without measuring anything again. Absent on records made elsewhere.
   */
  readonly estimatedBytes?: number;
}

/** A unit of work. `AuditSpan` is the recording implementation; unsampled spans only carry ids. */
export interface Span {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  operationName: string;
  component: string;
  kind: SpanKind;
  readonly startTime: number;
  endTime?: number;
  duration?: number;
  /** Read-only: write with `setTag`, which applies the span limits. */
  readonly tags: Readonly<Tags>;
  /** Entries added with `log`, in order. */
  readonly logs: readonly SpanLog[];
  status: SpanStatus;
  readonly traceFlags: number;
  /** True when the span records (its trace was sampled). A span can stand wherever a TraceContext is expected. */
  readonly sampled: boolean;
  readonly traceState?: string;
  readonly correlationId?: string;
  /** False for spans that were not sampled: they propagate ids and record nothing. */
  isRecording(): boolean;
  isEnded(): boolean;
  setTag(key: string, value: TagValue): this;
  setTags(tags: Tags): this;
  /** Adds a log entry, timestamped now or at `timestamp` (epoch ms). */
  log(level: LogLevel, message: string, fields?: Record<string, unknown>, timestamp?: number): this;
  setStatus(code: SpanStatusCode, message?: string): this;
  setOperationName(name: string): this;
  /** Adds a link to another span's context (after start, as OpenTelemetry allows). */
  addLink(link: SpanLink): this;
  /** Ends the span. Idempotent: the first call wins, later calls and changes are ignored. */
  finish(endTime?: number): void;
}

/** Process-wide facts about the service every span of a tracer belongs to. */
export interface Resource {
  readonly serviceName: string;
  readonly attributes: Readonly<Record<string, TagValue>>;
}

/** The options `startSpan` takes besides the name and the parent. */
export interface SpanOptions {
  kind?: SpanKind;
  component?: string;
  tags?: Tags;
  /** Epoch ms; defaults to now. */
  startTime?: number;
  /** Start a new trace even if a span is active. */
  root?: boolean;
  /** Links known at start (OpenTelemetry samplers see only these). */
  links?: readonly SpanLink[];
  /** The library starting the span, when not audit-tracing's own API (the OpenTelemetry bridge sets it). */
  instrumentationScope?: InstrumentationScope;
}
