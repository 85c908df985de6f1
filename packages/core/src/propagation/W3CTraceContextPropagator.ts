import { isValidSpanId, isValidTraceId } from '../ids.js';
import { TRACE_FLAG_RANDOM, TRACE_FLAG_SAMPLED, type TraceContext } from '../types.js';
import { readHeader, writeHeader, type HeaderCarrier, type IncomingHeaders } from './headers.js';
import type { Propagator } from './Propagator.js';

/** https://www.w3.org/TR/trace-context-2/#traceparent-header */
export const TRACEPARENT_HEADER = 'traceparent';
/** https://www.w3.org/TR/trace-context-2/#tracestate-header */
export const TRACESTATE_HEADER = 'tracestate';

// The only version this implementation writes, and the one whose length is exact.
// https://www.w3.org/TR/trace-context-2/#version
const VERSION_00 = '00';
// https://www.w3.org/TR/trace-context-2/#version — "Version ff is invalid."
const INVALID_VERSION = 'ff';
// "00-" + 32 + "-" + 16 + "-" + 2: the exact size of a version 00 header, and the least a higher version may have.
// https://www.w3.org/TR/trace-context-2/#versioning-of-traceparent
const TRACEPARENT_LENGTH = 55;

// Flags this level of the spec defines; others are reserved and must not be propagated as set.
// https://www.w3.org/TR/trace-context-2/#trace-flags
const KNOWN_TRACE_FLAGS = TRACE_FLAG_SAMPLED | TRACE_FLAG_RANDOM;

/** https://www.w3.org/TR/trace-context-2/#list — `list-member 0*31( OWS "," OWS list-member )` */
export const MAX_TRACESTATE_MEMBERS = 32;
/**
 * What we propagate of a combined `tracestate` at most: "Vendors SHOULD propagate at least 512 characters",
 * and longer lists are cut by whole entries, those over 128 characters first, then from the end.
 * https://www.w3.org/TR/trace-context-2/#tracestate-limits
 */
export const MAX_TRACESTATE_LENGTH = 512;
const LARGE_TRACESTATE_ENTRY = 128;

// Fixed positions: version(2) "-" trace-id(32) "-" parent-id(16) "-" flags(2). Lowercase hex only, as HEXDIGLC.
// https://www.w3.org/TR/trace-context-2/#traceparent-header-field-values
const TRACEPARENT_PREFIX = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})/;

// https://www.w3.org/TR/trace-context-2/#key — `key = ( lcalpha / DIGIT ) 0*255 ( keychar )`, where keychar adds
// "_", "-", "*", "/" and "@": up to 256 characters, "@" anywhere but first (a multi-tenant key, `tenant@vendor`).
const KEY = '[a-z0-9][a-z0-9_\\-*/@]{0,255}';
// https://www.w3.org/TR/trace-context-2/#value — chr = %x20 / nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E
const VALUE = '[\\x20-\\x2b\\x2d-\\x3c\\x3e-\\x7e]{0,255}[\\x21-\\x2b\\x2d-\\x3c\\x3e-\\x7e]';
const LIST_MEMBER = new RegExp(`^${KEY}=${VALUE}$`);
// OWS is spaces and horizontal tabs only (RFC 9110 §5.6.3); other whitespace is not trimmed.
const OWS_AROUND = /^[ \t]+|[ \t]+$/g;

/**
 * The W3C Trace Context propagator (`traceparent` and `tracestate`), Level 2.
 * https://www.w3.org/TR/trace-context-2/
 */
export class W3CTraceContextPropagator implements Propagator {
  readonly name = 'tracecontext';

  fields(): readonly string[] {
    return [TRACEPARENT_HEADER, TRACESTATE_HEADER];
  }

  inject(context: TraceContext, carrier: HeaderCarrier): void {
    if (!context || !isValidTraceId(context.traceId) || !isValidSpanId(context.spanId)) return;
    // Only the bits this version defines: "Vendors MUST set those to zero." (#other-flags)
    const flags = Number(context.traceFlags) & KNOWN_TRACE_FLAGS;
    writeHeader(carrier, TRACEPARENT_HEADER, `${VERSION_00}-${context.traceId}-${context.spanId}-${flags.toString(16).padStart(2, '0')}`);
    // Re-validated so that a hand-built context can never put CR/LF or junk on the wire.
    const traceState = typeof context.traceState === 'string' ? parseTraceState(context.traceState) : undefined;
    if (traceState) writeHeader(carrier, TRACESTATE_HEADER, traceState);
  }

