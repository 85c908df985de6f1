import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { rotatedFileName } from '../export/file/FileSpanExporter.js';
import type { ReadableSpan } from '../types.js';
import { readSpans } from './readSpans.js';
import { ERR_SPAN_DECODE, spanDecodeError } from './read/spanDecodeError.js';

export interface ReadSpansFromFileOptions {
  /** Also read the files rotation left (`path.1`, `path.2`…), oldest first. Default true. */
  rotated?: boolean;
}

/** The numbers n of the `path.n` files beside `path`, highest (oldest) first. */
async function rotatedNumbers(path: string): Promise<number[]> {
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return [];
  }
  const numbers: number[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const rest = name.slice(prefix.length);
    if (/^[1-9]\d{0,5}$/.test(rest)) numbers.push(Number(rest));
  }
  return numbers.sort((a, b) => b - a);
}

/** The text up to its last newline, when what follows is a line still being written (not yet JSON). */
function withoutCutLine(text: string): string {
  const last = text.lastIndexOf('\n');
  const tail = text.slice(last + 1).trim();
  if (tail === '') return text;
  try {
    JSON.parse(tail);
    return text;
  } catch {
    return text.slice(0, last + 1);
  }
}

/**
 * The spans of a JSON-lines file `FileSpanExporter` writes, and of the files its rotation left (unless `rotated`
 * is false), oldest first. A last line the exporter is still writing is left for the next read; any other
 * malformed line throws as `readSpans` does.
 */
export async function readSpansFromFile(path: string, options: ReadSpansFromFileOptions = {}): Promise<ReadableSpan[]> {
  const files = options.rotated === false ? [path] : [...(await rotatedNumbers(path)).map((n) => join(dirname(path), basename(rotatedFileName(path, n)))), path];
  const out: ReadableSpan[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      // a rotated file may go between the listing and the read
      if (file !== path && (error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    let spans: ReadableSpan[];
    try {
      spans = readSpans(withoutCutLine(text), { format: 'jsonl' });
    } catch (error) {
      if ((error as { code?: string }).code === ERR_SPAN_DECODE) throw spanDecodeError(`${file}: ${(error as Error).message}`);
      throw error;
    }
    for (const span of spans) out.push(span);
  }
  return out;
}
