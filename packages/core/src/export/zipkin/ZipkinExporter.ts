import { signalUrl } from '../../semconv.js';
import { HttpSpanExporter, joinDelimited, type HttpExporterOptions } from '../http/HttpSpanExporter.js';
import { encodeZipkinJson } from './transform.js';

/** Zipkin's default collector. https://zipkin.io/zipkin-api/ */
export const DEFAULT_ZIPKIN_ENDPOINT = 'http://localhost:9411';
/** Appended to a base endpoint; a full URL is used as is. */
export const ZIPKIN_SPANS_PATH = '/api/v2/spans';

export interface ZipkinExporterOptions extends HttpExporterOptions {
  /** The full URL to post to, used as is; wins over `endpoint`. */
  url?: string;
  /** Zipkin's base URL; `/api/v2/spans` is appended. Default `http://localhost:9411`. */
  endpoint?: string;
}

/** Exports spans as Zipkin v2 JSON, through the same batching, compression and retry transport as OTLP. */
export class ZipkinExporter extends HttpSpanExporter {
  constructor(options: ZipkinExporterOptions = {}) {
    super(options.url ?? signalUrl(options.endpoint ?? DEFAULT_ZIPKIN_ENDPOINT, ZIPKIN_SPANS_PATH), { contentType: 'application/json', encode: encodeZipkinJson, join: joinDelimited('[', ']') }, options);
  }
}
