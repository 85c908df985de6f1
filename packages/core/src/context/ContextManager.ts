import type { EventEmitter } from 'node:events';
import type { Span } from '../types.js';

/**
 * Keeps the active span across asynchronous work. The value stored is the span itself (or the marker
 * that suppresses tracing), so entering a context allocates nothing of ours.
 */
export interface ContextManager {
  /** The span active in the current asynchronous flow, if any. */
  active(): Span | undefined;
  /** Runs `fn` with `span` active (`undefined` clears it), returning what `fn` returns. */
  with<T>(span: Span | undefined, fn: () => T): T;
  /** A function that always runs with `span` (default: the span active now) active. */
  bind<F extends (...args: never[]) => unknown>(fn: F, span?: Span): F;
  /**
   * Makes the listeners of `emitter` run with `span` (default: the span active now) active whenever it emits,
   * whoever emits: how a request's body parser keeps the request's span. Binding again changes the span.
   */
  bindEmitter<E extends EventEmitter>(emitter: E, span?: Span): E;
  /** Runs `fn` with tracing suppressed: nothing started inside it is traced (used by our exporters). */
  suppress<T>(fn: () => T): T;
  /** True inside `suppress`. */
  isSuppressed(): boolean;
}
