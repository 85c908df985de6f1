import { expect } from 'chai';
import type { HttpOutcome } from '../../../src/export/http/HttpTransport.js';
import { redactSecrets } from '../../../src/export/http/redact.js';
import {
  BACKOFF_JITTER,
  DEFAULT_MAX_RETRIES,
  DEFAULT_RETRYABLE_STATUSES,
  MAX_RETRY_AFTER_MS,
  RetryingTransport,
  type Sender,
} from '../../../src/export/http/RetryingTransport.js';

function response(statusCode: number, retryAfter?: string, body = ''): HttpOutcome {
  return { kind: 'response', statusCode, statusMessage: '', retryAfter, body: Buffer.from(body) };
}

const refused: HttpOutcome = { kind: 'network-error', error: new Error('connect ECONNREFUSED 127.0.0.1:1'), timedOut: false };
const timedOut: HttpOutcome = { kind: 'network-error', error: new Error('no complete response within 10 ms'), timedOut: true };

/** A sender that answers from a script and records what it was sent. */
function scripted(outcomes: HttpOutcome[], secrets: string[] = []): Sender & { sent: number } {
  const sender = {
    sent: 0,
    target: 'http://collector/v1/traces',
    prepare: async (body: Uint8Array | string) => Buffer.from(body),
    send: async () => outcomes[Math.min(sender.sent++, outcomes.length - 1)],
    redact: (text: string) => redactSecrets(text, secrets),
  };
  return sender;
}

const FAST = { initialBackoffMs: 1, maxBackoffMs: 4 };

describe('RetryingTransport', () => {
  it('has the defaults: 10 retries (the export budget bounds them); 429, 502, 503, 504 retryable', () => {
    expect(DEFAULT_MAX_RETRIES).to.equal(10);
    expect([...DEFAULT_RETRYABLE_STATUSES]).to.deep.equal([429, 502, 503, 504]);
  });

  it('retries the retryable statuses until success', async () => {
    for (const status of [429, 502, 503, 504]) {
      const sender = scripted([response(status), response(200)]);
      const transport = new RetryingTransport(sender, FAST);
      expect((await transport.send('x')).code).to.equal('success');
      expect(sender.sent).to.equal(2);
      expect(transport.retries).to.equal(1);
    }
  });

  it('retries network errors and timeouts', async () => {
    const sender = scripted([refused, timedOut, response(200)]);
    const transport = new RetryingTransport(sender, FAST);
    expect((await transport.send('x')).code).to.equal('success');
    expect(transport.attempts).to.equal(3);
    expect(transport.retries).to.equal(2);
  });

  it('fails fast on every other 4xx and 5xx', async () => {
    for (const status of [400, 401, 403, 404, 413, 500, 501]) {
      const sender = scripted([response(status), response(200)]);
      const result = await new RetryingTransport(sender, FAST).send('x');
      expect(result).to.include({ code: 'failure', retryable: false, attempts: 1, statusCode: status });
      expect(sender.sent).to.equal(1);
    }
  });

  it('takes the retryable list from the configuration', async () => {
    const sender = scripted([response(500), response(200)]);
    const transport = new RetryingTransport(sender, { ...FAST, retryableStatuses: [500] });
    expect((await transport.send('x')).code).to.equal('success');
    const strict = scripted([response(503)]);
    expect(await new RetryingTransport(strict, { ...FAST, retryableStatuses: [] }).send('x')).to.include({ code: 'failure', attempts: 1 });
  });

  it('gives up after maxRetries retries', async () => {
    const sender = scripted([response(503)]);
    const transport = new RetryingTransport(sender, { ...FAST, maxRetries: 2 });
    const result = await transport.send('x');
    expect(result).to.include({ code: 'failure', retryable: true, attempts: 3 });
    expect(sender.sent).to.equal(3);
    expect(transport.retries).to.equal(2);
  });

  it('backs off exponentially with jitter, up to the maximum', () => {
    const transport = new RetryingTransport(scripted([]), { initialBackoffMs: 100, maxBackoffMs: 350 });
    const within = (value: number, base: number) => expect(value).to.be.within(base * (1 - BACKOFF_JITTER), base * (1 + BACKOFF_JITTER));
    for (let i = 0; i < 50; i++) {
      within(transport.delayBefore(0, refused), 100);
      within(transport.delayBefore(1, refused), 200);
      within(transport.delayBefore(2, refused), 350);
      within(transport.delayBefore(9, refused), 350);
    }
    const delays = new Set(Array.from({ length: 20 }, () => transport.delayBefore(0, refused)));
    expect(delays.size).to.be.greaterThan(1);
  });

  it('honours Retry-After, in seconds or as a date, capped', () => {
    const transport = new RetryingTransport(scripted([]));
    expect(transport.delayBefore(0, response(429, '2'))).to.equal(2000);
    const inFive = new Date(Date.now() + 5000).toUTCString();
    expect(transport.delayBefore(0, response(503, inFive))).to.be.within(3000, 5000);
    expect(transport.delayBefore(0, response(503, '86400'))).to.equal(MAX_RETRY_AFTER_MS);
    expect(new RetryingTransport(scripted([]), { maxRetryAfterMs: 50 }).delayBefore(0, response(429, '10'))).to.equal(50);
  });

  it('describes failures without secrets', async () => {
    const sender = scripted([response(401, undefined, 'bad token Bearer hunter22')], ['Bearer hunter22', 'hunter22']);
    const result = await new RetryingTransport(sender, FAST).send('x');
    expect(result.code).to.equal('failure');
    if (result.code !== 'failure') return;
    expect(result.error.message).to.contain('401');
    expect(result.error.message).to.contain('http://collector/v1/traces');
    expect(result.error.message).not.to.contain('hunter22');
  });
});
