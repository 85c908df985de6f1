import { diag } from '../../diag.js';
import type { ReadableSpan } from '../../types.js';
import { SUCCESS, type ExportOptions, type ExportResult, type SpanExporter } from '../SpanExporter.js';
import { HttpTransport, toBuffer } from './HttpTransport.js';
import { RetryingTransport, type RetryConfig } from './RetryingTransport.js';

/**
 * The largest body sent, before compression. Common collector limits sit at 4 MiB (gRPC's default message size)
 * and above; larger batches are split before they are sent.
 */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
/**
 * Spans encoded in one go before the event loop gets a turn: a few hundred take well under a millisecond, so a
 * large batch never stalls the requests being served.
 */
export const ENCODE_CHUNK_SPANS = 256;
/** 413 Content Too Large: the collector's own limit, smaller than ours. */
const CONTENT_TOO_LARGE = 413;

/** The options every HTTP exporter takes besides its URL. */
export interface HttpExporterOptions {
  /** Sent with every request (auth, tenancy). Values never appear in logs or errors. */
  headers?: Readonly<Record<string, string>>;
  /** Default `gzip`. */
  compression?: 'gzip' | 'none';
  /** How long one request may take, in ms, before it is abandoned and retried. Default 10000. */
  timeoutMs?: number;
  retry?: RetryConfig;
  /** The largest body sent, before compression; larger batches are split, a larger single span dropped. Default 4 MiB. */
  maxBodyBytes?: number;
}

/** How an exporter turns spans into a request body, and reads what the server says it dropped. */
export interface SpanEncoding {
  contentType: string;
  encode(spans: readonly ReadableSpan[]): Uint8Array | string;
  /** One body from the bodies of consecutive chunks of a batch (what `encode` of the whole batch would give). */
  join(parts: readonly Buffer[]): Buffer;
  /** Spans the server accepted the request for but rejected, with its reason; undefined when none. */
  readRejected?(body: Buffer): { rejectedSpans: number; errorMessage: string } | undefined;
}

/**
 * `join` for encodings whose body is `prefix` + comma-separated items + `suffix` (OTLP JSON, a Zipkin JSON array):
 * the inner items of every part, in order, inside one prefix and suffix.
 */
