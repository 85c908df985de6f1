import { open, stat } from 'node:fs/promises';
import { diag, readSpans, rotatedFileName } from '@audit-tracing/core';
import type { SpanStore } from './SpanStore.js';

/** How often a followed file is looked at, ms. A second is what a person reloading a page notices. */
export const FOLLOW_INTERVAL_MS = 1000;
/** Most bytes read from a followed file per look: a file that jumps by gigabytes is caught up with in steps. */
export const MAX_FOLLOW_READ_BYTES = 16 * 1024 * 1024;

/**
 * Follows a JSON-lines spans file as `FileSpanExporter` appends to it, as `tail -f` does: every interval, the
 * complete lines written since the last look go to the store (a line still being written waits for the next). On a
 * rotation (a new file under the name) the rest of the old one is read from `path.1`, then the new one from its
 * beginning; a file that got shorter is read again from its beginning (the store drops spans it already holds).
 */
export class FileFollower {
  private offset = 0;
  private inode = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly path: string,
    private readonly store: SpanStore,
  ) {}

  /** Starts after what was loaded already: the file's size and identity now. */
  async start(): Promise<void> {
    try {
      const info = await stat(this.path);
      this.offset = info.size;
      this.inode = info.ino;
    } catch {
      // not there yet: read from its start once it is
    }
    const follower = this;
    this.timer = setInterval(function followFile() {
      void follower.look();
    }, FOLLOW_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look at the file; exposed so tests need not wait for the timer. */
  async look(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      let info;
      try {
        info = await stat(this.path);
      } catch {
        return; // gone for a moment (rotating)
      }
      if (info.ino !== this.inode || info.size < this.offset) {
        // Rotated: what was appended to the old file since the last look is at the end of `path.1` now.
        if (info.ino !== this.inode && this.inode !== 0) await this.finishRotated();
        this.inode = info.ino;
        this.offset = 0;
      }
      if (info.size === this.offset) return;
      this.offset += await this.readLines(this.path, this.offset, info.size);
    } catch (error) {
      diag.warnOnce('viewer.follow', `viewer: cannot follow ${this.path}: ${String(error)}`);
    } finally {
      this.busy = false;
    }
  }

  private async finishRotated(): Promise<void> {
    const rotated = rotatedFileName(this.path, 1);
    try {
      const info = await stat(rotated);
      if (info.ino === this.inode && info.size > this.offset) await this.readLines(rotated, this.offset, info.size);
    } catch {
      // already rotated further, or removed: those spans are gone
    }
  }

  /** Reads the complete lines of `file` from `from` (up to `size`, in one step at most); returns the bytes taken. */
  private async readLines(file: string, from: number, size: number): Promise<number> {
    const length = Math.min(size - from, MAX_FOLLOW_READ_BYTES);
    const handle = await open(file, 'r');
    let chunk: Buffer;
    try {
      chunk = Buffer.alloc(length);
      const { bytesRead } = await handle.read(chunk, 0, length, from);
      chunk = chunk.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
    const end = chunk.lastIndexOf(0x0a);
    if (end < 0) return 0; // no complete line yet
    this.read(chunk.subarray(0, end + 1));
    return end + 1;
  }

  private read(lines: Buffer): void {
    try {
      this.store.add(readSpans(lines, { format: 'jsonl' }));
    } catch {
      // A broken line among good ones: take the good ones, one by one.
      for (const line of lines.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        try {
          this.store.add(readSpans(line, { format: 'jsonl' }));
        } catch {
          diag.warnOnce('viewer.follow.line', `viewer: skipped an unreadable line in ${this.path}`);
        }
      }
    }
  }
}
