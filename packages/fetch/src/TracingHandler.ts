import type { Dispatcher } from 'undici';
import type { Duplex } from 'node:stream';
import type { ClientSpan } from './ClientSpan.js';

type Controller = Dispatcher.DispatchController;
type ResponseHeaders = Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>[2];

/**
 * Wraps the handler of one dispatch (undici 7 handler API) so the client span follows the response: status on
 * the head, end when the body has been delivered, failure on error. The span is closed before the wrapped
 * handler hears of the outcome, so a caller awaiting the body sees a finished span.
 */
export class TracingHandler implements Dispatcher.DispatchHandler {
  constructor(
    private readonly clientSpan: ClientSpan,
    private readonly handler: Dispatcher.DispatchHandler,
  ) {}

  onRequestStart(controller: Controller, context: unknown): void {
    this.handler.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(controller: Controller, statusCode: number, headers: ResponseHeaders, socket: Duplex): void {
    this.clientSpan.response(statusCode);
    this.clientSpan.end();
    this.handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(controller: Controller, statusCode: number, headers: ResponseHeaders, statusMessage?: string): void {
    this.clientSpan.response(statusCode);
    this.handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    this.handler.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Controller, trailers: ResponseHeaders): void {
    this.clientSpan.end();
    this.handler.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Controller, error: Error): void {
    this.clientSpan.fail(error);
    this.handler.onResponseError?.(controller, error);
  }
}
