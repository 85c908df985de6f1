import { expect } from 'chai';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AuditTracer,
  getActiveSpan,
  InMemoryExporter,
  resolveServerOptions,
  setDiagLogger,
  startServerSpan,
  withSpan,
  type HttpServerTracingOptions,
  type ServerSpan,
} from '@audit-tracing/core';

// A framework-less server: the core helpers alone, as an adapter uses them.
type Handler = (req: IncomingMessage, res: ServerResponse, serverSpan: ServerSpan<IncomingMessage> | undefined) => void;

const exporter = new InMemoryExporter();
const tracer = new AuditTracer({ exporter, processor: 'simple', serviceName: 'core-http' });
const servers: Server[] = [];

async function serve(options: HttpServerTracingOptions, handler: Handler, route = (req: IncomingMessage) => (req.url?.startsWith('/users/') ? '/users/:id' : undefined)): Promise<string> {
  const resolved = resolveServerOptions({ tracer, ...options }, { component: 'node', route });
  const server = createServer(function onRequest(req, res) {
    const serverSpan = startServerSpan(resolved, req, req, res);
    if (serverSpan === undefined) return handler(req, res, undefined);
    withSpan(serverSpan.span, () => handler(req, res, serverSpan));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function get(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: IncomingMessage['headers']; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function spanOf(traceId: string) {
  for (let waited = 0; waited < 2000; waited += 5) {
    const found = exporter.getFinishedSpans().filter((span) => span.traceId === traceId);
    if (found.length > 0) return found;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no span for ${traceId}`);
}

const ok: Handler = (_req, res) => res.end('ok');

describe('startServerSpan', () => {
  after(() => {
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
  });

  it('starts a server span named after the route, answers with its trace id, and ends it on finish', async () => {
    const base = await serve({}, ok);
    const res = await get(base, '/users/5');
    const [span] = await spanOf(res.headers['x-trace-id'] as string);
    expect(span?.operationName).to.equal('GET /users/:id');
    expect(span?.component).to.equal('node');
    expect(span?.tags['http.response.status_code']).to.equal(200);
  });

  it('returns undefined for ignored requests, which then get no header', async () => {
    let seen: unknown = 'unset';
    const base = await serve({ ignore: ['/health'] }, (req, res, serverSpan) => {
      seen = serverSpan;
      ok(req, res, serverSpan);
    });
    const res = await get(base, '/health?verbose=1');
    expect(seen).to.equal(undefined);
    expect(res.headers['x-trace-id']).to.equal(undefined);
  });

  it('keeps an untrusted incoming correlation id as trace.incoming_id', async () => {
    const base = await serve({ trustIncoming: false }, ok);
    const uuid = '123e4567-e89b-42d3-a456-426614174000';
    const res = await get(base, '/users/1', { 'x-trace-id': uuid });
    expect(res.headers['x-trace-id']).to.not.equal('123e4567e89b42d3a456426614174000');
    const [span] = await spanOf(res.headers['x-trace-id'] as string);
    expect(span?.tags['trace.incoming_id']).to.equal(uuid);
    expect(span?.parentSpanId).to.equal(undefined);
  });

  it('continues an x-trace-id that comes without a span id as the root of that trace: no invented parent', async () => {
    const base = await serve({}, ok);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await get(base, '/users/1?tab=orders', { 'x-trace-id': traceId });
    expect(res.headers['x-trace-id']).to.equal(traceId);
    const [span] = await spanOf(traceId);
    expect(span?.parentSpanId).to.equal(undefined);
    expect(span?.tags['url.query']).to.equal('tab=orders');
    // With a span id it is the parent, as before.
    const child = await get(base, '/users/2', { 'x-trace-id': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'x-span-id': 'b7ad6b7169203331' });
    const [continued] = await spanOf(child.headers['x-trace-id'] as string);
    expect(continued?.parentSpanId).to.equal('b7ad6b7169203331');
  });

  it('binds the request emitter: listeners added later run in the span', async () => {
    const base = await serve({}, (req, res) => {
      // leave the span's context first, as a callback from elsewhere would
      withSpan(undefined, () => {
        req.on('data', () => undefined);
        req.on('end', () => res.end(getActiveSpan()?.traceId ?? 'none'));
      });
    });
    const res = await get(base, '/upload', {}, 'POST');
    expect(res.text).to.equal(res.headers['x-trace-id']);
  });

  it('names unknown methods HTTP', async () => {
    const base = await serve({}, ok, () => undefined);
    const res = await get(base, '/', {}, 'PURGE');
    const [span] = await spanOf(res.headers['x-trace-id'] as string);
    expect(span?.operationName).to.equal('HTTP');
    expect(span?.tags['http.request.method']).to.equal('_OTHER');
  });

  it('keeps serving when the user callbacks throw, and reports it once', async () => {
    const warnings: string[] = [];
    setDiagLogger({ warn: (message) => warnings.push(message), error: () => undefined });
    try {
      const fail = () => {
        throw new Error('user bug');
      };
      const base = await serve({ ignore: fail, trustIncoming: fail, spanName: fail }, ok);
      const res = await get(base, '/users/3', { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` });
      expect(res.status).to.equal(200);
      const [span] = await spanOf(res.headers['x-trace-id'] as string);
      expect(span?.operationName).to.equal('GET /users/:id');
      expect(span?.tags['trace.incoming_id']).to.equal('a'.repeat(32));
      expect(warnings.join('\n')).to.include('ignore threw').and.include('trustIncoming threw').and.include('spanName threw');
    } finally {
      setDiagLogger(undefined);
    }
  });

  it('keeps the first recorded error', async () => {
    const base = await serve({}, (_req, res, serverSpan) => {
      serverSpan?.recordError(new Error('first'));
      serverSpan?.recordError(new Error('second'));
      res.statusCode = 500;
      res.end();
    });
    const res = await get(base, '/users/1');
    const [span] = await spanOf(res.headers['x-trace-id'] as string);
    expect(span?.status).to.deep.equal({ code: 'ERROR', message: 'first' });
  });

  it('ends a timed-out span once, with TIMEOUT, and ignores the late response', async () => {
    const base = await serve({ timeoutMs: 20 }, (_req, res) => setTimeout(() => res.end('late'), 60));
    const res = await get(base, '/users/1');
    expect(res.text).to.equal('late');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const spans = await spanOf(res.headers['x-trace-id'] as string);
    expect(spans).to.have.length(1);
    expect(spans[0]?.status).to.deep.equal({ code: 'TIMEOUT', message: 'no response within 20 ms' });
    expect(spans[0]?.tags['http.response.status_code']).to.equal(undefined);
  });

  it('propagates unsampled requests without recording them', async () => {
    const quiet = new AuditTracer({ exporter: new InMemoryExporter(), processor: 'simple', serviceName: 'quiet', sampleRate: 0 });
    const resolved = resolveServerOptions({ tracer: quiet, timeoutMs: 10 }, { component: 'node', route: () => '/x' });
    const server = createServer((req, res) => {
      const serverSpan = startServerSpan(resolved, req, req, res);
      withSpan(serverSpan?.span, () => res.end(String(serverSpan?.span.isRecording())));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const res = await get(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, '/x');
    expect(res.text).to.equal('false');
    expect(res.headers['x-trace-id']).to.match(/^[0-9a-f]{32}$/);
    expect(quiet.getStats().spansUnsampled).to.equal(1);
  });
});