  extract(headers: IncomingHeaders): TraceContext | null {
    const parent = parseTraceParent(readHeader(headers, TRACEPARENT_HEADER));
    if (!parent) return null;
    const context: TraceContext = {
      traceId: parent.traceId,
      spanId: parent.spanId,
      traceFlags: parent.traceFlags,
      sampled: (parent.traceFlags & TRACE_FLAG_SAMPLED) === TRACE_FLAG_SAMPLED,
      isRemote: true,
    };
    // tracestate is read only once traceparent is known good, and its failure never affects traceparent.
    // https://www.w3.org/TR/trace-context-2/#tracestate-header
    const rawState = readHeader(headers, TRACESTATE_HEADER);
    const traceState = rawState === undefined ? undefined : parseTraceState(rawState);
    if (traceState) context.traceState = traceState;
    return context;
  }
}

interface TraceParent {
  traceId: string;
  spanId: string;
  traceFlags: number;
}

/** Parses a `traceparent` value; null when invalid. Repeated headers arrive joined with "," and so fail here. */
function parseTraceParent(value: string | undefined): TraceParent | null {
  if (typeof value !== 'string' || value.length < TRACEPARENT_LENGTH) return null;
  const match = TRACEPARENT_PREFIX.exec(value);
  if (!match) return null;
  const [, version, traceId, spanId, flags] = match as unknown as [string, string, string, string, string];
  if (version === INVALID_VERSION) return null;
  if (version === VERSION_00) {
    if (value.length !== TRACEPARENT_LENGTH) return null;
  } else if (value.length > TRACEPARENT_LENGTH && value[TRACEPARENT_LENGTH] !== '-') {
    // A higher version may append fields, but only after a dash. (#versioning-of-traceparent)
    return null;
  }
  if (!isValidTraceId(traceId) || !isValidSpanId(spanId)) return null;
  return { traceId, spanId, traceFlags: parseInt(flags, 16) & KNOWN_TRACE_FLAGS };
}

/**
 * Validates a `tracestate` list and returns it normalised (members trimmed of OWS, empty members dropped, a
 * repeated key's later members dropped, order kept, cut to `MAX_TRACESTATE_LENGTH`), or undefined when it is empty
 * or is no valid list: a member that breaks the grammar, or more than 32 members. Such a list cannot be parsed,
 * and the vendor "MAY discard the entire header" (#a-traceparent-is-received), as the W3C test suite expects.
 * https://www.w3.org/TR/trace-context-2/#tracestate-header-field-values
 */
function parseTraceState(value: string): string | undefined {
  const members: string[] = [];
  const keys = new Set<string>();
  let count = 0;
  for (const raw of value.split(',')) {
    const member = raw.replace(OWS_AROUND, '');
    // Empty and whitespace-only members are allowed and carry nothing. (#list)
    if (member === '') continue;
    if (++count > MAX_TRACESTATE_MEMBERS) return undefined;
    if (!LIST_MEMBER.test(member)) return undefined;
    const key = member.slice(0, member.indexOf('='));
    // A repeated key is no reason to lose the others: "vendors MAY also discard duplicate keys" (#mutating-the-
    // tracestate-field). The first one is kept: it is the most recent position of that vendor.
    if (keys.has(key)) continue;
    keys.add(key);
    members.push(member);
  }
  const kept = withinLength(members);
  return kept.length === 0 ? undefined : kept.join(',');
}

/** `members`, cut by whole entries to `MAX_TRACESTATE_LENGTH`: entries over 128 characters go first, then from the end. */
function withinLength(members: string[]): string[] {
  let length = members.length - 1;
  for (const member of members) length += member.length;
  for (let i = members.length - 1; i >= 0 && length > MAX_TRACESTATE_LENGTH; i--) {
    if (members[i]!.length <= LARGE_TRACESTATE_ENTRY) continue;
    length -= members[i]!.length + (members.length > 1 ? 1 : 0);
    members.splice(i, 1);
  }
  while (length > MAX_TRACESTATE_LENGTH && members.length > 0) {
    length -= members.pop()!.length + (members.length > 0 ? 1 : 0);
  }
  return members;
}
