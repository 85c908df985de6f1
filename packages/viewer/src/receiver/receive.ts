import type { IncomingMessage, ServerResponse } from 'node:http';
import { fromZipkinSpan, readSpans, type ReadableSpan } from '@audit-tracing/core';
import type { SpanStore } from '../SpanStore.js';
import { BodyError, readBody } from './readBody.js';
import { bodyFormatOf, CONTENT_TYPE, encodeExportResponse, encodeStatus, RPC_INVALID_ARGUMENT, RPC_RESOURCE_EXHAUSTED, type BodyFormat } from './otlpStatus.js';

/** What the receiver counts, for `/api/stats`. */
export interface ReceiverStats {
  requests: number;
  spansReceived: number;
  /** Requests refused, by HTTP status. */
  refused: Record<string, number>;
}

export function newReceiverStats(): ReceiverStats {
  return { requests: 0, spansReceived: 0, refused: {} };
}

function send(res: ServerResponse, status: number, type: string, body: Buffer | string, close = false): void {
  if (res.headersSent) return;
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  // A body we stopped reading is not drained: the connection goes, and the rest with it.
  if (close) res.setHeader('Connection', 'close');
  res.end(body);
}

function refuse(stats: ReceiverStats, status: number): void {
  stats.refused[status] = (stats.refused[status] ?? 0) + 1;
}

function rpcCodeOf(status: number): number {
  return status === 413 ? RPC_RESOURCE_EXHAUSTED : RPC_INVALID_ARGUMENT;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : 'the body could not be read';
}

/**
 * POST /v1/traces: an OTLP/HTTP ExportTraceServiceRequest in protobuf or JSON, maybe gzipped. Answers in the
 * request's format: 200 with an empty ExportTraceServiceResponse, 400 (malformed), 413 (too large) or 415
 * (another type or encoding) with a google.rpc.Status. https://opentelemetry.io/docs/specs/otlp/#otlphttp
 */
export async function receiveOtlp(req: IncomingMessage, res: ServerResponse, store: SpanStore, limit: number, stats: ReceiverStats): Promise<void> {
  stats.requests++;
  const format = bodyFormatOf(req.headers['content-type']);
  if (format === undefined) {
    refuse(stats, 415);
    send(res, 415, CONTENT_TYPE.json, encodeStatus('json', RPC_INVALID_ARGUMENT, 'Content-Type must be application/x-protobuf or application/json'), true);
    return;
  }
  let spans: ReadableSpan[];
  try {
    const body = await readBody(req, limit);
    spans = readSpans(body, { format: format === 'json' ? 'otlp-json' : 'otlp-protobuf' });
  } catch (error) {
    const status = error instanceof BodyError ? error.status : 400;
    refuse(stats, status);
    send(res, status, CONTENT_TYPE[format], encodeStatus(format, rpcCodeOf(status), messageOf(error)), error instanceof BodyError);
    return;
  }
  stats.spansReceived += spans.length;
  store.add(spans);
  send(res, 200, CONTENT_TYPE[format], encodeExportResponse(format));
}

/** POST /api/v2/spans: a Zipkin v2 JSON list of spans, maybe gzipped. 202 when taken, as Zipkin answers. */
export async function receiveZipkin(req: IncomingMessage, res: ServerResponse, store: SpanStore, limit: number, stats: ReceiverStats): Promise<void> {
  stats.requests++;
  const format: BodyFormat | undefined = bodyFormatOf(req.headers['content-type']);
  if (format !== 'json') {
    refuse(stats, 415);
    send(res, 415, 'text/plain; charset=utf-8', 'Content-Type must be application/json (Zipkin v2 JSON)', true);
    return;
  }
  let spans: ReadableSpan[];
  try {
    const body = await readBody(req, limit);
    let list: unknown;
    try {
      list = JSON.parse(body.toString('utf8'));
    } catch {
      throw new Error('body is not valid JSON');
    }
    if (!Array.isArray(list)) throw new Error('body must be a JSON list of Zipkin v2 spans');
    spans = list.map(fromZipkinSpan);
  } catch (error) {
    const status = error instanceof BodyError ? error.status : 400;
    refuse(stats, status);
    send(res, status, 'text/plain; charset=utf-8', messageOf(error), error instanceof BodyError);
    return;
  }
  stats.spansReceived += spans.length;
  store.add(spans);
  res.statusCode = 202;
  res.end();
}
