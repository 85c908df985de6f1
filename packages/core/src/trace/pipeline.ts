import type { TracingConfig } from '../config.js';
import { getExporterFactory } from '../export/registry.js';
import { BatchSpanProcessor } from '../processor/BatchSpanProcessor.js';
import { SimpleSpanProcessor } from '../processor/SimpleSpanProcessor.js';
import type { SpanProcessor } from '../processor/SpanProcessor.js';
import { EncryptingSpanProcessor } from '../security/EncryptingSpanProcessor.js';

/**
 * The processor that exports, built from a configuration `resolveTracingConfig` has checked: the exporter (an
 * instance, or `exporterType` through the registry), the processor kind that suits it, and encryption around it.
 * Undefined when nothing is exported.
 */
export function createExportProcessor(config: TracingConfig): SpanProcessor | undefined {
  let exporter = config.exporter;
  let processorKind = config.processor;
  if (!exporter) {
    const factory = config.exporterType === 'none' ? undefined : getExporterFactory(config.exporterType);
    if (!factory) return undefined;
    exporter = factory.create(config);
    processorKind ??= factory.processor;
  }
  const processor = processorKind === 'simple' ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter, config.batch);
  return config.encryption ? new EncryptingSpanProcessor(processor, config.encryption) : processor;
}
