import http from 'node:http';
import https from 'node:https';
import { expect } from 'chai';
import { instrumentHttpClient, type Instrumentation } from '../src/index.js';
import { clientSpans, closedPort, eventually, inServerSpan, newTracer, startLoopback, type Loopback } from './helpers/loopback.js';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[13]$/;

function send(options: http.RequestOptions | string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(options as http.RequestOptions, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

describe('instrumentHttpClient', () => {
  let server: Loopback;
  let handle: Instrumentation | undefined;
  const { tracer, exporter } = newTracer();
  // Bound before installation, like an ESM app that imported `get` at the top.
  const esm = import('./helpers/esmHttpGet.mjs');

  before(async () => {
    server = await startLoopback();
    await esm;
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => {
    exporter.reset();
    server.received.length = 0;
    handle = instrumentHttpClient({ tracer });
  });
  afterEach(() => {
    handle?.uninstall();
    handle = undefined;
  });

  const ways: Record<string, (origin: string) => Promise<unknown>> = {
    'http.request': (origin) => send(`${origin}/a?x=1`),
    'http.get (which sends its headers before returning)': (origin) => get(`${origin}/a?x=1`),
    'a named ESM import of get': async (origin) => (await esm).esmGet(`${origin}/a?x=1`),
  };
  for (const [way, call] of Object.entries(ways)) {
    it(`${way}: client span under the active span, headers making the server its child`, async () => {
      const parent = await inServerSpan(tracer, async (span) => {
        await call(server.origin);
        return span;
      });
      await eventually(() => expect(clientSpans(exporter)).to.have.length(1));
      const [client] = clientSpans(exporter);
      expect(client!.parentSpanId).to.equal(parent.spanId);
      expect(client!.operationName).to.equal('GET 127.0.0.1');
      expect(client!.component).to.equal('http');
      expect(client!.tags).to.include({
        'http.request.method': 'GET',
        'url.full': `${server.origin}/a?x=REDACTED`,
        'server.address': '127.0.0.1',
        'server.port': server.port,
        'http.response.status_code': 200,
      });
      const headers = server.received[0]!.headers;
      expect(TRACEPARENT.exec(String(headers.traceparent))![2]).to.equal(client!.spanId);
      expect(headers['x-trace-id']).to.equal(parent.traceId);
    });
  }

  it('ends the span when the response body has been read', async () => {
    await inServerSpan(tracer, () => send(`${server.origin}/slow/80`));
    await eventually(() => expect(clientSpans(exporter)).to.have.length(1));
    expect(clientSpans(exporter)[0]!.duration).to.be.greaterThan(60);
  });

  it('ends the span of a response nobody reads (Node dumps it)', async () => {
    await inServerSpan(
      tracer,
      () =>
        new Promise<void>((resolve) => {
          const req = http.request(`${server.origin}/a`);
          req.on('close', () => resolve());
          req.end();
        }),
    );
    await eventually(() => expect(clientSpans(exporter)).to.have.length(1));
  });

  it('marks 5xx ERROR, refusals ERROR, aborts CANCELLED', async () => {
    const port = await closedPort();
    await inServerSpan(tracer, async () => {
      await send(`${server.origin}/status/500`);
      await send(`http://127.0.0.1:${port}/`).catch(() => undefined);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 20);
      await send({ host: '127.0.0.1', port: server.port, path: '/slow/500', signal: controller.signal }).catch(() => undefined);
    });
    await eventually(() => expect(clientSpans(exporter)).to.have.length(3));
    expect(clientSpans(exporter).map((span) => span.status.code)).to.deep.equal(['ERROR', 'ERROR', 'CANCELLED']);
    expect(clientSpans(exporter).map((span) => span.tags['error.type'])).to.deep.equal(['500', 'ECONNREFUSED', 'ABORT_ERR']);
  });

  it('never overwrites a header the caller set', async () => {
    const own = '00-11111111111111111111111111111111-2222222222222222-01';
    await inServerSpan(tracer, () => send({ host: '127.0.0.1', port: server.port, path: '/a', headers: { traceparent: own } }));
    expect(server.received[0]!.headers.traceparent).to.equal(own);
  });

  it('leaves requests outside any span alone', async () => {
    await send(`${server.origin}/a`);
    expect(server.received[0]!.headers.traceparent).to.equal(undefined);
    expect(exporter.getFinishedSpans()).to.have.length(0);
  });

  it('honours propagateTo', async () => {
    handle!.uninstall();
    handle = instrumentHttpClient({ tracer, propagateTo: (url) => url.port === '1' });
    await inServerSpan(tracer, () => send(`${server.origin}/a`));
    expect(server.received[0]!.headers.traceparent).to.equal(undefined);
    expect(clientSpans(exporter)).to.have.length(1);
  });

  it('uninstall restores http and https exactly', async () => {
    handle!.uninstall();
    const original = [http.request, http.get, https.request, https.get];
    handle = instrumentHttpClient({ tracer });
    expect([http.request, http.get, https.request, https.get]).to.satisfy((now: unknown[]) => now.every((fn, i) => fn !== original[i]));
    handle.uninstall();
    handle.uninstall();
    expect([http.request, http.get, https.request, https.get]).to.deep.equal(original);
    await inServerSpan(tracer, async () => (await esm).esmGet(`${server.origin}/a`));
    expect(server.received[0]!.headers.traceparent).to.equal(undefined);
  });
});
