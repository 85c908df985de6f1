// The frameworks and configurations bench:http knows, in the order a round runs them.
export const FRAMEWORKS = ['express', 'koa', 'fastify'];

export const CONFIGS = [
  'bare', // the framework alone
  'als-floor', // bare + AsyncLocalStorage.run with a random id per request: the context-propagation floor
  'ours-unsampled', // our adapter, sampleRate 0: should cost no more than als-floor
  'ours-protobuf', // our adapter, server span 100% sampled, batch + OTLP http/protobuf to the collector
  'ours-json', // the same with OTLP http/json
  'cls-rtracer', // cls-rtracer's middleware (request id in AsyncLocalStorage)
  'otel', // OpenTelemetry: http + framework instrumentation, batch processor, OTLP/protobuf exporter
];

/** Configurations that export spans; the driver checks the collector got one server span per request. */
export const EXPORTING = new Set(['ours-protobuf', 'ours-json', 'otel']);
