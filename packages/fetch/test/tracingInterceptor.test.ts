import { expect } from 'chai';
import { Agent, Pool, fetch as undiciFetch, request as undiciRequest } from 'undici';
import { ERR_INVALID_OPTION, instrumentFetch, tracingInterceptor } from '../src/index.js';
import { clientSpans, closedPort, eventually, expectEachRequestFromItsCaller, inServerSpan, newTracer, startLoopback, type Loopback } from './helpers/loopback.js';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[13]$/;

describe('tracingInterceptor', () => {
  let server: Loopback;
  const { tracer, exporter } = newTracer();
  const agents: { close(): Promise<void> }[] = [];

  function composedAgent(options?: Parameters<typeof tracingInterceptor>[0]) {
    const agent = new Agent();
    agents.push(agent);
    return agent.compose(tracingInterceptor({ tracer, ...options }));
  }

  before(async () => {
    server = await startLoopback();
  });
  after(async () => {
    await Promise.all(agents.map((agent) => agent.close()));
    await server.close();
  });
  beforeEach(() => {
    exporter.reset();
    server.received.length = 0;
  });

  it('forwards every handler callback it does not handle (onResponseStarted, as fetch uses for its timing)', async () => {
    const dispatcher = composedAgent();
    const heard: string[] = [];
    await inServerSpan(tracer, () =>
      new Promise<void>((resolve, reject) => {
        const url = new URL(`${server.origin}/timed`);
        dispatcher.dispatch(
          { origin: url.origin, path: url.pathname, method: 'POST', body: 'payload' },
          {
            onRequestStart: () => void heard.push('onRequestStart'),
            onResponseStarted: () => void heard.push('onResponseStarted'),
            onResponseStart: () => void heard.push('onResponseStart'),
            onResponseData: () => void heard.push('onResponseData'),
            onResponseEnd: () => {
              heard.push('onResponseEnd');
              resolve();
            },
            onResponseError: (_controller: unknown, error: Error) => reject(error),
          } as never,
        );
      }),
    );
    expect(heard[0]).to.equal('onRequestStart');
    expect(heard).to.include('onResponseStarted');
    expect(heard.indexOf('onResponseStarted')).to.be.below(heard.indexOf('onResponseStart'));
    expect(heard.at(-1)).to.equal('onResponseEnd');
    expect(clientSpans(exporter)).to.have.length(1);
  });

  it('gives a composed dispatcher a client span and headers, leaving the caller headers object alone', async () => {
    const dispatcher = composedAgent();
    const headers = { 'x-own': 'kept' };
    const parent = await inServerSpan(tracer, async (span) => {
      await (await undiciRequest(`${server.origin}/a?token=t`, { dispatcher, headers })).body.text();
      return span;
    });
    expect(headers).to.deep.equal({ 'x-own': 'kept' });
    const [client] = clientSpans(exporter);
    expect(client!.parentSpanId).to.equal(parent.spanId);
    expect(client!.operationName).to.equal('GET 127.0.0.1');
    expect(client!.tags).to.include({ 'url.full': `${server.origin}/a?token=REDACTED`, 'http.response.status_code': 200, 'server.port': server.port });
    const received = server.received[0]!.headers;
    expect(received['x-own']).to.equal('kept');
    expect(TRACEPARENT.exec(String(received.traceparent))![2]).to.equal(client!.spanId);
  });

  it('works under fetch too, and ends the span once the body is read', async () => {
    const dispatcher = composedAgent();
    await inServerSpan(tracer, async () => {
      const response = await undiciFetch(`${server.origin}/slow/80`, { dispatcher });
      expect(clientSpans(exporter)).to.have.length(0);
      await response.text();
    });
    await eventually(() => expect(clientSpans(exporter)).to.have.length(1));
  });

  it('keeps each caller context for fetch through a Pool at its connection limit', async () => {
    const pool = new Pool(server.origin, { connections: 2 });
    agents.push(pool);
    const dispatcher = pool.compose(tracingInterceptor({ tracer }));
    const parents = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        inServerSpan(tracer, async (span) => {
          await (await undiciFetch(`${server.origin}/slow/${i % 3}?i=${i}`, { dispatcher })).text();
          return span;
        }),
      ),
    );
    await expectEachRequestFromItsCaller(server, exporter, parents);
  });

  it('is not traced twice when instrumentFetch is installed as well', async () => {
    const handle = instrumentFetch({ tracer });
    try {
      const dispatcher = composedAgent();
      await inServerSpan(tracer, async () => (await undiciRequest(`${server.origin}/a`, { dispatcher })).body.text());
      expect(clientSpans(exporter)).to.have.length(1);
      expect(server.received[0]!.headers.traceparent).to.match(TRACEPARENT);
    } finally {
      handle.uninstall();
    }
  });

  it('marks 5xx ERROR, refused connections ERROR and aborts CANCELLED', async () => {
    const dispatcher = composedAgent();
    const port = await closedPort();
    await inServerSpan(tracer, async () => {
      await (await undiciRequest(`${server.origin}/status/502`, { dispatcher })).body.text();
      await undiciRequest(`http://127.0.0.1:${port}/`, { dispatcher }).catch(() => undefined);
      await undiciRequest(`${server.origin}/delay/500`, { dispatcher, signal: AbortSignal.abort() }).catch(() => undefined);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 20);
      await undiciRequest(`${server.origin}/delay/500`, { dispatcher, signal: controller.signal }).catch(() => undefined);
    });
    await eventually(() => expect(clientSpans(exporter)).to.have.length.at.least(3));
    const statuses = clientSpans(exporter).map((span) => [span.tags['url.full'], span.status.code]);
    expect(statuses).to.deep.include.members([
      [`${server.origin}/status/502`, 'ERROR'],
      [`http://127.0.0.1:${port}/`, 'ERROR'],
      [`${server.origin}/delay/500`, 'CANCELLED'],
    ]);
  });

  it('sends headers only where propagateTo allows, yet still records the call', async () => {
    const other = await startLoopback();
    try {
      const dispatcher = composedAgent({ propagateTo: [server.host] });
      await inServerSpan(tracer, async () => {
        await (await undiciRequest(`${server.origin}/a`, { dispatcher })).body.text();
        await (await undiciRequest(`${other.origin}/a`, { dispatcher })).body.text();
      });
      expect(server.received[0]!.headers.traceparent).to.match(TRACEPARENT);
      expect(other.received[0]!.headers.traceparent).to.equal(undefined);
      expect(other.received[0]!.headers['x-trace-id']).to.equal(undefined);
      expect(clientSpans(exporter)).to.have.length(2);
    } finally {
      await other.close();
    }
  });

  it('sends no headers to an unknown target when propagateTo is set (a Pool dispatched without origin)', async () => {
    const pool = new Pool(server.origin);
    agents.push(pool);
    const dispatcher = pool.compose(tracingInterceptor({ tracer, propagateTo: /.*/ }));
    await inServerSpan(tracer, async () => (await dispatcher.request({ path: '/a', method: 'GET' })).body.text());
    expect(server.received[0]!.headers.traceparent).to.equal(undefined);
    expect(clientSpans(exporter)[0]!.operationName).to.equal('GET');
  });

  it('passes requests made outside any span straight through', async () => {
    const dispatcher = composedAgent();
    await (await undiciRequest(`${server.origin}/a`, { dispatcher })).body.text();
    expect(server.received[0]!.headers.traceparent).to.equal(undefined);
    expect(exporter.getFinishedSpans()).to.have.length(0);
  });

  it('rejects bad options once, at composition, with a coded TypeError', () => {
    expect(() => tracingInterceptor({ root: 1 as never })).to.throw(TypeError, /tracingInterceptor\.root: expected a boolean, got 1/).with.property('code', ERR_INVALID_OPTION);
    expect(() => new Agent().compose(tracingInterceptor({ propagateTo: [null as never] }))).to.throw(TypeError, /^tracingInterceptor\.propagateTo: .*got null$/);
  });
});
