// The public surface of @audit-tracing/fetch: outbound propagation for fetch, undici and node:http.
export type { Instrumentation } from './Instrumentation.js';
export type { ClientTracer, FetchTracingOptions, OutboundRequest, PropagateTo } from './options.js';
export { ERR_INVALID_OPTION } from './options.js';
export { REDACTED } from './url.js';
export { instrumentFetch } from './instrumentFetch.js';
export { instrumentHttpClient } from './instrumentHttpClient.js';
export { tracingInterceptor } from './tracingInterceptor.js';
