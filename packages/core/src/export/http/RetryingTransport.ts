import { setTimeout as sleep } from 'node:timers/promises';
import { invalidOption } from '../../invalidOption.js';
import type { HttpOutcome, HttpTransport } from './HttpTransport.js';
import { parseRetryAfter } from './retryAfter.js';

// Retry policy for OTLP/HTTP: https://opentelemetry.io/docs/specs/otlp/#failures-1 and #otlphttp-throttling.
// Zipkin has no such rules; it gets the same policy.

/**
 * Retries after the first attempt: enough, with the short backoff, to keep trying through the export's whole
 * budget (10 s by default), which is the real bound.
 */
export const DEFAULT_MAX_RETRIES = 10;
/**
 * The first backoff; each retry waits BACKOFF_MULTIPLIER times longer, up to DEFAULT_MAX_BACKOFF_MS. Short, so
 * that export resumes within about a second of a collector's recovery; the export's time budget bounds the whole.
 */
export const DEFAULT_INITIAL_BACKOFF_MS = 500;
export const DEFAULT_MAX_BACKOFF_MS = 1000;
export const BACKOFF_MULTIPLIER = 2;
/** Each backoff is spread by ±20 %, so that many clients failing together do not retry together. */
export const BACKOFF_JITTER = 0.2;
/** A server's `Retry-After` is honoured up to this long; beyond that we retry sooner rather than hold a batch. */
export const MAX_RETRY_AFTER_MS = 30_000;
/** The statuses OTLP/HTTP says to retry; every other 4xx and 5xx is final. */
export const DEFAULT_RETRYABLE_STATUSES: readonly number[] = Object.freeze([429, 502, 503, 504]);

/** How network exporters retry. https://opentelemetry.io/docs/specs/otlp/#failures-1 */
export interface RetryConfig {
  /** Retries after the first attempt. Default 10 (the export's time budget bounds them too). */
  maxRetries?: number;
  /** First backoff, in ms; doubles each retry, with jitter. Default 500. */
  initialBackoffMs?: number;
  /** Longest backoff, in ms. Default 1000. */
  maxBackoffMs?: number;
  /** A server's `Retry-After` is honoured up to this many ms. Default 30000. */
  maxRetryAfterMs?: number;
  /** HTTP statuses worth retrying; every other 4xx and 5xx fails at once. Default 429, 502, 503, 504. */
  retryableStatuses?: readonly number[];
}

/** The retry options, checked: the one resolver, used by the tracing config and the constructor. */
export function resolveRetryConfig(retry: RetryConfig | undefined): RetryConfig {
  if (retry === undefined) return {};
  if (retry === null || typeof retry !== 'object' || Array.isArray(retry)) throw invalidOption('tracing', 'retry', 'an object', retry);
  for (const field of ['maxRetries', 'initialBackoffMs', 'maxBackoffMs', 'maxRetryAfterMs'] as const) {
    const value = retry[field];
    if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value >= 0)) throw invalidOption('tracing', `retry.${field}`, 'a whole number >= 0', value);
  }
  const statuses = retry.retryableStatuses;
  if (statuses !== undefined && (!Array.isArray(statuses) || !statuses.every((code) => Number.isInteger(code) && code >= 400 && code <= 599))) {
    throw invalidOption('tracing', 'retry.retryableStatuses', 'an array of HTTP status codes from 400 to 599', statuses);
  }
  return retry;
}

/** The outcome of one send, after retries. */
export type SendResult =
  | { code: 'success'; statusCode: number; body: Buffer }
  | { code: 'failure'; error: Error; retryable: boolean; attempts: number; statusCode?: number; aborted?: boolean };

/** The part of `HttpTransport` the retry loop uses (a fake in tests). */
export type Sender = Pick<HttpTransport, 'prepare' | 'send' | 'redact' | 'target'>;

const ERROR_BODY_PREVIEW_CHARS = 200;

function isSuccess(outcome: HttpOutcome): boolean {
  return outcome.kind === 'response' && outcome.statusCode >= 200 && outcome.statusCode < 300;
}

/**
 * The one place retries happen: network errors, timeouts and the retryable statuses are retried with
 * exponential backoff and jitter, or after the server's `Retry-After`; anything else fails at once.
 * Counts attempts and retries for `getStats()`.
 */
