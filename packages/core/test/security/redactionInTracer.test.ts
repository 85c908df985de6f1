import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { resolveTracingConfig } from '../../src/config.js';
import { InMemoryExporter } from '../../src/export/InMemoryExporter.js';
import { ERR_INVALID_OPTION } from '../../src/invalidOption.js';
import { REDACTED } from '../../src/semconv.js';
import { AuditSpan } from '../../src/trace/AuditSpan.js';
import { AuditTracer } from '../../src/trace/AuditTracer.js';

describe('redaction in the tracer', () => {
  function tracerWith(options: Record<string, unknown> = {}) {
    const exporter = new InMemoryExporter();
    const tracer = new AuditTracer({ serviceName: 't', exporter, processor: 'simple', ...options });
    return { tracer, exporter };
  }

  it('redacts as values are written, so the live span never holds the secret', () => {
    const { tracer } = tracerWith();
    const span = tracer.startSpan('op', null, { tags: { password: 'p1' } });
    span.setTag('authorization', 'Basic abc').setTags({ apiKey: 'k', ok: 'yes' });
    expect(span.tags).to.deep.equal({ password: REDACTED, authorization: REDACTED, apiKey: REDACTED, ok: 'yes' });
    span.finish();
  });

  it('redacts in spans made without a tracer too', () => {
    const span = new AuditSpan({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), operationName: 'x', component: 'c', kind: 'internal', traceFlags: 1, resource: { serviceName: 's', attributes: {} } });
    span.setTag('set-cookie', 'id=1');
    expect(span.tags['set-cookie']).to.equal(REDACTED);
  });

  it('applies added rules and keep from the configuration', () => {
    const { tracer, exporter } = tracerWith({ redact: { keys: ['user.email'], patterns: [/^\d{3}-\d{2}-\d{4}$/], keep: ['csrf_token'] } });
    const span = tracer.startSpan('op');
    span.setTag('user.email', 'a@b.c').setTag('note', '078-05-1120').setTag('csrf_token', 'visible').setStatus('ERROR', '078-05-1120');
    span.log('warn', '078-05-1120');
    span.finish();
    const [out] = exporter.getFinishedSpans();
    expect(out!.tags).to.deep.equal({ 'user.email': REDACTED, note: REDACTED, csrf_token: 'visible' });
    expect(out!.status.message).to.equal(REDACTED);
    expect(out!.logs[0]!.message).to.equal(REDACTED);
  });

  it('encrypts a key listed for encryption instead of redacting it', () => {
    const key = randomBytes(32);
    const { tracer, exporter } = tracerWith({ encryption: { key, sensitiveTags: ['user.password'] } });
    const span = tracer.startSpan('op');
    span.setTag('user.password', 'hunter2').setTag('db.password', 'hunter3');
    span.log('info', 'm', { 'user.password': 'hunter2' });
    span.finish();
    const [out] = exporter.getFinishedSpans();
    expect(String(out!.tags['user.password'])).to.match(/^enc:/).and.not.include('hunter2');
    expect(out!.tags['db.password']).to.equal(REDACTED);
    expect(String(out!.logs[0]!.fields!['user.password'])).to.match(/^enc:/);
  });

  it('checks the redact option in resolveTracingConfig', () => {
    expect(() => resolveTracingConfig({ redact: { patterns: ['x'] } } as never, {})).to.throw(TypeError, /^tracing\.redact\.patterns: /).with.property('code', ERR_INVALID_OPTION);
    expect(() => resolveTracingConfig({ redact: [] } as never, {})).to.throw(TypeError, /^tracing\.redact: /);
  });

  it('keeps the decision cache bounded under generated key names', () => {
    const { tracer } = tracerWith({ spanLimits: { attributeCountLimit: 100_000 } });
    const span = tracer.startSpan('op');
    for (let i = 0; i < 10_000; i++) span.setTag(`k${i}.token`, 'x');
    expect(Object.values(span.tags).every((value) => value === REDACTED)).to.equal(true);
    const cache = (tracer.redactor as unknown as { decisions: Map<string, number> }).decisions;
    expect(cache.size).to.be.at.most(4096);
    span.finish();
  });
});
