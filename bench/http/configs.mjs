// The frameworks and configurations bench:http knows, in the order a round runs them.
export const FRAMEWORKS = ['express', 'koa', 'fastify'];

export const CONFIGS = [
  'bare', // the framework alone
  'als-floor', // bare + AsyncLocalStorage.run with a random id per request: the context-propagation floor
  'ours-unsampled', // our adapter, sampleRate 0: should cost no more than als-floor
  'ours-protobuf', // our adapter, server span 100% sampled, default batch processor + OTLP http/protobuf to the collector
  'ours-json', // the same with OTLP http/json
  'ours-protobuf-batch512', // ours-protobuf with batch: { maxExportBatchSize: 512 } (OpenTelemetry's default size)
  'ours-protobuf-slow5', // ours-protobuf against a collector that answers every export 5 ms late
  'ours-protobuf-slow50', // ... 50 ms late
  'ours-protobuf-slow200', // ... 200 ms late
  'cls-rtracer', // cls-rtracer's middleware (request id in AsyncLocalStorage)
  'otel', // OpenTelemetry: http + framework instrumentation, batch processor, OTLP/protobuf exporter
];

/**
 * Configurations that export spans; the driver checks the collector got exactly one server span per request
 * served. Every one of them runs at its library's default batch settings, so a span lost here fails the run.
 */
export const EXPORTING = new Set(['ours-protobuf', 'ours-json', 'ours-protobuf-batch512', 'ours-protobuf-slow5', 'ours-protobuf-slow50', 'ours-protobuf-slow200', 'otel']);

/** The delay (ms) a configuration asks of the collector before it answers each export, or undefined for none of its own. */
export function collectorLatencyOf(config) {
  const match = /-slow(\d+)$/.exec(config);
  return match ? Number(match[1]) : undefined;
}

/** What server.mjs sets up for a configuration: the slow-collector variants are ours-protobuf unchanged. */
export function setUpOf(config) {
  return collectorLatencyOf(config) === undefined ? config : config.replace(/-slow\d+$/, '');
}
