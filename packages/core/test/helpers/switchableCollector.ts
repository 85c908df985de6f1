// A real OTLP/HTTP collector on 127.0.0.1 whose behaviour is switched while a test runs: healthy, slow, hanging,
// down (nothing listens on its port, then it listens again on the same one), 503, 429 with Retry-After, and a
// limit on body size (413 beyond). It counts what a tracer really delivered: a request's spans are counted only
// once a 2xx answer to it has been written completely, so a request its client abandoned (aborted, cut, timed
// out) is never counted as received, whatever the collector would have answered. Bodies are decompressed as they
// come (off the event loop) and decoded with the official definitions only when the test reads the counts, so
// the collector adds little to the event loop of the process under test.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { decodeOtlpProtobuf, otlpSpans } from './otlpDecode.js';

const gunzipAsync = promisify(gunzip);

/** How the collector answers the requests that arrive from now on. */
export type CollectorMode =
  | { kind: 'healthy' }
  /** Answers 200 after `delayMs`. */
  | { kind: 'delayed'; delayMs: number }
  /** Reads the body and never answers; such requests stay held (see `releaseHeld`) until their client gives up. */
  | { kind: 'hang' }
  /** Nothing listens: connections are refused, open ones are cut. */
  | { kind: 'down' }
  /** 503 Service Unavailable. */
  | { kind: 'unavailable' }
  /** 429 with `Retry-After: <retryAfter>`. */
  | { kind: 'throttled'; retryAfter: string };

/** What became of one request. */
export type RequestOutcome =
  /** A 2xx was written completely: its spans are counted. */
  | 'delivered'
  /** Answered with another status (413, 429, 503). */
  | 'refused'
  /** The client went away before the answer was written. */
  | 'abandoned'
  /** Still waiting for an answer (mode `hang`). */
  | 'held';

export interface CollectorRequest {
  /** `performance.now()` when the body had arrived. */
  readonly arrivedAt: number;
  /** The body as sent (compressed). */
  readonly wireBytes: number;
  /** The body after gunzip: what the exporter's `maxBodyBytes` limits. */
  readonly bodyBytes: number;
  status: number | undefined;
  outcome: RequestOutcome;
}

/** A span as the official definitions decode it, in the OTLP JSON shape (hex ids). */
export type ReceivedSpan = Record<string, any>;

interface Pending {
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  readonly body: Buffer;
  readonly json: boolean;
  readonly record: CollectorRequest;
}

export interface SwitchableCollectorOptions {
  /** Bodies larger than this (after gunzip) get 413 Content Too Large. Default: no limit. */
  maxBodyBytes?: number;
  /** Keep the decoded spans (for checks on their content). Default true; false keeps ids and counts only. */
  keepSpans?: boolean;
}

export class SwitchableCollector {
  /** Every request, in the order its body arrived. */
  readonly requests: CollectorRequest[] = [];
  /** Decoded spans of delivered requests (when `keepSpans`). */
  private readonly spans: ReceivedSpan[] = [];
  /** Bodies (after gunzip) whose 2xx has been written, not decoded yet. */
  private readonly delivered: { body: Buffer; json: boolean }[] = [];
  private readonly spanIds = new Map<string, number>();
  private readonly held = new Set<Pending>();
  private readonly sockets = new Set<Socket>();
  private mode: CollectorMode = { kind: 'healthy' };
  private listening = false;
  private received = 0;
  private duplicates = 0;
  /** Connections open right now, and the most open at once. */
  openConnections = 0;
  maxOpenConnections = 0;
  /** The largest body seen, after gunzip. */
  maxBodyBytesSeen = 0;
  maxBodyBytes: number | undefined;

  private constructor(
    private readonly server: http.Server,
    private readonly port: number,
    private readonly keepSpans: boolean,
  ) {}

