import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag, type ReadableSpan, type SpanProcessor } from '@audit-tracing/core';
import { routeApi } from './api/routes.js';
import { TokenCheck } from './auth.js';
import { resolveViewerOptions, type ResolvedViewerOptions, type ViewerOptions } from './options.js';
import { FileFollower } from './FileFollower.js';
import { isJsonLines, loadSpansFile, PersistFile } from './persistence.js';
import { bodyFormatOf, CONTENT_TYPE, encodeStatus, RPC_UNAUTHENTICATED, RPC_UNAVAILABLE } from './receiver/otlpStatus.js';
import { newReceiverStats, receiveOtlp, receiveZipkin, type ReceiverStats } from './receiver/receive.js';
import { loadStaticFiles, type StaticFile } from './staticFiles.js';
import { SpanStore, type SpanStoreStats } from './SpanStore.js';

/**
 * Request bodies read at once; more get 503 with Retry-After, which OTLP exporters retry. With the body limit this
 * bounds what senders can make the viewer hold: 16 × 20 MiB at the defaults.
 */
export const MAX_CONCURRENT_RECEIVES = 16;
/** Seconds a refused sender is asked to wait. */
const RETRY_AFTER_SECONDS = 1;

/** Live spans the store takes per turn of the event loop (their JSON is measured): a burst is spread out. */
export const LIVE_SPANS_PER_TURN = 500;

/** Spans the live processor holds until its next hand-over to the store; beyond this they are dropped, counted. */
export const MAX_PENDING_LIVE_SPANS = 10_000;

/**
 * Pages may load only their own scripts and styles and talk only to their own origin; no inline script can run,
 * so a span name that slips into markup still cannot execute. https://www.w3.org/TR/CSP3/
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** A request handler for `node:http`, Express and Connect: `next` is called for paths outside `basePath`. */
export type ViewerHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

export interface ViewerStats {
  store: SpanStoreStats;
  receiver: ReceiverStats;
  /** Live spans dropped because the store fell behind. */
  liveDropped: number;
  /** Spans not written to the persistence file because the disk fell behind. */
  persistDropped: number;
}

function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}

/**
 * The viewer: a bounded span store, fed by its receiver (OTLP/HTTP, Zipkin v2), by span files and by
 * `spanProcessor` (a tracer's own spans, live), and the pages and JSON API that show it. Make one with
 * `createViewer`; serve it with `startViewer` or mount `handler` in an app.
 */
export class Viewer {
  readonly store: SpanStore;
  /** Add to a tracer's `processors` to see its spans as they end. */
  readonly spanProcessor: SpanProcessor;
  /** Serves the pages, the API and the receiver under `basePath`. */
  readonly handler: ViewerHandler;
  readonly basePath: string;
  private readonly options: ResolvedViewerOptions;
  private readonly files: Map<string, StaticFile>;
  private readonly tokenCheck: TokenCheck | undefined;
  private readonly receiverStats = newReceiverStats();
  private persist: PersistFile | undefined;
  private readonly followers: FileFollower[] = [];
  private pending: ReadableSpan[] = [];
  private flushScheduled = false;
  private liveDropped = 0;
  private receiving = 0;

  /** @internal Use `createViewer`, which also loads files. */
  constructor(options: ResolvedViewerOptions) {
    this.options = options;
    this.basePath = options.basePath;
    this.store = new SpanStore({ maxSpans: options.maxSpans, maxBytes: options.maxBytes });
    this.files = loadStaticFiles();
    this.tokenCheck = options.token === undefined ? undefined : new TokenCheck(options.token);
    this.spanProcessor = this.createSpanProcessor();
    this.handler = this.createHandler();
  }

  /** @internal */
  async load(): Promise<void> {
    for (const file of this.options.files) {
      this.store.add(await loadSpansFile(file));
      // JSON lines keep growing while a service writes them (FileSpanExporter): followed, as `tail -f`.
      if (await isJsonLines(file)) {
        const follower = new FileFollower(file, this.store);
        await follower.start();
        this.followers.push(follower);
      }
    }
    if (this.options.persistFile !== undefined) this.persist = await PersistFile.open(this.options.persistFile, this.store);
  }

  /** Whether a request for `url` (a path with its query) is the viewer's. */
  handles(url: string): boolean {
    const base = this.basePath;
    return base === '' || url === base || url.startsWith(base + '/') || url.startsWith(base + '?');
  }

  getStats(): ViewerStats {
    return { store: this.store.getStats(), receiver: { ...this.receiverStats, refused: { ...this.receiverStats.refused } }, liveDropped: this.liveDropped, persistDropped: this.persist?.dropped ?? 0 };
  }

  /** Hands pending live spans to the store and closes the persistence file. */
  async close(): Promise<void> {
    for (const follower of this.followers) follower.stop();
    this.flushLive();
    await this.persist?.close();
    this.persist = undefined;
  }

  private createSpanProcessor(): SpanProcessor {
    // onEnd runs on the request path: it only queues; the store (JSON, indexes, disk) is fed on the next turn.
    const viewer = this;
    return {
      onEnd: function viewerOnEnd(span: ReadableSpan) {
        if (viewer.pending.length >= MAX_PENDING_LIVE_SPANS) {
          viewer.liveDropped++;
          return;
        }
        viewer.pending.push(span);
        viewer.scheduleLive();
      },
      forceFlush: async function viewerForceFlush() {
        viewer.flushLive();
      },
      shutdown: async function viewerShutdown() {
        viewer.flushLive();
      },
    };
  }

