import { expect } from 'chai';
import { fullUrl, requestUrl, serverPort } from '../src/url.js';

describe('url', () => {
  describe('fullUrl', () => {
    it('replaces every query value, keeps names and valueless keys', () => {
      expect(fullUrl(new URL('http://h/p?a=1&b=&c&d=x%20y'), true)).to.equal('http://h/p?a=REDACTED&b=REDACTED&c&d=REDACTED');
    });
    it('keeps the query as written when redaction is off', () => {
      expect(fullUrl(new URL('http://h:81/p?a=1&c'), false)).to.equal('http://h:81/p?a=1&c');
    });
    it('never includes userinfo or the fragment', () => {
      expect(fullUrl(new URL('https://user:secret@h/p?q=1#frag'), false)).to.equal('https://h/p?q=1');
    });
  });

  it('serverPort falls back to the scheme default', () => {
    expect(serverPort(new URL('http://h/'))).to.equal(80);
    expect(serverPort(new URL('https://h/'))).to.equal(443);
    expect(serverPort(new URL('http://h:8080/'))).to.equal(8080);
  });

  it('requestUrl joins undici origin and path, takes a proxied absolute path, and never throws', () => {
    expect(requestUrl('http://127.0.0.1:3000', '/a?b=1')!.href).to.equal('http://127.0.0.1:3000/a?b=1');
    expect(requestUrl(new URL('http://h:1/ignored'), '//double')!.href).to.equal('http://h:1//double');
    expect(requestUrl('http://proxy:8080', 'http://target/x')!.host).to.equal('target');
    expect(requestUrl(undefined, '/a')).to.equal(undefined);
    expect(requestUrl('not a url', '/a')).to.equal(undefined);
    expect(requestUrl('http://h', 42)).to.equal(undefined);
  });
});
