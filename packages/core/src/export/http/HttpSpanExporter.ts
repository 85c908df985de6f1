import { diag } from '../../diag.js';
import type { ReadableSpan } from '../../types.js';
import { SUCCESS, type ExportResult, type SpanExporter } from '../SpanExporter.js';
import { HttpTransport } from './HttpTransport.js';
import { RetryingTransport, type RetryConfig } from './RetryingTransport.js';

/** The options every HTTP exporter takes besides its URL. */
export interface HttpExporterOptions {
  /** Sent with every request (auth, tenancy). Values never appear in logs or errors. */
  headers?: Readonly<Record<string, string>>;
  /** Default `gzip`. */
  compression?: 'gzip' | 'none';
  /** How long one request may take, in ms, before it is abandoned and retried. Default 10000. */
  timeoutMs?: number;
  retry?: RetryConfig;
}

/** How an exporter turns spans into a request body, and reads what the server says it dropped. */
export interface SpanEncoding {
  contentType: string;
  encode(spans: readonly ReadableSpan[]): Uint8Array | string;
  /** Spans the server accepted the request for but rejected, with its reason; undefined when none. */
  readRejected?(body: Buffer): { rejectedSpans: number; errorMessage: string } | undefined;
}

/**
 * The lifecycle every HTTP span exporter shares: encode a batch (pure), send it through the retrying transport,
 * turn the outcome into an `ExportResult`. Never throws; after `shutdown` every export fails.
 */
export class HttpSpanExporter implements SpanExporter {
  /** The URL with credentials and query removed. */
  readonly target: string;
  private readonly http: HttpTransport;
  private readonly transport: RetryingTransport;
  private readonly pending = new Set<Promise<ExportResult>>();
  private stopped = false;

  constructor(
    url: string,
    private readonly encoding: SpanEncoding,
    options: HttpExporterOptions = {},
  ) {
    this.http = new HttpTransport({
      url,
      contentType: encoding.contentType,
      headers: options.headers,
      compression: options.compression,
      timeoutMs: options.timeoutMs,
    });
    this.transport = new RetryingTransport(this.http, options.retry);
    this.target = this.http.target;
  }

  export(spans: readonly ReadableSpan[]): Promise<ExportResult> {
    if (this.stopped) return Promise.resolve({ code: 'failure', error: new Error(`exporter to ${this.target} is shut down`), retryable: false });
    if (spans.length === 0) return Promise.resolve(SUCCESS);
    const done = this.send(spans);
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
    return done;
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.forceFlush();
    this.http.shutdown();
  }

  getStats(): { exportAttempts: number; exportRetries: number } {
    return { exportAttempts: this.transport.attempts, exportRetries: this.transport.retries };
  }

  private async send(spans: readonly ReadableSpan[]): Promise<ExportResult> {
    let body: Uint8Array | string;
    try {
      body = this.encoding.encode(spans);
    } catch (error) {
      return { code: 'failure', error: new Error(`could not encode ${spans.length} spans: ${String(error)}`), retryable: false, attempts: 0 };
    }
    const result = await this.transport.send(body);
    if (result.code === 'failure') return { code: 'failure', error: result.error, retryable: result.retryable, attempts: result.attempts };
    const partial = this.encoding.readRejected?.(result.body);
    if (partial === undefined) return SUCCESS;
    const rejected = Math.min(partial.rejectedSpans, spans.length);
    const reason = partial.errorMessage ? `: ${this.http.redact(partial.errorMessage)}` : '';
    diag.warnOnce(`partial-success:${this.target}`, `${this.target} rejected ${rejected} of ${spans.length} spans${reason} (further rejections are counted in getStats(), not logged)`);
    return { code: 'success', rejected };
  }
}
