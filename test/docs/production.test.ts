// Every backend configuration docs/production.md shows, run against a loopback endpoint: the request must go to the
// path the backend documents, with its headers, in its encoding. The host is ours; everything else is as written.
import { AuditTracer, resolveTracingConfig, type TracingOptions } from '@audit-tracing/core';
import { expect } from 'chai';
import { TestCollector } from '../../packages/core/test/helpers/collector.js';
import { decodeOtlpProtobuf, otlpSpans } from '../../packages/core/test/helpers/otlpDecode.js';

async function exportOne(collector: TestCollector, options: TracingOptions, env: NodeJS.ProcessEnv = {}) {
  const previous = { ...process.env };
  Object.assign(process.env, env);
  try {
    const tracer = new AuditTracer({ serviceName: 'checkout', ...options });
    tracer.startSpan('GET /cart', null, { kind: 'server' }).finish();
    await tracer.shutdown();
  } finally {
    for (const key of Object.keys(env)) delete process.env[key];
    Object.assign(process.env, previous);
  }
  expect(collector.requests).to.have.length(1);
  return collector.requests[0];
}

describe('docs/production.md: each backend configuration', () => {
  let collector: TestCollector;
  beforeEach(async () => {
    collector = await TestCollector.start();
  });
  afterEach(async () => {
    await collector.close();
  });

  it('an OpenTelemetry Collector: OTLP/HTTP protobuf, gzip, to /v1/traces', async () => {
    const request = await exportOne(collector, { exporterType: 'otlp', exporterEndpoint: collector.url });
    expect(request.url).to.equal('/v1/traces');
    expect(request.headers).to.include({ 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(otlpSpans(decodeOtlpProtobuf(request.body))).to.have.length(1);
  });

  it('the same from the environment alone (OTEL_EXPORTER_OTLP_ENDPOINT)', async () => {
    const request = await exportOne(collector, {}, { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
    expect(request.url).to.equal('/v1/traces');
  });

  it('Grafana Tempo, self-hosted: its OTLP/HTTP receiver, /v1/traces', async () => {
    const request = await exportOne(collector, { exporterEndpoint: collector.url });
    expect(request.url).to.equal('/v1/traces');
  });

  it('Grafana Cloud: the OTLP gateway under /otlp, with Basic auth', async () => {
    const basic = Buffer.from('123456:glc_token').toString('base64');
    const request = await exportOne(collector, { exporterEndpoint: `${collector.url}/otlp`, authHeader: `Authorization: Basic ${basic}` });
    expect(request.url).to.equal('/otlp/v1/traces');
    expect(request.headers.authorization).to.equal(`Basic ${basic}`);
  });

  it('Jaeger: exporterType jaeger, its OTLP/HTTP port, /v1/traces', async () => {
    const request = await exportOne(collector, { exporterType: 'jaeger', exporterEndpoint: collector.url });
    expect(request.url).to.equal('/v1/traces');
    expect(request.headers['content-type']).to.equal('application/x-protobuf');
  });

  it('Honeycomb: /v1/traces with the x-honeycomb-team header, from the environment as documented', async () => {
    const request = await exportOne(collector, {}, { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team=hc_key_123' });
    expect(request.url).to.equal('/v1/traces');
    expect(request.headers['x-honeycomb-team']).to.equal('hc_key_123');
  });

  it('Datadog through its Agent: the Agent OTLP receiver, /v1/traces', async () => {
    const request = await exportOne(collector, { exporterEndpoint: collector.url });
    expect(request.url).to.equal('/v1/traces');
  });

  it('Datadog OTLP intake: the full traces URL as given, protobuf, with the dd- headers', async () => {
    const request = await exportOne(
      collector,
      {},
      {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/v1/traces`,
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'dd-protocol=otlp,dd-api-key=dd_key_123,dd-otlp-source=acme',
      },
    );
    expect(request.url).to.equal('/v1/traces');
    expect(request.headers).to.include({ 'dd-protocol': 'otlp', 'dd-api-key': 'dd_key_123', 'dd-otlp-source': 'acme' });
  });

  it('the settings the page recommends at scale are all accepted as written', () => {
    const config = resolveTracingConfig(
      {
        serviceName: 'checkout',
        sampleRate: 0.1,
        batch: { maxConcurrentExports: 8, maxQueueBytes: 64 * 1024 * 1024 },
        spanLimits: { attributeValueLengthLimit: 2048 },
        exportMaxBodyBytes: 2 * 1024 * 1024,
      },
      {},
    );
    expect(config.sampleRate).to.equal(0.1);
    expect(config.batch).to.include({ maxConcurrentExports: 8, maxQueueBytes: 64 * 1024 * 1024 });
    expect(config.exportMaxBodyBytes).to.equal(2 * 1024 * 1024);
    expect(config.spanLimits?.attributeValueLengthLimit).to.equal(2048);
  });
});
