// The unit of work bench:span and bench:otel-api time: one server span, five tags, finished. Written once for our
// tracer and once for any tracer of the OpenTelemetry API (its SDK, or our bridge), so every contender does the same.
import { SpanKind } from '@opentelemetry/api';

/** A span processor that does nothing, for OpenTelemetry's SDK: what is timed is the tracer and the span. */
export const noopSpanProcessor = { onStart() {}, onEnd() {}, forceFlush: async () => {}, shutdown: async () => {} };

/** `count` spans through our own API. */
export function ourSpans(tracer) {
  return function oursRound(count) {
    for (let i = 0; i < count; i++) {
      const span = tracer.startSpan('GET /users/:id', undefined, { kind: 'server' });
      span.setTag('http.request.method', 'GET');
      span.setTag('url.path', '/users/42');
      span.setTag('http.route', '/users/:id');
      span.setTag('http.response.status_code', 200);
      span.setTag('user.active', true);
      span.finish();
    }
  };
}

/** `count` spans through the OpenTelemetry API's tracer. */
export function openTelemetryApiSpans(tracer) {
  return function apiRound(count) {
    for (let i = 0; i < count; i++) {
      const span = tracer.startSpan('GET /users/:id', { kind: SpanKind.SERVER });
      span.setAttribute('http.request.method', 'GET');
      span.setAttribute('url.path', '/users/42');
      span.setAttribute('http.route', '/users/:id');
      span.setAttribute('http.response.status_code', 200);
      span.setAttribute('user.active', true);
      span.end();
    }
  };
}
