// Credentials given to exporters never appear in logs, errors or console output, whatever the collector does.
import { expect } from 'chai';
import { setDiagLogger } from '../../src/diag.js';
import { OtlpHttpExporter } from '../../src/export/otlp/OtlpHttpExporter.js';
import { AuditTracer } from '../../src/trace/AuditTracer.js';
import { closedPortUrl, TestCollector } from '../helpers/collector.js';
import { finishedSpans } from '../helpers/exportSpans.js';

const API_KEY = 'sk-live-SECRET-4f9a';
const TENANT_TOKEN = 'tenant-token-SECRET-77';
const URL_PASSWORD = 'url-pw-SECRET-91';
const SECRET = /SECRET/;

describe('secrets', () => {
  const seen: string[] = [];
  const originals = { log: console.log, warn: console.warn, error: console.error, info: console.info };
  let collector: TestCollector | undefined;

  beforeEach(() => {
    setDiagLogger(undefined); // the real console logger, so that console capture sees what it would print
    for (const name of ['log', 'warn', 'error', 'info'] as const) console[name] = (...args: unknown[]) => void seen.push(args.map(String).join(' '));
  });
  afterEach(async () => {
    Object.assign(console, originals);
    seen.length = 0;
    await collector?.close();
    collector = undefined;
  });

  it('stay out of errors, logs and console output when the collector refuses them and echoes them back', async () => {
    collector = await TestCollector.start({
      fallback: { status: 401, body: `invalid credentials: Bearer ${API_KEY} / ${TENANT_TOKEN}` },
    });
    const exporter = new OtlpHttpExporter({
      url: `${collector.url.replace('//', `//user:${URL_PASSWORD}@`)}/v1/traces?token=${URL_PASSWORD}`,
      headers: { authorization: `Bearer ${API_KEY}`, 'x-tenant-token': TENANT_TOKEN },
      retry: { initialBackoffMs: 1 },
    });
    const result = await exporter.export(finishedSpans(2));
    await exporter.shutdown();
    expect(result.code).to.equal('failure');
    if (result.code !== 'failure') return;
    expect(result.error.message).to.contain('401');
    expect(result.error.message).not.to.match(SECRET);
    expect(String(result.error.stack)).not.to.match(SECRET);
    // and the collector did get them
    expect(collector.requests[0].headers.authorization).to.equal(`Bearer ${API_KEY}`);
  });

  it('stay out of everything the tracer reports while its exports fail', async () => {
    collector = await TestCollector.start({ fallback: { status: 403, body: `forbidden for ${API_KEY}` } });
    for (const endpoint of [collector.url, await closedPortUrl()]) {
      const tracer = new AuditTracer({
        serviceName: 'secretive',
        exporterType: 'otlp',
        exporterEndpoint: endpoint,
        apiKey: API_KEY,
        authHeader: `X-Tenant-Token: ${TENANT_TOKEN}`,
        retry: { initialBackoffMs: 1, maxBackoffMs: 2 },
      });
      tracer.startSpan('op').finish();
      await tracer.shutdown();
      expect(tracer.getStats().exportFailures).to.equal(1);
    }
    expect(seen.join('\n')).not.to.match(SECRET);
  });

  it('stay out of configuration errors', () => {
    const messages: string[] = [];
    const attempt = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        messages.push((error as Error).message);
      }
    };
    attempt(() => new AuditTracer({ exporterType: 'otlp', authHeader: `no-colon-${TENANT_TOKEN}` }));
    attempt(() => new AuditTracer({ exporterType: 'otlp', headers: { authorization: `Bearer ${API_KEY}\n` } }));
    attempt(() => new OtlpHttpExporter({ headers: { 'x-token': `${TENANT_TOKEN}\r\nX-Injected: 1` } }));
    expect(messages).to.have.length(3);
    expect(messages.join('\n')).not.to.match(SECRET);
  });
});
