import type { OtlpProtocol } from '../../config.js';
import { HttpSpanExporter, type HttpExporterOptions, type SpanEncoding } from '../http/HttpSpanExporter.js';
import { encodeOtlpJson } from './encodeJson.js';
import { encodeOtlpProtobuf } from './encodeProtobuf.js';
import { readPartialSuccessJson, readPartialSuccessProtobuf } from './partialSuccess.js';

/** The OTLP/HTTP default: a collector on this host. https://opentelemetry.io/docs/specs/otel/protocol/exporter/ */
export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';
/** Appended to a base endpoint; a full traces URL is used as is. */
export const OTLP_TRACES_PATH = '/v1/traces';
/** The OpenTelemetry default encoding. */
export const DEFAULT_OTLP_PROTOCOL: OtlpProtocol = 'http/protobuf';

export interface OtlpHttpExporterOptions extends HttpExporterOptions {
  /** The full URL to post to, used as is; wins over `endpoint`. */
  url?: string;
  /** The collector's base URL; `/v1/traces` is appended. Default `http://localhost:4318`. */
  endpoint?: string;
  /** Default `http/protobuf`. */
  protocol?: OtlpProtocol;
}

const PROTOBUF: SpanEncoding = {
  contentType: 'application/x-protobuf',
  encode: encodeOtlpProtobuf,
  readRejected: readPartialSuccessProtobuf,
};

const JSON_ENCODING: SpanEncoding = {
  contentType: 'application/json',
  encode: encodeOtlpJson,
  readRejected: readPartialSuccessJson,
};

/** `<endpoint>/v1/traces`, without doubling a slash or the path itself. */
export function otlpTracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith(OTLP_TRACES_PATH) ? base : `${base}${OTLP_TRACES_PATH}`;
}

/**
 * Exports spans over OTLP/HTTP, protobuf or JSON, to `<endpoint>/v1/traces`: gzip, retries with backoff, the
 * collector's partial-success answer read and counted. https://opentelemetry.io/docs/specs/otlp/#otlphttp
 */
export class OtlpHttpExporter extends HttpSpanExporter {
  readonly protocol: OtlpProtocol;

  constructor(options: OtlpHttpExporterOptions = {}) {
    const protocol = options.protocol ?? DEFAULT_OTLP_PROTOCOL;
    if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
      throw new TypeError(`protocol: expected 'http/protobuf' or 'http/json', got ${JSON.stringify(protocol)}`);
    }
    super(options.url ?? otlpTracesUrl(options.endpoint ?? DEFAULT_OTLP_ENDPOINT), protocol === 'http/json' ? JSON_ENCODING : PROTOBUF, options);
    this.protocol = protocol;
  }
}
