import { expect } from 'chai';
import { AuditTracer, ERR_INVALID_OPTION, getGlobalTracer } from '@audit-tracing/core';
import { resolveOptions } from '../src/options.js';

describe('options', () => {
  const url = (href: string) => new URL(href);

  it("defaults: the active span's tracer (else the global one), propagate everywhere, no root, redact", () => {
    const options = resolveOptions(undefined, 'test');
    expect(options.tracerFor(undefined)).to.equal(getGlobalTracer());
    const own = new AuditTracer({ serviceName: 'own', exporterType: 'none' });
    expect(options.tracerFor(own.startSpan('server', null))).to.equal(own);
    expect(options.tracerFor(new AuditTracer({ serviceName: 'off', sampleRate: 0, exporterType: 'none' }).startSpan('unsampled', null))).to.not.equal(getGlobalTracer());
    expect(options.mayPropagate(url('http://anywhere/'))).to.equal(true);
    expect(options.mayPropagate(undefined)).to.equal(true);
    expect(options.root).to.equal(false);
    expect(options.redactQuery).to.equal(true);
    expect(options.spanName({ method: 'GET', url: url('http://api.example:8080/x') })).to.equal('GET api.example');
    expect(options.spanName({ method: 'PUT', url: undefined })).to.equal('PUT');
  });

  describe('propagateTo', () => {
    it('matches a host name or host:port, case-insensitively', () => {
      const { mayPropagate } = resolveOptions({ propagateTo: ['API.internal', 'cache:6380'] }, 'test');
      expect(mayPropagate(url('http://api.internal:8443/'))).to.equal(true);
      expect(mayPropagate(url('http://cache:6380/'))).to.equal(true);
      expect(mayPropagate(url('http://cache:6381/'))).to.equal(false);
      expect(mayPropagate(url('https://api.internal.evil.com/'))).to.equal(false);
    });

    it('tests regular expressions on host name and host, statelessly even with /g', () => {
      const { mayPropagate } = resolveOptions({ propagateTo: /\.svc\.cluster\.local$/g }, 'test');
      for (let i = 0; i < 3; i++) expect(mayPropagate(url('http://orders.svc.cluster.local:8080/'))).to.equal(true);
      expect(mayPropagate(url('http://example.com/'))).to.equal(false);
    });

    it('calls a predicate with the URL; a throwing one sends nothing', () => {
      const { mayPropagate } = resolveOptions({ propagateTo: (u) => u.protocol === 'https:' }, 'test');
      expect(mayPropagate(url('https://x/'))).to.equal(true);
      expect(mayPropagate(url('http://x/'))).to.equal(false);
      const throwing = resolveOptions({ propagateTo: () => { throw new Error('no'); } }, 'test2');
      expect(throwing.mayPropagate(url('https://x/'))).to.equal(false);
    });

    it('never sends to an unknown target once restricted', () => {
      expect(resolveOptions({ propagateTo: /.*/ }, 'test').mayPropagate(undefined)).to.equal(false);
    });
  });

  it('names the owner and the option in errors, with a stable code', () => {
    expect(() => resolveOptions({ tracer: 'x' as never }, 'instrumentFetch'))
      .to.throw(TypeError, 'instrumentFetch.tracer: expected an AuditTracer or a function returning one, got "x"')
      .with.property('code', ERR_INVALID_OPTION);
    expect(() => resolveOptions({ propagateTo: [''] }, 'x')).to.throw(TypeError, /^x\.propagateTo: .*got ""$/);
  });
});
