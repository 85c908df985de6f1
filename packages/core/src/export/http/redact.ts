import { REDACTED } from '../../semconv.js';

// Shorter values are too common to be worth masking (and masking them would garble messages).
const MIN_SECRET_LENGTH = 4;

/** A URL fit for a message: no user info and no query string, where credentials and tokens hide. */
export function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * The values to mask in messages: every configured header value, and the credential after a scheme such as
 * `Bearer`, which a server may echo on its own.
 */
export function secretsOf(headers: Readonly<Record<string, string>>): string[] {
  const secrets = new Set<string>();
  for (const value of Object.values(headers)) {
    if (value.length >= MIN_SECRET_LENGTH) secrets.add(value);
    const space = value.indexOf(' ');
    const credential = space < 0 ? '' : value.slice(space + 1).trim();
    if (credential.length >= MIN_SECRET_LENGTH) secrets.add(credential);
  }
  // Longest first, so that a value is masked whole before any part of it is.
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** `text` with every secret replaced by `REDACTED`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}