export function joinDelimited(prefix: string, suffix: string): (parts: readonly Buffer[]) => Buffer {
  const head = Buffer.from(prefix);
  const tail = Buffer.from(suffix);
  const comma = Buffer.from(',');
  return function joinParts(parts) {
    if (parts.length === 1) return parts[0];
    const pieces: Buffer[] = [head];
    parts.forEach((part, i) => {
      if (i > 0) pieces.push(comma);
      pieces.push(part.subarray(head.length, part.length - tail.length));
    });
    pieces.push(tail);
    return Buffer.concat(pieces);
  };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The lifecycle every HTTP span exporter shares: encode a batch (pure, in chunks that leave the event loop free),
 * keep each body under `maxBodyBytes` (splitting the batch; a 413 splits it too), send it through the retrying
 * transport within the export's signal, and turn the outcome into an `ExportResult`. Never throws; after
 * `shutdown` every export fails.
 */
export class HttpSpanExporter implements SpanExporter {
  /** The URL with credentials and query removed. */
  readonly target: string;
  readonly maxBodyBytes: number;
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
      probeBody: encoding.encode([]),
    });
    this.transport = new RetryingTransport(this.http, options.retry);
    this.target = this.http.target;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  export(spans: readonly ReadableSpan[], options: ExportOptions = {}): Promise<ExportResult> {
    if (this.stopped) return Promise.resolve({ code: 'failure', error: new Error(`exporter to ${this.target} is shut down`), retryable: false });
    if (spans.length === 0) return Promise.resolve(SUCCESS);
    const done = this.send(spans, options.signal);
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
    return done;
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** Stops exporting and closes the sockets: a send still in flight is cut off (the processor has given up on it). */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.http.shutdown();
  }

  getStats(): { exportAttempts: number; exportRetries: number } {
    return { exportAttempts: this.transport.attempts, exportRetries: this.transport.retries };
  }

  /** The body of `spans`, encoded `ENCODE_CHUNK_SPANS` at a time with a turn of the event loop in between. */
  async encode(spans: readonly ReadableSpan[]): Promise<Buffer> {
    if (spans.length <= ENCODE_CHUNK_SPANS) return toBuffer(this.encoding.encode(spans));
    const parts: Buffer[] = [];
    for (let start = 0; start < spans.length; start += ENCODE_CHUNK_SPANS) {
      if (start > 0) await nextTurn();
      parts.push(toBuffer(this.encoding.encode(spans.slice(start, start + ENCODE_CHUNK_SPANS))));
    }
    return this.encoding.join(parts);
  }

  private async send(spans: readonly ReadableSpan[], signal: AbortSignal | undefined): Promise<ExportResult> {
    let body: Buffer;
    try {
      body = await this.encode(spans);
    } catch (error) {
      return { code: 'failure', error: new Error(`could not encode ${spans.length} spans: ${String(error)}`), retryable: false, attempts: 0 };
    }
    if (body.length > this.maxBodyBytes) return spans.length === 1 ? this.tooLarge(body.length) : this.sendHalves(spans, signal);
    const result = await this.transport.send(body, signal);
    if (result.code === 'failure') {
      // The collector's limit is below ours: split until the halves fit; a span alone over it is dropped.
      if (result.statusCode === CONTENT_TOO_LARGE) return spans.length === 1 ? this.tooLarge(body.length) : this.sendHalves(spans, signal);
      return { code: 'failure', error: result.error, retryable: result.retryable, attempts: result.attempts, aborted: result.aborted };
    }
    const partial = this.encoding.readRejected?.(result.body);
    if (partial === undefined) return SUCCESS;
    const rejected = Math.min(partial.rejectedSpans, spans.length);
    const reason = partial.errorMessage ? `: ${this.http.redact(partial.errorMessage)}` : '';
    diag.warnOnce(`partial-success:${this.target}`, `${this.target} rejected ${rejected} of ${spans.length} spans${reason} (further rejections are counted in getStats(), not logged)`);
    return { code: 'success', rejected };
  }

  private tooLarge(bytes: number): ExportResult {
    diag.warnOnce(
      `too-large:${this.target}`,
      `a span of ${bytes} bytes encoded is larger than ${this.target} takes (maxBodyBytes ${this.maxBodyBytes}, or the collector's 413); it is dropped and counted as too_large (further ones are not logged)`,
    );
    return { code: 'success', dropped: { too_large: 1 } };
  }

  // The halves go one after the other: the in-flight limit of the processor counts this export once.
  private async sendHalves(spans: readonly ReadableSpan[], signal: AbortSignal | undefined): Promise<ExportResult> {
    const middle = Math.ceil(spans.length / 2);
    const first = await this.send(spans.slice(0, middle), signal);
    const second = await this.send(spans.slice(middle), signal);
    return merge([first, second], [middle, spans.length - middle]);
  }
}

/** One result for a batch sent in parts: a failure only when every part failed; else what was lost, by reason. */
function merge(results: readonly ExportResult[], sizes: readonly number[]): ExportResult {
  if (results.every((result) => result.code === 'failure')) return results[0];
  let rejected = 0;
  const dropped: Record<string, number> = {};
  results.forEach((result, i) => {
    if (result.code === 'success') {
      rejected += result.rejected ?? 0;
      for (const [reason, count] of Object.entries(result.dropped ?? {})) dropped[reason] = (dropped[reason] ?? 0) + count;
    } else {
      const reason = result.aborted ? 'export_timeout' : 'export_failed';
      dropped[reason] = (dropped[reason] ?? 0) + sizes[i];
    }
  });
  return { code: 'success', rejected, dropped };
}
