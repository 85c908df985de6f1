import { invalidOption } from '../invalidOption.js';
import type { EventEmitter } from 'node:events';
import type { Span } from '../types.js';
import { bindEmit, createEmitInContext } from './bindEmitter.js';
import type { ContextManager } from './ContextManager.js';

// The subset of cls-hooked's Namespace we use.
interface Namespace {
  active: object | null;
  get(key: string): unknown;
  set(key: string, value: unknown): unknown;
  runAndReturn<T>(fn: () => T): T;
}
interface ClsHooked {
  getNamespace(name: string): Namespace | undefined;
  createNamespace(name: string): Namespace;
}

const SPAN_KEY = 'audit-tracing.span';
const SUPPRESS_KEY = 'audit-tracing.suppressed';

export interface ClsHookedContextManagerOptions {
  /** The cls-hooked namespace to keep spans in; created when it does not exist. Default `audit-tracing`. */
  namespace?: string;
}

function loadClsHooked(): ClsHooked {
  try {
    return require('cls-hooked') as ClsHooked;
  } catch {
    throw invalidOption('ClsHookedContextManager', '', 'the cls-hooked package installed (npm install cls-hooked)', undefined, 'none');
  }
}

/**
 * Keeps the active span in a cls-hooked namespace, for apps that already keep their own request state there:
 * both then share one propagation mechanism. AsyncLocalStorage is faster; prefer it otherwise.
 */
export class ClsHookedContextManager implements ContextManager {
  readonly namespace: Namespace;
  private readonly emitInContext = createEmitInContext((span, original, emitter, args) => this.with(span, () => original.apply(emitter, args)));

  constructor(options: ClsHookedContextManagerOptions = {}) {
    const name = options.namespace ?? 'audit-tracing';
    if (typeof name !== 'string' || name === '') {
      throw invalidOption('ClsHookedContextManager', 'namespace', 'a non-empty string', name);
    }
    const cls = loadClsHooked();
    this.namespace = cls.getNamespace(name) ?? cls.createNamespace(name);
  }

  active(): Span | undefined {
    if (!this.namespace.active || this.namespace.get(SUPPRESS_KEY)) return undefined;
    return this.namespace.get(SPAN_KEY) as Span | undefined;
  }

  with<T>(span: Span | undefined, fn: () => T): T {
    return this.namespace.runAndReturn(() => {
      this.namespace.set(SPAN_KEY, span);
      this.namespace.set(SUPPRESS_KEY, false);
      return fn();
    });
  }

  bind<F extends (...args: never[]) => unknown>(fn: F, span?: Span): F {
    const target = span ?? this.active();
    const manager = this;
    const bound = function boundToSpan(this: unknown, ...args: unknown[]) {
      return manager.with(target, () => (fn as unknown as (...a: unknown[]) => unknown).apply(this, args));
    };
    return bound as unknown as F;
  }

  bindEmitter<E extends EventEmitter>(emitter: E, span?: Span): E {
    // Not namespace.bindEmitter: it binds each listener to the context active when the listener is added.
    return bindEmit(emitter, span ?? this.active(), this.emitInContext);
  }

  suppress<T>(fn: () => T): T {
    return this.namespace.runAndReturn(() => {
      this.namespace.set(SUPPRESS_KEY, true);
      return fn();
    });
  }

  isSuppressed(): boolean {
    return Boolean(this.namespace.active && this.namespace.get(SUPPRESS_KEY));
  }
}
