import { ERR_DECRYPT, decryptSpan } from '../security/decrypt.js';
import type { KeyProvider } from '../security/KeyProvider.js';
import type { ReadableSpan } from '../types.js';

export interface DecryptRun {
  /** What was read: JSON lines of span records. */
  input: string;
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
 * Span records from JSON lines (one `ReadableSpan` as JSON per line, as `JSON.stringify` of an exported span
 * writes it). A line that is not a span is reported by number, never echoed: it may hold anything.
 */
function readJsonLines(input: string, warn: (message: string) => void): ReadableSpan[] {
  const spans: ReadableSpan[] = [];
  input.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return warn(`line ${i + 1}: not JSON, skipped`);
    }
    const span = value as ReadableSpan;
    if (value === null || typeof value !== 'object' || typeof span.traceId !== 'string' || typeof span.spanId !== 'string' || typeof span.tags !== 'object') {
      if ((value as { resourceSpans?: unknown })?.resourceSpans !== undefined) return warn(`line ${i + 1}: OTLP JSON is not read by this version; give JSON lines of span records`);
      return warn(`line ${i + 1}: not a span record (traceId, spanId, tags), skipped`);
    }
    spans.push({ ...span, logs: span.logs ?? [], links: span.links ?? [] });
  });
  return spans;
}

/**
 * Decrypts every span of `input` and writes it as a JSON line. A span with a value that does not decrypt (altered,
 * moved, or under a key the provider does not hold) is written as it was and counted; the run goes on.
 */
export async function runDecrypt(run: DecryptRun): Promise<DecryptOutcome> {
  const outcome: DecryptOutcome = { spans: 0, failed: 0 };
  for (const span of readJsonLines(run.input, run.warn)) {
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
