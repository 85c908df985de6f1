import { invalidOption, unknownOption } from '../invalidOption.js';
import { compileNameMatcher, type NameMatcher, type NamePattern } from '../matcher.js';
import type { ReadableSpan, SpanStatusCode, TagValue } from '../types.js';

/** What `querySpans` selects by; every condition given must hold. */
export interface SpanQuery {
  traceId?: string;
  /** `resource.serviceName`: exact names and patterns, one or several. */
  service?: NamePattern | readonly NamePattern[];
  /** The operation name: exact names and patterns, one or several. */
  operation?: NamePattern | readonly NamePattern[];
  /** One status code or several. */
  status?: SpanStatusCode | readonly SpanStatusCode[];
  /** Inclusive bounds on the duration, ms; spans not yet ended never match them. */
  minDuration?: number;
  maxDuration?: number;
  /** Tag values: equal (for an array tag, one element equal), or, for a RegExp, matching the value's text. */
  tags?: Readonly<Record<string, TagValue | RegExp>>;
  /** Spans that started from `from` up to `to`, inclusive (epoch ms or Date). */
  from?: number | Date;
  to?: number | Date;
}

const KNOWN = ['traceId', 'service', 'operation', 'status', 'minDuration', 'maxDuration', 'tags', 'from', 'to'];
const STATUSES: ReadonlySet<string> = new Set(['OK', 'ERROR', 'TIMEOUT', 'CANCELLED']);

type Test = (span: ReadableSpan) => boolean;

function names(value: NamePattern | readonly NamePattern[], option: string): NameMatcher {
  const list = Array.isArray(value) ? value : [value];
  return compileNameMatcher(list, 'querySpans', option) ?? (() => false);
}

function time(value: unknown, option: string): number {
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || Number.isNaN(ms)) throw invalidOption('querySpans', option, 'epoch milliseconds or a Date', value);
  return ms;
}

function duration(value: unknown, option: string): number {
  if (typeof value !== 'number' || !(value >= 0)) throw invalidOption('querySpans', option, 'a number of ms >= 0', value);
  return value;
}

function tagTest(key: string, expected: TagValue | RegExp): Test {
  let matches: (value: unknown) => boolean;
  if (expected instanceof RegExp) {
    const matcher = compileNameMatcher([expected], 'querySpans', `tags.${key}`)!;
    matches = (value) => value !== undefined && value !== null && matcher(String(value));
  } else if (expected === null || ['string', 'number', 'boolean'].includes(typeof expected)) {
    matches = (value) => value === expected;
  } else throw invalidOption('querySpans', `tags.${key}`, 'a string, number, boolean, null or RegExp', expected);
  return function hasTag(span) {
    const value = Object.prototype.hasOwnProperty.call(span.tags, key) ? span.tags[key] : undefined;
    return Array.isArray(value) ? value.some(matches) : matches(value);
  };
}

/** The tests a query makes, each checked once here. */
function compile(query: SpanQuery): Test[] {
  if (query === null || typeof query !== 'object') throw invalidOption('querySpans', 'query', 'a query object', query);
  for (const key of Object.keys(query)) if (!KNOWN.includes(key)) throw unknownOption('querySpans', key, KNOWN);
  const tests: Test[] = [];
  const { traceId, service, operation, status, minDuration, maxDuration, tags, from, to } = query;
  if (traceId !== undefined) {
    if (typeof traceId !== 'string') throw invalidOption('querySpans', 'traceId', 'a trace id (32 hex characters)', traceId);
    const id = traceId.toLowerCase();
    tests.push((span) => span.traceId === id);
  }
  if (service !== undefined) {
    const matches = names(service, 'service');
    tests.push((span) => matches(span.resource?.serviceName ?? ''));
  }
  if (operation !== undefined) {
    const matches = names(operation, 'operation');
    tests.push((span) => matches(span.operationName));
  }
  if (status !== undefined) {
    const codes = new Set<string>(Array.isArray(status) ? status : [status]);
    for (const code of codes) if (!STATUSES.has(code)) throw invalidOption('querySpans', 'status', 'OK, ERROR, TIMEOUT or CANCELLED (or a list of them)', code);
    tests.push((span) => codes.has(span.status.code));
  }
  if (minDuration !== undefined) {
    const min = duration(minDuration, 'minDuration');
    tests.push((span) => span.duration !== undefined && span.duration >= min);
  }
  if (maxDuration !== undefined) {
    const max = duration(maxDuration, 'maxDuration');
    tests.push((span) => span.duration !== undefined && span.duration <= max);
  }
  if (tags !== undefined) {
    if (tags === null || typeof tags !== 'object') throw invalidOption('querySpans', 'tags', 'an object of tag names to values or RegExps', tags);
    for (const key of Object.keys(tags)) tests.push(tagTest(key, tags[key]));
  }
  if (from !== undefined) {
    const start = time(from, 'from');
    tests.push((span) => span.startTime >= start);
  }
  if (to !== undefined) {
    const end = time(to, 'to');
    tests.push((span) => span.startTime <= end);
  }
  return tests;
}

/**
 * The spans (records or live spans) that meet every condition of `query`, in their order. The query is checked
 * once: a wrong condition throws the option error (`querySpans.<option>: expected …`), before any span is read.
 */
export function querySpans<T extends ReadableSpan>(spans: Iterable<T>, query: SpanQuery): T[] {
  const tests = compile(query);
  const out: T[] = [];
  outer: for (const span of spans) {
    for (const test of tests) if (!test(span)) continue outer;
    out.push(span);
  }
  return out;
}
