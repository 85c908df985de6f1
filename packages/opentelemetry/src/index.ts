// The public surface of @audit-tracing/opentelemetry: @opentelemetry/api on top of audit-tracing.
export type { OpenTelemetryOptions } from './registerOpenTelemetry.js';
export { ERR_OPENTELEMETRY_REGISTERED, registerOpenTelemetry } from './registerOpenTelemetry.js';
export { AuditTracerProvider, MAX_CACHED_TRACERS } from './AuditTracerProvider.js';
export { BridgeTracer } from './BridgeTracer.js';
export { BridgeSpan } from './BridgeSpan.js';
export { BridgeContextManager } from './BridgeContextManager.js';
export { AuditPropagator } from './AuditPropagator.js';
