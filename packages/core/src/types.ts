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
}

export type TagValue = string | number | boolean | ReadonlyArray<string | number | boolean> | null | undefined;
export type Tags = Record<string, TagValue>;

/** W3C trace-flags bits. https://www.w3.org/TR/trace-context-2/#trace-flags */
export const TRACE_FLAG_SAMPLED = 0x01;
export const TRACE_FLAG_RANDOM = 0x02;

/**
 * What crosses a process boundary: the ids of a span plus the W3C flags and state.
 * Returned by `injectContext` and `extractContext`; accepted by `startSpan` as a parent.
 */
export interface TraceContext {
  /** 32 lowercase hex characters, never all zero. */
  traceId: string;
  /** 16 lowercase hex characters: the span this context describes (for an extracted context, the remote parent). */
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
  readonly tags: Tags;
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
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): this;
  setStatus(code: SpanStatusCode, message?: string): this;
  setOperationName(name: string): this;
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
}
