// Seeded samples, so that every run of a statistical test sees the same numbers.

/** mulberry32: a small, well-mixed 32-bit PRNG; uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return function next() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Log-normal (Box–Muller): e^(mu + sigma·Z). */
export function logNormal(random: () => number, mu: number, sigma: number): number {
  const u = 1 - random();
  const v = random();
  return Math.exp(mu + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

/** Pareto with minimum `scale` and tail index `alpha` (inverse transform). */
export function pareto(random: () => number, scale: number, alpha: number): number {
  return scale / Math.pow(1 - random(), 1 / alpha);
}
