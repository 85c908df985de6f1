import type { Duplex } from 'node:stream';
import type { ClientSpan } from './ClientSpan.js';
import type { DispatchController as Controller, DispatchHandler, ResponseHeaders } from './dispatch.js';

/** Callbacks undici still calls on a handler besides the documented ones (fetch's timing info uses the first). */
interface ExtraCallbacks {
  onResponseStarted?(): void;
  onBodySent?(chunk: unknown, totalBytesSent?: number): void;
  onRequestSent?(): void;
}

/**
 * Wraps the handler of one dispatch (undici 7 handler API) so the client span follows the response: status on
 * the head, end when the body has been delivered, failure on error. The span is closed before the wrapped
 * handler hears of the outcome, so a caller awaiting the body sees a finished span. Every callback it does not
 * handle is forwarded unchanged, as undici's own `DecoratorHandler` does, so that what the wrapped handler
 * measures (fetch's response-start time, upload progress) still reaches it.
 */
export class TracingHandler implements DispatchHandler, ExtraCallbacks {
  constructor(
    private readonly clientSpan: ClientSpan,
    private readonly handler: DispatchHandler,
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

  onResponseStarted(): void {
    (this.handler as ExtraCallbacks).onResponseStarted?.();
  }

  onBodySent(chunk: unknown, totalBytesSent?: number): void {
    (this.handler as ExtraCallbacks).onBodySent?.(chunk, totalBytesSent);
  }

  onRequestSent(): void {
    (this.handler as ExtraCallbacks).onRequestSent?.();
  }
}
