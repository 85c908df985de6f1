/**
 * A number from the environment, or `fallback`; anything that is not a number > 0 (>= 0 with `allowZero`) stops
 * the benchmark with a plain message.
 */
export function numberFromEnv(name, fallback, { allowZero = false } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!(value > 0 || (allowZero && value === 0))) {
    throw new TypeError(`${name}: expected a number ${allowZero ? '>= 0' : '> 0'}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** A comma-separated subset of `known` from the environment, kept in `known`'s order; all of `known` when unset. */
export function listFromEnv(name, known) {
  const raw = process.env[name];
  if (!raw) return known;
  const wanted = raw.split(',').map((item) => item.trim()).filter(Boolean);
  const unknown = wanted.filter((item) => !known.includes(item));
  if (unknown.length) throw new TypeError(`${name}: unknown ${unknown.join(', ')}; expected some of ${known.join(', ')}`);
  return known.filter((item) => wanted.includes(item));
}
