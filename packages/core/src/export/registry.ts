import type { TracingConfig } from '../config.js';
import { ConsoleExporter } from './ConsoleExporter.js';
import { httpExporterOptions } from './http/httpExporterOptions.js';
import { InMemoryExporter } from './InMemoryExporter.js';
import { createJaegerExporter } from './jaeger.js';
import { OtlpHttpExporter } from './otlp/OtlpHttpExporter.js';
import type { SpanExporter } from './SpanExporter.js';
import { ZipkinExporter } from './zipkin/ZipkinExporter.js';

/** How `exporterType` becomes an exporter. The tracer knows exporters only through this map. */
export interface ExporterFactory {
  create(config: TracingConfig): SpanExporter;
  /** The processor that suits it when the user picks none: `simple` for local sinks, `batch` for the network. */
  processor: 'simple' | 'batch';
}

const factories = new Map<string, ExporterFactory>([
  ['console', { create: () => new ConsoleExporter(), processor: 'simple' }],
  ['memory', { create: () => new InMemoryExporter(), processor: 'simple' }],
  [
    'otlp',
    {
      create: (config) => new OtlpHttpExporter({ ...httpExporterOptions(config), url: config.exporterUrl, endpoint: config.exporterEndpoint, protocol: config.protocol }),
      processor: 'batch',
    },
  ],
  ['zipkin', { create: (config) => new ZipkinExporter({ ...httpExporterOptions(config), url: config.exporterUrl, endpoint: config.exporterEndpoint }), processor: 'batch' }],
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
