import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { invalidOption } from '@audit-tracing/core';
import { DEFAULT_HOST, DEFAULT_PORT, type ViewerOptions } from './options.js';
import { createViewer, type Viewer } from './Viewer.js';

export interface StartViewerOptions extends Omit<ViewerOptions, 'basePath'> {
  /** Default 16686; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. Another address exposes every span the services send to whoever can reach it: set a token. */
  host?: string;
}

export interface RunningViewer {
  viewer: Viewer;
  server: Server;
  /** `http://host:port` */
  url: string;
  close(): Promise<void>;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * On a loopback address only loopback names are answered: a web page cannot then reach the viewer through a
 * DNS name that points at 127.0.0.1 (DNS rebinding) and read the spans.
 */
function hostAllowed(hostHeader: string | undefined, port: number): boolean {
  if (hostHeader === undefined) return false;
  const at = hostHeader.lastIndexOf(':');
  const name = at > 0 && !hostHeader.endsWith(']') ? hostHeader.slice(0, at) : hostHeader;
  const givenPort = at > 0 && !hostHeader.endsWith(']') ? Number(hostHeader.slice(at + 1)) : 80;
  return LOOPBACK_NAMES.has(name.toLowerCase()) && givenPort === port;
}

const isLoopback = (host: string) => host === '127.0.0.1' || host === '::1' || host === 'localhost';

/** Starts the viewer as its own HTTP server: pages and API at `/`, OTLP at `/v1/traces`, Zipkin at `/api/v2/spans`. */
export async function startViewer(options: StartViewerOptions = {}): Promise<RunningViewer> {
  const { port = DEFAULT_PORT, host = DEFAULT_HOST, ...viewerOptions } = options;
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535) throw invalidOption('startViewer', 'port', 'an integer from 0 to 65535', port);
  if (typeof host !== 'string' || host === '') throw invalidOption('startViewer', 'host', 'a host name or address', host);
  const viewer = await createViewer(viewerOptions);
  const loopback = isLoopback(host);
  let boundPort = port;
  const server = createServer(function viewerRequest(req, res) {
    if (loopback && !hostAllowed(req.headers.host, boundPort)) {
      res.statusCode = 421;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end('this viewer answers only to localhost and 127.0.0.1');
      return;
    }
    viewer.handler(req, res);
  });
  // Slow senders must not hold connections open forever.
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  boundPort = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    viewer,
    server,
    url: `http://${shown}:${boundPort}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await viewer.close();
    },
  };
}
