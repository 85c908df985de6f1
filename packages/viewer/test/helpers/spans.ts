// Span records for viewer tests, built as plain data (what the receiver decodes), plus a sender for the receiver.
import { gzipSync } from 'node:zlib';
import { encodeOtlpJson, encodeOtlpProtobuf, type ReadableSpan, type SpanKind, type SpanStatus, type Tags } from '@audit-tracing/core';

let counter = 0;
const hex = (value: number, length: number) => value.toString(16).padStart(length, '0');

export function nextTraceId(): string {
  counter++;
  return `aa${hex(Date.now() % 0xffffffff, 14)}${hex(counter, 16)}`;
}

export function nextSpanId(): string {
  counter++;
  return `bb${hex(counter, 14)}`;
}

export interface RecordInit {
  traceId: string;
  spanId?: string;
  parentSpanId?: string;
  name: string;
  service: string;
  kind?: SpanKind;
  start: number;
  duration: number;
  status?: SpanStatus;
  tags?: Tags;
  logs?: ReadableSpan['logs'];
  links?: ReadableSpan['links'];
}

/** A finished span record. */
export function record(init: RecordInit): ReadableSpan {
  return {
    traceId: init.traceId,
    spanId: init.spanId ?? nextSpanId(),
    ...(init.parentSpanId === undefined ? {} : { parentSpanId: init.parentSpanId }),
    operationName: init.name,
    component: 'test',
    kind: init.kind ?? 'internal',
    startTime: init.start,
    endTime: init.start + init.duration,
    duration: init.duration,
    tags: init.tags ?? {},
    logs: init.logs ?? [],
    links: init.links ?? [],
    status: init.status ?? { code: 'OK' },
    traceFlags: 1,
    resource: { serviceName: init.service, attributes: { 'service.name': init.service } },
    droppedTagsCount: 0,
    droppedLogsCount: 0,
    droppedLinksCount: 0,
  };
}

/**
 * gateway GET /checkout → client call → inventory GET /stock → (lookup, client call) → pricing GET /prices.
 * With `failPricing` the pricing server span and the calls above it fail.
 */
export function checkoutTrace(start: number, options: { failPricing?: boolean; traceId?: string } = {}): ReadableSpan[] {
  const traceId = options.traceId ?? nextTraceId();
  const err: SpanStatus | undefined = options.failPricing ? { code: 'ERROR', message: 'price service down' } : undefined;
  const gatewayServer = record({ traceId, name: 'GET /checkout/:sku', service: 'gateway', kind: 'server', start, duration: 40, tags: { 'http.route': '/checkout/:sku', 'http.response.status_code': options.failPricing ? 502 : 200 }, status: err });
  const gatewayClient = record({ traceId, parentSpanId: gatewayServer.spanId, name: 'GET', service: 'gateway', kind: 'client', start: start + 2, duration: 35, status: err });
  const inventoryServer = record({ traceId, parentSpanId: gatewayClient.spanId, name: 'GET /stock/:sku', service: 'inventory', kind: 'server', start: start + 3, duration: 33, status: err });
  const lookup = record({ traceId, parentSpanId: inventoryServer.spanId, name: 'stock.lookup', service: 'inventory', start: start + 4, duration: 5, logs: [{ timestamp: start + 5, level: 'info', message: 'cache miss', fields: { sku: 'apple' } }] });
  const inventoryClient = record({ traceId, parentSpanId: inventoryServer.spanId, name: 'GET', service: 'inventory', kind: 'client', start: start + 10, duration: 25, status: err });
  const pricingServer = record({ traceId, parentSpanId: inventoryClient.spanId, name: 'GET /prices/:sku', service: 'pricing', kind: 'server', start: start + 11, duration: 23, status: err, tags: { 'http.route': '/prices/:sku' } });
  return [gatewayServer, gatewayClient, inventoryServer, lookup, inventoryClient, pricingServer];
}

export type Format = 'protobuf' | 'json';

/** POSTs spans to an OTLP/HTTP receiver, as an exporter would. */
export async function postOtlp(url: string, spans: readonly ReadableSpan[], options: { format?: Format; gzip?: boolean; headers?: Record<string, string> } = {}): Promise<Response> {
  const format = options.format ?? 'protobuf';
  let body: Buffer = format === 'json' ? encodeOtlpJson(spans) : encodeOtlpProtobuf(spans);
  const headers: Record<string, string> = { 'content-type': format === 'json' ? 'application/json' : 'application/x-protobuf', ...options.headers };
  if (options.gzip) {
    body = gzipSync(body);
    headers['content-encoding'] = 'gzip';
  }
  return fetch(`${url}/v1/traces`, { method: 'POST', headers, body });
}
