import { expect } from 'chai';
import type { IncomingMessage } from 'node:http';
import { InMemoryExporter } from '../src/export/InMemoryExporter.js';
import { resolveServerOptions } from '../src/http/serverOptions.js';
import { ERR_INVALID_OPTION } from '../src/invalidOption.js';
import { compileNameMatcher } from '../src/matcher.js';
import { decryptAttributes } from '../src/security/decrypt.js';
import { LocalKeyProvider } from '../src/security/LocalKeyProvider.js';
import { TagEncryptor } from '../src/security/TagEncryptor.js';
import { AuditTracer } from '../src/trace/AuditTracer.js';

const KEY = '0123456789abcdef'.repeat(4);

/** `times` answers of `test` for the same name. */
function repeated(test: (name: string) => boolean, name: string, times = 6): boolean[] {
  return Array.from({ length: times }, () => test(name));
}

const always = (answer: boolean, times = 6) => Array.from({ length: times }, () => answer);

describe('compileNameMatcher', () => {
  // The trap the matcher exists for: RegExp#test with g or y is stateful, so the same name alternates.
  it('(the trap) a raw /g or /y pattern answers the same name differently on the next call', () => {
    const global = /password/g;
    const sticky = /token/y;
    expect(repeated((name) => global.test(name), 'user.password', 4)).to.deep.equal([true, false, true, false]);
    expect(repeated((name) => sticky.test(name), 'token.refresh', 4)).to.deep.equal([true, false, true, false]);
  });

  it('matches exact names, case-sensitively by default', () => {
    const matches = compileNameMatcher(['card.number', 'user.email'], 'test', 'names')!;
    expect(matches('card.number')).to.equal(true);
    expect(matches('user.email')).to.equal(true);
    expect(matches('Card.Number')).to.equal(false);
    expect(matches('card.number.last4')).to.equal(false);
    expect(matches('card')).to.equal(false);
  });

  it('matches RegExps anywhere in the name unless anchored, with their own flags', () => {
    const matches = compileNameMatcher([/secret/, /^auth\./, /KEY$/i], 'test', 'names')!;
    expect(matches('db.secret.value')).to.equal(true);
    expect(matches('auth.header')).to.equal(true);
    expect(matches('x.auth.header')).to.equal(false);
    expect(matches('api.key')).to.equal(true);
    expect(matches('SECRET')).to.equal(false);
  });

  it('mixes exact names and patterns', () => {
    const matches = compileNameMatcher(['/health', /^\/ready/], 'test', 'names')!;
    expect(['/health', '/ready', '/readyz', '/healthz', '/api'].map(matches)).to.deep.equal([true, true, true, false, false]);
  });

  it('gives the same answer on every call with /g', () => {
    const matches = compileNameMatcher([/password/g], 'test', 'names')!;
    expect(repeated(matches, 'user.password')).to.deep.equal(always(true));
    expect(repeated(matches, 'user.name')).to.deep.equal(always(false));
    // Alternating names, the pattern that hid the bug in production.
    expect(['a.password', 'b.password', 'c.password', 'd.password'].map(matches)).to.deep.equal(always(true, 4));
  });

  it('gives the same answer on every call with /y, and with /gy', () => {
    const sticky = compileNameMatcher([/token/y], 'test', 'names')!;
    expect(repeated(sticky, 'token.refresh')).to.deep.equal(always(true));
    const both = compileNameMatcher([/token/gy], 'test', 'names')!;
    expect(repeated(both, 'token')).to.deep.equal(always(true));
  });

  it('keeps the other flags of a /g pattern', () => {
    const matches = compileNameMatcher([/password/gi], 'test', 'names')!;
    expect(repeated(matches, 'USER.PASSWORD')).to.deep.equal(always(true));
  });

  it('never moves the lastIndex of the caller’s RegExp', () => {
    const pattern = /password/g;
    const matches = compileNameMatcher([pattern], 'test', 'names')!;
    expect(matches('user.password')).to.equal(true);
    expect(pattern.lastIndex).to.equal(0);
    expect(pattern.flags).to.equal('g');
  });

  it('compares exact names without case with ignoreCase, leaving patterns to their flags', () => {
    const matches = compileNameMatcher(['API.Internal', /^cache$/], 'test', 'names', { ignoreCase: true })!;
    expect(matches('api.internal')).to.equal(true);
    expect(matches('API.INTERNAL')).to.equal(true);
    expect(matches('cache')).to.equal(true);
    expect(matches('CACHE')).to.equal(false);
    const exactOnly = compileNameMatcher(['Host'], 'test', 'names', { ignoreCase: true })!;
    expect(exactOnly('hOST')).to.equal(true);
    expect(compileNameMatcher(['Host'], 'test', 'names')!('host')).to.equal(false);
  });

  it('returns undefined for an empty list', () => {
    expect(compileNameMatcher([], 'test', 'names')).to.equal(undefined);
    expect(compileNameMatcher([], 'test', 'names', { ignoreCase: true })).to.equal(undefined);
  });

  it('rejects an entry that is neither a non-empty string nor a RegExp with the coded TypeError', () => {
    for (const bad of ['', 42, null, undefined, {}, ['nested'], () => true]) {
      expect(() => compileNameMatcher(['ok', bad], 'owner', 'option'), String(bad))
        .to.throw(TypeError, /^owner\.option: expected an array of names \(non-empty strings\) and RegExps, got /)
        .with.property('code', ERR_INVALID_OPTION);
    }
  });

  describe('every option that takes patterns is stateless with /g and /y', () => {
    it('encryption.sensitiveTags (TagEncryptor.isSensitive)', () => {
      const encryptor = new TagEncryptor({ key: KEY, sensitiveTags: [/password/g, /token/y] });
      expect(repeated((name) => encryptor.isSensitive(name), 'user.password')).to.deep.equal(always(true));
      expect(repeated((name) => encryptor.isSensitive(name), 'token')).to.deep.equal(always(true));
      expect(repeated((name) => encryptor.isSensitive(name), 'user.name')).to.deep.equal(always(false));
      // Interleaved, as the tags of one span are checked.
      const answers = ['user.password', 'token', 'user.password', 'token'].map((name) => encryptor.isSensitive(name));
      expect(answers).to.deep.equal(always(true, 4));
    });

    it('encryption.sensitiveTags (TagEncryptor.encryptTags on the same tags again and again)', async () => {
      const encryptor = new TagEncryptor({ key: KEY, sensitiveTags: [/password/g] });
      const reader = new LocalKeyProvider({ keys: KEY });
      const at = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) };
      const tags = { 'user.password': 'hunter2' };
      for (let i = 0; i < 6; i++) {
        const encrypted = encryptor.encryptTags(tags, at);
        expect(encrypted['user.password']).to.not.equal('hunter2');
        expect((await decryptAttributes(encrypted, at, reader))['user.password']).to.equal('hunter2');
      }
      expect(tags).to.deep.equal({ 'user.password': 'hunter2' });
    });

    it('auditTracing.ignore (resolveServerOptions)', async () => {
      const tracer = new AuditTracer({ exporter: new InMemoryExporter(), processor: 'simple', serviceName: 'matcher' });
      const adapter = { component: 'test', route: () => undefined };
      const req = {} as IncomingMessage;
      const global = resolveServerOptions({ ignore: [/health/g], tracer }, adapter).ignore!;
      expect(repeated((path) => global(req, path), '/health')).to.deep.equal(always(true));
      expect(repeated((path) => global(req, path), '/api/orders')).to.deep.equal(always(false));
      const sticky = resolveServerOptions({ ignore: [/\/ready/y], tracer }, adapter).ignore!;
      expect(repeated((path) => sticky(req, path), '/ready')).to.deep.equal(always(true));
      await tracer.shutdown();
    });

    it('auditTracing.ignore rejects a bad entry with the coded TypeError', () => {
      const adapter = { component: 'test', route: () => undefined };
      expect(() => resolveServerOptions({ ignore: ['/ok', 7 as never] }, adapter))
        .to.throw(TypeError, /^auditTracing\.ignore: expected/)
        .with.property('code', ERR_INVALID_OPTION);
    });
  });
});
