import { now } from '../clock.js';
import { diag } from '../diag.js';
import { setOwnProperty } from '../ownProperty.js';
import { DEFAULT_REDACTOR, type Redactor } from '../security/Redactor.js';
import type {
  InstrumentationScope,
  LogLevel,
  ReadableSpan,
  Resource,
  Span,
  SpanKind,
  SpanLink,
  SpanLog,
  SpanStatus,
  SpanStatusCode,
  TagValue,
  Tags,
} from '../types.js';
import { DEFAULT_SPAN_LIMITS, truncateString, type ResolvedSpanLimits } from './spanLimits.js';

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
  /** Copied through `setTag` (so the limits apply): the caller's object is never kept, cut or shared. */
  tags?: Readonly<Tags>;
  links?: readonly SpanLink[];
  limits?: ResolvedSpanLimits;
  instrumentationScope?: InstrumentationScope;
  /** Replaces secrets as values are written (the tracer's rules; the defaults when absent). */
  redactor?: Redactor;
}

const NO_LOGS: readonly SpanLog[] = Object.freeze([]);
const NO_LINKS: readonly SpanLink[] = Object.freeze([]);
const STATUS_OK: SpanStatus = Object.freeze({ code: 'OK' }) as SpanStatus;
const VALID_ID = /^[0-9a-f]+$/;
// For the size estimate: what a span costs before its strings, and what a value or an entry costs besides its text.
const SPAN_BASE_BYTES = 320;
const VALUE_BYTES = 16;
const ENTRY_BYTES = 64;
const ESTIMATE_RECOUNT_AFTER_WRITES = 32;

function estimateValue(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (!Array.isArray(value)) return VALUE_BYTES;
  let bytes = VALUE_BYTES;
  for (const item of value) bytes += typeof item === 'string' ? item.length : VALUE_BYTES;
  return bytes;
}

function estimateFields(fields: Readonly<Record<string, unknown>> | undefined): number {
  let bytes = 0;
  if (fields) for (const key in fields) bytes += key.length + estimateValue(fields[key]);
  return bytes;
}

function warnEnded(what: string, span: AuditSpan): void {
  diag.warnOnce(`ended:${what}`, `${what} on ended span "${span.operationName}" ignored (further occurrences are not reported)`);
}

function warnLimit(limit: keyof ResolvedSpanLimits, limits: ResolvedSpanLimits): void {
  diag.warnOnce(`limit:${limit}`, `span limit ${limit} (${limits[limit]}) reached: what is over it is cut and counted in getStats().spanLimits (further cuts are not logged)`);
}

function overLength(value: unknown, max: number): boolean {
  if (typeof value === 'string') return value.length > max;
  if (!Array.isArray(value)) return false;
  if (value.length > max) return true;
  for (const item of value) if (typeof item === 'string' && item.length > max) return true;
  return false;
}

function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** What a span counts of its own cuts, for the tracer's totals. */
export interface SpanCuts {
  droppedTagsCount: number;
  droppedLogsCount: number;
  droppedLinksCount: number;
  /** Values shortened to `attributeValueLengthLimit`. */
  truncatedValues: number;
  /** Fields dropped from logs and tags from links. */
  droppedFields: number;
  /** The exact number of tag keys, counted once the writes pass the count limit (-1 before). */
  keyCount: number;
}

// A span's tags: a plain object (its prototype is Object.prototype), made by a constructor rather than as `{}` so
// that V8 sizes it for the tags spans usually get (slack tracking): a literal holds 4 properties in the object and
// moves them to a separate store at the fifth.
const TagObject = function TagObject() {} as unknown as new () => Tags;
TagObject.prototype = Object.prototype;

function noCuts(): SpanCuts {
  return { droppedTagsCount: 0, droppedLogsCount: 0, droppedLinksCount: 0, truncatedValues: 0, droppedFields: 0, keyCount: -1 };
}

