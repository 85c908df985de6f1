import { expect } from 'chai';
import { resolveTracingConfig, tracingConfigFromEnv, type TracingOptions } from '../../src/config.js';
import { exporterConfigFromEnv, parseHeaderList } from '../../src/export/exporterEnv.js';
import { captureWarnings } from '../helpers/captureWarnings.js';

describe('exporter configuration from the environment', () => {
  const warnings = captureWarnings();

  it('parses OTEL_EXPORTER_OTLP_HEADERS: key=value pairs, values percent-decoded', () => {
    expect(parseHeaderList('api-key=abc%20def, x-tenant = acme ,empty=,=nokey,bad')).to.deep.equal({ 'api-key': 'abc def', 'x-tenant': 'acme', empty: '' });
    expect(parseHeaderList('k=%E0%A4%A')).to.deep.equal({});
    expect(warnings.join('\n')).not.to.contain('%E0');
  });

  it('reads the OTLP exporter variables, per-signal ones winning', () => {
    const config = exporterConfigFromEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/custom',
      OTEL_EXPORTER_OTLP_HEADERS: 'a=1,b=2',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'b=3',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'none',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
      OTLP_API_KEY: 'key-123',
      OTLP_AUTH_HEADER: 'X-Scope-OrgID: tenant-7',
    });
    expect(config).to.deep.equal({
      exporterEndpoint: 'http://collector:4318',
      exporterUrl: 'http://collector:4318/custom',
      headers: { a: '1', b: '3' },
      protocol: 'http/protobuf',
      compression: 'none',
      exportTimeoutMs: 2500,
      apiKey: 'key-123',
      authHeader: 'X-Scope-OrgID: tenant-7',
    });
  });

  it('ignores values it cannot use, with a warning that never repeats a secret', () => {
    const config = exporterConfigFromEnv({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'brotli',
      OTEL_EXPORTER_OTLP_TIMEOUT: 'soon',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url',
      OTLP_AUTH_HEADER: 'no-colon-s3cret',
    });
    expect(config).to.deep.equal({});
    expect(warnings.join('\n')).to.contain('OTLP_AUTH_HEADER');
    expect(warnings.join('\n')).not.to.contain('s3cret');
  });

  it('feeds tracingConfigFromEnv, with the service name and sampler', () => {
    const config = tracingConfigFromEnv({
      OTEL_SERVICE_NAME: 'orders',
      OTEL_TRACES_SAMPLER: 'traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    });
    expect(config).to.deep.include({ serviceName: 'orders', sampler: 'traceidratio', sampleRate: 0.25, exporterType: 'otlp', exporterEndpoint: 'http://collector:4318' });
  });

  it('lets options win over the environment', () => {
    const env = {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://env:4318/v1/traces',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=env,x-env-only=1',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTLP_API_KEY: 'env-key',
    };
    const config = resolveTracingConfig(
      { exporterEndpoint: 'http://code:4318', headers: { 'x-tenant': 'code' }, protocol: 'http/protobuf', apiKey: 'code-key' },
      env,
    );
    expect(config.exporterEndpoint).to.equal('http://code:4318');
    expect(config.exporterUrl).to.equal(undefined);
    expect(config.headers).to.deep.equal({ 'x-tenant': 'code', 'x-env-only': '1' });
    expect(config.protocol).to.equal('http/protobuf');
    expect(config.apiKey).to.equal('code-key');
    expect(resolveTracingConfig({}, env).exporterUrl).to.equal('http://env:4318/v1/traces');
  });

  it('makes an endpoint in code mean OTLP, unless an exporter is named', () => {
    expect(resolveTracingConfig({ exporterEndpoint: 'http://c:4318' }, {}).exporterType).to.equal('otlp');
    expect(resolveTracingConfig({ exporterUrl: 'http://c:4318/v1/traces' }, {}).exporterType).to.equal('otlp');
    expect(resolveTracingConfig({ exporterEndpoint: 'http://z:9411', exporterType: 'zipkin' }, {}).exporterType).to.equal('zipkin');
    expect(resolveTracingConfig({ exporterEndpoint: 'http://c:4318' }, { OTEL_TRACES_EXPORTER: 'zipkin' }).exporterType).to.equal('zipkin');
    expect(resolveTracingConfig({}, {}).exporterType).to.equal('console');
  });

  it('rejects wrong exporter options with a TypeError naming the field, never showing a secret', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ protocol: 'grpc' }, /tracing\.protocol/],
      [{ compression: 'br' }, /tracing\.compression/],
      [{ exportTimeoutMs: 0 }, /tracing\.exportTimeoutMs/],
      [{ exporterUrl: 'nope' }, /tracing\.exporterUrl/],
      [{ retry: { maxRetries: -1 } }, /tracing\.retry\.maxRetries/],
      [{ retry: { retryableStatuses: [200] } }, /tracing\.retry\.retryableStatuses/],
      [{ retry: 'often' }, /tracing\.retry/],
      [{ apiKey: '' }, /tracing\.apiKey/],
      [{ apiKey: 12345678 }, /tracing\.apiKey/],
      [{ authHeader: 'no colon s3cret' }, /tracing\.authHeader/],
    ];
    for (const [options, pattern] of bad) {
      expect(() => resolveTracingConfig(options as TracingOptions, {})).to.throw(TypeError, pattern);
    }
    for (const options of [{ apiKey: 12345678 }, { authHeader: 'no colon s3cret' }] as Record<string, unknown>[]) {
      try {
        resolveTracingConfig(options as TracingOptions, {});
      } catch (error) {
        expect((error as Error).message).not.to.match(/12345678|s3cret/);
      }
    }
  });
});
