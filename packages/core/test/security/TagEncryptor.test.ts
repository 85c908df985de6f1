import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { AuditTracer, ENCRYPTED_PREFIX, InMemoryExporter, TagEncryptor } from '@audit-tracing/core';

describe('TagEncryptor', () => {
  const key = randomBytes(32);

  it('round-trips values and never yields the same ciphertext twice', () => {
    const encryptor = new TagEncryptor({ key, sensitiveTags: ['user.email'] });
    const a = encryptor.encrypt('ada@example.com');
    const b = encryptor.encrypt('ada@example.com');
    expect(a.startsWith(ENCRYPTED_PREFIX)).to.equal(true);
    expect(a).to.not.equal(b);
    expect(encryptor.decrypt(a)).to.equal('ada@example.com');
  });

  it('refuses a tampered value or the wrong key', () => {
    const encryptor = new TagEncryptor({ key, sensitiveTags: [] });
    const value = encryptor.encrypt('secret');
    const tampered = value.slice(0, -4) + (value.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(() => encryptor.decrypt(tampered)).to.throw();
    expect(() => new TagEncryptor({ key: randomBytes(32), sensitiveTags: [] }).decrypt(value)).to.throw();
  });

  it('rejects a key of the wrong size at set-up', () => {
    expect(() => new TagEncryptor({ key: randomBytes(16), sensitiveTags: [] })).to.throw(TypeError, /encryption\.key: expected 32 bytes/);
  });

  it('encrypts sensitive tags and log fields before the exporter sees them', async () => {
    const exporter = new InMemoryExporter();
    const tracer = new AuditTracer({
      exporter,
      processor: 'simple',
      encryption: { key: key.toString('base64'), sensitiveTags: ['user.email', /^card\./] },
    });
    const span = tracer.startSpan('pay', null, { tags: { 'user.email': 'ada@example.com', 'card.last4': 1234, plain: 'ok' } });
    span.log('info', 'charged', { 'card.holder': 'Ada' });
    span.finish();
    await tracer.forceFlush();
    const [exported] = exporter.getFinishedSpans();
    const encryptor = new TagEncryptor({ key, sensitiveTags: [] });
    expect(exported.tags.plain).to.equal('ok');
    expect(encryptor.decrypt(String(exported.tags['user.email']))).to.equal('ada@example.com');
    expect(encryptor.decrypt(String(exported.tags['card.last4']))).to.equal('1234');
    expect(encryptor.decrypt(String(exported.logs[0].fields?.['card.holder']))).to.equal('Ada');
  });
});
