import { expect } from 'chai';
import { parseRetryAfter } from '../../../src/export/http/retryAfter.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('1', now)).to.equal(1000);
    expect(parseRetryAfter(' 120 ', now)).to.equal(120_000);
    expect(parseRetryAfter('0', now)).to.equal(0);
  });

  it('reads an HTTP date, and a past date as no wait', () => {
    expect(parseRetryAfter('Wed, 01 May 2024 12:00:05 GMT', now)).to.equal(5000);
    expect(parseRetryAfter('Wed, 01 May 2024 11:00:00 GMT', now)).to.equal(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, now)).to.equal(undefined);
    expect(parseRetryAfter('soon', now)).to.equal(undefined);
    expect(parseRetryAfter('-5', now)).to.equal(undefined);
    expect(parseRetryAfter('1.5', now)).to.equal(undefined);
  });
});
