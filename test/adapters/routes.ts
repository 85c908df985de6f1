// What every test route does, whatever the framework: drivers only wire these to their router, so each
// framework is held to exactly the same behaviour.
import { stat } from 'node:fs';
import { Readable } from 'node:stream';
import { getActiveSpan, type Span, type Tracer } from '@audit-tracing/core';

/** What a handler sees of its request's span through the framework: `req.span`, `ctx.state.span`, `request.span`. */
export interface RequestView {
  span: Span | undefined;
  traceId: string | undefined;
}

export interface RequestReport {
  /** `getActiveSpan()` in the handler. */
  active: string | undefined;
  activeSpanId: string | undefined;
  /** `req.traceId` / `ctx.traceId` / `request.traceId`. */
  traceId: string | undefined;
  /** `req.span` / `ctx.state.span` / `request.span`. */
  spanId: string | undefined;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function activeTraceId(): string | undefined {
  return getActiveSpan()?.traceId;
}

export function describeRequest(view: RequestView): RequestReport {
  const active = getActiveSpan();
  return { active: active?.traceId, activeSpanId: active?.spanId, traceId: view.traceId, spanId: view.span?.spanId };
}

/** The active trace id after each kind of asynchronous hop a handler makes. */
export async function probeContext(view: RequestView): Promise<RequestReport & { seen: Record<string, string | undefined> }> {
  const seen: Record<string, string | undefined> = { sync: activeTraceId() };
  await delay(2);
  seen.await = activeTraceId();
  seen.setTimeout = await new Promise((resolve) => setTimeout(() => resolve(activeTraceId()), 1));
  seen.setImmediate = await new Promise((resolve) => setImmediate(() => resolve(activeTraceId())));
  seen.nextTick = await new Promise((resolve) => process.nextTick(() => resolve(activeTraceId())));
  seen.promiseChain = await Promise.resolve()
    .then(() => delay(1))
    .then(() => activeTraceId());
  seen.callback = await new Promise((resolve) => stat(__filename, () => resolve(activeTraceId())));
  return { ...describeRequest(view), seen };
}

/** A handler of the concurrency test: waits, then starts a child span and writes a log line on its span. */
export async function probeConcurrent(tracer: Tracer, view: RequestView, index: number, ms: number) {
  await delay(ms);
  const afterDelay = activeTraceId();
  const child = tracer.startSpan(`child ${index}`);
  await delay(1);
  child.finish();
  getActiveSpan()?.log('info', `handled ${index}`, { traceId: activeTraceId() });
  return { ...describeRequest(view), afterDelay, child: { traceId: child.traceId, parentSpanId: child.parentSpanId } };
}

/** A streamed response body: three chunks, 20 ms apart. */
export function chunkedBody(): Readable {
  return Readable.from(
    (async function* chunks() {
      for (const chunk of ['one\n', 'two\n', 'three\n']) {
        await delay(20);
        yield chunk;
      }
    })(),
  );
}

/** Reads a request body through its events, noting the active trace id when data and end arrive. */
export function readBody(stream: NodeJS.ReadableStream): Promise<{ text: string; bytes: number; activeAtData: string | undefined; activeAtEnd: string | undefined }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let activeAtData: string | undefined;
    stream.on('data', (chunk: Buffer) => {
      activeAtData ??= activeTraceId();
      chunks.push(Buffer.from(chunk));
    });
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      resolve({ text: body.toString('utf8'), bytes: body.length, activeAtData, activeAtEnd: activeTraceId() });
    });
    stream.on('error', reject);
  });
}

export function serverError(): Error {
  return new TypeError('boom');
}

/** A thrown error asking for 400, as http-errors, Koa's ctx.throw and Fastify errors carry it. */
export function clientError(): Error {
  return Object.assign(new Error('bad input'), { status: 400, statusCode: 400, expose: true });
}
