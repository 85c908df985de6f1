import type { TracingConfig } from '../config.js';
import { getExporterFactory, exporterNames } from '../export/registry.js';
import { BatchSpanProcessor } from '../processor/BatchSpanProcessor.js';
import { SimpleSpanProcessor } from '../processor/SimpleSpanProcessor.js';
import type { SpanProcessor } from '../processor/SpanProcessor.js';
import type { SpanExporter } from '../export/SpanExporter.js';
import { EncryptingSpanProcessor } from '../security/EncryptingSpanProcessor.js';

export interface Pipeline {
  processor: SpanProcessor | undefined;
  exporter: SpanExporter | undefined;
}

/** Builds exporter and processor from the configuration; an unknown exporter name throws a TypeError. */
export function createPipeline(config: TracingConfig): Pipeline {
  let exporter = config.exporter;
  let processorKind = config.processor;
  if (!exporter) {
    if (config.exporterType === 'none') return { processor: undefined, exporter: undefined };
    const factory = getExporterFactory(config.exporterType);
    if (!factory) {
      throw new TypeError(`tracing.exporterType: unknown exporter ${JSON.stringify(config.exporterType)} (known: ${exporterNames().join(', ')})`);
    }
    exporter = factory.create(config);
    processorKind ??= factory.processor;
  }
  const processor = processorKind === 'simple' ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter, config.batch);
  if (config.encryption) return { processor: new EncryptingSpanProcessor(processor, config.encryption), exporter };
  return { processor, exporter };
}
