import { diag } from '@audit-tracing/core';

// OpenTelemetry instrumentations that do what our adapters and @audit-tracing/fetch do: with both on, a request
// gets two server spans, or an outbound call two client spans and two writers of its trace headers.
const DUPLICATES: Readonly<Record<string, string>> = Object.freeze({
  '@opentelemetry/instrumentation-http':
    "OpenTelemetry's http instrumentation is registered: with an audit-tracing server adapter (express, koa, fastify) every request gets two server spans, and with @audit-tracing/fetch's instrumentHttpClient every node:http call two client spans. Create it as new HttpInstrumentation({ disableIncomingRequestInstrumentation: true }) and use either it or instrumentHttpClient for outbound calls, not both (see the @audit-tracing/opentelemetry README, \"With OpenTelemetry's http instrumentation\")",
  '@opentelemetry/instrumentation-undici':
    "OpenTelemetry's undici instrumentation is registered: with @audit-tracing/fetch's instrumentFetch or tracingInterceptor every fetch call gets two client spans. Use one of them, not both (see the @audit-tracing/opentelemetry README, \"With OpenTelemetry's http instrumentation\")",
});

/** Says once, through our diagnostic logger, that an instrumentation duplicates what our packages do. */
export function warnIfDuplicating(instrumentationName: string): void {
  const message = DUPLICATES[instrumentationName];
  if (message !== undefined) diag.warnOnce(`opentelemetry.duplicate:${instrumentationName}`, message);
}
