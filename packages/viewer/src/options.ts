import { invalidOption, secretValue, unknownOption } from '@audit-tracing/core';

/** How many spans the store keeps by default (about the last few thousand requests of a busy service). */
export const DEFAULT_MAX_SPANS = 100_000;
/** How many bytes of span JSON the store keeps by default. */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
/**
 * The largest request body the receiver reads, after gzip; larger ones get 413. The OpenTelemetry exporters send
 * batches of at most 512 spans, a few hundred KiB; the Collector's own default limit is 20 MiB.
 */
export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;
/** The port Jaeger's UI uses, so a developer's habits carry over. */
export const DEFAULT_PORT = 16686;
/** Loopback only: a viewer shows whatever the services send it, including what they should not have sent. */
export const DEFAULT_HOST = '127.0.0.1';

export interface ViewerOptions {
  /** Most spans kept; the oldest traces go first. Default 100,000. */
  maxSpans?: number;
  /** Most bytes of span JSON kept; the oldest traces go first. Default 256 MiB. */
  maxBytes?: number;
  /** Largest request body accepted, decompressed, in bytes. Default 20 MiB. */
  maxBodyBytes?: number;
  /**
   * When set, every request (pages, API, receiver) must carry it: `Authorization: Bearer <token>`, or once
   * `?token=<token>` in a page's address, which sets an HttpOnly, SameSite=Strict cookie for the rest.
   */
  token?: string;
  /** A JSON-lines file the store is kept in: read at start, appended to as spans arrive, so a restart keeps them. */
  persistFile?: string;
  /**
   * Span files loaded at start: JSON lines (what `FileSpanExporter` writes, with its rotated files) or an OTLP
   * body. JSON-lines files are then followed as they grow, every second.
   */
  files?: readonly string[];
  /**
   * The path the viewer answers under when mounted in an app (`'/viewer'`): requests elsewhere are passed on
   * (`next()`) or get 404. Default `''`, the whole server.
   */
  basePath?: string;
}

export interface ResolvedViewerOptions {
  readonly maxSpans: number;
  readonly maxBytes: number;
  readonly maxBodyBytes: number;
  readonly token: string | undefined;
  readonly persistFile: string | undefined;
  readonly files: readonly string[];
  readonly basePath: string;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['maxSpans', 'maxBytes', 'maxBodyBytes', 'token', 'persistFile', 'files', 'basePath']);
// A token is sent in a header and a cookie: printable ASCII without separators keeps both simple and safe.
const BASE_PATH = /^(?:\/[A-Za-z0-9._~-]+)*$/;
const TOKEN = /^[\x21-\x7e]{8,256}$/;

function positiveInteger(owner: string, option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw invalidOption(owner, option, 'a positive integer', value);
  return value;
}

/** Validates viewer options once, at set-up. Throws the coded option TypeError. */
export function resolveViewerOptions(options: ViewerOptions | undefined, owner: string): ResolvedViewerOptions {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') throw invalidOption(owner, '', 'an options object', options);
  for (const key of Object.keys(options)) if (!KNOWN_OPTIONS.has(key)) throw unknownOption(owner, key, KNOWN_OPTIONS);
  const { token, persistFile, files = [], basePath = '' } = options;
  if (typeof basePath !== 'string' || !BASE_PATH.test(basePath)) throw invalidOption(owner, 'basePath', "'' or a path such as '/viewer' (no trailing slash)", basePath);
  if (token !== undefined && (typeof token !== 'string' || !TOKEN.test(token))) {
    throw invalidOption(owner, 'token', 'a string of 8 to 256 printable ASCII characters without spaces', token, secretValue(token));
  }
  if (persistFile !== undefined && (typeof persistFile !== 'string' || persistFile === '')) throw invalidOption(owner, 'persistFile', 'a file path', persistFile);
  if (!Array.isArray(files) || files.some((file) => typeof file !== 'string' || file === '')) throw invalidOption(owner, 'files', 'an array of file paths', files);
  return {
    maxSpans: positiveInteger(owner, 'maxSpans', options.maxSpans, DEFAULT_MAX_SPANS),
    maxBytes: positiveInteger(owner, 'maxBytes', options.maxBytes, DEFAULT_MAX_BYTES),
    maxBodyBytes: positiveInteger(owner, 'maxBodyBytes', options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES),
    token,
    persistFile,
    files: [...files],
    basePath,
  };
}
