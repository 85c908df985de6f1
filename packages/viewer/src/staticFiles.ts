import { readFileSync } from 'node:fs';
import path from 'node:path';

const TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
});

/** The pages and their assets: a fixed list, read once, so no request path ever reaches the file system. */
export const PAGE_FILES = ['index.html', 'trace.html', 'bottlenecks.html', 'map.html', 'viewer.css', 'common.js', 'list.js', 'trace.js', 'bottlenecks.js', 'map.js', 'favicon.svg'] as const;

export interface StaticFile {
  body: Buffer;
  type: string;
}

/** The static folder beside `src/` and `dist/` alike: the package ships it. */
const STATIC_DIR = path.join(__dirname, '..', 'static');

export function loadStaticFiles(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of PAGE_FILES) files.set(name, { body: readFileSync(path.join(STATIC_DIR, name)), type: TYPES[path.extname(name)] });
  return files;
}
