import type { EventEmitter } from 'node:events';

type Listener = (...args: unknown[]) => unknown;
type Wrap = (listener: Listener) => Listener;

const ADD_METHODS = ['addListener', 'on', 'once', 'prependListener', 'prependOnceListener'] as const;
const BOUND = Symbol('audit-tracing.boundListeners');

interface PatchedEmitter {
  [BOUND]?: WeakMap<Listener, Map<string | symbol, Listener>>;
}

/**
 * Wraps every listener added to `emitter` with `wrap`, and keeps `removeListener`/`off` working on the
 * original function. The same technique OpenTelemetry's context managers use.
 */
export function patchEmitter<E extends EventEmitter>(emitter: E, wrap: Wrap): E {
  const target = emitter as E & PatchedEmitter;
  if (target[BOUND]) return emitter; // already bound once: the first binding wins
  const bound = new WeakMap<Listener, Map<string | symbol, Listener>>();
  target[BOUND] = bound;

  for (const method of ADD_METHODS) {
    const original = emitter[method] as (event: string | symbol, listener: Listener) => E;
    if (typeof original !== 'function') continue;
    (emitter as unknown as Record<string, unknown>)[method] = function addBoundListener(this: E, event: string | symbol, listener: Listener) {
      let byEvent = bound.get(listener);
      if (!byEvent) bound.set(listener, (byEvent = new Map()));
      let wrapped = byEvent.get(event);
      if (!wrapped) {
        wrapped = wrap(listener);
        byEvent.set(event, wrapped);
      }
      return original.call(this, event, wrapped);
    };
  }

  const originalRemove = emitter.removeListener;
  const removeBoundListener = function removeBoundListener(this: E, event: string | symbol, listener: Listener) {
    const wrapped = bound.get(listener)?.get(event);
    return originalRemove.call(this, event, wrapped ?? listener);
  };
  const methods = emitter as unknown as Record<'removeListener' | 'off', unknown>;
  methods.removeListener = removeBoundListener;
  methods.off = removeBoundListener;
  return emitter;
}
