import type { FlushOptions, SpanProcessor } from '../processor/SpanProcessor.js';
import type { ReadableSpan, Span, SpanLink, SpanLog } from '../types.js';
import { TagEncryptor, type TagEncryptorOptions } from './TagEncryptor.js';

/**
 * Wraps a processor: sensitive tags, log fields and link tags are encrypted when a span ends, before any exporter sees it.
 * Encryption writes into a copy of the ended span's record; the live span a handler may still read keeps its
 * plain values. Spans without sensitive tags pass straight through, uncopied.
 */
export class EncryptingSpanProcessor implements SpanProcessor {
  readonly encryptor: TagEncryptor;

  constructor(
    private readonly inner: SpanProcessor,
    options: TagEncryptorOptions,
  ) {
    this.encryptor = new TagEncryptor(options);
  }

  onStart(span: Span): void {
    this.inner.onStart?.(span);
  }

  onEnd(span: ReadableSpan): void {
    this.inner.onEnd(this.encrypted(span));
  }

  forceFlush(options?: FlushOptions): Promise<void> {
    return this.inner.forceFlush(options);
  }

  shutdown(options?: FlushOptions): Promise<void> {
    return this.inner.shutdown(options);
  }

  getStats() {
    return this.inner.getStats?.() ?? {};
  }

  /** `span`, or a copy of it whose sensitive values are encrypted. */
  encrypted(span: ReadableSpan): ReadableSpan {
    const { encryptor } = this;
    const tags = encryptor.encryptTags(span.tags);
    let logs: SpanLog[] | undefined;
    for (let i = 0; i < span.logs.length; i++) {
      const log = span.logs[i];
      if (!log.fields) continue;
      const fields = encryptor.encryptTags(log.fields);
      if (fields === log.fields) continue;
      logs ??= span.logs.slice();
      logs[i] = { ...log, fields };
    }
    let links: SpanLink[] | undefined;
    for (let i = 0; i < span.links.length; i++) {
      const link = span.links[i];
      if (!link.tags) continue;
      const linkTags = encryptor.encryptTags(link.tags);
      if (linkTags === link.tags) continue;
      links ??= span.links.slice();
      links[i] = { ...link, tags: linkTags };
    }
    if (tags === span.tags && logs === undefined && links === undefined) return span;
    return { ...span, tags, logs: logs ?? span.logs, links: links ?? span.links };
  }
}
