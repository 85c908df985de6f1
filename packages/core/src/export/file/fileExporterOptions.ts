import { invalidOption, unknownOption } from '../../invalidOption.js';

/** Options of `FileSpanExporter` (and of the tracer's `file` option, for `exporterType: 'file'`). */
export interface FileExporterOptions {
  /** The JSON-lines file spans are appended to; created (mode 0600: spans are private data) when missing. */
  path?: string;
  /** When the file would grow past this many bytes, it is rotated: `path` becomes `path.1`, `path.1` `path.2`… Default 64 MiB. */
  maxFileBytes?: number;
  /** Files kept, the current one included; the oldest is deleted on rotation. Default 5. */
  maxFiles?: number;
  /** Bytes waiting to be written at most; an export beyond this fails (its spans are counted as dropped). Default 16 MiB. */
  maxQueueBytes?: number;
}

export interface ResolvedFileExporterOptions {
  path: string;
  maxFileBytes: number;
  maxFiles: number;
  maxQueueBytes: number;
}

export const DEFAULT_FILE_MAX_BYTES = 64 * 1024 * 1024;
export const DEFAULT_FILE_MAX_FILES = 5;
export const DEFAULT_FILE_MAX_QUEUE_BYTES = 16 * 1024 * 1024;
/** The smallest `maxFileBytes`: below it, rotation would run for every batch. */
export const MIN_FILE_BYTES = 4096;
/** The environment variable that names the file (and, alone, selects the file exporter). */
export const FILE_PATH_ENV = 'AUDIT_TRACING_FILE_PATH';

const KNOWN = new Set(['path', 'maxFileBytes', 'maxFiles', 'maxQueueBytes']);

/** Checks the options once, at set-up; `owner` names them in errors (`FileSpanExporter`, `tracing.file`). */
export function resolveFileExporterOptions(options: FileExporterOptions | undefined, owner: string): ResolvedFileExporterOptions {
  if (options === null || typeof options !== 'object') throw invalidOption(owner, '', 'an options object with a path', options);
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) throw unknownOption(owner, key, KNOWN);
  const { path, maxFileBytes = DEFAULT_FILE_MAX_BYTES, maxFiles = DEFAULT_FILE_MAX_FILES, maxQueueBytes = DEFAULT_FILE_MAX_QUEUE_BYTES } = options;
  if (typeof path !== 'string' || path.trim() === '' || path.includes('\0')) throw invalidOption(owner, 'path', `a file path (or ${FILE_PATH_ENV})`, path);
  if (!Number.isSafeInteger(maxFileBytes) || maxFileBytes < MIN_FILE_BYTES) throw invalidOption(owner, 'maxFileBytes', `a whole number of bytes >= ${MIN_FILE_BYTES}`, maxFileBytes);
  if (!Number.isSafeInteger(maxFiles) || maxFiles < 1 || maxFiles > 1000) throw invalidOption(owner, 'maxFiles', 'a whole number from 1 to 1000', maxFiles);
  if (!Number.isSafeInteger(maxQueueBytes) || maxQueueBytes < 1) throw invalidOption(owner, 'maxQueueBytes', 'a whole number of bytes > 0', maxQueueBytes);
  return { path, maxFileBytes, maxFiles, maxQueueBytes };
}
