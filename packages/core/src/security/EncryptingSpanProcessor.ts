import type { FlushOptions, SpanProcessor } from '../processor/SpanProcessor.js';
import type { ReadableSpan, Span } from '../types.js';
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

  /** `span`, or a copy of it whose sensitive values are encrypted (tags, log fields, link tags). */
  encrypted(span: ReadableSpan): ReadableSpan {
    const encrypt = <T extends Readonly<Record<string, unknown>>>(values: T): T => this.encryptor.encryptTags(values);
    const tags = encrypt(span.tags);
    const logs = copyChanged(span.logs, (log) => log.fields, (log, fields) => ({ ...log, fields }), encrypt);
    const links = copyChanged(span.links, (link) => link.tags, (link, linkTags) => ({ ...link, tags: linkTags }), encrypt);
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