/** A recording span. Created by `AuditTracer.startSpan`; ended exactly once by `finish`. */
export class AuditSpan implements Span, ReadableSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  operationName: string;
  component: string;
  kind: SpanKind;
  readonly startTime: number;
  endTime: number | undefined = undefined;
  duration: number | undefined = undefined;
  /** Read-only to callers: `setTag` applies the limits. */
  readonly tags: Readonly<Tags>;
  /** Read-only to callers (add entries with `log`); shared and empty until the first entry, saving an array per span. */
  logs: readonly SpanLog[] = NO_LOGS;
  links: readonly SpanLink[] = NO_LINKS;
  status: SpanStatus = STATUS_OK;
  readonly traceFlags: number;
  readonly traceState: string | undefined;
  readonly correlationId: string | undefined;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope | undefined;
  /** @internal What the limits cut; allocated on the first cut, so a span within its limits pays nothing. */
  _cuts: SpanCuts | undefined = undefined;
  /** @internal */
  _owner: SpanOwner | undefined;
  /** @internal The tracer's list of active spans: linked through the spans, so tracking one allocates nothing. */
  _prev: AuditSpan | undefined = undefined;
  /** @internal */
  _next: AuditSpan | undefined = undefined;
  /** @internal */
  _tracked = false;
  private readonly limits: ResolvedSpanLimits;
  // Redaction happens as values are written, so no copy of a secret exists anywhere a processor, exporter, the
  // recent spans or a log line could reach.
  private readonly redactor: Redactor;
  // Tag writes so far: an upper bound on distinct keys, so that the count limit costs nothing until it could bite.
  private tagWrites = 0;
  /** @internal The size estimate, kept as values are written (an overwrite counts twice: an upper bound). */
  _bytes = SPAN_BASE_BYTES;

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
    this.instrumentationScope = init.instrumentationScope;
    this.startTime = init.startTime ?? now();
    this.limits = init.limits ?? DEFAULT_SPAN_LIMITS;
    this.redactor = init.redactor ?? DEFAULT_REDACTOR;
    this._owner = owner;
    this.tags = new TagObject();
    // Kept out of the constructor's usual path (no tags or links given), so that it stays small enough to inline.
    if (init.tags !== undefined || init.links !== undefined) this.applyInitial(init);
  }

  private applyInitial(init: AuditSpanInit): void {
    const tags = init.tags;
    if (tags !== undefined && tags !== null) for (const key in tags) this.setTag(key, tags[key]);
    if (init.links !== undefined) for (const link of init.links) this.addLink(link);
  }

  get droppedTagsCount(): number {
    return this._cuts === undefined ? 0 : this._cuts.droppedTagsCount;
  }

  get droppedLogsCount(): number {
    return this._cuts === undefined ? 0 : this._cuts.droppedLogsCount;
  }

  get droppedLinksCount(): number {
    return this._cuts === undefined ? 0 : this._cuts.droppedLinksCount;
  }

  get estimatedBytes(): number {
    return this._bytes;
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
    if (this.endTime !== undefined) {
      warnEnded('setTag', this);
      return this;
    }
    // The usual tag (a short string, a number, a boolean) costs two comparisons here; the rest is off this path.
    // The size estimate counts the value's text (keys are short and mostly literals: a fixed cost covers them).
    const limits = this.limits;
    if (++this.tagWrites > limits.attributeCountLimit && this.overCountLimit(key)) return this;
    // Redacted before it is cut: a URL cut inside its user info would hide the "@" that marks it.
    value = this.redactor.tagValue(key, value);
    let bytes = VALUE_BYTES;
    if (typeof value === 'string') {
      if (value.length > limits.attributeValueLengthLimit) value = this.limitValue(value);
      bytes += value.length;
    } else if (typeof value === 'object' && value !== null) {
      value = this.limitArray(value);
      bytes = estimateValue(value);
    }
    if (key === '__proto__') setOwnProperty(this.tags as Tags, key, value);
    else (this.tags as Tags)[key] = value;
    this._bytes += bytes;
    return this;
  }

  setTags(tags: Tags): this {
    if (this.endTime !== undefined) warnEnded('setTags', this);
    else for (const key in tags) this.setTag(key, tags[key]);
    return this;
  }

  log(level: LogLevel, message: string, fields?: Record<string, unknown>, timestamp?: number): this {
    if (this.endTime !== undefined) {
      warnEnded('log', this);
      return this;
    }
    const limits = this.limits;
    if (this.logs.length >= limits.eventCountLimit) {
      (this._cuts ??= noCuts()).droppedLogsCount++;
      warnLimit('eventCountLimit', limits);
      return this;
    }
    const text = this.limitValue(this.redactor.text(typeof message === 'string' ? message : String(message)));
    const time = typeof timestamp === 'number' && Number.isFinite(timestamp) ? timestamp : now();
    let entry: SpanLog;
    if (fields === undefined || fields === null) entry = { timestamp: time, level, message: text };
    else {
      const before = this.droppedFieldsSoFar();
      const limited = this.limitFields(this.redactor.fields(fields), limits.attributePerEventCountLimit, 'attributePerEventCountLimit');
      const dropped = this.droppedFieldsSoFar() - before;
      entry = dropped === 0 ? { timestamp: time, level, message: text, fields: limited } : { timestamp: time, level, message: text, fields: limited, droppedFieldsCount: dropped };
    }
    this._bytes += ENTRY_BYTES + text.length + estimateFields(entry.fields);
    if (this.logs === NO_LOGS) this.logs = [entry];
    else (this.logs as SpanLog[]).push(entry);
    return this;
  }

  setStatus(code: SpanStatusCode, message?: string): this {
    if (this.endTime !== undefined) warnEnded('setStatus', this);
    else this.status = message === undefined ? { code } : { code, message: this.limitValue(this.redactor.text(String(message))) };
    return this;
  }

  setOperationName(name: string): this {
    if (this.endTime !== undefined) warnEnded('setOperationName', this);
    else this.operationName = name;
    return this;
  }

  addLink(link: SpanLink): this {
    if (this.endTime !== undefined) {
      warnEnded('addLink', this);
      return this;
    }
    const context = (link as Partial<SpanLink> | null)?.context;
    if (!context || typeof context.traceId !== 'string' || context.traceId.length !== 32 || typeof context.spanId !== 'string' || context.spanId.length !== 16 || !VALID_ID.test(context.traceId + context.spanId)) {
      diag.warnOnce('addLink.invalid', 'addLink: a link needs context.traceId (32 hex) and context.spanId (16 hex); ignored (further ones are not reported)');
      return this;
    }
    const limits = this.limits;
    if (this.links.length >= limits.linkCountLimit) {
      (this._cuts ??= noCuts()).droppedLinksCount++;
      warnLimit('linkCountLimit', limits);
      return this;
    }
    const copy: { context: SpanLink['context']; tags?: Tags; droppedTagsCount?: number } = {
      context: { traceId: context.traceId, spanId: context.spanId, traceFlags: Number(context.traceFlags) & 0xff, traceState: typeof context.traceState === 'string' ? context.traceState : undefined },
    };
    if (link.tags) {
      const before = this.droppedFieldsSoFar();
      copy.tags = this.limitFields(this.redactor.fields(link.tags), limits.attributePerLinkCountLimit, 'attributePerLinkCountLimit') as Tags;
      const dropped = this.droppedFieldsSoFar() - before;
      if (dropped !== 0) copy.droppedTagsCount = dropped;
    }
    this._bytes += ENTRY_BYTES + estimateFields(copy.tags);
    if (this.links === NO_LINKS) this.links = [copy];
    else (this.links as SpanLink[]).push(copy);
    return this;
  }

  finish(endTime?: number): void {
    if (this.endTime !== undefined) return;
    const end = endTime ?? now();
    this.endTime = end < this.startTime ? this.startTime : end;
    this.duration = this.endTime - this.startTime;
    if (this.tagWrites > ESTIMATE_RECOUNT_AFTER_WRITES) this.recountEstimate();
    const owner = this._owner;
    this._owner = undefined;
    owner?.onSpanEnd(this);
  }

  private droppedFieldsSoFar(): number {
    return this._cuts === undefined ? 0 : this._cuts.droppedFields;
  }

  // Past as many writes as the limit allows, a new key is dropped when the limit is reached; an existing one is
  // still overwritten.
  // Only spans past the limit get here, so the exact count lives with the cut counters, allocated for them alone.
  private overCountLimit(key: string): boolean {
    if (hasOwn(this.tags, key)) return false;
    const limits = this.limits;
    const cuts = (this._cuts ??= noCuts());
    if (cuts.keyCount < 0) cuts.keyCount = Object.keys(this.tags).length;
    if (cuts.keyCount < limits.attributeCountLimit) {
      cuts.keyCount++;
      return false;
    }
    cuts.droppedTagsCount++;
    warnLimit('attributeCountLimit', limits);
    return true;
  }

  // Overwrites of one key add to the running estimate each time: past a few dozen writes it is recounted exactly.
  private recountEstimate(): void {
    let bytes = SPAN_BASE_BYTES + estimateFields(this.tags);
    for (const log of this.logs) bytes += ENTRY_BYTES + log.message.length + estimateFields(log.fields);
    for (const link of this.links) bytes += ENTRY_BYTES + estimateFields(link.tags);
    this._bytes = bytes;
  }

  private limitValue(value: string): string {
    const max = this.limits.attributeValueLengthLimit;
    if (value.length <= max) return value;
    (this._cuts ??= noCuts()).truncatedValues++;
    warnLimit('attributeValueLengthLimit', this.limits);
    return truncateString(value, max);
  }

  private limitArray<T>(value: readonly T[]): readonly T[] {
    // Objects other than arrays are not tag values; they are left to the exporters' conversion.
    if (!Array.isArray(value)) return value;
    const max = this.limits.attributeValueLengthLimit;
    let out: T[] | undefined;
    if (value.length > max) {
      out = value.slice(0, max);
      (this._cuts ??= noCuts()).truncatedValues++;
      warnLimit('attributeValueLengthLimit', this.limits);
    }
    const items = out ?? value;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (typeof item === 'string' && item.length > max) {
        out ??= value.slice();
        out[i] = this.limitValue(item) as T;
      }
    }
    return out ?? value;
  }

  // A log's fields or a link's tags: the caller's object when it is within the limits, else a cut copy.
  private limitFields(fields: Readonly<Record<string, unknown>>, countLimit: number, limitName: keyof ResolvedSpanLimits): Record<string, unknown> {
    const max = this.limits.attributeValueLengthLimit;
    let count = 0;
    let clean = true;
    for (const key in fields) {
      const value = fields[key];
      if (++count > countLimit || overLength(value, max)) {
        clean = false;
        break;
      }
    }
    if (clean) return fields as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    count = 0;
    for (const key in fields) {
      if (++count > countLimit) {
        (this._cuts ??= noCuts()).droppedFields++;
        warnLimit(limitName, this.limits);
        continue;
      }
      const value = fields[key];
      setOwnProperty(out, key, typeof value === 'string' ? this.limitValue(value) : Array.isArray(value) ? this.limitArray(value) : value);
    }
    return out;
  }
}

/**
 * The read-only record of an ended span, made once, when it ends: what processors and exporters receive. The
 * tags, logs and links are handed over, not copied (the span takes no more writes once ended).
 */
export function toReadableSpan(span: AuditSpan): ReadableSpan {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    operationName: span.operationName,
    component: span.component,
    kind: span.kind,
    startTime: span.startTime,
    endTime: span.endTime,
    duration: span.duration,
    tags: span.tags,
    logs: span.logs,
    links: span.links,
    status: span.status,
    traceFlags: span.traceFlags,
    traceState: span.traceState,
    correlationId: span.correlationId,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedTagsCount: span.droppedTagsCount,
    droppedLogsCount: span.droppedLogsCount,
    droppedLinksCount: span.droppedLinksCount,
    estimatedBytes: span._bytes,
  };
}