  /**
   * Hands queued live spans to the store: all of them, or (`chunked`, from the timer) at most LIVE_SPANS_PER_TURN,
   * then again on the next turn, so a burst never holds the app's event loop for long.
   */
  private flushLive(chunked = false): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    let spans = this.pending;
    if (chunked && spans.length > LIVE_SPANS_PER_TURN) {
      this.pending = spans.slice(LIVE_SPANS_PER_TURN);
      spans = spans.slice(0, LIVE_SPANS_PER_TURN);
      this.scheduleLive();
    } else this.pending = [];
    try {
      this.store.add(spans);
    } catch (error) {
      diag.warnOnce('viewer.live', `viewer: could not keep spans: ${String(error)}`);
    }
  }

  private scheduleLive(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const viewer = this;
    setImmediate(function viewerTakeLive() {
      viewer.flushLive(true);
    });
  }

  private createHandler(): ViewerHandler {
    const viewer = this;
    return function viewerHandler(req, res, next) {
      // Express rewrites req.url under a mount path; originalUrl is what was asked for.
      const raw = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
      if (!viewer.handles(raw)) {
        if (next) next();
        else sendText(res, 404, 'not found');
        return;
      }
      viewer.serve(req, res, raw).catch(function viewerFailed(error) {
        diag.warnOnce('viewer.request', `viewer: request failed: ${String(error)}`);
        if (!res.headersSent) sendText(res, 500, 'internal error');
        else res.destroy();
      });
    };
  }

  /** 503 with Retry-After: OTLP exporters retry it (https://opentelemetry.io/docs/specs/otlp/#otlphttp-throttling). */
  private refuseBusy(req: IncomingMessage, res: ServerResponse, path: string): void {
    this.receiverStats.refused[503] = (this.receiverStats.refused[503] ?? 0) + 1;
    const format = path === '/v1/traces' ? bodyFormatOf(req.headers['content-type']) : undefined;
    res.statusCode = 503;
    res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    res.setHeader('Connection', 'close');
    if (format === undefined) {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end('busy: too many requests being read, retry shortly');
    } else {
      res.setHeader('Content-Type', CONTENT_TYPE[format]);
      res.end(encodeStatus(format, RPC_UNAVAILABLE, 'busy: too many requests being read, retry shortly'));
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    securityHeaders(res);
    let url: URL;
    try {
      url = new URL(raw, 'http://viewer.invalid');
    } catch {
      sendText(res, 400, 'bad request');
      return;
    }
    // Dot segments are resolved by now: what they lead outside the base path is not the viewer's.
    if (!this.handles(url.pathname)) {
      sendText(res, 404, 'not found');
      return;
    }
    const path = url.pathname.slice(this.basePath.length);
    if (this.tokenCheck !== undefined) {
      const how = this.tokenCheck.check(req, url);
      if (how === undefined) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        const format = path === '/v1/traces' ? bodyFormatOf(req.headers['content-type']) : undefined;
        if (format === undefined) sendText(res, 401, 'this viewer needs its token: open it with ?token=… or send Authorization: Bearer …');
        else {
          // An OTLP exporter gets its answer as OTLP says: a google.rpc.Status in its own format.
          res.statusCode = 401;
          res.setHeader('Content-Type', CONTENT_TYPE[format]);
          res.setHeader('Connection', 'close');
          res.end(encodeStatus(format, RPC_UNAUTHENTICATED, 'missing or wrong token (Authorization: Bearer …)'));
        }
        return;
      }
      if (how === 'query' && req.method === 'GET') {
        // The token moves into a cookie and out of the address bar (and the history).
        url.searchParams.delete('token');
        res.setHeader('Set-Cookie', TokenCheck.cookie(this.options.token!, this.basePath));
        res.statusCode = 303;
        // One leading slash: '//host' would send the browser to another site.
        res.setHeader('Location', url.pathname.replace(/^\/+/, '/') + url.search);
        res.end();
        return;
      }
    }
    if (req.method === 'POST') {
      const receive = path === '/v1/traces' ? receiveOtlp : path === '/api/v2/spans' ? receiveZipkin : undefined;
      if (receive === undefined) {
        sendText(res, 404, 'not found');
        return;
      }
      if (this.receiving >= MAX_CONCURRENT_RECEIVES) {
        this.refuseBusy(req, res, path);
        return;
      }
      this.receiving++;
      try {
        await receive(req, res, this.store, this.options.maxBodyBytes, this.receiverStats);
      } finally {
        this.receiving--;
      }
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD, POST');
      sendText(res, 405, 'method not allowed');
      return;
    }
    if (path === '') {
      // Relative links in the pages need the trailing slash.
      res.statusCode = 308;
      res.setHeader('Location', `${this.basePath}/${url.search}`);
      res.end();
      return;
    }
    if (path.startsWith('/api/')) {
      routeApi(path.slice(4), url.searchParams, this, res);
      return;
    }
    const file = this.files.get(path === '/' ? 'index.html' : path.slice(1));
    if (file === undefined) {
      sendText(res, 404, 'not found');
      return;
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', file.type);
    res.setHeader('Content-Length', file.body.length);
    res.setHeader('Cache-Control', 'no-cache');
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }
}

/**
 * Creates a viewer: checks the options (a coded TypeError when one is wrong), loads `files` and the
 * `persistFile`. Nothing listens until `startViewer` serves it or `handler` is mounted.
 */
export async function createViewer(options?: ViewerOptions): Promise<Viewer> {
  const viewer = new Viewer(resolveViewerOptions(options, 'createViewer'));
  await viewer.load();
  return viewer;
}
