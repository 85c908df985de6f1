import type { ServerResponse } from 'node:http';
import { analyzeBottlenecks } from '@audit-tracing/core';
import type { Viewer } from '../Viewer.js';
import { buildServiceMap, listServices } from './serviceMap.js';
import { traceDetail } from './traceDetail.js';
import { findTraces, parseTraceQuery, QueryError } from './traceQuery.js';

const TRACE_ID = /^[0-9a-f]{32}$/;

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

/**
 * The JSON API behind the pages (documented in the README): `path` is what follows `/api`.
 * - GET /traces?service&operation&tag&status&minDuration&maxDuration&from&to&limit → { traces: TraceSummary[] }
 * - GET /traces/:traceId → TraceDetail (404 when the store does not hold it)
 * - GET /services → { services: ServiceSummary[] }
 * - GET /bottlenecks?service → { bottlenecks: BottleneckAnalysis[] }
 * - GET /service-map → ServiceMap
 * - GET /stats → ViewerStats
 */
export function routeApi(path: string, params: URLSearchParams, viewer: Viewer, res: ServerResponse): void {
  const store = viewer.store;
  if (path === '/traces') {
    try {
      sendJson(res, 200, { traces: findTraces(store, parseTraceQuery(params)) });
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
      sendJson(res, 400, { error: error.message });
    }
    return;
  }
  if (path.startsWith('/traces/')) {
    const traceId = path.slice('/traces/'.length).toLowerCase();
    const trace = TRACE_ID.test(traceId) ? store.get(traceId) : undefined;
    if (trace === undefined) sendJson(res, 404, { error: 'no such trace in the store' });
    else sendJson(res, 200, traceDetail(trace));
    return;
  }
  if (path === '/services') return sendJson(res, 200, { services: listServices(store) });
  if (path === '/service-map') return sendJson(res, 200, buildServiceMap(store));
  if (path === '/bottlenecks') {
    const service = params.get('service') || undefined;
    const spans = [...store.spans()].filter((span) => service === undefined || span.resource.serviceName === service);
    return sendJson(res, 200, { bottlenecks: analyzeBottlenecks(spans) });
  }
  if (path === '/stats') return sendJson(res, 200, viewer.getStats());
  sendJson(res, 404, { error: 'no such API' });
}
