import { createContextKey } from '@opentelemetry/api';

/**
 * Where our propagator leaves the context it extracted, beside the span context OpenTelemetry keeps: a span
 * started under it then gets our reading whole (a correlation id, a B3 "defer" with no decision).
 */
export const REMOTE_PARENT_KEY = createContextKey('@audit-tracing/opentelemetry remote parent');
