import { invalidOption } from './invalidOption.js';

/** What options that select names take: exact strings and regular expressions. */
export type NamePattern = string | RegExp;

/** A test of one name against a list of exact names and patterns. */
export type NameMatcher = (name: string) => boolean;

// `RegExp#test` on a pattern with `g` or `y` moves `lastIndex`, so the same name matches, then does not: with
// `/password/g` every second sensitive value went out in clear. A copy without those flags has no state. A
// sticky pattern matches only at the start of the name, so its copy is anchored there: dropping `y` alone would
// widen `/internal/y` to every host that merely contains "internal".
function stateless(pattern: RegExp): RegExp {
  if (!pattern.global && !pattern.sticky) return pattern;
  const flags = pattern.flags.replace(/[gy]/g, '');
  return pattern.sticky ? new RegExp(`^(?:${pattern.source})`, flags.replace('m', '')) : new RegExp(pattern.source, flags);
}

export interface NameMatcherOptions {
  /** Compare exact names without regard to case (host names, header names); patterns keep their own flags. */
  ignoreCase?: boolean;
}

/**
 * The one matcher of the project: every option that takes names or patterns (`ignore`, `propagateTo`,
 * `sensitiveTags`, redaction rules) compiles through it. Throws the option error for an entry that is neither a
 * non-empty string nor a RegExp; returns undefined for an empty list, so callers can skip the test entirely.
 */
export function compileNameMatcher(
  entries: readonly unknown[],
  owner: string,
  option: string,
  options: NameMatcherOptions = {},
): NameMatcher | undefined {
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const entry of entries) {
    if (typeof entry === 'string' && entry !== '') exact.add(options.ignoreCase ? entry.toLowerCase() : entry);
    else if (entry instanceof RegExp) patterns.push(stateless(entry));
    else throw invalidOption(owner, option, 'an array of names (non-empty strings) and RegExps', entry);
  }
  if (exact.size === 0 && patterns.length === 0) return undefined;
  const ignoreCase = options.ignoreCase === true;
  if (patterns.length === 0) {
    return function matchesName(name) {
      return exact.has(ignoreCase ? name.toLowerCase() : name);
    };
  }
  return function matchesNameOrPattern(name) {
    if (exact.has(ignoreCase ? name.toLowerCase() : name)) return true;
    for (const pattern of patterns) if (pattern.test(name)) return true;
    return false;
  };
}
