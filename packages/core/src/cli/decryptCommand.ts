import { readSpans } from '../analysis/readSpans.js';
import { ERR_DECRYPT, decryptSpan } from '../security/decrypt.js';
import type { KeyProvider } from '../security/KeyProvider.js';
import type { ReadableSpan } from '../types.js';

export interface DecryptRun {
  /** What was read: JSON lines of span records, OTLP/JSON or OTLP/protobuf (whatever `readSpans` reads). */
  input: string | Uint8Array;
  /** Where each decrypted span goes, as one JSON line. */
  writeLine: (line: string) => void;
  /** Where problems go: which line, span and attribute, and why; never a value or a key. */
  warn: (message: string) => void;
  /** The provider for a span (per service: a KMS encryption context names the service). */
  providerFor: (span: ReadableSpan) => KeyProvider | Promise<KeyProvider>;
}

/** What `audit-tracing decrypt` did: spans written, and how many of them kept a value it could not decrypt. */
export interface DecryptOutcome {
  spans: number;
  failed: number;
}

/**
 * Decrypts every span of `input` and writes it as a JSON line. A span with a value that does not decrypt (altered,
 * moved, or under a key the provider does not hold) is written as it was and counted; the run goes on. Input that
 * is not spans throws `readSpans`' error, which says where and never echoes the input.
 */
export async function runDecrypt(run: DecryptRun): Promise<DecryptOutcome> {
  const outcome: DecryptOutcome = { spans: 0, failed: 0 };
  for (const span of readSpans(run.input)) {
    let out: ReadableSpan = span;
    try {
      out = await decryptSpan(span, await run.providerFor(span));
    } catch (error) {
      outcome.failed++;
      const code = (error as { code?: string }).code;
      run.warn(code === ERR_DECRYPT ? (error as Error).message : `span ${span.spanId}: ${error instanceof Error ? error.message : String(error)}`);
    }
    run.writeLine(JSON.stringify(out));
    outcome.spans++;
  }
  return outcome;
}
