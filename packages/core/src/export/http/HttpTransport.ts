import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import { gzip, gzipSync } from 'node:zlib';
import { invalidOption, secretValue } from '../../invalidOption.js';
import { redactSecrets, redactUrl, secretsOf } from './redact.js';

const gzipAsync = promisify(gzip);
// Level 1 halves gzip's CPU against the default 6 on OTLP batches and compresses them almost as well (repeated
// keys and ids dominate): measured 99 µs vs 214 µs for a 40 KB batch of 100 spans, 4.3 KB either way.
const GZIP_OPTIONS = { level: 1 };
// Bodies up to this size are compressed on the event loop: zlib.gzip's trip through the threadpool (a stream, a
// worker wake-up, the callbacks) cost 300-460 µs of CPU per call on a 40 KB body of 100 spans here, gzipSync 77-98 µs
// (~0.1 ms of event loop per export, beside the ~0.1 ms its encoding already takes there). A default batch is ~40 KB
// in protobuf, ~90 KB in JSON; a batch of 512 spans (OpenTelemetry's default size) ~210 KB in protobuf, which
// compressed here instead of in the threadpool cut the export's CPU from 3.6-3.7 to 2.8-3.0 µs per span
// (`bench:export`), for ~0.35 ms of event loop per 512 spans. Larger bodies (a backlog's batches, big spans, JSON
// at 512) still go to the threadpool, so that no export holds the event loop for long.
export const MAX_SYNC_GZIP_BYTES = 256 * 1024;

/**
 * How long one request may take, connection to last response byte. The OTLP exporter default.
 * https://opentelemetry.io/docs/specs/otel/protocol/exporter/#configuration-options (OTEL_EXPORTER_OTLP_TIMEOUT)
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** A collector's answer is read up to this size (a partial-success message or an error text); the rest is dropped. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * A request with no answer after this long, while the collector has answered nothing else meanwhile, is presumed
 * stuck on a collector that hangs; a probe then asks whether the collector answers again.
 */
export const STUCK_AFTER_MS = 1000;
/** How long a probe waits for its answer. */
export const PROBE_TIMEOUT_MS = 1000;

/** What one request came to, as data: a response of any status, or no response at all. */
export type HttpOutcome =
  | { kind: 'response'; statusCode: number; statusMessage: string; retryAfter: string | undefined; body: Buffer }
  | { kind: 'network-error'; error: Error; timedOut: boolean; aborted?: boolean; stuck?: boolean };

/** A request on its way: when it started, and whether any answer has begun. */
interface LiveRequest {
  readonly startedAt: number;
  answered: boolean;
  stuck: boolean;
  request: http.ClientRequest | undefined;
}

export interface HttpTransportOptions {
  /** The full URL requests are posted to. */
  url: string;
  contentType: string;
  /** Sent with every request; their values never appear in a message. */
  headers?: Readonly<Record<string, string>>;
  /** Default `gzip`. */
  compression?: 'gzip' | 'none';
  /** Default `DEFAULT_REQUEST_TIMEOUT_MS`. */
  timeoutMs?: number;
  /**
   * A body that carries nothing (the encoding of zero spans). With it, requests stuck on a collector that hangs are
   * retried as soon as a probe sent with it is answered, instead of when their timeout comes.
   */
  probeBody?: Uint8Array | string;
}

/** A body as a Buffer, without copying one that is already bytes. */
export function toBuffer(body: Uint8Array | string): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Posts one body to one URL over node:http(s) and reports what happened; it never rejects and never retries
 * (`RetryingTransport` decides). node:http rather than fetch, so a fetch instrumentation never sees our exports.
 * Sockets are kept alive between exports and released on `shutdown`.
 */
export class HttpTransport {
  /** The URL with credentials and query removed, for messages. */
  readonly target: string;
  private readonly url: URL;
  private readonly client: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly headers: http.OutgoingHttpHeaders;
  private readonly secrets: string[];
  private readonly compression: 'gzip' | 'none';
  private readonly timeoutMs: number;
  private readonly probeBody: Uint8Array | string | undefined;
  private readonly live = new Set<LiveRequest>();
  private lastAnswerAt = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private probing = false;
  /** Probes sent, for tests and counters. */
  probes = 0;

