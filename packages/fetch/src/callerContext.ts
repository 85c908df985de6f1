import { AsyncResource } from 'node:async_hooks';

// The description undici gives the symbol under which a Request keeps its dispatch handler (5, 6 and 7).
const HANDLER_SYMBOL_DESCRIPTION = 'handler';

/**
 * Runs `fn` in the async context of the code that made `request`.
 *
 * undici publishes `undici:request:create` synchronously inside `dispatch`, which for a direct dispatch is the
 * caller's own context. But a `Pool` at its `connections` limit queues the dispatch and creates the request
 * later, when a connection frees up: in the context of whichever request freed it, so the span would get a
 * stranger's parent. undici's `request`/`stream`/`pipeline` APIs dispatch with a handler that is an
 * `AsyncResource` bound to the caller (that is how undici calls back in the right context); when the request
 * holds one, the context is read through it. fetch's handler is a plain object: for fetch through a limited
 * pool, compose `tracingInterceptor()` onto that pool, which runs at dispatch time.
 */
export function inCallerContext<T>(request: object, fn: () => T): T {
  for (const symbol of Object.getOwnPropertySymbols(request)) {
    if (symbol.description !== HANDLER_SYMBOL_DESCRIPTION) continue;
    const handler = (request as Record<symbol, unknown>)[symbol];
    if (handler instanceof AsyncResource) return handler.runInAsyncScope(fn);
    break;
  }
  return fn();
}
