import type { LogLevel, Span, SpanKind, SpanLink, SpanLog, SpanStatus, TagValue, Tags } from '../types.js';

const EMPTY_LOGS: readonly SpanLog[] = Object.freeze([]);
const EMPTY_TAGS: Readonly<Tags> = Object.freeze({});
const STATUS_OK: SpanStatus = Object.freeze({ code: 'OK' }) as SpanStatus;

/**
 * An unsampled span: it carries ids so the trace propagates (flags `00`), and records nothing.
 * https://www.w3.org/TR/trace-context-2/#sampled-flag
 */
export class NonRecordingSpan implements Span {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  operationName: string;
  component = 'internal';
  kind: SpanKind = 'internal';
  readonly startTime = 0;
  endTime: number | undefined = undefined;
  duration: number | undefined = undefined;
  readonly tags = EMPTY_TAGS;
  readonly logs = EMPTY_LOGS;
  status = STATUS_OK;
  readonly traceFlags: number;
  // Widened for subclasses that stand for a span recorded elsewhere (the OpenTelemetry bridge's remote parents).
  readonly sampled: boolean = false;
  readonly traceState: string | undefined;
  readonly correlationId: string | undefined;
  private ended = false;
  /** @internal The tracer that made it, so that spans started under it use the same tracer (`tracerOf`). */
  readonly _owner: object | undefined;

  constructor(traceId: string, spanId: string, parentSpanId: string | undefined, operationName: string, traceFlags: number, traceState?: string, correlationId?: string, owner?: object) {
    this._owner = owner;
    this.traceId = traceId;
    this.spanId = spanId;
    this.parentSpanId = parentSpanId;
    this.operationName = operationName;
    this.traceFlags = traceFlags;
    this.traceState = traceState;
    this.correlationId = correlationId;
  }

  isRecording(): boolean {
    return false;
  }
  isEnded(): boolean {
    return this.ended;
  }
  setTag(_key: string, _value: TagValue): this {
    return this;
  }
  setTags(_tags: Tags): this {
    return this;
  }
  log(_level: LogLevel, _message: string, _fields?: Record<string, unknown>, _timestamp?: number): this {
    return this;
  }
  setStatus(): this {
    return this;
  }
  setOperationName(_name: string): this {
    return this;
  }
  addLink(_link: SpanLink): this {
    return this;
  }
  finish(): void {
    this.ended = true;
  }
}
