import type { EventEmitter } from 'node:events';
import type { Span } from '../types.js';

const BOUND_SPAN = Symbol('audit-tracing.boundSpan');
const ORIGINAL_EMIT = Symbol('audit-tracing.originalEmit');

/** An emitter after `bindEmit`: the span its events run in, and its own `emit`. */
export interface BoundEmitter {
  [BOUND_SPAN]: Span | undefined;
  [ORIGINAL_EMIT]: (...args: unknown[]) => boolean;
}

/** Runs the emitter's original `emit` with its bound span active: `run(span, original, emitter, args)`. */
export type EmitRunner = (span: Span | undefined, original: (...args: unknown[]) => boolean, emitter: BoundEmitter, args: unknown[]) => boolean;

/**
 * Makes every event of `emitter` run its listeners with `span` active. Wraps the one `emit` method, through a
 * function shared by every emitter, instead of wrapping each listener: binding costs two property writes, no
 * closure, and `removeListener` needs no bookkeeping. Binding again only changes the span.
 */
export function bindEmit<E extends EventEmitter>(emitter: E, span: Span | undefined, emitInContext: (this: BoundEmitter, ...args: unknown[]) => boolean): E {
  const target = emitter as unknown as BoundEmitter & { emit: unknown };
  if (target[ORIGINAL_EMIT] === undefined) {
    target[ORIGINAL_EMIT] = emitter.emit as BoundEmitter[typeof ORIGINAL_EMIT];
    target.emit = emitInContext;
  }
  target[BOUND_SPAN] = span;
  return emitter;
}

/** The shared `emit` replacement for a context manager, given how it runs a function in a span. */
export function createEmitInContext(run: EmitRunner): (this: BoundEmitter, ...args: unknown[]) => boolean {
  return function emitInContext(this: BoundEmitter, ...args: unknown[]): boolean {
    return run(this[BOUND_SPAN], this[ORIGINAL_EMIT], this, args);
  };
}

const PROTOTYPE_BOUND = Symbol('audit-tracing.prototypeBound');

/**
 * The per-prototype form of `bindEmitter`, for frameworks that give each app its own request and response
 * prototypes (Express's `app.request`/`app.response`): every instance's events run with the span `spanOf(instance)`
 * returns, and instances with none emit as before. Costs nothing per request; adding properties to each request
 * is what costs, on objects whose prototype was swapped. Patching the same prototype twice is a no-op.
 */
export function bindEmitterPrototype(prototype: object, spanOf: (emitter: object) => Span | undefined, run: <T>(span: Span, fn: () => T) => T): void {
  const target = prototype as { emit?: (...args: unknown[]) => boolean; [PROTOTYPE_BOUND]?: true };
  if (Object.prototype.hasOwnProperty.call(target, PROTOTYPE_BOUND) || typeof target.emit !== 'function') return;
  const original = target.emit;
  Object.defineProperty(target, PROTOTYPE_BOUND, { value: true });
  Object.defineProperty(target, 'emit', {
    configurable: true,
    writable: true,
    value: function emitInRequestSpan(this: object, ...args: unknown[]): boolean {
      const span = spanOf(this);
      return span === undefined ? original.apply(this, args) : run(span, () => original.apply(this, args));
    },
  });
}
