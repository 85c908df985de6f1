import { invalidOption } from '../../invalidOption.js';
import { signalUrl } from '../../semconv.js';
import type { OtlpProtocol } from '../exporterEnv.js';
import { HttpSpanExporter, joinDelimited, type HttpExporterOptions, type SpanEncoding } from '../http/HttpSpanExporter.js';
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
  // Concatenated protobuf messages of one type are one message whose repeated fields hold all the parts' items.
  join: (parts) => Buffer.concat(parts),
  readRejected: readPartialSuccessProtobuf,
};

const JSON_ENCODING: SpanEncoding = {
  contentType: 'application/json',
  encode: encodeOtlpJson,
  join: joinDelimited('{"resourceSpans":[', ']}'),
  readRejected: readPartialSuccessJson,
};

/**
 * Exports spans over OTLP/HTTP, protobuf or JSON, to `<endpoint>/v1/traces`: gzip, retries with backoff, the
 * collector's partial-success answer read and counted. https://opentelemetry.io/docs/specs/otlp/#otlphttp
 */
export class OtlpHttpExporter extends HttpSpanExporter {
  readonly protocol: OtlpProtocol;

  constructor(options: OtlpHttpExporterOptions = {}) {
    const protocol = options.protocol ?? DEFAULT_OTLP_PROTOCOL;
    if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
      throw invalidOption('OtlpHttpExporter', 'protocol', "'http/protobuf' or 'http/json'", protocol);
    }
    super(options.url ?? signalUrl(options.endpoint ?? DEFAULT_OTLP_ENDPOINT, OTLP_TRACES_PATH), protocol === 'http/json' ? JSON_ENCODING : PROTOBUF, options);
    this.protocol = protocol;
  }
}
