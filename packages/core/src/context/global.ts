import type { EventEmitter } from 'node:events';
import { coreState } from '../globalState.js';
import type { Span } from '../types.js';
import { AsyncLocalStorageContextManager } from './AsyncLocalStorageContextManager.js';
import { bindEmitterPrototype as bindPrototype } from './bindEmitter.js';
import type { ContextManager } from './ContextManager.js';

// Context is process-wide, as in OpenTelemetry: every tracer and adapter must see the same active span, even
// those of another copy of core (globalState.ts).
coreState.contextManager ??= new AsyncLocalStorageContextManager();

/** Replace the process-wide context manager (for instance with a `ClsHookedContextManager`). */
export function setContextManager(next: ContextManager): void {
  coreState.contextManager = next;
}

export function getContextManager(): ContextManager {
  return coreState.contextManager as ContextManager;
}

/** The span active in the current asynchronous flow, if any. */
export function getActiveSpan(): Span | undefined {
  return getContextManager().active();
}

/** Runs `fn` with `span` active. */
export function withSpan<T>(span: Span | undefined, fn: () => T): T {
  return getContextManager().with(span, fn);
}

/** A function that always runs with `span` (default: the span active now) active. */
export function bind<F extends (...args: never[]) => unknown>(fn: F, span?: Span): F {
  return getContextManager().bind(fn, span);
}

/** Makes listeners added to `emitter` run with `span` (default: the span active now) active. */
export function bindEmitter<E extends EventEmitter>(emitter: E, span?: Span): E {
  return getContextManager().bindEmitter(emitter, span);
}

/** Runs `fn` with tracing suppressed. Our exporters send through this, so they never trace themselves. */
export function suppressTracing<T>(fn: () => T): T {
  return getContextManager().suppress(fn);
}

export function isTracingSuppressed(): boolean {
  return getContextManager().isSuppressed();
}

/**
 * Makes the events of every instance of `prototype` run with the span `spanOf(instance)` returns (the
 * per-prototype `bindEmitter`, for frameworks with per-app request prototypes such as Express).
 */
export function bindEmitterPrototype(prototype: object, spanOf: (emitter: object) => Span | undefined): void {
  bindPrototype(prototype, spanOf, (span, fn) => getContextManager().with(span, fn));
}
