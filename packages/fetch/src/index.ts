// The public surface of @audit-tracing/fetch: outbound propagation for fetch, undici and node:http.
export type { Instrumentation } from './Instrumentation.js';
export type { ClientTracer, FetchTracingOptions, OutboundRequest, PropagateTo } from './options.js';
// The option error's code and the redaction marker are core's, re-exported for convenience.
export { ERR_INVALID_OPTION, REDACTED } from '@audit-tracing/core';
export { instrumentFetch } from './instrumentFetch.js';
export { instrumentHttpClient } from './instrumentHttpClient.js';
export { tracingInterceptor } from './tracingInterceptor.js';
