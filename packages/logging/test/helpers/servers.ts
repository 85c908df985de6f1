import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ATTR_URL_PATH, AuditTracer, InMemoryExporter, type ReadableSpan } from '@audit-tracing/core';

export function newTracer(serviceName: string): { tracer: AuditTracer; exporter: InMemoryExporter } {
  const exporter = new InMemoryExporter();
  return { tracer: new AuditTracer({ exporter, processor: 'simple', serviceName }), exporter };
}

export interface Listening {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  close(): Promise<void>;
}

/** Serves `handler` (an Express or Koa callback) on 127.0.0.1 at a free port. */
export async function listen(handler: http.RequestListener): Promise<Listening> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The ended server span for `path`; waits a little, since a server span ends when the response has finished. */
export async function serverSpan(exporter: InMemoryExporter, path: string, ms = 1000): Promise<ReadableSpan> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = exporter.getFinishedSpans().filter((span) => span.kind === 'server' && span.tags[ATTR_URL_PATH] === path);
    if (found.length === 1) return found[0]!;
    if (found.length > 1) throw new Error(`${found.length} server spans for ${path}`);
    if (Date.now() > deadline) throw new Error(`no server span for ${path} among ${exporter.getFinishedSpans().map((s) => `${s.kind} ${String(s.tags[ATTR_URL_PATH])}`).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The fields a log line must carry to lead to `span`. */
export function fieldsOf(span: ReadableSpan): { trace_id: string; span_id: string; trace_flags: string } {
  return { trace_id: span.traceId, span_id: span.spanId, trace_flags: span.traceFlags.toString(16).padStart(2, '0') };
}

/** Picks the three trace fields of a log record (missing ones stay undefined). */
export function traceFieldsIn(record: Record<string, unknown>): Record<string, unknown> {
  return { trace_id: record.trace_id, span_id: record.span_id, trace_flags: record.trace_flags };
}
