import type { Duplex } from 'node:stream';

// The few undici types the public API names, declared here by shape so that an app using only fetch
// type-checks without undici installed. Each is a supertype of undici 7's own (`Dispatcher.*` in
// undici/types/dispatcher.d.ts), so `agent.compose(tracingInterceptor())` still type-checks where undici is.

/** The options of one dispatch, as far as the interceptor reads them (undici's `Dispatcher.DispatchOptions`). */
export interface DispatchOptions {
  origin?: string | URL;
  path: string;
  method: string;
  headers?: RequestHeaders;
}

/** Request headers in every form undici accepts (its `UndiciHeaders`). */
export type RequestHeaders =
  | Record<string, string | string[] | undefined>
  | string[]
  | Iterable<[string, string | string[] | undefined]>
  | null;

/** Response headers as undici hands them to a handler. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** undici's `Dispatcher.DispatchController`: what a handler may do with the request in flight. */
export interface DispatchController {
  readonly aborted: boolean;
  readonly paused: boolean;
  readonly reason: Error | null;
  abort(reason: Error): void;
  pause(): void;
  resume(): void;
}

/** undici 7's handler API (`Dispatcher.DispatchHandler`). */
export interface DispatchHandler {
  onRequestStart?(controller: DispatchController, context: unknown): void;
  onRequestUpgrade?(controller: DispatchController, statusCode: number, headers: ResponseHeaders, socket: Duplex): void;
  onResponseStart?(controller: DispatchController, statusCode: number, headers: ResponseHeaders, statusMessage?: string): void;
  onResponseData?(controller: DispatchController, chunk: Buffer): void;
  onResponseEnd?(controller: DispatchController, trailers: ResponseHeaders): void;
  onResponseError?(controller: DispatchController, error: Error): void;
}

/** undici's `Dispatcher.Dispatch`; a method signature, as undici's is, so handlers compare by shape. */
export type Dispatch = { dispatch(options: DispatchOptions, handler: DispatchHandler): boolean }['dispatch'];

/** undici's `Dispatcher.DispatcherComposeInterceptor`: what `Dispatcher.compose()` takes. */
export type DispatchInterceptor = (dispatch: Dispatch) => Dispatch;
