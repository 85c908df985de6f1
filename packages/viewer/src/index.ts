// The public surface of @audit-tracing/viewer: named exports only.
export type { ViewerOptions } from './options.js';
export { DEFAULT_HOST, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_BYTES, DEFAULT_MAX_SPANS, DEFAULT_PORT } from './options.js';
export type { ViewerHandler, ViewerStats } from './Viewer.js';
export { CONTENT_SECURITY_POLICY, createViewer, Viewer } from './Viewer.js';
export type { RunningViewer, StartViewerOptions } from './server.js';
export { startViewer } from './server.js';
export type { SpanStoreStats, StoredTrace } from './SpanStore.js';
export { SpanStore } from './SpanStore.js';
export type { TraceQuery, TraceSummary } from './api/traceQuery.js';
export type { TraceDetail, WaterfallRow } from './api/traceDetail.js';
export type { ServiceEdge, ServiceMap, ServiceNode, ServiceSummary } from './api/serviceMap.js';
