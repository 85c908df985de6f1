import type { ExporterSettings } from './registry.js';
import { httpExporterOptions } from './http/httpExporterOptions.js';
import { OtlpHttpExporter } from './otlp/OtlpHttpExporter.js';

/**
 * Jaeger (1.35+ and 2.x) accepts OTLP natively, on port 4318 for OTLP/HTTP, so `exporterType: 'jaeger'` is the OTLP
 * exporter preset to that endpoint. There is no Thrift exporter: Jaeger deprecated its own protocols for OTLP.
 * https://www.jaegertracing.io/docs/latest/apis/#opentelemetry-protocol-stable
 */
export const DEFAULT_JAEGER_OTLP_ENDPOINT = 'http://localhost:4318';

/** The OTLP exporter aimed at Jaeger: `exporterEndpoint` (default `http://localhost:4318`) plus `/v1/traces`. */
export function createJaegerExporter(config: ExporterSettings): OtlpHttpExporter {
  return new OtlpHttpExporter({
    ...httpExporterOptions(config),
    url: config.exporterUrl,
    endpoint: config.exporterEndpoint ?? DEFAULT_JAEGER_OTLP_ENDPOINT,
    protocol: config.protocol,
  });
}