export class RetryingTransport {
  /** Requests sent, retries included. */
  attempts = 0;
  /** Requests that were retries. */
  retries = 0;
  private readonly maxRetries: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly retryable: ReadonlySet<number>;

  constructor(
    private readonly sender: Sender,
    retry: RetryConfig = {},
  ) {
    const options = resolveRetryConfig(retry);
    this.maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.initialBackoffMs = options.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS;
    this.maxBackoffMs = Math.max(options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS, this.initialBackoffMs);
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS;
    this.retryable = new Set(options.retryableStatuses ?? DEFAULT_RETRYABLE_STATUSES);
  }

  /**
   * Sends `payload` until it is accepted, fails for good, retries run out, or `signal` aborts (the export's time
   * budget is spent): then the request in flight is destroyed and no retry follows. Never rejects.
   */
  async send(payload: Uint8Array | string, signal?: AbortSignal): Promise<SendResult> {
    let body: Buffer;
    try {
      body = await this.sender.prepare(payload);
    } catch (error) {
      return { code: 'failure', error: new Error(`could not compress the request body: ${String(error)}`), retryable: false, attempts: 0 };
    }
    for (let retry = 0; ; retry++) {
      if (signal?.aborted) return this.aborted(signal, retry);
      this.attempts++;
      const outcome = await this.sender.send(body, signal);
      if (isSuccess(outcome) && outcome.kind === 'response') return { code: 'success', statusCode: outcome.statusCode, body: outcome.body };
      if (signal?.aborted) return this.aborted(signal, retry + 1);
      const retryable = outcome.kind === 'network-error' || this.retryable.has(outcome.statusCode);
      if (!retryable || retry >= this.maxRetries) return this.failure(outcome, retryable, retry + 1);
      this.retries++;
      try {
        await sleep(this.delayBefore(retry, outcome), undefined, signal ? { signal } : undefined);
      } catch {
        return this.aborted(signal!, retry + 1);
      }
    }
  }

  private aborted(signal: AbortSignal, attempts: number): SendResult {
    const why = (signal.reason as Error | undefined)?.message ?? String(signal.reason);
    return { code: 'failure', error: new Error(`POST ${this.sender.target} aborted after ${attempts} attempt(s): ${why}`), retryable: false, attempts, aborted: true };
  }

  /** The wait before retry number `retry + 1`: the server's `Retry-After` if it sent one, else our backoff. */
  delayBefore(retry: number, outcome: HttpOutcome): number {
    // A request cut because the collector answers again (see HttpTransport's probe) goes again at once.
    if (outcome.kind === 'network-error' && outcome.stuck) return 0;
    const retryAfter = outcome.kind === 'response' ? parseRetryAfter(outcome.retryAfter) : undefined;
    if (retryAfter !== undefined) return Math.min(retryAfter, this.maxRetryAfterMs);
    const backoff = Math.min(this.maxBackoffMs, this.initialBackoffMs * BACKOFF_MULTIPLIER ** retry);
    return Math.round(backoff * (1 - BACKOFF_JITTER + Math.random() * 2 * BACKOFF_JITTER));
  }

  private failure(outcome: HttpOutcome, retryable: boolean, attempts: number): SendResult {
    const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
    if (outcome.kind === 'network-error') {
      const what = outcome.timedOut ? 'timed out' : 'failed';
      const error = new Error(this.sender.redact(`POST ${this.sender.target} ${what}${tries}: ${outcome.error.message}`));
      return { code: 'failure', error, retryable, attempts };
    }
    const text = outcome.body.toString('utf8', 0, Math.min(outcome.body.length, ERROR_BODY_PREVIEW_CHARS * 4)).slice(0, ERROR_BODY_PREVIEW_CHARS);
    const detail = /^[\t\n\r\x20-\x7e]*$/.test(text) && text.trim() !== '' ? `: ${text.trim()}` : '';
    const message = `POST ${this.sender.target} answered ${outcome.statusCode} ${outcome.statusMessage}${tries}${detail}`;
    return { code: 'failure', error: new Error(this.sender.redact(message)), retryable, attempts, statusCode: outcome.statusCode };
  }
}
