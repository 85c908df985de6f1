import { expect } from 'chai';
import { AuditTracer, ERR_INVALID_OPTION, resolveTracingConfig, tracingConfigFromEnv } from '@audit-tracing/core';
import { captureWarnings } from '../helpers/captureWarnings.js';

describe('resolveTracingConfig', () => {
  const warnings = captureWarnings();

  it('warns about a sampler variable it cannot use, as about the other variables, and keeps the default', () => {
    const options = tracingConfigFromEnv({ OTEL_TRACES_SAMPLER: 'sometimes', OTEL_TRACES_SAMPLER_ARG: '7' });
    expect(options.sampler).to.equal(undefined);
    expect(options.sampleRate).to.equal(undefined);
    expect(warnings.some((w) => w.startsWith('OTEL_TRACES_SAMPLER ignored: expected one of always_on'))).to.equal(true);
    expect(warnings.some((w) => w.startsWith('OTEL_TRACES_SAMPLER_ARG ignored: expected a number from 0 to 1'))).to.equal(true);
  });

  it('checks batch and retry options in the resolver, with the one option error', () => {
    for (const [options, message] of [
      [{ batch: { maxQueueSize: 0 } }, 'tracing.batch.maxQueueSize: expected a whole number > 0, got 0'],
      [{ batch: { maxExportBatchSize: 200, maxQueueSize: 100 } }, 'tracing.batch.maxExportBatchSize: expected at most maxQueueSize (100), got 200'],
      [{ batch: { maxQueSize: 10 } }, 'tracing.batch.maxQueSize: unknown option'],
      [{ retry: { maxRetries: -1 } }, 'tracing.retry.maxRetries: expected a whole number >= 0, got -1'],
      [{ apiKey: 42 }, 'tracing.apiKey: expected a non-empty string, got a number (value not shown)'],
    ] as const) {
      expect(() => resolveTracingConfig(options as never, {}), message).to.throw(TypeError, message).with.property('code', ERR_INVALID_OPTION);
    }
  });
  it('fills defaults', () => {
    const config = resolveTracingConfig({}, {});
    expect(config).to.include({ enabled: true, sampleRate: 1, exporterType: 'console', serviceName: 'unknown_service:node' });
  });

  it('accepts the design ObservabilityConfig shape', () => {
    expect(resolveTracingConfig({ tracing: { serviceName: 'svc', sampleRate: 0.5 } }, {})).to.include({ serviceName: 'svc', sampleRate: 0.5 });
  });

  it('lets options win over the environment', () => {
    const env = { OTEL_SERVICE_NAME: 'from-env', OTEL_TRACES_SAMPLER_ARG: '0.25' };
    expect(resolveTracingConfig({}, env)).to.include({ serviceName: 'from-env', sampleRate: 0.25 });
    expect(resolveTracingConfig({ serviceName: 'mine' }, env)).to.include({ serviceName: 'mine' });
  });

  it('reads the sampler and propagators from the environment', () => {
    const options = tracingConfigFromEnv({ OTEL_TRACES_SAMPLER: 'always_off', OTEL_PROPAGATORS: 'tracecontext, b3' });
    expect(options.sampler).to.equal('always_off');
    expect(options.propagators).to.deep.equal(['tracecontext', 'b3']);
  });

  const wrong: Array<[string, Record<string, unknown>, RegExp]> = [
    ['sampleRate 2', { sampleRate: 2 }, /tracing\.sampleRate: expected a number from 0 to 1, got 2/],
    ['sampleRate as a string', { sampleRate: '0.5' }, /tracing\.sampleRate/],
    ['an unknown sampler', { sampler: 'sometimes' }, /tracing\.sampler/],
    ['an empty serviceName', { serviceName: '' }, /tracing\.serviceName/],
    ['a relative endpoint', { exporterEndpoint: 'collector:4318' }, /tracing\.exporterEndpoint/],
    ['a negative limit', { maxFinishedSpans: -1 }, /tracing\.maxFinishedSpans/],
    ['an unknown processor', { processor: 'fast' }, /tracing\.processor/],
  ];
  for (const [what, options, message] of wrong) {
    it(`rejects ${what} with a TypeError naming the field`, () => {
      expect(() => resolveTracingConfig(options as never, {})).to.throw(TypeError, message);
    });
  }

  it('rejects an unknown exporter or propagator name at construction', () => {
    expect(() => new AuditTracer({ exporterType: 'carrier-pigeon' })).to.throw(TypeError, /tracing\.exporterType: expected one of none, console, memory, file, otlp, zipkin, jaeger, got "carrier-pigeon"/);
    expect(() => new AuditTracer({ propagators: ['smoke-signal'], exporterType: 'none' })).to.throw(TypeError, /tracing\.propagators: expected propagator names \(known: tracecontext, b3, b3multi, x-trace-id\), got "smoke-signal"/);
    expect(() => new AuditTracer({ contextManager: 'zone', exporterType: 'none' } as never)).to.throw(TypeError, /tracing\.contextManager/);
  });
});
