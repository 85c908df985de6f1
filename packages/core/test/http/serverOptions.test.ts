import { expect } from 'chai';
import type { IncomingMessage } from 'node:http';
import {
  AuditTracer,
  ERR_INVALID_OPTION,
  getGlobalTracer,
  InMemoryExporter,
  NEVER_CAPTURED_HEADERS,
  resolveServerOptions,
  setDiagLogger,
  setGlobalTracer,
  tracerOf,
  type HttpServerTracingOptions,
} from '@audit-tracing/core';

const req = {} as IncomingMessage;
const adapter = { component: 'test', route: () => undefined };
const tracer = new AuditTracer({ exporter: new InMemoryExporter(), processor: 'simple', serviceName: 'options' });

function resolve(options: unknown) {
  return resolveServerOptions(options as HttpServerTracingOptions, adapter);
}

describe('resolveServerOptions', () => {
  it('fills in the defaults: the global tracer, trust, the x-trace-id header, no capture, no timeout', () => {
    const resolved = resolve(undefined);
    expect(resolved.tracer).to.equal(getGlobalTracer());
    expect(resolved).to.include({ component: 'test', trustIncoming: true, responseHeader: 'x-trace-id', timeoutMs: undefined, ignore: undefined });
    expect(resolved.captureHeaders).to.deep.equal([]);
  });

  it('uses the tracer it is given', () => {
    expect(resolve({ tracer }).tracer).to.equal(tracer);
  });

  it('names a tracer of its own with serviceName, and leaves the global tracer alone', () => {
    const previous = getGlobalTracer();
    try {
      const resolved = resolve({ serviceName: 'shop' });
      expect((resolved.tracer as AuditTracer).config.serviceName).to.equal('shop');
      expect(getGlobalTracer()).to.equal(previous);
      // Spans started inside a request find the adapter's tracer through the active span.
      const span = resolved.tracer.startSpan('GET /', null);
      expect(tracerOf(span)).to.equal(resolved.tracer);
      expect(tracerOf(undefined)).to.equal(previous);
    } finally {
      setGlobalTracer(previous);
    }
  });

  it('refuses a serviceName that contradicts the tracer given', () => {
    expect(() => resolve({ tracer, serviceName: 'other' })).to.throw(TypeError, /auditTracing\.serviceName: expected the tracer's own service name "options".*got "other"/);
    expect(resolve({ tracer, serviceName: 'options' }).tracer).to.equal(tracer);
  });

  const bad: Array<[string, unknown, string]> = [
    ['options', 5, 'auditTracing: expected an options object, got 5'],
    ['tracer', { tracer: {} }, 'auditTracing.tracer: expected an AuditTracer, got an object'],
    ['serviceName', { serviceName: '' }, 'auditTracing.serviceName: expected a non-empty string, got ""'],
    ['ignore', { ignore: 5 }, 'auditTracing.ignore: expected an array of paths or a function, got 5'],
    ['ignore entries', { ignore: ['/ok', 7] }, 'auditTracing.ignore: expected an array of names (non-empty strings) and RegExps, got 7'],
    ['spanName', { spanName: 'GET' }, 'auditTracing.spanName: expected a function, got "GET"'],
    ['trustIncoming', { trustIncoming: 'yes' }, 'auditTracing.trustIncoming: expected a boolean or a function, got "yes"'],
    ['responseHeader', { responseHeader: 'x trace' }, 'auditTracing.responseHeader: expected a header name or false, got "x trace"'],
    ['responseHeader true', { responseHeader: true }, 'auditTracing.responseHeader: expected a header name or false, got true'],
    ['captureHeaders', { captureHeaders: 'x-tenant' }, 'auditTracing.captureHeaders: expected an array of header names, got "x-tenant"'],
    ['captureHeaders entries', { captureHeaders: ['x tenant'] }, 'auditTracing.captureHeaders: expected an array of header names, got "x tenant"'],
    ['timeoutMs', { timeoutMs: 0 }, 'auditTracing.timeoutMs: expected a whole number of milliseconds > 0, got 0'],
    ['timeoutMs fraction', { timeoutMs: 1.5 }, 'auditTracing.timeoutMs: expected a whole number of milliseconds > 0, got 1.5'],
  ];
  for (const [what, options, message] of bad) {
    it(`throws the option error naming a bad ${what}`, () => {
      expect(() => resolve(options)).to.throw(TypeError, message).with.property('code', ERR_INVALID_OPTION);
    });
  }

  it('throws on an unknown option, so a typo does not silently do nothing', () => {
    expect(() => resolve({ ignored: ['/health'] })).to.throw(TypeError, /auditTracing\.ignored: unknown option \(known: tracer, /);
  });

  it('matches ignored paths exactly or by RegExp', () => {
    const { ignore } = resolve({ ignore: ['/health', /^\/internal\//g] });
    expect(ignore?.(req, '/health')).to.equal(true);
    expect(ignore?.(req, '/health/deep')).to.equal(false);
    // a global RegExp keeps lastIndex between calls; it must not make every other call miss
    expect(ignore?.(req, '/internal/a')).to.equal(true);
    expect(ignore?.(req, '/internal/b')).to.equal(true);
    expect(ignore?.(req, '/users')).to.equal(false);
  });

  it('never captures credentials, warning at set-up, and lowercases the rest', () => {
    const warnings: string[] = [];
    setDiagLogger({ warn: (message) => warnings.push(message), error: () => undefined });
    try {
      const { captureHeaders } = resolve({ captureHeaders: ['X-Tenant', 'Authorization', 'cookie', 'x-tenant'] });
      expect(captureHeaders).to.deep.equal(['x-tenant']);
      expect(warnings).to.have.length(2);
      expect(warnings[0]).to.include('"authorization"');
    } finally {
      setDiagLogger(undefined);
    }
    for (const name of ['authorization', 'proxy-authorization', 'cookie', 'set-cookie']) expect(NEVER_CAPTURED_HEADERS.has(name), name).to.equal(true);
  });

  it('turns the response header off with false', () => {
    expect(resolve({ responseHeader: false }).responseHeader).to.equal(undefined);
    expect(resolve({ responseHeader: 'X-Request-Trace' }).responseHeader).to.equal('x-request-trace');
  });
});
