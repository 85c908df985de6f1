// A real collector on the loopback interface that misbehaves on script: each request gets the next scripted
// response (then `fallback`), and is recorded with its method, URL, headers, raw body and decompressed body.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** A reply, or `hang` (read the request, never answer) or `reset` (drop the connection). */
export type ScriptedResponse =
  | { status: number; headers?: Record<string, string>; body?: string | Buffer; delayMs?: number }
  | 'hang'
  | 'reset';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The body as it came over the wire (gzip-compressed when content-encoding says so). */
  rawBody: Buffer;
  /** The body after gunzip, when it was compressed. */
  body: Buffer;
  /** `performance.now()` when the request was complete. */
  receivedAt: number;
}

export interface CollectorOptions {
  /** Responses in order, one per request. */
  script?: ScriptedResponse[];
  /** The response once the script is used up. Default 200 with an empty body. */
  fallback?: ScriptedResponse;
}

function tryGunzip(body: Buffer): Buffer {
  try {
    return gunzipSync(body);
  } catch {
    return body; // recorded as it came; the test will see it is not gzip
  }
}

export class TestCollector {
  readonly requests: RecordedRequest[] = [];
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  private readonly sockets = new Set<import('node:net').Socket>();

  private constructor(
    private readonly server: http.Server,
    private readonly options: CollectorOptions,
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req, res) => this.handle(req, res));
  }

  /** Starts a collector on 127.0.0.1 on a free port. */
  static async start(options: CollectorOptions = {}): Promise<TestCollector> {
    const server = http.createServer();
    const collector = new TestCollector(server, options);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return collector;
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Resolves once `count` requests have arrived; rejects after `timeoutMs`. */
  waitForRequests(count: number, timeoutMs = 5000): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`expected ${count} requests, got ${this.requests.length}`)), timeoutMs);
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** Bodies parsed as JSON (after gunzip). */
  jsonBodies(): unknown[] {
    return this.requests.map((request) => JSON.parse(request.body.toString('utf8')));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? tryGunzip(rawBody) : rawBody;
      const index = this.requests.length;
      this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawBody, body, receivedAt: performance.now() });
      for (const waiter of this.waiters.filter((w) => this.requests.length >= w.count)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      const response = this.options.script?.[index] ?? this.options.fallback ?? { status: 200 };
      if (response === 'hang') return;
      if (response === 'reset') {
        req.socket.destroy();
        return;
      }
      const reply = () => {
        res.writeHead(response.status, response.headers);
        res.end(response.body);
      };
      if (response.delayMs) setTimeout(reply, response.delayMs);
      else reply();
    });
  }
}

/** A URL on 127.0.0.1 where nothing listens: a port we bound and released. */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
