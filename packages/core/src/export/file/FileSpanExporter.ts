import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { diag } from '../../diag.js';
import type { ReadableSpan } from '../../types.js';
import { SUCCESS, type ExportResult, type SpanExporter } from '../SpanExporter.js';
import { resolveFileExporterOptions, type FileExporterOptions, type ResolvedFileExporterOptions } from './fileExporterOptions.js';
import { spanLine } from './spanLine.js';

/** Counters of a `FileSpanExporter`. */
export interface FileExporterStats {
  /** Spans written. */
  spansWritten: number;
  /** Writes (or opens, rotations) that failed; their spans were reported to the processor as failed, so dropped. */
  writeFailures: number;
  /** Spans refused because the write queue was over `maxQueueBytes`. */
  spansDroppedQueueFull: number;
  /** Spans that could not be turned into JSON (a throwing getter, say), left out of their batch. */
  spansUnserializable: number;
  /** Rotations done. */
  rotations: number;
  exportAttempts: number;
}

const NEWLINE = Buffer.from('\n');

/** `path`, `path.1`, `path.2`…: the name of the n-th newest file. */
export function rotatedFileName(path: string, n: number): string {
  return n === 0 ? path : `${path}.${n}`;
}

/**
 * Appends spans to a JSON-lines file, one span record per line (`readSpans` and `readSpansFromFile` read them
 * back), rotating it by size. Writes are asynchronous and one at a time, through a queue of bounded bytes: an
 * export never waits on the disk inside a request, a slow disk makes exports fail (counted as dropped by the
 * processor) rather than memory grow, and a write error is reported once and counted, never thrown.
 */
export class FileSpanExporter implements SpanExporter {
  readonly options: Readonly<ResolvedFileExporterOptions>;
  private handle: FileHandle | undefined;
  private size = 0;
  private queuedBytes = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private cutLine = false;
  private readonly stats: FileExporterStats = { spansWritten: 0, writeFailures: 0, spansDroppedQueueFull: 0, spansUnserializable: 0, rotations: 0, exportAttempts: 0 };

  constructor(options: FileExporterOptions) {
    this.options = Object.freeze(resolveFileExporterOptions(options, 'FileSpanExporter'));
  }

  async export(spans: readonly ReadableSpan[]): Promise<ExportResult> {
    if (this.stopped) return { code: 'failure', error: new Error('FileSpanExporter is shut down') };
    this.stats.exportAttempts++;
    // Serialised on the next turn of the event loop: with the simple processor, export() is called from
    // span.finish(), on the request path.
    await new Promise<void>((resolve) => setImmediate(resolve));
    // shut down meanwhile: the file is closed, and must not be opened again
    if (this.stopped) return { code: 'failure', error: new Error('FileSpanExporter is shut down') };
    let text = '';
    let unserializable = 0;
    for (const span of spans) {
      try {
        text += spanLine(span) + '\n';
      } catch {
        unserializable++;
      }
    }
    if (unserializable > 0) {
      this.stats.spansUnserializable += unserializable;
      diag.warnOnce('file.unserializable', 'FileSpanExporter: a span could not be written as JSON and was left out (further ones are counted, not logged)');
    }
    const written = spans.length - unserializable;
    const result: ExportResult = unserializable > 0 ? { code: 'success', dropped: { unserializable } } : SUCCESS;
    if (written === 0) return result;
    const chunk = Buffer.from(text, 'utf8');
    if (this.queuedBytes + chunk.length > this.options.maxQueueBytes) {
      this.stats.spansDroppedQueueFull += written;
      diag.warnOnce('file.queue_full', `FileSpanExporter: more than ${this.options.maxQueueBytes} bytes wait to be written; spans are being dropped (further drops are counted, not logged)`);
      return { code: 'failure', error: new Error('file write queue full') };
    }
    this.queuedBytes += chunk.length;
    const done = this.tail.then(() => this.write(chunk));
    this.tail = done.catch(() => undefined);
    try {
      await done;
      this.stats.spansWritten += written;
      return result;
    } catch (error) {
      this.stats.writeFailures++;
      diag.warnOnce('file.write', `FileSpanExporter: writing ${this.options.path} failed: ${error instanceof Error ? error.message : String(error)} (further failures are counted, not logged)`);
      return { code: 'failure', error: error instanceof Error ? error : new Error(String(error)) };
    } finally {
      this.queuedBytes -= chunk.length;
    }
  }

  /** Runs alone (the queue serialises writes): opens the file when needed, rotates it, appends the chunk. */
  private async write(chunk: Buffer): Promise<void> {
    if (this.handle === undefined) await this.openFile();
    if (this.size > 0 && this.size + chunk.length > this.options.maxFileBytes) await this.rotate();
    const handle = this.handle!;
    // After a write that failed part-way, a newline keeps the cut line apart from the next one.
    const data = this.cutLine ? Buffer.concat([NEWLINE, chunk]) : chunk;
    let offset = 0;
    try {
      while (offset < data.length) {
        const { bytesWritten } = await handle.write(data, offset, data.length - offset);
        offset += bytesWritten;
        this.size += bytesWritten;
      }
      this.cutLine = false;
    } catch (error) {
      if (offset > 0) this.cutLine = true;
      // opened again (and its size read again) by the next write
      this.handle = undefined;
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  private async openFile(): Promise<void> {
    const handle = await open(this.options.path, 'a', 0o600);
    try {
      this.size = (await handle.stat()).size;
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    this.handle = handle;
  }

  private async rotate(): Promise<void> {
    const { path, maxFiles } = this.options;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
    await rm(rotatedFileName(path, maxFiles - 1), { force: true });
    for (let n = maxFiles - 2; n >= 0; n--) {
      await rename(rotatedFileName(path, n), rotatedFileName(path, n + 1)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
    this.stats.rotations++;
    await this.openFile();
  }

  /** Waits until everything accepted so far is written. */
  async forceFlush(): Promise<void> {
    await this.tail;
  }

  /** Writes what is queued, then closes the file; later exports fail. Idempotent. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.tail;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
  }

  getStats(): FileExporterStats {
    return { ...this.stats };
  }
}
