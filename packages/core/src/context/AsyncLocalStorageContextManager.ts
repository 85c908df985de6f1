import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventEmitter } from 'node:events';
import type { Span } from '../types.js';
import { bindEmit, createEmitInContext } from './bindEmitter.js';
import type { ContextManager } from './ContextManager.js';

// Stored in place of a span while our own exporters run.
const SUPPRESSED = Symbol('audit-tracing.suppressed');
type Store = Span | typeof SUPPRESSED | undefined;

/**
 * The default context manager. Contexts are entered with `run`, never `enterWith`: `enterWith` would keep a
 * request's span reachable from whatever async resource happens to follow it, long after the request ended.
 */
export class AsyncLocalStorageContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Store>();
  // Reflect.apply as the callback: ALS passes the arguments on, so emitting allocates no closure.
  private readonly emitInContext = createEmitInContext((span, original, emitter, args) =>
    this.storage.run(span, Reflect.apply as (fn: typeof original, self: unknown, args: unknown[]) => boolean, original, emitter, args),
  );

  active(): Span | undefined {
    const store = this.storage.getStore();
    return store === SUPPRESSED ? undefined : store;
  }

  with<T>(span: Span | undefined, fn: () => T): T {
    return this.storage.run(span, fn);
  }

  bind<F extends (...args: never[]) => unknown>(fn: F, span?: Span): F {
    const target = span ?? this.storage.getStore();
    const storage = this.storage;
    const bound = function boundToSpan(this: unknown, ...args: unknown[]) {
      return storage.run(target, () => (fn as unknown as (...a: unknown[]) => unknown).apply(this, args));
    };
    return bound as unknown as F;
  }

  bindEmitter<E extends EventEmitter>(emitter: E, span?: Span): E {
    return bindEmit(emitter, span ?? this.active(), this.emitInContext);
  }

  suppress<T>(fn: () => T): T {
    return this.storage.run(SUPPRESSED, fn);
  }

  isSuppressed(): boolean {
    return this.storage.getStore() === SUPPRESSED;
  }
}
