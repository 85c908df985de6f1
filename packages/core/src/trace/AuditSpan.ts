import { now } from '../clock.js';
import { diag } from '../diag.js';
import type {
  LogLevel,
  Resource,
  Span,
  SpanKind,
  SpanLog,
  SpanStatus,
  SpanStatusCode,
  TagValue,
  Tags,
} from '../types.js';

/** Whoever must hear that a span ended: the tracer. One pointer per span, no closure. */
export interface SpanOwner {
  onSpanEnd(span: AuditSpan): void;
}

export interface AuditSpanInit {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  operationName: string;
  component: string;
  kind: SpanKind;
  traceFlags: number;
  traceState?: string;
  correlationId?: string;
  resource: Resource;
  startTime?: number;
  tags?: Tags;
}

const NO_LOGS: readonly SpanLog[] = Object.freeze([]);
const STATUS_OK: SpanStatus = Object.freeze({ code: 'OK' }) as SpanStatus;

function warnEnded(what: string, span: AuditSpan): void {
  diag.warnOnce(`ended:${what}`, `${what} on ended span "${span.operationName}" ignored (further occurrences are not reported)`);
}

/** A recording span. Created by `AuditTracer.startSpan`; ended exactly once by `finish`. */
export class AuditSpan implements Span {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  operationName: string;
  component: string;
  kind: SpanKind;
  readonly startTime: number;
  endTime: number | undefined = undefined;
  duration: number | undefined = undefined;
  readonly tags: Tags;
  /** Read-only to callers (add entries with `log`); shared and empty until the first entry, saving an array per span. */
  logs: readonly SpanLog[] = NO_LOGS;
  status: SpanStatus = STATUS_OK;
  readonly traceFlags: number;
  readonly traceState: string | undefined;
  readonly correlationId: string | undefined;
  readonly resource: Resource;
  /** @internal */
  _owner: SpanOwner | undefined;
  /** @internal The tracer's list of active spans: linked through the spans, so tracking one allocates nothing. */
  _prev: AuditSpan | undefined = undefined;
  /** @internal */
  _next: AuditSpan | undefined = undefined;
  /** @internal */
  _tracked = false;

  constructor(init: AuditSpanInit, owner?: SpanOwner) {
    this.traceId = init.traceId;
    this.spanId = init.spanId;
    this.parentSpanId = init.parentSpanId;
    this.operationName = init.operationName;
    this.component = init.component;
    this.kind = init.kind;
    this.traceFlags = init.traceFlags;
    this.traceState = init.traceState;
    this.correlationId = init.correlationId;
    this.resource = init.resource;
    this.startTime = init.startTime ?? now();
    // The caller's object is kept as it is: no copy on the hot path.
    this.tags = init.tags ?? {};
    this._owner = owner;
  }

  /** Always true: an AuditSpan is a sampled, recording span. (A getter: one field less to fill per span.) */
  get sampled(): true {
    return true;
  }

  isRecording(): boolean {
    return true;
  }

  isEnded(): boolean {
    return this.endTime !== undefined;
  }

  setTag(key: string, value: TagValue): this {
    if (this.endTime !== undefined) warnEnded('setTag', this);
    else this.tags[key] = value;
    return this;
  }

  setTags(tags: Tags): this {
    if (this.endTime !== undefined) warnEnded('setTags', this);
    else Object.assign(this.tags, tags);
    return this;
  }

  log(level: LogLevel, message: string, fields?: Record<string, unknown>): this {
    if (this.endTime !== undefined) warnEnded('log', this);
    else {
      const entry: SpanLog = fields === undefined ? { timestamp: now(), level, message } : { timestamp: now(), level, message, fields };
      if (this.logs === NO_LOGS) this.logs = [entry];
      else (this.logs as SpanLog[]).push(entry);
    }
    return this;
  }

  setStatus(code: SpanStatusCode, message?: string): this {
    if (this.endTime !== undefined) warnEnded('setStatus', this);
    else this.status = message === undefined ? { code } : { code, message };
    return this;
  }

  setOperationName(name: string): this {
    if (this.endTime !== undefined) warnEnded('setOperationName', this);
    else this.operationName = name;
    return this;
  }

  finish(endTime?: number): void {
    if (this.endTime !== undefined) return;
    const end = endTime ?? now();
    this.endTime = end < this.startTime ? this.startTime : end;
    this.duration = this.endTime - this.startTime;
    const owner = this._owner;
    this._owner = undefined;
    owner?.onSpanEnd(this);
  }
}
