import type { SpanProcessor } from '../processor/SpanProcessor.js';
import type { AuditSpan } from '../trace/AuditSpan.js';
import { TagEncryptor, type TagEncryptorOptions } from './TagEncryptor.js';

/**
 * Wraps a processor: sensitive tags and log fields are encrypted when a span ends, before any exporter sees it.
 * Encryption costs a few µs per sensitive value; spans without such tags pass straight through.
 */
export class EncryptingSpanProcessor implements SpanProcessor {
  readonly encryptor: TagEncryptor;

  constructor(
    private readonly inner: SpanProcessor,
    options: TagEncryptorOptions,
  ) {
    this.encryptor = new TagEncryptor(options);
  }

  onStart(span: AuditSpan): void {
    this.inner.onStart?.(span);
  }

  onEnd(span: AuditSpan): void {
    this.encryptor.encryptTags(span.tags);
    for (const log of span.logs) if (log.fields) this.encryptor.encryptTags(log.fields);
    this.inner.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  getStats() {
    return this.inner.getStats?.() ?? {};
  }
}
