import { rawHeaderPairs } from './carriers.js';

// Header lines written by `tracingInterceptor`, counted while their request is in flight. When the
// diagnostics channels see a request carrying one, the interceptor already traces it: one request, one span.
// Keyed on the exact `name: value` we wrote, so a caller's own header is never mistaken for ours.
const written = new Map<string, number>();

function key(name: string, value: string): string {
  return `${name.toLowerCase()}: ${value}`;
}

/** Records the headers the interceptor injected; returns the function that forgets them. */
export function rememberInjected(headers: Readonly<Record<string, string>>): () => void {
  const keys = Object.keys(headers).map((name) => key(name, headers[name]!));
  for (const k of keys) written.set(k, (written.get(k) ?? 0) + 1);
  return function forgetInjected() {
    for (const k of keys) {
      const count = (written.get(k) ?? 1) - 1;
      if (count <= 0) written.delete(k);
      else written.set(k, count);
    }
  };
}

/** True when raw request headers carry a line the interceptor wrote. */
export function carriesInjected(headers: unknown): boolean {
  if (written.size === 0) return false;
  for (const [name, value] of rawHeaderPairs(headers)) if (written.has(`${name}: ${value}`)) return true;
  return false;
}
