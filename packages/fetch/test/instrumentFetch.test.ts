import { Writable } from 'node:stream';
import { expect } from 'chai';
import { Agent, Client, Pool, fetch as undiciFetch, request as undiciRequest, stream as undiciStream } from 'undici';
import { AuditTracer, suppressTracing, type Span } from '@audit-tracing/core';
import { ERR_INVALID_OPTION, instrumentFetch, type Instrumentation } from '../src/index.js';
import { clientSpans, closedPort, eventually, expectEachRequestFromItsCaller, inServerSpan, newTracer, startLoopback, type Loopback } from './helpers/loopback.js';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[13]$/;
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

describe('instrumentFetch', () => {
  let server: Loopback;
  let handle: Instrumentation | undefined;
  const { tracer, exporter } = newTracer();

  before(async () => {
    server = await startLoopback();
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => {
    exporter.reset();
    server.received.length = 0;
    handle = instrumentFetch({ tracer });
  });
  afterEach(() => {
    handle?.uninstall();
    handle = undefined;
  });

  function expectChildOf(parent: Span, headers: Record<string, unknown>): void {
    const [client] = clientSpans(exporter);
    expect(client, 'client span').to.exist;
    expect(client!.parentSpanId).to.equal(parent.spanId);
    expect(client!.traceId).to.equal(parent.traceId);
    const match = TRACEPARENT.exec(String(headers.traceparent));
    expect(match, `traceparent ${String(headers.traceparent)}`).to.not.equal(null);
    expect(match![1]).to.equal(parent.traceId);
    expect(match![2], 'downstream parent is the client span').to.equal(client!.spanId);
    expect(headers['x-trace-id']).to.equal(parent.traceId);
    expect(headers['x-span-id']).to.equal(client!.spanId);
  }

  describe('covers every way undici sends a request', () => {
    const ways: Record<string, (origin: string) => Promise<unknown>> = {
      'global fetch (the undici inside Node)': async (origin) => (await fetch(`${origin}/a`)).text(),
      'undici fetch': async (origin) => (await undiciFetch(`${origin}/a`)).text(),
      'undici request': async (origin) => (await undiciRequest(`${origin}/a`)).body.text(),
      'undici stream': (origin) =>
        undiciStream(`${origin}/a`, { method: 'GET', opaque: null }, () => new Writable({ write: (_chunk, _enc, done) => done() })),
      'a Client': async (origin) => {
        const client = new Client(origin);
        try {
          return await (await client.request({ path: '/a', method: 'GET' })).body.text();
        } finally {
          await client.close();
        }
      },
      'a Pool': async (origin) => {
        const pool = new Pool(origin, { connections: 1 });
        try {
          return await (await pool.request({ path: '/a', method: 'GET' })).body.text();
        } finally {
          await pool.close();
        }
      },
      'an Agent': async (origin) => {
        const agent = new Agent();
        try {
          return await (await undiciRequest(`${origin}/a`, { dispatcher: agent })).body.text();
        } finally {
          await agent.close();
        }
      },
    };
    for (const [way, send] of Object.entries(ways)) {
      it(`${way}: a client span under the active span, and headers that make the server its child`, async () => {
        const parent = await inServerSpan(tracer, async (span) => {
          await send(server.origin);
          return span;
        });
        await eventually(() => expect(clientSpans(exporter)).to.have.length(1));
        expect(server.received).to.have.length(1);
        expectChildOf(parent, server.received[0]!.headers);
      });
    }
  });

  it('names the span METHOD host and tags it with the HTTP client conventions', async () => {
    await inServerSpan(tracer, async () => (await fetch(`${server.origin}/items?id=REDACTED&q=REDACTED`, { method: 'POST', body: 'x' })).text());
    const [span] = clientSpans(exporter);
    expect(span!.operationName).to.equal('POST 127.0.0.1');
    expect(span!.component).to.equal('fetch');
    expect(span!.tags).to.include({
      'http.request.method': 'POST',
      'url.full': `${server.origin}/items?id=REDACTED&q=REDACTED`,
      'server.address': '127.0.0.1',
      'server.port': server.port,
      'http.response.status_code': 200,
    });
    expect(span!.status.code).to.equal('OK');
  });

  it('ends the span when the body has been read, not when the head arrives', async () => {
    await inServerSpan(tracer, async () => {
      const response = await fetch(`${server.origin}/slow/150`);
      expect(clientSpans(exporter), 'open while the body streams').to.have.length(0);
      await response.text();
    });
    await eventually(() => expect(clientSpans(exporter)).to.have.length(1));
    expect(clientSpans(exporter)[0]!.duration).to.be.greaterThan(100);
  });

  for (const status of [404, 500, 503]) {
    it(`marks a ${status} answer ERROR (client-side convention) and still ends once`, async () => {
      await inServerSpan(tracer, async () => (await fetch(`${server.origin}/status/${status}`)).text());
      await eventually(() => expect(clientSpans(exporter)).to.have.length(1));
      const [span] = clientSpans(exporter);
      expect(span!.status.code).to.equal('ERROR');
      expect(span!.tags['http.response.status_code']).to.equal(status);
      expect(span!.tags['error.type']).to.equal(String(status));
    });
  }

  it('marks a network failure ERROR with the error logged', async () => {
    const port = await closedPort();
    await inServerSpan(tracer, () => fetch(`http://127.0.0.1:${port}/`).catch(() => undefined));
    await eventually(() => expect(clientSpans(exporter)).to.have.length(1));
    const [span] = clientSpans(exporter);
    expect(span!.status.code).to.equal('ERROR');
    expect(span!.tags['error.type']).to.equal('ECONNREFUSED');
    expect(span!.logs.some((log) => log.level === 'error')).to.equal(true);
  });

  it('marks an aborted call CANCELLED, before and after the head', async () => {
    await inServerSpan(tracer, async () => {
      const early = new AbortController();
      const pending = fetch(`${server.origin}/delay/500`, { signal: early.signal }).catch((error: Error) => error);
      setTimeout(() => early.abort(), 20);
      expect(await pending).to.have.property('name', 'AbortError');

      const late = new AbortController();
      const response = await undiciFetch(`${server.origin}/slow/500`, { signal: late.signal });
      late.abort();
      await response.text().catch(() => undefined);
    });
    await eventually(() => expect(clientSpans(exporter)).to.have.length(2));
    expect(clientSpans(exporter).map((span) => span.status.code)).to.deep.equal(['CANCELLED', 'CANCELLED']);
  });

  it('marks a deadline TIMEOUT', async () => {
    await inServerSpan(tracer, () => fetch(`${server.origin}/delay/500`, { signal: AbortSignal.timeout(30) }).then((r) => r.text()).catch(() => undefined));
    await eventually(() => expect(clientSpans(exporter)).to.have.length(1));
    expect(clientSpans(exporter)[0]!.status.code).to.equal('TIMEOUT');
  });

  it('never overwrites a header the caller set', async () => {
    const own = '00-11111111111111111111111111111111-2222222222222222-01';
    await inServerSpan(tracer, async () => (await fetch(`${server.origin}/a`, { headers: { TraceParent: own } })).text());
    expect(server.received[0]!.headers.traceparent).to.equal(own);
  });

  it('leaves requests made outside any span alone', async () => {
    await (await fetch(`${server.origin}/a`)).text();
    await (await undiciRequest(`${server.origin}/b`)).body.text();
    expect(server.received.map((r) => r.headers.traceparent ?? r.headers['x-trace-id'])).to.deep.equal([undefined, undefined]);
    expect(exporter.getFinishedSpans()).to.have.length(0);
  });

  it('never traces what runs with tracing suppressed (our exporters)', async () => {
    await inServerSpan(tracer, () => suppressTracing(async () => (await fetch(`${server.origin}/export`)).text()));
    expect(server.received[0]!.headers.traceparent).to.equal(undefined);
    expect(clientSpans(exporter)).to.have.length(0);
  });

  it('is harmless when installed twice: one span, one header', async () => {
    const again = instrumentFetch({ tracer });
    expect(again).to.equal(handle);
    await inServerSpan(tracer, async () => (await fetch(`${server.origin}/a`)).text());
    expect(clientSpans(exporter)).to.have.length(1);
    expect(server.received[0]!.headers.traceparent).to.match(TRACEPARENT);
  });

  it('keeps the caller context of requests a full Pool queues for later', async () => {
    const pool = new Pool(server.origin, { connections: 2 });
    try {
      const parents = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          inServerSpan(tracer, async (span) => {
            await (await pool.request({ path: `/slow/${i % 3}?i=${i}`, method: 'GET' })).body.text();
            return span;
          }),
        ),
      );
      await expectEachRequestFromItsCaller(server, exporter, parents);
    } finally {
      await pool.close();
    }
  });

  describe('options', () => {
    it('starts a root span for a request outside any span when root is true', async () => {
      handle!.uninstall();
      handle = instrumentFetch({ tracer, root: true });
      await (await fetch(`${server.origin}/a`)).text();
      const [span] = clientSpans(exporter);
      expect(span!.parentSpanId).to.equal(undefined);
      expect(TRACEPARENT.exec(String(server.received[0]!.headers.traceparent))![2]).to.equal(span!.spanId);
    });

    it('redacts every query value by default, and with redactQuery false keeps the query but for sensitive values', async () => {
      await inServerSpan(tracer, async () => (await fetch(`${server.origin}/q?a=1&b&code=abc`)).text());
      expect(clientSpans(exporter)[0]!.tags['url.full']).to.equal(`${server.origin}/q?a=REDACTED&b&code=REDACTED`);
      handle!.uninstall();
      handle = instrumentFetch({ tracer, redactQuery: false });
      await inServerSpan(tracer, async () => (await fetch(`${server.origin}/q?a=1&b&code=abc`)).text());
      expect(clientSpans(exporter)[1]!.tags['url.full']).to.equal(`${server.origin}/q?a=1&b&code=REDACTED`);
    });

    it('uses spanName, and falls back to the default when it throws', async () => {
      handle!.uninstall();
      let calls = 0;
      handle = instrumentFetch({
        tracer,
        spanName: (request) => {
          if (calls++ > 0) throw new Error('boom');
          return `call ${request.url!.pathname}`;
        },
      });
      await inServerSpan(tracer, async () => {
        await (await fetch(`${server.origin}/first`)).text();
        await (await fetch(`${server.origin}/second`)).text();
      });
      expect(clientSpans(exporter).map((span) => span.operationName)).to.deep.equal(['call /first', 'GET 127.0.0.1']);
    });

    it('picks the tracer from the active span when tracer is a function', async () => {
      handle!.uninstall();
      const other = newTracer('other');
      handle = instrumentFetch({ tracer: (parent) => (parent?.traceId === undefined ? tracer : other.tracer) });
      await inServerSpan(tracer, async () => (await fetch(`${server.origin}/a`)).text());
      expect(clientSpans(exporter)).to.have.length(0);
      expect(clientSpans(other.exporter)).to.have.length(1);
    });

    it('rejects bad options at installation with a TypeError naming the option', () => {
      const bad: [unknown, RegExp][] = [
        [{ tracer: {} }, /^instrumentFetch\.tracer: expected .*got an object$/],
        [{ propagateTo: 42 }, /^instrumentFetch\.propagateTo: .*got 42$/],
        [{ propagateTo: ['ok', 1] }, /^instrumentFetch\.propagateTo: .*got 1$/],
        [{ root: 'yes' }, /^instrumentFetch\.root: expected a boolean, got "yes"$/],
        [{ redactQuery: 0 }, /^instrumentFetch\.redactQuery: /],
        [{ spanName: 'x' }, /^instrumentFetch\.spanName: /],
        [{ propagateto: [] }, /^instrumentFetch\.propagateto: unknown option/],
        ['nope', /^instrumentFetch: expected an options object, got "nope"$/],
      ];
      for (const [options, message] of bad) {
        expect(() => instrumentFetch(options as never)).to.throw(TypeError, message).with.property('code', ERR_INVALID_OPTION);
      }
    });
  });

  describe('uninstall', () => {
    it('leaves fetch and the global dispatcher untouched, and stops tracing', async () => {
      const fetchBefore = globalThis.fetch;
      const dispatcherBefore = (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER];
      handle!.uninstall();
      handle!.uninstall();
      expect(globalThis.fetch).to.equal(fetchBefore);
      expect((globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER]).to.equal(dispatcherBefore);
      await inServerSpan(tracer, async () => (await fetch(`${server.origin}/a`)).text());
      expect(server.received[0]!.headers.traceparent).to.equal(undefined);
      expect(clientSpans(exporter)).to.have.length(0);
    });

    it('still ends the spans of requests in flight', async () => {
      await inServerSpan(tracer, async () => {
        const response = await fetch(`${server.origin}/slow/50`);
        handle!.uninstall();
        await response.text();
      });
      await eventually(() => expect(clientSpans(exporter)).to.have.length(1));
    });
  });
});

// Kept apart so a failure above cannot leave channels subscribed for the tests that follow.
describe('instrumentFetch with a disabled tracer', () => {
  it('still propagates the ids of an unsampled parent', async () => {
    const server = await startLoopback();
    const tracer = new AuditTracer({ exporterType: 'none', sampleRate: 0, serviceName: 'unsampled' });
    const handle = instrumentFetch({ tracer });
    try {
      await inServerSpan(tracer, async () => (await fetch(`${server.origin}/a`)).text());
      expect(server.received[0]!.headers.traceparent).to.match(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[02]$/);
    } finally {
      handle.uninstall();
      await server.close();
    }
  });
});
