import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { AuditTracer, InMemoryExporter, type ReadableSpan, type Span } from '@audit-tracing/core';

export interface Received {
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface Loopback {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  host: string;
  port: number;
  received: Received[];
  close(): Promise<void>;
}

/**
 * A real server on 127.0.0.1: `/status/CODE` answers CODE, `/delay/MS` answers after MS ms, `/slow/MS` writes
 * the head at once and ends the body after MS ms, anything else 200 with the path as body. Every request's headers are kept in `received`.
 */
export async function startLoopback(): Promise<Loopback> {
  const received: Received[] = [];
  const server = http.createServer(function loopbackHandler(req, res) {
    received.push({ url: req.url ?? '', headers: req.headers });
    const [, kind, arg] = (req.url ?? '').split('?')[0]!.split('/');
    if (kind === 'status') {
      res.statusCode = Number(arg);
      res.end(`status ${arg}`);
    } else if (kind === 'delay') {
      const timer = setTimeout(() => res.end('late'), Number(arg));
      res.on('close', () => clearTimeout(timer));
    } else if (kind === 'slow') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('slow…');
      const timer = setTimeout(() => res.end('done'), Number(arg));
      res.on('close', () => clearTimeout(timer));
    } else {
      res.end(req.url);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function newTracer(serviceName = 'caller'): { tracer: AuditTracer; exporter: InMemoryExporter } {
  const exporter = new InMemoryExporter();
  return { tracer: new AuditTracer({ exporter, processor: 'simple', serviceName }), exporter };
}

/** Runs `fn` inside a fresh server span of `tracer`, finishing the span afterwards. */
export async function inServerSpan<T>(tracer: AuditTracer, fn: (span: Span) => Promise<T>): Promise<T> {
  const span = tracer.startSpan('GET /incoming', null, { kind: 'server', component: 'test' });
  try {
    return await tracer.withSpan(span, () => fn(span));
  } finally {
    span.finish();
  }
}

export function clientSpans(exporter: InMemoryExporter): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((span) => span.kind === 'client');
}

/** Waits until `check` passes or `ms` elapse (spans end on events that can follow the caller's await). */
export async function eventually(check: () => void, ms = 1000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[13]$/;

/**
 * Checks that each request the server received (`?i=N` in its URL) carried the trace of `parents[N]`, the span
 * that made it, and that its client span is that span's child. Matched by what the caller sent, not by what was
 * injected, so a wrong context cannot pass.
 */
export async function expectEachRequestFromItsCaller(server: Loopback, exporter: InMemoryExporter, parents: Span[]): Promise<void> {
  await eventually(() => expect(clientSpans(exporter)).to.have.length(parents.length));
  const byId = new Map(clientSpans(exporter).map((span) => [span.spanId, span]));
  for (const received of server.received) {
    const [, traceId, spanId] = TRACEPARENT.exec(String(received.headers.traceparent))!;
    const parent = parents[Number(new URL(received.url, server.origin).searchParams.get('i'))]!;
    expect(traceId).to.equal(parent.traceId);
    expect(byId.get(spanId!)!.parentSpanId).to.equal(parent.spanId);
  }
}
