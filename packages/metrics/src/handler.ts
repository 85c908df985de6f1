import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag } from '@audit-tracing/core';
import Negotiator from 'negotiator';
import { formatMetrics, OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from './exposition.js';
import type { MetricsSnapshot } from './snapshot.js';

// What the handler can answer, for content negotiation on the Accept header. Prometheus asks for OpenMetrics
// 1.0.0 first; a client that names no format (curl, a browser) gets the 0.0.4 text, the first one here.
const OPENMETRICS_MEDIA_TYPE = 'application/openmetrics-text; version=1.0.0';
const AVAILABLE = ['text/plain; version=0.0.4', OPENMETRICS_MEDIA_TYPE];

/** A `node:http` handler that answers GET and HEAD with the metrics of `snapshot()`, in the format asked for. */
export function metricsHandler(snapshot: () => MetricsSnapshot): (req: IncomingMessage, res: ServerResponse) => void {
  return function serveMetrics(req, res) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method Not Allowed\n');
      return;
    }
    let body: string;
    let openMetrics: boolean;
    try {
      openMetrics = new Negotiator(req).mediaType(AVAILABLE) === OPENMETRICS_MEDIA_TYPE;
      body = formatMetrics(snapshot(), openMetrics);
    } catch (error) {
      diag.warnOnce('metrics.handler', `MetricsSpanProcessor: writing the metrics failed: ${(error as Error)?.message}`);
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
      return;
    }
    res.writeHead(200, {
      'content-type': openMetrics ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE,
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      vary: 'Accept',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