  /** Starts a healthy collector on 127.0.0.1 on a free port. */
  static async start(options: SwitchableCollectorOptions = {}): Promise<SwitchableCollector> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const collector = new SwitchableCollector(server, (server.address() as AddressInfo).port, options.keepSpans ?? true);
    collector.maxBodyBytes = options.maxBodyBytes;
    collector.listening = true;
    server.on('connection', (socket) => collector.onConnection(socket));
    server.on('request', (req, res) => collector.onRequest(req, res));
    return collector;
  }

  /** The base URL, `http://127.0.0.1:<port>`: the same across `down` and back. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Switches how requests arriving from now on are answered; `down` closes the port, any other mode reopens it. */
  async setMode(mode: CollectorMode): Promise<void> {
    this.mode = mode;
    if (mode.kind === 'down' && this.listening) {
      this.listening = false;
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const socket of this.sockets) socket.destroy();
      await closed;
    } else if (mode.kind !== 'down' && !this.listening) {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(this.port, '127.0.0.1', () => {
          this.server.off('error', reject);
          resolve();
        });
      });
      this.listening = true;
    }
  }

  /** Answers the requests `hang` held, as the current mode says (a client that gave up on them gets nothing). */
  releaseHeld(): void {
    const held = [...this.held];
    this.held.clear();
    for (const pending of held) this.answer(pending);
  }

  /** Spans delivered so far (2xx written completely), each counted once per delivery. */
  get spansReceived(): number {
    this.decodeDelivered();
    return this.received;
  }

  /** Spans delivered more than once. */
  get duplicateSpans(): number {
    this.decodeDelivered();
    return this.duplicates;
  }

  /** Whether the span with this id (hex) was delivered. */
  hasSpan(spanId: string): boolean {
    this.decodeDelivered();
    return this.spanIds.has(spanId);
  }

  receivedSpans(): ReceivedSpan[] {
    this.decodeDelivered();
    return this.spans;
  }

  requestsWith(outcome: RequestOutcome): CollectorRequest[] {
    return this.requests.filter((request) => request.outcome === outcome);
  }

  /** Resolves once `count` spans were delivered; rejects after `timeoutMs` with what did arrive. */
  async waitForSpans(count: number, timeoutMs: number): Promise<number> {
    return this.waitUntil(() => this.spansReceived >= count, timeoutMs, () => `expected ${count} spans, received ${this.spansReceived}`);
  }

  /** Polls `condition` every 5 ms; resolves with the ms it took, rejects after `timeoutMs`. */
  async waitUntil(condition: () => boolean, timeoutMs: number, describe: () => string = () => 'condition'): Promise<number> {
    const started = performance.now();
    while (!condition()) {
      if (performance.now() - started > timeoutMs) throw new Error(`after ${timeoutMs} ms: ${describe()}`);
      await sleep(5);
    }
    return performance.now() - started;
  }

  async close(): Promise<void> {
    this.held.clear();
    for (const socket of this.sockets) socket.destroy();
    if (this.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.listening = false;
  }

  private onConnection(socket: Socket): void {
    this.sockets.add(socket);
    this.openConnections++;
    if (this.openConnections > this.maxOpenConnections) this.maxOpenConnections = this.openConnections;
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.openConnections--;
    });
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => undefined);
    req.on('end', () => {
      const wire = Buffer.concat(chunks);
      const json = String(req.headers['content-type']).startsWith('application/json');
      const inflate = req.headers['content-encoding'] === 'gzip' ? gunzipAsync(wire) : Promise.resolve(wire);
      void inflate.then(
        (body) => this.onBody(req, res, wire, body, json),
        () => {
          res.writeHead(400).end('body is not gzip');
        },
      );
    });
  }

  private onBody(req: http.IncomingMessage, res: http.ServerResponse, wire: Buffer, body: Buffer, json: boolean): void {
    const record: CollectorRequest = { arrivedAt: performance.now(), wireBytes: wire.length, bodyBytes: body.length, status: undefined, outcome: 'held' };
    this.requests.push(record);
    if (body.length > this.maxBodyBytesSeen) this.maxBodyBytesSeen = body.length;
    const pending: Pending = { req, res, body, json, record };
    if (this.maxBodyBytes !== undefined && body.length > this.maxBodyBytes) return this.reply(pending, 413, {}, 'request body too large');
    this.answer(pending);
  }

  private hold(pending: Pending): void {
    this.held.add(pending);
    pending.res.once('close', () => {
      if (!this.held.delete(pending)) return;
      pending.record.outcome = 'abandoned';
    });
  }

  private answer(pending: Pending): void {
    const mode = this.mode;
    switch (mode.kind) {
      case 'healthy':
        return this.reply(pending, 200);
      case 'delayed':
        setTimeout(() => this.reply(pending, 200), mode.delayMs);
        return;
      case 'hang':
        return this.hold(pending);
      case 'down':
        pending.record.outcome = 'abandoned';
        pending.req.socket.destroy();
        return;
      case 'unavailable':
        return this.reply(pending, 503, {}, 'collector unavailable');
      case 'throttled':
        return this.reply(pending, 429, { 'retry-after': mode.retryAfter }, 'slow down');
    }
  }

  private reply(pending: Pending, status: number, headers: Record<string, string> = {}, text?: string): void {
    const { res, record } = pending;
    // A client that went away gets nothing, and nothing of its request is counted.
    if (res.destroyed || pending.req.socket.destroyed) {
      record.outcome = 'abandoned';
      return;
    }
    record.status = status;
    const ok = status >= 200 && status < 300;
    let finished = false;
    res.once('finish', () => {
      finished = true;
      record.outcome = ok ? 'delivered' : 'refused';
      if (ok) this.delivered.push({ body: pending.body, json: pending.json });
    });
    res.once('close', () => {
      if (!finished) record.outcome = 'abandoned';
    });
    if (ok) res.writeHead(status, { 'content-type': pending.json ? 'application/json' : 'application/x-protobuf', ...headers }).end(pending.json ? '{}' : undefined);
    else res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(text);
  }

  private decodeDelivered(): void {
    for (const { body, json } of this.delivered.splice(0)) {
      const message = json ? JSON.parse(body.toString('utf8')) : decodeOtlpProtobuf(body);
      for (const span of otlpSpans(message)) {
        this.received++;
        const seen = this.spanIds.get(span.spanId) ?? 0;
        if (seen > 0) this.duplicates++;
        this.spanIds.set(span.spanId, seen + 1);
        if (this.keepSpans) this.spans.push(span);
      }
    }
  }
}
