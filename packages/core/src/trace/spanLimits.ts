import { diag } from '../diag.js';
import { invalidOption, unknownOption } from '../invalidOption.js';

/**
 * How much one span may hold, as OpenTelemetry's span limits have it, so that one handler that sets a 5 MB tag or
 * 10,000 tags cannot blow the memory of the process or make an export body a collector rejects. Every cut is
 * counted: per span (exported as OTLP's dropped counts) and in `tracer.getStats().spanLimits`.
 * https://opentelemetry.io/docs/specs/otel/common/#attribute-limits
 * https://opentelemetry.io/docs/specs/otel/trace/sdk/#span-limits
 */
export interface SpanLimits {
  /** Tags per span; further new keys are dropped. Default 128. */
  attributeCountLimit?: number;
  /**
   * Characters of a string tag, log field or log message (and of each string in an array; an array keeps at most
   * this many items); longer values are cut. Default 4096. OpenTelemetry's default is no limit: ours is safe.
   */
  attributeValueLengthLimit?: number;
  /** Logs (OpenTelemetry events) per span; later ones are dropped. Default 128. */
  eventCountLimit?: number;
  /** Links per span. Default 128. */
  linkCountLimit?: number;
  /** Fields per log. Default 128. */
  attributePerEventCountLimit?: number;
  /** Tags per link. Default 128. */
  attributePerLinkCountLimit?: number;
}

export type ResolvedSpanLimits = Readonly<Required<SpanLimits>>;

/** https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/#span-limits */
export const DEFAULT_ATTRIBUTE_COUNT_LIMIT = 128;
/** Not OpenTelemetry's (unlimited): a default that keeps one span from reaching megabytes. */
export const DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT = 4096;
export const DEFAULT_EVENT_COUNT_LIMIT = 128;
export const DEFAULT_LINK_COUNT_LIMIT = 128;

export const DEFAULT_SPAN_LIMITS: ResolvedSpanLimits = Object.freeze({
  attributeCountLimit: DEFAULT_ATTRIBUTE_COUNT_LIMIT,
  attributeValueLengthLimit: DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT,
  eventCountLimit: DEFAULT_EVENT_COUNT_LIMIT,
  linkCountLimit: DEFAULT_LINK_COUNT_LIMIT,
  attributePerEventCountLimit: DEFAULT_ATTRIBUTE_COUNT_LIMIT,
  attributePerLinkCountLimit: DEFAULT_ATTRIBUTE_COUNT_LIMIT,
});

const LIMIT_NAMES = Object.keys(DEFAULT_SPAN_LIMITS) as (keyof SpanLimits)[];

// The span-specific variable wins over the general attribute one.
// https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/#attribute-limits
const ENV_VARIABLES: ReadonlyArray<[keyof SpanLimits, readonly string[]]> = [
  ['attributeCountLimit', ['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT']],
  ['attributeValueLengthLimit', ['OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT']],
  ['eventCountLimit', ['OTEL_SPAN_EVENT_COUNT_LIMIT']],
  ['linkCountLimit', ['OTEL_SPAN_LINK_COUNT_LIMIT']],
  ['attributePerEventCountLimit', ['OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT']],
  ['attributePerLinkCountLimit', ['OTEL_LINK_ATTRIBUTE_COUNT_LIMIT']],
];

/** The limits the OpenTelemetry variables set; a value that is not a whole number >= 0 is ignored with a warning. */
export function spanLimitsFromEnv(env: NodeJS.ProcessEnv): SpanLimits | undefined {
  let out: SpanLimits | undefined;
  for (const [field, names] of ENV_VARIABLES) {
    for (const name of names) {
      const raw = env[name]?.trim();
      if (!raw) continue;
      const value = Number(raw);
      if (Number.isInteger(value) && value >= 0) {
        (out ??= {})[field] = value;
        break;
      }
      diag.warnOnce(`env:${name}`, `${name} ignored: expected a whole number >= 0`);
    }
  }
  return out;
}

/** Defaults < environment < options, each limit checked: a whole number >= 0. */
export function resolveSpanLimits(options: unknown, fromEnv: SpanLimits | undefined, owner = 'tracing'): ResolvedSpanLimits {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw invalidOption(owner, 'spanLimits', 'an object of limits', options);
  }
  const given = (options ?? {}) as Record<string, unknown>;
  const out: Record<string, number> = { ...DEFAULT_SPAN_LIMITS, ...fromEnv };
  for (const key of Object.keys(given)) {
    if (!LIMIT_NAMES.includes(key as keyof SpanLimits)) throw unknownOption(owner, `spanLimits.${key}`, LIMIT_NAMES);
    const value = given[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalidOption(owner, `spanLimits.${key}`, 'a whole number >= 0', value);
    out[key] = value;
  }
  return Object.freeze(out) as unknown as ResolvedSpanLimits;
}

/**
 * `text` cut to `max` UTF-16 units, never in the middle of a surrogate pair, as a string of its own: V8 keeps a
 * slice pointing into its parent, and a 4 KB slice of a 5 MB tag would hold all 5 MB for as long as the span is
 * queued. Copying through a Buffer costs a few microseconds, and only when a value is cut.
 */
export function truncateString(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  const cut = text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
  return Buffer.from(cut, 'utf8').toString('utf8');
}
