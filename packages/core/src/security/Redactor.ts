import { invalidOption } from '../invalidOption.js';
import { compileNameMatcher, type NameMatcher, type NamePattern } from '../matcher.js';
import { setOwnProperty } from '../ownProperty.js';
import { ATTR_URL_FULL, ATTR_URL_QUERY, REDACTED } from '../semconv.js';
import type { TagValue } from '../types.js';
import { DEFAULT_SENSITIVE_QUERY_PARAMS, redactQueryString, redactUrlText, type ParamTest } from './redactUrl.js';

/** Rules added to the default redaction (`tracing.redact`). */
export interface RedactionOptions {
  /** More keys whose values are replaced by `REDACTED`: exact names (any case) or patterns tested on the whole key. */
  keys?: readonly NamePattern[];
  /** More query parameter names whose values are redacted in URL-valued attributes. */
  queryParams?: readonly NamePattern[];
  /** Value patterns (a card number, a JWT): a string value, log message or status message matching one is redacted whole. */
  patterns?: readonly RegExp[];
  /** Keys never redacted, by the defaults or by the rules above: exact names (any case) or patterns. */
  keep?: readonly NamePattern[];
}

const OWNER = 'tracing';
const KNOWN: ReadonlySet<string> = new Set(['keys', 'queryParams', 'patterns', 'keep']);

// The last word of a key naming one of these (or ending with it, written together: `clientsecret`, `csrftoken`)
// marks a secret. Only the last word counts: `tokenizer.version` and `llm.token_count` name no token.
const SECRET_WORDS: readonly string[] = ['authorization', 'cookie', 'password', 'passwd', 'secret', 'token'];
// Two-word names, matched as the last two words or written together as the last word.
const SECRET_PAIRS: readonly (readonly [string, string])[] = [
  ['api', 'key'],
  ['private', 'key'],
  ['session', 'id'],
];
const SECRET_COMPOUNDS: readonly string[] = ['apikey', 'privatekey'];
// Exact only: "possessionid" ends with "sessionid" too.
const SESSION_WORDS: ReadonlySet<string> = new Set(['sessionid', 'jsessionid', 'phpsessid', 'sessid']);

// URL-valued keys get the URL rules (user info and sensitive query parameters); url.query is a bare query string.
// https://opentelemetry.io/docs/specs/semconv/registry/attributes/url/ and the older http.url / http.target.
const URL_KEYS: ReadonlySet<string> = new Set([ATTR_URL_FULL, 'url.original', 'http.url', 'http.target']);
const QUERY_KEYS: ReadonlySet<string> = new Set([ATTR_URL_QUERY]);
// Other keys whose last word says they hold a URL: `db.url`, `callbackUrl`, `redirect_uri`, a Referer header.
const URL_WORDS: ReadonlySet<string> = new Set(['url', 'uri', 'href', 'referer', 'referrer', 'location']);

// What is done to a key's values, decided once per key.
const PLAIN = 0;
const SECRET = 1;
const URL_VALUE = 2;
const QUERY_VALUE = 3;
const EXEMPT = 4;
type Decision = typeof PLAIN | typeof SECRET | typeof URL_VALUE | typeof QUERY_VALUE | typeof EXEMPT;

// Decisions are cached per key; keys past this many (generated names) are decided each time instead of growing
// the cache without bound.
const MAX_CACHED_KEYS = 4096;
// Plain keys remembered by length (32 slots): `length & PLAIN_SLOT_MASK`.
const PLAIN_SLOT_MASK = 31;
// Log fields may hold objects; they are walked this deep, and deeper values are redacted whole.
const MAX_DEPTH = 8;

/** A key split into lowercase words at separators and camelCase: `X-Api-Key` → x, api, key; `sessionId` → session, id. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

/**
 * The default rule: the key ends with the name of a secret — authorization, cookie (set-cookie), password, passwd,
 * secret, token, api key, private key, session id — in any case and with any separator or prefix:
 * `http.request.header.authorization`, `user.password`, `X-Api-Key`, `sessionId`, `client_secret`, `accessToken`.
 * `tokenizer.version`, `token_count` and `gen_ai.usage.input_tokens` do not end with one and are kept.
 */
export function isSecretKey(key: string): boolean {
  const words = keyWords(key);
  const last = words[words.length - 1];
  if (last === undefined) return false;
  for (const word of SECRET_WORDS) if (last.endsWith(word)) return true;
  for (const compound of SECRET_COMPOUNDS) if (last.endsWith(compound)) return true;
  if (SESSION_WORDS.has(last)) return true;
  const previous = words[words.length - 2];
  for (const [first, second] of SECRET_PAIRS) if (last === second && previous === first) return true;
  return false;
}

