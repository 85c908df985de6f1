// One error for every wrong option, at set-up, in every package: undici's `InvalidArgumentError` is the model.
// The message is `<owner>.<option>: expected …, got …` and never holds a secret.

/** The `code` of every TypeError thrown for an invalid option. Stable: match on it, not on the message. */
export const ERR_INVALID_OPTION = 'AUDIT_TRACING_ERR_INVALID_OPTION';

/** The TypeError thrown for an invalid option. */
export interface InvalidOptionError extends TypeError {
  readonly code: typeof ERR_INVALID_OPTION;
}

// Long strings are cut: a message is for a person, and a pasted body or token does not belong in it.
const MAX_SHOWN = 80;

/** How a wrong value is shown in a message: its kind, and its text only for short strings, numbers and booleans. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return value.length > MAX_SHOWN ? `a string of ${value.length} characters` : JSON.stringify(value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    case 'object':
      return value instanceof RegExp ? String(value) : 'an object';
    default:
      return typeof value;
  }
}

function coded(message: string): InvalidOptionError {
  const error = new TypeError(message) as TypeError & { code: string };
  error.code = ERR_INVALID_OPTION;
  return error as InvalidOptionError;
}

/** How a secret is shown in a message: by its type alone. */
export function secretValue(value: unknown): string {
  return value === null || value === undefined ? String(value) : `a ${typeof value} (value not shown)`;
}

/**
 * The error for `owner.option` (`tracing.sampleRate`, `auditTracing.ignore`, `instrumentFetch.propagateTo`).
 * `shown` replaces the value in the message: pass `secretValue(value)` for a credential or key.
 */
export function invalidOption(owner: string, option: string, expected: string, got: unknown, shown?: string): InvalidOptionError {
  return coded(`${owner}${option === '' ? '' : `.${option}`}: expected ${expected}, got ${shown ?? describeValue(got)}`);
}

/** The error for an option name the owner does not know (a typo, most often). */
export function unknownOption(owner: string, option: string, known: Iterable<string>): InvalidOptionError {
  return coded(`${owner}.${option}: unknown option (known: ${[...known].join(', ')})`);
}
