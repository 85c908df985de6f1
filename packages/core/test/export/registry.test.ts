import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveTracingConfig, type TracingOptions } from '../../src/config.js';
import { HttpSpanExporter } from '../../src/export/http/HttpSpanExporter.js';
import { DEFAULT_JAEGER_OTLP_ENDPOINT } from '../../src/export/jaeger.js';
import { OtlpHttpExporter } from '../../src/export/otlp/OtlpHttpExporter.js';
import { exporterNames, getExporterFactory } from '../../src/export/registry.js';
import { ZipkinExporter } from '../../src/export/zipkin/ZipkinExporter.js';
import { AuditTracer } from '../../src/trace/AuditTracer.js';
import { TestCollector } from '../helpers/collector.js';

function create(name: string, options: TracingOptions = {}) {
  const factory = getExporterFactory(name);
  if (!factory) throw new Error(`no factory ${name}`);
  const exporter = factory.create(resolveTracingConfig({ exporterType: name, ...options }, {}));
  return { exporter, processor: factory.processor };
}

describe('exporter registry', () => {
  it('knows otlp, zipkin and jaeger, all batched', () => {
    expect(exporterNames()).to.include.members(['none', 'console', 'memory', 'otlp', 'zipkin', 'jaeger']);
    for (const name of ['otlp', 'zipkin', 'jaeger']) expect(create(name).processor).to.equal('batch');
  });

  it('builds the OTLP exporter from the configuration', () => {
    const { exporter } = create('otlp', { exporterEndpoint: 'http://collector:4318', protocol: 'http/json' });
    expect(exporter).to.be.instanceOf(OtlpHttpExporter);
    expect((exporter as OtlpHttpExporter).target).to.equal('http://collector:4318/v1/traces');
    expect((exporter as OtlpHttpExporter).protocol).to.equal('http/json');
    expect((create('otlp', { exporterUrl: 'http://c/x' }).exporter as OtlpHttpExporter).target).to.equal('http://c/x');
  });

  it('builds the Zipkin exporter', () => {
    const { exporter } = create('zipkin', { exporterEndpoint: 'http://zipkin:9411' });
    expect(exporter).to.be.instanceOf(ZipkinExporter);
    expect((exporter as ZipkinExporter).target).to.equal('http://zipkin:9411/api/v2/spans');
  });

  it('jaeger is the OTLP exporter preset to Jaeger\'s OTLP endpoint', () => {
    const jaeger = create('jaeger').exporter;
    expect(jaeger).to.be.instanceOf(OtlpHttpExporter);
    expect(DEFAULT_JAEGER_OTLP_ENDPOINT).to.equal('http://localhost:4318');
    expect((jaeger as OtlpHttpExporter).target).to.equal('http://localhost:4318/v1/traces');
    expect((create('jaeger', { exporterEndpoint: 'http://jaeger:4318' }).exporter as OtlpHttpExporter).target).to.equal('http://jaeger:4318/v1/traces');
  });

  it('the tracer names no exporter', () => {
    const source = readFileSync(resolve(__dirname, '../../src/trace/AuditTracer.ts'), 'utf8');
    expect(source).not.to.match(/Otlp|Zipkin|Jaeger|HttpSpanExporter/);
  });

  describe('auth headers', () => {
    let collector: TestCollector;
    const saved = { ...process.env };
    beforeEach(async () => {
      collector = await TestCollector.start();
    });
    afterEach(async () => {
      await collector.close();
      for (const key of ['OTLP_API_KEY', 'OTLP_AUTH_HEADER', 'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    });

    async function receivedHeaders(tracer: AuditTracer) {
      tracer.startSpan('op').finish();
      await tracer.shutdown();
      expect(collector.requests).to.have.length(1);
      return collector.requests[0].headers;
    }

    it('arrive exactly as configured in options', async () => {
      const tracer = new AuditTracer({
        serviceName: 'auth',
        exporterType: 'otlp',
        exporterEndpoint: collector.url,
        headers: { 'x-tenant': 'acme', 'X-Trace-Token': 'a=b;c' },
        apiKey: 'k3y-123',
        authHeader: 'X-Scope-OrgID:  tenant-7',
      });
      const headers = await receivedHeaders(tracer);
      expect(headers).to.include({ authorization: 'Bearer k3y-123', 'x-scope-orgid': 'tenant-7', 'x-tenant': 'acme', 'x-trace-token': 'a=b;c' });
    });

    it('arrive exactly as configured in the environment', async () => {
      process.env.OTLP_API_KEY = 'env-key-456';
      process.env.OTLP_AUTH_HEADER = 'X-Api-Key: abc:def';
      process.env.OTEL_EXPORTER_OTLP_HEADERS = 'x-tenant=acme%20corp';
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.url;
      const tracer = new AuditTracer({ serviceName: 'auth' });
      expect(tracer.config.exporterType).to.equal('otlp');
      const headers = await receivedHeaders(tracer);
      expect(headers).to.include({ authorization: 'Bearer env-key-456', 'x-api-key': 'abc:def', 'x-tenant': 'acme corp' });
    });

    it('an API key replaces an Authorization header given another way', async () => {
      const tracer = new AuditTracer({ serviceName: 'auth', exporterType: 'zipkin', exporterEndpoint: collector.url, headers: { Authorization: 'Basic old' }, apiKey: 'new' });
      const headers = await receivedHeaders(tracer);
      expect(headers.authorization).to.equal('Bearer new');
    });
  });

  it('every HTTP exporter shares one lifecycle', () => {
    for (const name of ['otlp', 'zipkin', 'jaeger']) expect(create(name).exporter).to.be.instanceOf(HttpSpanExporter);
  });
});
