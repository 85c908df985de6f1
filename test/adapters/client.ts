// A plain node:http client for the cases supertest cannot express: bodies streamed in slow chunks, and clients
// that go away mid-request.
import { request, type IncomingHttpHeaders } from 'node:http';
import { delay } from './routes.js';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface Send {
  method?: string;
  headers?: Record<string, string>;
  /** Written one after another, `gapMs` apart. */
  chunks?: string[];
  gapMs?: number;
}

export function send(base: string, path: string, options: Send = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    void (async function writeChunks() {
      for (const chunk of options.chunks ?? []) {
        req.write(chunk);
        if (options.gapMs) await delay(options.gapMs);
      }
      req.end();
    })();
  });
}

/**
 * Sends a request and destroys the socket: `after: 'headers'` once the response has begun (mid-stream),
 * or after `ms` milliseconds with no response yet.
 */
export function abandon(base: string, path: string, headers: Record<string, string>, when: { afterMs: number } | { afterFirstChunk: true }): Promise<void> {
  return new Promise((resolve) => {
    const req = request(new URL(path, base), { headers, agent: false }, (res) => {
      res.once('data', () => {
        if ('afterFirstChunk' in when) req.destroy();
      });
    });
    req.on('error', () => undefined);
    req.on('close', () => resolve());
    if ('afterMs' in when) setTimeout(() => req.destroy(), when.afterMs);
    req.end();
  });
}
