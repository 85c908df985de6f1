import type { FlushOptions, ProcessorStats, SpanProcessor } from '../processor/SpanProcessor.js';
import type { ReadableSpan, Span } from '../types.js';
import { TagEncryptor, type TagEncryptorOptions } from './TagEncryptor.js';

/**
 * Wraps a processor: sensitive tags, log fields and link tags are encrypted when a span ends, before any exporter
 * sees it, each bound to its span and attribute; with no data key available they are dropped (fail closed).
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

  async shutdown(options?: FlushOptions): Promise<void> {
    this.encryptor.stop();
    return this.inner.shutdown(options);
  }

  getStats(): Partial<ProcessorStats> {
    return { ...this.inner.getStats?.(), encryption: this.encryptor.getStats() };
  }

  /** `span`, or a copy of it whose sensitive values are encrypted (tags, log fields, link tags). */
  encrypted(span: ReadableSpan): ReadableSpan {
    const { traceId, spanId } = span;
    const encryptor = this.encryptor;
    const tags = encryptor.encryptTags(span.tags, { traceId, spanId, scope: 'span' });
    const logs = copyChanged(span.logs, (log) => log.fields, (log, fields) => ({ ...log, fields }), (fields) => encryptor.encryptTags(fields, { traceId, spanId, scope: 'event' }));
    const links = copyChanged(span.links, (link) => link.tags, (link, linkTags) => ({ ...link, tags: linkTags }), (linkTags) => encryptor.encryptTags(linkTags, { traceId, spanId, scope: 'link' }));
    if (tags === span.tags && logs === span.logs && links === span.links) return span;
    return { ...span, tags, logs, links };
  }
}

/**
 * `items`, or a copy in which each item whose values `change` replaced is itself a copy with the new values: the
 * records a processor received are never written to.
 */
function copyChanged<T, V extends Readonly<Record<string, unknown>>>(
  items: readonly T[],
  valuesOf: (item: T) => V | undefined,
  withValues: (item: T, values: V) => T,
  change: (values: V) => V,
): readonly T[] {
  let out: T[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const values = valuesOf(items[i]);
    if (!values) continue;
    const changed = change(values);
    if (changed === values) continue;
    out ??= items.slice();
    out[i] = withValues(items[i], changed);
  }
  return out ?? items;
}
