import { expect } from 'chai';
import { ERR_INVALID_OPTION } from '../../src/invalidOption.js';
import { isSecretKey, Redactor, resolveRedactionOptions } from '../../src/security/Redactor.js';
import { redactQueryString, redactUrlText } from '../../src/security/redactUrl.js';
import { REDACTED } from '../../src/semconv.js';

describe('Redactor', () => {
  describe('the default key rule', () => {
    const secret = [
      'authorization',
      'Authorization',
      'http.request.header.authorization',
      'http.request.header.proxy-authorization',
      'http.request.header.cookie',
      'http.response.header.set-cookie',
      'Set-Cookie',
      'user.password',
      'db.passwd',
      'newPassword',
      'client_secret',
      'clientSecret',
      'app.secret',
      'token',
      'accessToken',
      'access_token',
      'csrftoken',
      'x-auth-token',
      'api_key',
      'apikey',
      'apiKey',
      'x-api-key',
      'X-Api-Key',
      'X-API-KEY',
      'http.request.header.x-api-key',
      'private_key',
      'privateKey',
      'tls.privatekey',
      'sessionId',
      'session_id',
      'session.id',
      'SESSIONID',
      'JSESSIONID',
    ];
    const plain = [
      'tokenizer.version',
      'token_count',
      'llm.token.count',
      'gen_ai.usage.input_tokens',
      'max_tokens',
      'password_changed_at',
      'secretary.name',
      'session.duration',
      'possessionid',
      'key',
      'cache.key',
      'user.id',
      'http.route',
      'url.path',
      'cookies_enabled_count',
    ];
    // Through a Redactor too: its quick pre-test must let every secret key through to the rule.
    const redactor = new Redactor();
    for (const key of secret) {
      it(`redacts ${key}`, () => {
        expect(isSecretKey(key), key).to.equal(true);
        expect(redactor.tagValue(key, 'v'), key).to.equal(REDACTED);
      });
    }
    for (const key of plain) {
      it(`keeps ${key}`, () => {
        expect(isSecretKey(key), key).to.equal(false);
        expect(redactor.tagValue(key, 'v'), key).to.equal('v');
      });
    }
  });

  describe('tag values', () => {
    const redactor = new Redactor();

    it('replaces a secret value of any type, and every item of an array, keeping the key', () => {
      expect(redactor.tagValue('user.password', 'hunter2')).to.equal(REDACTED);
      expect(redactor.tagValue('session_id', 12345)).to.equal(REDACTED);
      expect(redactor.tagValue('http.request.header.cookie', ['a=1', 'b=2'])).to.deep.equal([REDACTED, REDACTED]);
      expect(redactor.tagValue('token', null)).to.equal(null);
      expect(redactor.tagValue('token', undefined)).to.equal(undefined);
    });

    it('decides right whatever order keys of the same length come in (the plain-key slots)', () => {
      const fresh = new Redactor();
      for (let i = 0; i < 3; i++) {
        expect(fresh.tagValue('hello', 'a')).to.equal('a');
        expect(fresh.tagValue('token', 'b')).to.equal(REDACTED);
        expect(fresh.tagValue(['to', 'ken'].join(''), 'c')).to.equal(REDACTED);
        expect(fresh.tagValue(`hel${'lo'}`, 'd')).to.equal('d');
        expect(fresh.tagValue('x'.repeat(37), 'e')).to.equal('e');
        expect(fresh.tagValue(`${'x'.repeat(32)}token`, 'f')).to.equal(REDACTED);
      }
    });

    it('leaves other values as the same value', () => {
      const tags = ['a', 'b'];
      expect(redactor.tagValue('http.route', '/users/:id')).to.equal('/users/:id');
      expect(redactor.tagValue('tags', tags)).to.equal(tags);
      expect(redactor.tagValue('http.response.status_code', 200)).to.equal(200);
    });

    it('redacts sensitive query values and user info in URL-valued attributes, keeping the rest', () => {
      expect(redactor.tagValue('url.full', 'https://user:pass@example.com:8443/cb?code=abc&state=x#frag')).to.equal(
        'https://REDACTED:REDACTED@example.com:8443/cb?code=REDACTED&state=x#frag',
      );
      expect(redactor.tagValue('url.query', 'code=abc&state=x')).to.equal('code=REDACTED&state=x');
      expect(redactor.tagValue('http.target', '/cb?access_token=t&page=2')).to.equal('/cb?access_token=REDACTED&page=2');
      expect(redactor.tagValue('url.original', '/cb?sig=t')).to.equal('/cb?sig=REDACTED');
      expect(redactor.tagValue('http.request.header.referer', ['https://a/?code=1'])).to.deep.equal(['https://a/?code=REDACTED']);
      expect(redactor.tagValue('http.url', 'https://s3.example.com/o?X-Amz-Signature=abc&X-Amz-Date=1&AWSAccessKeyId=AKIA&sig=s&Signature=z')).to.equal(
        'https://s3.example.com/o?X-Amz-Signature=REDACTED&X-Amz-Date=1&AWSAccessKeyId=REDACTED&sig=REDACTED&Signature=REDACTED',
      );
      expect(redactor.tagValue('url.full', 'https://h/p?Password=a&KEY=b&token=c&api_key=d&client_secret=e&q=f')).to.equal(
        'https://h/p?Password=REDACTED&KEY=REDACTED&token=REDACTED&api_key=REDACTED&client_secret=REDACTED&q=f',
      );
      // The name is compared decoded: an encoded name hides nothing.
      expect(redactor.tagValue('url.query', 'to%6Ben=a&%63ode=b')).to.equal('to%6Ben=REDACTED&%63ode=REDACTED');
      // OAuth's implicit flow returns tokens in the fragment.
      expect(redactor.tagValue('url.full', 'https://app/cb#access_token=abc&state=x')).to.equal('https://app/cb#access_token=REDACTED&state=x');
    });

    it('redacts user info in any URL-valued key, with a username alone too', () => {
      expect(redactor.tagValue('db.url', 'postgres://admin:s3cret@db:5432/app')).to.equal('postgres://REDACTED:REDACTED@db:5432/app');
      expect(redactor.tagValue('callbackUrl', 'https://token@hooks.example.com/x')).to.equal('https://REDACTED:REDACTED@hooks.example.com/x');
      expect(redactor.tagValue('redirect_uri', 'https://a.example/?code=1')).to.equal('https://a.example/?code=REDACTED');
      // An @ in the path or the query is not user info.
      expect(redactor.tagValue('url.full', 'https://example.com/users/@me?by=a@b')).to.equal('https://example.com/users/@me?by=a@b');
    });

    it('leaves URL values without user info or sensitive parameters as the same string', () => {
      const url = 'https://example.com/a/b?page=2&sort=name';
      expect(redactor.tagValue('url.full', url)).to.equal(url);
      expect(redactor.tagValue('url.query', 'a=1&b')).to.equal('a=1&b');
    });
  });

  describe('options', () => {
    it('adds keys, query parameters and value patterns, and keeps what keep lists', () => {
      const redactor = new Redactor(
        resolveRedactionOptions({
          keys: ['user.ssn', /(^|\.)iban$/i],
          queryParams: ['state', /^otp/],
          patterns: [/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/, /\b(?:\d[ -]?){13,16}\b/g],
          keep: ['http.request.header.x-csrf-token'],
        }),
      );
      expect(redactor.tagValue('USER.SSN', '078-05-1120')).to.equal(REDACTED);
      expect(redactor.tagValue('payment.IBAN', 'DE89370400440532013000')).to.equal(REDACTED);
      expect(redactor.tagValue('url.query', 'state=x&otp_code=1&page=2')).to.equal('state=REDACTED&otp_code=REDACTED&page=2');
      expect(redactor.tagValue('jwt.header', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature')).to.equal(REDACTED);
      expect(redactor.tagValue('note', ['paid with 4111 1111 1111 1111', 'ok'])).to.deep.equal([REDACTED, 'ok']);
      // A /g pattern is stateless: every value is tested afresh.
      for (let i = 0; i < 4; i++) expect(redactor.tagValue('note', 'card 4111111111111111')).to.equal(REDACTED);
      expect(redactor.text('card 4111111111111111 declined')).to.equal(REDACTED);
      expect(redactor.tagValue('http.request.header.x-csrf-token', 'visible')).to.equal('visible');
      expect(redactor.tagValue('http.request.header.x-auth-token', 'hidden')).to.equal(REDACTED);
    });

    it('exempts keys handled by encryption', () => {
      const redactor = new Redactor({}, (key) => key === 'user.password');
      expect(redactor.tagValue('user.password', 'p')).to.equal('p');
      expect(redactor.tagValue('db.password', 'p')).to.equal(REDACTED);
    });

    it('rejects wrong options with the option error naming the field', () => {
      const cases: [unknown, RegExp][] = [
        ['all', /^tracing\.redact: expected an object/],
        [{ keys: 'token' }, /^tracing\.redact\.keys: expected an array/],
        [{ keys: [''] }, /^tracing\.redact\.keys: expected an array of names/],
        [{ queryParams: [42] }, /^tracing\.redact\.queryParams: /],
        [{ patterns: ['card'] }, /^tracing\.redact\.patterns: expected an array of RegExps, got "card"/],
        [{ keep: {} }, /^tracing\.redact\.keep: /],
        [{ key: [] }, /^tracing\.redact\.key: expected one of keys, queryParams, patterns, keep/],
      ];
      for (const [options, message] of cases) {
        expect(() => resolveRedactionOptions(options)).to.throw(TypeError, message).with.property('code', ERR_INVALID_OPTION);
      }
    });
  });

  describe('fields', () => {
    const redactor = new Redactor();

    it('returns the same object when nothing is redacted, and a copy otherwise, never writing to the input', () => {
      const clean = { 'http.route': '/a', count: 2 };
      expect(redactor.fields(clean)).to.equal(clean);
      const dirty = Object.freeze({ password: 'p', nested: Object.freeze({ apiKey: 'k', ok: 1 }), url: 'https://u:p@h/?sig=1' });
      const out = redactor.fields(dirty);
      expect(out).to.deep.equal({ password: REDACTED, nested: { apiKey: REDACTED, ok: 1 }, url: 'https://REDACTED:REDACTED@h/?sig=REDACTED' });
      expect(dirty.password).to.equal('p');
    });

    it('walks arrays and class instances, leaves objects with toJSON, and stops at a cycle', () => {
      class User {
        constructor(
          readonly name: string,
          readonly password: string,
        ) {}
      }
      const when = new Date(0);
      const out = redactor.fields({ items: [{ token: 't', id: 1 }, 'x'], user: new User('ann', 'p'), when, error: new Error('boom') });
      expect(out.items).to.deep.equal([{ token: REDACTED, id: 1 }, 'x']);
      expect(JSON.stringify(out.user)).to.equal('{"name":"ann","password":"REDACTED"}');
      expect(out.when).to.equal(when);
      expect(out.error).to.be.instanceOf(Error);
      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic.self = cyclic;
      expect(() => redactor.fields({ cyclic })).to.not.throw();
    });

    it('redacts a whole object under a secret key', () => {
      expect(redactor.fields({ credentials: 1, secret: { a: 1 } })).to.deep.equal({ credentials: 1, secret: REDACTED });
    });
  });

  describe('redactUrlText and redactQueryString', () => {
    const sensitive = (name: string) => name === 'code';
    it('keeps pairs without a value, empty values and the encoding of others', () => {
      expect(redactQueryString('code&code=&a=%20b&code=x', sensitive)).to.equal('code&code=&a=%20b&code=REDACTED');
      expect(redactUrlText('/p?x=1', sensitive)).to.equal('/p?x=1');
    });
    it('treats a backslash as the end of the authority, as WHATWG URL parsing does', () => {
      expect(redactUrlText('http://h\\@evil/?code=1', sensitive)).to.equal('http://h\\@evil/?code=REDACTED');
    });
  });
});
