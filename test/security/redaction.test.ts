// Redaction by default, end to end: a handler behind each real framework sets secrets every way it can (tags,
// log fields, link tags, a URL with user info, a query with a code), calls a second server through the fetch
// instrumentation, and every byte that leaves or is shown — OTLP protobuf and JSON bodies and a Zipkin body at a
// loopback collector, console exporter lines, a user processor's records, the recent spans a viewer would serve,
// diagnostic messages — holds none of the secrets, while the keys and the harmless values are still there.
import {
  AuditTracer,
  ConsoleExporter,
  OtlpHttpExporter,
  setDiagLogger,
  SimpleSpanProcessor,
  ZipkinExporter,
  getActiveSpan,
  type ReadableSpan,
  type SpanProcessor,
} from '@audit-tracing/core';
import { instrumentFetch } from '@audit-tracing/fetch';
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestCollector } from '../../packages/core/test/helpers/collector.js';
import { frameworkApps } from './frameworkApps.js';

const SECRETS = [
  'hunter2-password',
  'Bearer abc.def.ghi',
  'sk_live_apikey_123',
  'sess-7f3a9c',
  'oauth-code-abc',
  'dbuser:dbpass',
  'dbpass',
  'link-token-xyz',
  'log-secret-9',
  'nested-card-4111',
  'query-access-token',
];

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

// What every handler does: the secrets a careless handler might set, and one outbound call.
async function handlerWork(downstream: string): Promise<string> {
  const span = getActiveSpan()!;
  span.setTag('user.password', 'hunter2-password');
  span.setTag('http.request.header.authorization', 'Bearer abc.def.ghi');
  span.setTag('X-Api-Key', 'sk_live_apikey_123');
  span.setTag('sessionId', 'sess-7f3a9c');
  span.setTag('db.url', 'postgres://dbuser:dbpass@db.internal:5432/app');
  span.setTag('tokenizer.version', 'v2-kept');
  span.log('info', 'checked out', { 'user.password': 'log-secret-9', order: 'kept-order-1', body: { card: { secret: 'nested-card-4111' } } });
  span.addLink({ context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' }, tags: { token: 'link-token-xyz', kind: 'kept-link' } });
  await (await fetch(`${downstream}/cb?code=oauth-code-abc&state=x&access_token=query-access-token`)).text();
  return 'ok';
}

describe('redaction by default, through real HTTP', function () {
  this.timeout(30_000);
  let collector: TestCollector;
  let downstream: Server;
  let downstreamUrl: string;
  const diagLines: string[] = [];

  before(async () => {
    collector = await TestCollector.start();
    downstream = createServer((_req, res) => res.end('downstream'));
    downstreamUrl = await listen(downstream);
    setDiagLogger({ warn: (m) => diagLines.push(m), error: (m) => diagLines.push(m) });
  });

  after(async () => {
    setDiagLogger(undefined);
    await close(downstream);
    await collector.close();
  });

  for (const [name, build] of Object.entries(frameworkApps)) {
    it(`${name}: no secret leaves in any form; keys and harmless values stay; ?code=REDACTED&state=x`, async () => {
      const consoleLines: string[] = [];
      const records: ReadableSpan[] = [];
      const userProcessor: SpanProcessor = { onEnd: (span) => void records.push(span), forceFlush: async () => {}, shutdown: async () => {} };
      const exporterOptions = { compression: 'none' as const, retry: { maxRetries: 0 } };
      const tracer = new AuditTracer({
        serviceName: `redaction-${name}`,
        resourceAttributes: { 'deployment.token': 'resource-token-1' },
        exporter: new OtlpHttpExporter({ url: `${collector.url}/v1/traces`, protocol: 'http/protobuf', ...exporterOptions }),
        processor: 'simple',
        processors: [
          userProcessor,
          new SimpleSpanProcessor(new ConsoleExporter({ write: (line) => void consoleLines.push(line) })),
          new SimpleSpanProcessor(new OtlpHttpExporter({ url: `${collector.url}/json`, protocol: 'http/json', ...exporterOptions })),
          new SimpleSpanProcessor(new ZipkinExporter({ url: `${collector.url}/zipkin`, ...exporterOptions })),
        ],
      });
      // redactQuery false: the client's url.full keeps its query, so core's redaction is what is under test
      const handle = instrumentFetch({ tracer, redactQuery: false });
      const app = await build(tracer, () => handlerWork(downstreamUrl));
      const before = collector.requests.length;
      try {
        const response = await fetch(`${app.origin}/cb?code=oauth-code-abc&state=x`, { headers: { 'x-session-token': 'sess-7f3a9c' } });
        expect(await response.text()).to.equal('ok');
        await tracer.forceFlush();
        // Two spans (server, client), three exporters, one request each per span with the simple processor.
        await collector.waitForRequests(before + 6);
      } finally {
        handle.uninstall();
        await app.close();
      }

      const server_ = records.find((span) => span.kind === 'server')!;
      const client = records.find((span) => span.kind === 'client')!;
      expect(server_.tags['url.query']).to.equal('code=REDACTED&state=x');
      expect(client.tags['url.full']).to.equal(`${downstreamUrl}/cb?code=REDACTED&state=x&access_token=REDACTED`);
      expect(server_.tags).to.include({
        'user.password': 'REDACTED',
        'http.request.header.authorization': 'REDACTED',
        'X-Api-Key': 'REDACTED',
        sessionId: 'REDACTED',
        'db.url': 'postgres://REDACTED:REDACTED@db.internal:5432/app',
        'tokenizer.version': 'v2-kept',
      });
      expect(server_.logs[0]!.fields).to.deep.equal({ 'user.password': 'REDACTED', order: 'kept-order-1', body: { card: { secret: 'REDACTED' } } });
      expect(server_.links[0]!.tags).to.deep.equal({ token: 'REDACTED', kind: 'kept-link' });
      expect(server_.resource.attributes['deployment.token']).to.equal('REDACTED');

      const recent = tracer.getTraceSpans(server_.traceId);
      expect(recent).to.have.length(2);
      const outputs: Record<string, string> = {
        'export bodies': collector.requests.slice(before).map((request) => request.body.toString('latin1')).join('\n'),
        'console lines': consoleLines.join('\n'),
        "a user processor's records": JSON.stringify(records),
        'recent spans': JSON.stringify(recent),
        'diagnostic messages': diagLines.join('\n'),
      };
      expect(outputs['export bodies']).to.include('kept-order-1').and.to.include('code=REDACTED&state=x').and.to.include('user.password');
      expect(outputs['console lines']).to.include('tokenizer.version');
      for (const [where, text] of Object.entries(outputs)) {
        for (const secret of [...SECRETS, 'resource-token-1']) expect(text, `${secret} in ${where}`).to.not.include(secret);
      }
      await tracer.shutdown();
    });
  }
});