// Every default rule needs one of these in the key; most keys have none and are decided by this one test.
const MAYBE_SENSITIVE = /auth|cookie|pass|secret|token|key|sess|ur[il]|href|referr?er|location|target/i;

function urlKind(key: string): Decision {
  if (URL_KEYS.has(key)) return URL_VALUE;
  if (QUERY_KEYS.has(key)) return QUERY_VALUE;
  const words = keyWords(key);
  const last = words[words.length - 1];
  return last !== undefined && URL_WORDS.has(last) ? URL_VALUE : PLAIN;
}

function list(value: unknown, option: string, expected: string): readonly unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidOption(OWNER, `redact.${option}`, expected, value);
  return value;
}

/** Checks `tracing.redact` and returns a copy; throws the option error naming the wrong field. */
export function resolveRedactionOptions(value: unknown): RedactionOptions {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidOption(OWNER, 'redact', 'an object { keys, queryParams, patterns, keep }', value);
  }
  const options = value as Record<string, unknown>;
  for (const name of Object.keys(options)) {
    if (!KNOWN.has(name)) throw invalidOption(OWNER, `redact.${name}`, `one of ${[...KNOWN].join(', ')}`, name);
  }
  const names = 'an array of names (non-empty strings) and RegExps';
  const out: RedactionOptions = {
    keys: list(options.keys, 'keys', names) as NamePattern[],
    queryParams: list(options.queryParams, 'queryParams', names) as NamePattern[],
    keep: list(options.keep, 'keep', names) as NamePattern[],
    patterns: list(options.patterns, 'patterns', 'an array of RegExps') as RegExp[],
  };
  for (const pattern of out.patterns!) if (!(pattern instanceof RegExp)) throw invalidOption(OWNER, 'redact.patterns', 'an array of RegExps', pattern);
  // Compiled once here so that a wrong entry fails at set-up, naming its option.
  compileNameMatcher(out.keys!, OWNER, 'redact.keys');
  compileNameMatcher(out.queryParams!, OWNER, 'redact.queryParams');
  compileNameMatcher(out.keep!, OWNER, 'redact.keep');
  return out;
}

/**
 * Replaces well-known secrets with `REDACTED` as values are written into a span, so that no copy of them exists
 * anywhere: not in the live span, the recent spans, processors' records, exporters or the console. Keys keep
 * their names. The decision for a key is made once and cached, so the usual tag costs one map lookup.
 */
export class Redactor {
  private readonly decisions = new Map<string, Decision>();
  private readonly plainSlots: (string | undefined)[] = new Array<string | undefined>(PLAIN_SLOT_MASK + 1).fill(undefined);
  private readonly extraKeys: NameMatcher | undefined;
  private readonly keep: NameMatcher | undefined;
  private readonly exempt: NameMatcher | undefined;
  private readonly valuePattern: NameMatcher | undefined;
  // No value patterns: a plain key's values are stored as they are.
  private readonly plainValues: boolean;
  /** Whether a query parameter's value is redacted. */
  readonly isSensitiveParam: ParamTest;

  /**
   * `options` as `resolveRedactionOptions` returns them; `exempt` tells the keys another part handles, such as
   * those listed for encryption (`encryption.sensitiveTags`), which are encrypted instead of redacted.
   */
  constructor(options: RedactionOptions = {}, exempt?: NameMatcher) {
    this.extraKeys = compileNameMatcher(options.keys ?? [], OWNER, 'redact.keys', { ignoreCase: true });
    this.keep = compileNameMatcher(options.keep ?? [], OWNER, 'redact.keep', { ignoreCase: true });
    this.valuePattern = compileNameMatcher(options.patterns ?? [], OWNER, 'redact.patterns');
    this.exempt = exempt;
    this.plainValues = this.valuePattern === undefined;
    const defaults = compileNameMatcher(DEFAULT_SENSITIVE_QUERY_PARAMS, OWNER, 'redact.queryParams', { ignoreCase: true })!;
    const extraParams = compileNameMatcher(options.queryParams ?? [], OWNER, 'redact.queryParams', { ignoreCase: true });
    this.isSensitiveParam = function isSensitiveParam(name) {
      return defaults(name) || isSecretKey(name) || (extraParams !== undefined && extraParams(name));
    };
  }

