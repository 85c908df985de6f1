import { expect } from 'chai';
import type { IncomingMessage } from 'node:http';
import {
  AuditTracer,
  getGlobalTracer,
  InMemoryExporter,
  NEVER_CAPTURED_HEADERS,
  resolveServerOptions,
  setDiagLogger,
  setGlobalTracer,
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

  it('names the default tracer with serviceName and makes it the global one, so handlers share it', () => {
    const previous = getGlobalTracer();
    try {
      const resolved = resolve({ serviceName: 'shop' });
      expect((resolved.tracer as AuditTracer).config.serviceName).to.equal('shop');
      expect(getGlobalTracer()).to.equal(resolved.tracer);
    } finally {
      setGlobalTracer(previous);
    }
  });

  it('refuses a serviceName that contradicts the tracer given', () => {
    expect(() => resolve({ tracer, serviceName: 'other' })).to.throw(TypeError, /serviceName "other" differs from the tracer's "options"/);
    expect(resolve({ tracer, serviceName: 'options' }).tracer).to.equal(tracer);
  });

  const bad: Array<[string, unknown, string]> = [
    ['options', 5, 'auditTracing: expected options to be an object, got number'],
    ['tracer', { tracer: {} }, 'auditTracing: expected tracer to be an AuditTracer, got object'],
    ['serviceName', { serviceName: '' }, 'auditTracing: expected serviceName to be a non-empty string, got string ""'],
    ['ignore', { ignore: 5 }, 'auditTracing: expected ignore to be an array of paths or a function, got number'],
    ['ignore entries', { ignore: ['/ok', 7] }, 'auditTracing: expected ignore to be an array of paths (strings or RegExps) or a function, got number'],
    ['spanName', { spanName: 'GET' }, 'auditTracing: expected spanName to be a function, got string "GET"'],
    ['trustIncoming', { trustIncoming: 'yes' }, 'auditTracing: expected trustIncoming to be a boolean or a function, got string "yes"'],
    ['responseHeader', { responseHeader: 'x trace' }, 'auditTracing: expected responseHeader to be a header name or false, got string "x trace"'],
    ['responseHeader true', { responseHeader: true }, 'auditTracing: expected responseHeader to be a header name or false, got boolean'],
    ['captureHeaders', { captureHeaders: 'x-tenant' }, 'auditTracing: expected captureHeaders to be an array of header names, got string "x-tenant"'],
    ['captureHeaders entries', { captureHeaders: ['x tenant'] }, 'auditTracing: expected captureHeaders to be an array of header names, got string "x tenant"'],
    ['timeoutMs', { timeoutMs: 0 }, 'auditTracing: expected timeoutMs to be a whole number of milliseconds > 0, got number'],
    ['timeoutMs fraction', { timeoutMs: 1.5 }, 'auditTracing: expected timeoutMs to be a whole number of milliseconds > 0, got number'],
  ];
  for (const [what, options, message] of bad) {
    it(`throws a TypeError naming a bad ${what}`, () => {
      expect(() => resolve(options)).to.throw(TypeError, message);
    });
  }

  it('throws on an unknown option, so a typo does not silently do nothing', () => {
    expect(() => resolve({ ignored: ['/health'] })).to.throw(TypeError, /unknown option "ignored"/);
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
