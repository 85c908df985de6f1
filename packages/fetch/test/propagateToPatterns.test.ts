import { expect } from 'chai';
import { resolveOptions } from '../src/options.js';

/** `times` answers of `mayPropagate` for the same URL. */
function repeated(mayPropagate: (url: URL | undefined) => boolean, href: string, times = 6): boolean[] {
  return Array.from({ length: times }, () => mayPropagate(new URL(href)));
}

const always = (answer: boolean, times = 6) => Array.from({ length: times }, () => answer);

// propagateTo patterns compile through core's one matcher, which strips g and y: a RegExp with either flag keeps
// its lastIndex between calls, and the same host would be trusted on one request and not on the next.
describe('propagateTo patterns with /g and /y', () => {
  it('(the trap) a raw /g pattern answers the same host differently on the next call', () => {
    const raw = /internal$/g;
    expect([raw.test('api.internal'), raw.test('api.internal')]).to.deep.equal([true, false]);
  });

  // Without a port, host and hostname are the same string, so the host test would hide a stateful pattern here;
  // the tests below are the ones that could catch one.
  it('/internal/g: the same URL propagates on every call', () => {
    const { mayPropagate } = resolveOptions({ propagateTo: [/internal/g] }, 'test');
    expect(repeated(mayPropagate, 'http://api.internal/')).to.deep.equal(always(true));
    expect(repeated(mayPropagate, 'http://example.com/')).to.deep.equal(always(false));
  });

  // With a port, host ("api.internal:8080") differs from hostname ("api.internal"), and a pattern anchored at
  // the end matches only the hostname: a stateful pattern would get no second chance from the host test.
  it('/internal$/g on a host with a port: every call propagates', () => {
    const { mayPropagate } = resolveOptions({ propagateTo: [/internal$/g] }, 'test');
    expect(repeated(mayPropagate, 'http://api.internal:8080/')).to.deep.equal(always(true));
  });

  it('alternating hosts with one /g pattern all propagate', () => {
    const { mayPropagate } = resolveOptions({ propagateTo: /internal$/g }, 'test');
    const hosts = ['http://a.internal:1/', 'http://b.internal:2/', 'http://c.internal:3/', 'http://d.internal:4/'];
    expect(hosts.map((href) => mayPropagate(new URL(href)))).to.deep.equal(always(true, 4));
  });

  it('/y: the same URL propagates on every call', () => {
    const { mayPropagate } = resolveOptions({ propagateTo: [/api\.internal$/y] }, 'test');
    expect(repeated(mayPropagate, 'http://api.internal:8443/')).to.deep.equal(always(true));
    expect(repeated(mayPropagate, 'http://web.internal/')).to.deep.equal(always(false));
  });

  it('leaves the caller’s RegExp untouched', () => {
    const pattern = /internal$/g;
    const { mayPropagate } = resolveOptions({ propagateTo: [pattern] }, 'test');
    expect(mayPropagate(new URL('http://api.internal:8080/'))).to.equal(true);
    expect(pattern.lastIndex).to.equal(0);
    expect(pattern.flags).to.equal('g');
  });
});