  private decide(key: string): Decision {
    let decision = this.decisions.get(key);
    if (decision !== undefined) return decision;
    if ((this.keep !== undefined && this.keep(key)) || (this.exempt !== undefined && this.exempt(key))) decision = EXEMPT;
    else if (this.extraKeys !== undefined && this.extraKeys(key)) decision = SECRET;
    else if (!MAYBE_SENSITIVE.test(key)) decision = PLAIN;
    else decision = isSecretKey(key) ? SECRET : urlKind(key);
    if (this.decisions.size < MAX_CACHED_KEYS) this.decisions.set(key, decision);
    return decision;
  }

  /** The value to store under `key`: itself, or a copy with what must not leave replaced by `REDACTED`. */
  tagValue(key: string, value: TagValue): TagValue {
    // Kept small enough to inline into setTag. The usual key is plain and was seen before: a slot chosen by its
    // length remembers the last plain key of that length, so a span's usual keys (literals, the same string
    // objects every time) cost a comparison; others cost a map lookup.
    if (this.plainValues) {
      const slot = key.length & PLAIN_SLOT_MASK;
      if (this.plainSlots[slot] === key) return value;
      if (this.decisions.get(key) === PLAIN) {
        this.plainSlots[slot] = key;
        return value;
      }
    }
    return this.redactTagValue(key, value);
  }

  private redactTagValue(key: string, value: TagValue): TagValue {
    const decision = this.decide(key);
    if (decision === PLAIN) return this.valuePattern === undefined ? value : this.byPattern(value);
    if (decision === EXEMPT || value === undefined || value === null) return value;
    if (decision === SECRET) return Array.isArray(value) ? value.map(redacted) : REDACTED;
    const url = decision === URL_VALUE ? this.urlText : this.queryText;
    const out = typeof value === 'string' ? url(value) : Array.isArray(value) ? mapStrings(value, url) : value;
    return this.valuePattern === undefined ? out : this.byPattern(out);
  }

  /** A log message or status message: redacted whole when it matches a value pattern. */
  text(value: string): string {
    return this.valuePattern !== undefined && this.valuePattern(value) ? REDACTED : value;
  }

  /** `fields` (log fields, link tags), or a copy of it with the values of secret keys redacted. Never written to. */
  fields<T extends Readonly<Record<string, unknown>>>(fields: T): T {
    return this.fieldsAt(fields, 0);
  }

  private fieldsAt<T extends Readonly<Record<string, unknown>>>(fields: T, depth: number): T {
    let out: Record<string, unknown> | undefined;
    for (const key in fields) {
      const value = fields[key];
      const next = this.fieldValue(key, value, depth);
      if (next === value) continue;
      out ??= { ...fields };
      setOwnProperty(out, key, next);
    }
    return (out ?? fields) as T;
  }

  // Exporters write an object field as its JSON, so an object's own keys follow the same rules, however deep (to
  // MAX_DEPTH), in arrays too. An object with its own toJSON is left as it is: what it writes cannot be known.
  private fieldValue(key: string, value: unknown, depth: number): unknown {
    if (value === null || typeof value !== 'object') return this.tagValue(key, value as TagValue);
    const decision = this.decide(key);
    if (decision === EXEMPT) return value;
    if (decision === SECRET || depth >= MAX_DEPTH) return REDACTED;
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        const next = item !== null && typeof item === 'object' ? this.fieldValue(key, item, depth + 1) : this.tagValue(key, item as TagValue);
        if (next === item) continue;
        out ??= value.slice();
        out[i] = next;
      }
      return out ?? value;
    }
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
    return this.fieldsAt(value as Record<string, unknown>, depth + 1);
  }

  private readonly urlText = (value: string): string => {
    // Most URLs carry neither user info nor a query: three scans and no copy.
    if (value.indexOf('?') === -1 && value.indexOf('#') === -1 && value.indexOf('@') === -1) return value;
    return redactUrlText(value, this.isSensitiveParam);
  };

  private readonly queryText = (value: string): string => redactQueryString(value, this.isSensitiveParam);

  private byPattern(value: TagValue): TagValue {
    const matches = this.valuePattern!;
    if (typeof value === 'string') return matches(value) ? REDACTED : value;
    if (Array.isArray(value)) return mapStrings(value, (item) => (matches(item) ? REDACTED : item));
    return value;
  }
}

function redacted(): string {
  return REDACTED;
}

function mapStrings(value: ReadonlyArray<string | number | boolean>, change: (item: string) => string): ReadonlyArray<string | number | boolean> {
  let out: (string | number | boolean)[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    if (typeof item !== 'string') continue;
    const next = change(item);
    if (next === item) continue;
    out ??= value.slice();
    out[i] = next;
  }
  return out ?? value;
}

/** The rules with nothing added: what a span made without a tracer uses. */
export const DEFAULT_REDACTOR = new Redactor();