  constructor(options: HttpTransportOptions) {
    // The URL may carry credentials: it is never shown.
    if (typeof options.url !== 'string' || !URL.canParse(options.url)) throw invalidOption('exporter', 'url', 'an absolute http(s) URL', options.url, secretValue(options.url));
    const url = new URL(options.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw invalidOption('exporter', 'url', 'an http: or https: URL', url.protocol);
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw invalidOption('exporter', 'timeoutMs', 'a whole number > 0', timeoutMs);
    const custom = options.headers ?? {};
    for (const [name, value] of Object.entries(custom)) {
      // Checked once, here, so a bad header cannot fail every export later; the message names the header only.
      try {
        http.validateHeaderName(name);
      } catch {
        throw invalidOption('exporter', 'headers', 'header names that are RFC 9110 tokens', name);
      }
      if (typeof value !== 'string') throw invalidOption('exporter', `headers.${name}`, 'a string', value, secretValue(value));
      try {
        http.validateHeaderValue(name, value);
      } catch {
        throw invalidOption('exporter', `headers.${name}`, 'a value with only characters allowed in a header', value, secretValue(value));
      }
    }
    this.url = url;
    this.target = redactUrl(url);
    this.client = url.protocol === 'https:' ? https : http;
    this.agent = new this.client.Agent({ keepAlive: true });
    this.compression = options.compression ?? 'gzip';
    this.timeoutMs = timeoutMs;
    this.probeBody = options.probeBody;
    this.headers = { ...custom, 'content-type': options.contentType };
    if (this.compression === 'gzip') this.headers['content-encoding'] = 'gzip';
    const userinfo = [decodeURIComponent(url.username), decodeURIComponent(url.password)];
    this.secrets = secretsOf({ ...custom, userinfo: userinfo.join(':'), password: userinfo[1] ?? '' });
  }

  /** The body as it goes on the wire (compressed once, however many times it is sent). */
  async prepare(body: Uint8Array | string): Promise<Buffer> {
    const bytes = toBuffer(body);
    if (this.compression !== 'gzip') return bytes;
    return bytes.length <= MAX_SYNC_GZIP_BYTES ? gzipSync(bytes, GZIP_OPTIONS) : gzipAsync(bytes, GZIP_OPTIONS);
  }

  /**
   * Posts a prepared body. Resolves with the outcome; never rejects. When `signal` aborts, the request is
   * destroyed at once (its socket with it), so a body counted as dropped is never delivered afterwards.
   */
  send(body: Buffer, signal?: AbortSignal): Promise<HttpOutcome> {
    // Not traced: the span processor calls the exporter with tracing suppressed, and that context reaches here.
    const live: LiveRequest = { startedAt: performance.now(), answered: false, stuck: false, request: undefined };
    this.live.add(live);
    if (this.probeBody !== undefined && this.watchdog === undefined) {
      this.watchdog = setInterval(() => this.checkStuck(), STUCK_AFTER_MS);
      this.watchdog.unref();
    }
    return new Promise<HttpOutcome>((resolve) => this.post(body, resolve, signal, this.timeoutMs, live)).finally(() => {
      this.live.delete(live);
      if (this.live.size === 0 && this.watchdog !== undefined) {
        clearInterval(this.watchdog);
        this.watchdog = undefined;
      }
    });
  }

  /** `text` with header values and URL credentials masked. */
  redact(text: string): string {
    return redactSecrets(text, this.secrets);
  }

  /** Closes kept-alive sockets. */
  shutdown(): void {
    if (this.watchdog !== undefined) clearInterval(this.watchdog);
    this.watchdog = undefined;
    this.agent.destroy();
  }

  // Every request in flight has waited over STUCK_AFTER_MS with no answer, and nothing else was answered
  // meanwhile: the collector hangs, or those requests are lost on sockets it no longer serves. A probe on a fresh
  // connection tells which; when it is answered the stuck requests are cut and retried at once, so export resumes
  // within about a second of the collector's recovery rather than when their timeouts come. One probe at a time:
  // at most one connection more than the exports in flight.
  private checkStuck(): void {
    if (this.probing || this.live.size === 0 || this.probeBody === undefined) return;
    const time = performance.now();
    if (time - this.lastAnswerAt < STUCK_AFTER_MS) return;
    for (const live of this.live) if (live.answered || time - live.startedAt < STUCK_AFTER_MS) return;
    const stuck = [...this.live];
    this.probing = true;
    this.probes++;
    void this.prepare(this.probeBody)
      .then((body) => new Promise<HttpOutcome>((resolve) => this.post(body, resolve, undefined, PROBE_TIMEOUT_MS, undefined)))
      .then((outcome) => {
        if (outcome.kind !== 'response') return;
        for (const live of stuck) {
          live.stuck = true;
          live.request?.destroy(new Error(`no answer after ${Math.round(performance.now() - live.startedAt)} ms while the collector answers again`));
        }
      })
      .catch(() => undefined)
      .finally(() => {
        this.probing = false;
      });
  }

  private post(body: Buffer, resolve: (outcome: HttpOutcome) => void, signal: AbortSignal | undefined, timeoutMs: number, live: LiveRequest | undefined): void {
    let settled = false;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const settle = (outcome: HttpOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const failWith = (error: unknown): void =>
      settle({ kind: 'network-error', error: toError(error), timedOut, aborted: signal?.aborted === true, stuck: live?.stuck === true });
    if (signal?.aborted) {
      failWith(new Error('aborted before sending'));
      return;
    }

    let request: http.ClientRequest;
    try {
      request = this.client.request(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: { ...this.headers, 'content-length': body.length },
      });
    } catch (error) {
      failWith(error);
      return;
    }
    if (live) live.request = request;
    timer = setTimeout(function onRequestTimeout() {
      timedOut = true;
      request.destroy(new Error(`no complete response within ${timeoutMs} ms`));
    }, timeoutMs);

    request.on('error', failWith);
    if (signal) {
      onAbort = function onExportAborted() {
        request.destroy(new Error(`aborted: ${String((signal.reason as Error | undefined)?.message ?? signal.reason)}`));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }
    const onAnswer = (): void => {
      this.lastAnswerAt = performance.now();
      if (live) live.answered = true;
    };
    request.on('response', function onExportResponse(response) {
      onAnswer();
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', function onExportResponseData(chunk: Buffer) {
        if (size >= MAX_RESPONSE_BYTES) return;
        const room = MAX_RESPONSE_BYTES - size;
        const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
        chunks.push(kept);
        size += kept.length;
      });
      response.on('error', failWith);
      response.on('aborted', function onExportResponseAborted() {
        failWith(new Error('response aborted'));
      });
      response.on('end', function onExportResponseEnd() {
        const retryAfter = response.headers['retry-after'];
        settle({
          kind: 'response',
          statusCode: response.statusCode ?? 0,
          statusMessage: response.statusMessage ?? '',
          retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
          body: Buffer.concat(chunks, size),
        });
      });
    });
    request.end(body);
  }
}
