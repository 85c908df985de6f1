import { expect } from 'chai';
import { redactSecrets, redactUrl, secretsOf } from '../../../src/export/http/redact.js';

describe('redact', () => {
  it('masks every header value and the credential after an auth scheme', () => {
    const secrets = secretsOf({ authorization: 'Bearer s3cr3t-token', 'x-api-key': 'abcd1234', 'x-short': 'ab' });
    expect(redactSecrets('sent Bearer s3cr3t-token and abcd1234', secrets)).to.equal('sent REDACTED and REDACTED');
    expect(redactSecrets('server echoed s3cr3t-token', secrets)).to.equal('server echoed REDACTED');
    expect(redactSecrets('ab stays: too short to be a secret', secrets)).to.equal('ab stays: too short to be a secret');
  });

  it('shows a URL without user info or query', () => {
    expect(redactUrl(new URL('https://user:pw@collector.example:4318/v1/traces?token=abc'))).to.equal('https://collector.example:4318/v1/traces');
  });
});
