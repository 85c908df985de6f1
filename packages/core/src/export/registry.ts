import { ConsoleExporter } from './ConsoleExporter.js';
import type { FileExporterOptions } from './file/fileExporterOptions.js';
import { FileSpanExporter } from './file/FileSpanExporter.js';
import type { ExporterEnvSettings } from './exporterEnv.js';
import { httpExporterOptions } from './http/httpExporterOptions.js';
import type { RetryConfig } from './http/RetryingTransport.js';
import { InMemoryExporter } from './InMemoryExporter.js';
import { createJaegerExporter } from './jaeger.js';
import { OtlpHttpExporter } from './otlp/OtlpHttpExporter.js';
import type { SpanExporter } from './SpanExporter.js';
import { ZipkinExporter } from './zipkin/ZipkinExporter.js';

/**
 * What an exporter factory reads from the tracing configuration: the exporter's own settings, so that no
 * exporter depends on the tracer's configuration type.
 */
export interface ExporterSettings extends ExporterEnvSettings {
  serviceName: string;
  retry?: RetryConfig;
  exportMaxBodyBytes?: number;
  /** For `exporterType: 'file'`. */
  file?: FileExporterOptions;
}

/** How `exporterType` becomes an exporter. The tracer knows exporters only through this map. */
export interface ExporterFactory {
  create(settings: ExporterSettings): SpanExporter;
  /** The processor that suits it when the user picks none: `simple` for local sinks, `batch` for the network. */
  processor: 'simple' | 'batch';
}

const factories = new Map<string, ExporterFactory>([
  ['console', { create: () => new ConsoleExporter(), processor: 'simple' }],
  ['memory', { create: () => new InMemoryExporter(), processor: 'simple' }],
  // batch: one write per batch, not per span
  ['file', { create: (settings) => new FileSpanExporter(settings.file ?? {}), processor: 'batch' }],
  [
    'otlp',
    {
      create: (settings) => new OtlpHttpExporter({ ...httpExporterOptions(settings), url: settings.exporterUrl, endpoint: settings.exporterEndpoint, protocol: settings.protocol }),
      processor: 'batch',
    },
  ],
  ['zipkin', { create: (settings) => new ZipkinExporter({ ...httpExporterOptions(settings), url: settings.exporterUrl, endpoint: settings.exporterEndpoint }), processor: 'batch' }],
  ['jaeger', { create: createJaegerExporter, processor: 'batch' }],
]);

/** Makes an exporter available by name to the `exporterType` option. */
export function registerExporter(name: string, factory: ExporterFactory): void {
  factories.set(name, factory);
}

export function getExporterFactory(name: string): ExporterFactory | undefined {
  return factories.get(name);
}

export function exporterNames(): string[] {
  return ['none', ...factories.keys()];
}
