import { createWriteStream, type WriteStream } from 'node:fs';
import { open, readFile, rename, writeFile } from 'node:fs/promises';
import { diag, readSpans, readSpansFromFile, type ReadableSpan } from '@audit-tracing/core';
import { spanLine, type SpanStore } from './SpanStore.js';

/** Spans waiting for the disk beyond this are not written (counted): a slow disk must not grow the heap. */
export const MAX_PENDING_WRITE_BYTES = 64 * 1024 * 1024;

/** Whether a file holds JSON text (JSON lines, or an OTLP/JSON body) rather than protobuf. */
export async function isJsonLines(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(64);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead).toString('utf8').trimStart().startsWith('{');
  } finally {
    await handle.close();
  }
}

/**
 * Reads a spans file: JSON lines as `FileSpanExporter` writes them (with the files its rotation left, and a last
 * line still being written left out: core's `readSpansFromFile`), or an OTLP/JSON or OTLP/protobuf body (detected).
 * A JSON-lines file with a broken line in the middle (a crash mid-write, then more lines) is read line by line,
 * and the broken lines are skipped and counted in a warning.
 */
export async function loadSpansFile(path: string): Promise<ReadableSpan[]> {
  const bytes = await readFile(path);
  const text = bytes.toString('utf8');
  if (!text.trimStart().startsWith('{')) return readSpans(bytes);
  try {
    return await readSpansFromFile(path);
  } catch (error) {
    const spans: ReadableSpan[] = [];
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        spans.push(...readSpans(line));
      } catch {
        skipped++;
      }
    }
    if (spans.length === 0) throw error;
    diag.warn(`viewer: skipped ${skipped} unreadable line(s) in ${path}`);
    return spans;
  }
}

/**
 * Keeps a store in a JSON-lines file: every span the store takes is appended; when the file has grown to twice
 * what the store holds (evicted traces stay in it until then), it is rewritten from the store, through a
 * temporary file and a rename so a crash leaves the old or the new file, never half of one.
 */
export class PersistFile {
  private stream: WriteStream;
  private written = 0;
  private compacting: Promise<void> | undefined;
  /** Lines taken while the file is rewritten (after the rewrite's snapshot): written once it is reopened. */
  private held: string[] = [];
  /** Spans not written because the disk fell behind. */
  dropped = 0;

  private constructor(
    private readonly path: string,
    private readonly store: SpanStore,
  ) {
    this.stream = this.open();
  }

  private open(): WriteStream {
    // Spans are private data: the file is the owner's alone, as FileSpanExporter's is.
    const stream = createWriteStream(this.path, { flags: 'a', mode: 0o600 });
    stream.on('error', function persistFailed(error) {
      diag.warnOnce('viewer.persist', `viewer: cannot write ${String(error)}`);
    });
    return stream;
  }

  /** Loads `path` into `store` (when it exists) and from then on appends what the store takes. */
  static async open(path: string, store: SpanStore): Promise<PersistFile> {
    let spans: ReadableSpan[] = [];
    try {
      spans = await loadSpansFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    store.add(spans);
    const file = new PersistFile(path, store);
    // What was loaded and survived the limits is the file's content from now on.
    await file.compact();
    store.onAdd = (_span, line) => file.append(line);
    return file;
  }

  private append(line: string): void {
    if (this.compacting !== undefined) {
      this.held.push(line);
      return;
    }
    if (this.stream.writableLength > MAX_PENDING_WRITE_BYTES) {
      this.dropped++;
      return;
    }
    this.stream.write(line + '\n');
    this.written += line.length + 1;
    if (this.written > 2 * Math.max(this.store.getStats().bytes, 1024 * 1024)) void this.compact();
  }

  /** Rewrites the file from the store. */
  compact(): Promise<void> {
    if (this.compacting === undefined) {
      this.compacting = this.rewrite().finally(() => {
        this.compacting = undefined;
      });
    }
    return this.compacting;
  }

  private async rewrite(): Promise<void> {
    await new Promise<void>((resolve) => this.stream.end(resolve));
    const lines: string[] = [];
    for (const span of this.store.spans()) lines.push(spanLine(span));
    this.held = [];
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, lines.length === 0 ? '' : lines.join('\n') + '\n', { mode: 0o600 });
      await rename(temporary, this.path);
      this.written = lines.reduce((total, line) => total + line.length + 1, 0);
    } catch (error) {
      diag.warn(`viewer: cannot rewrite ${this.path}: ${String(error)}`);
    }
    this.stream = this.open();
    for (const line of this.held) this.stream.write(line + '\n');
    this.held = [];
  }

  async close(): Promise<void> {
    await this.compacting;
    await new Promise<void>((resolve) => this.stream.end(resolve));
  }
}
