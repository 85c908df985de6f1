import { diag } from '../diag.js';

/** The OTLP/HTTP encodings: https://opentelemetry.io/docs/specs/otlp/#otlphttp */
export type OtlpProtocol = 'http/json' | 'http/protobuf';

/** The exporter settings the environment can give; the tracer's options of the same names win over them. */
export interface ExporterEnvSettings {
  exporterUrl?: string;
  exporterEndpoint?: string;
  headers?: Record<string, string>;
  protocol?: OtlpProtocol;
  compression?: 'gzip' | 'none';
  exportTimeoutMs?: number;
  apiKey?: string;
  authHeader?: string;
}

/** The form of `OTLP_AUTH_HEADER` and the `authHeader` option: `Name: value`, the name an RFC 9110 token. */
export const AUTH_HEADER_SHAPE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:[ \t]*[^\r\n]+$/;

function pick(env: NodeJS.ProcessEnv, tracesName: string, genericName: string): string | undefined {
  // The per-signal variable wins over the generic one.
  // https://opentelemetry.io/docs/specs/otel/protocol/exporter/#configuration-options
  const traces = env[tracesName]?.trim();
  if (traces) return traces;
  const generic = env[genericName]?.trim();
  return generic || undefined;
}

function isHttpUrl(value: string): boolean {
  return /^https?:\/\//i.test(value) && URL.canParse(value);
}

function ignored(name: string, expected: string): void {
  // The value is not repeated: some of these variables carry credentials.
  diag.warnOnce(`env:${name}`, `${name} ignored: expected ${expected}`);
}

/**
 * Parses `OTEL_EXPORTER_OTLP_HEADERS`: `key1=value1,key2=value2`, values percent-decoded.
 * https://opentelemetry.io/docs/specs/otel/protocol/exporter/#specifying-headers-via-environment-variables
 * Malformed members are skipped and reported by name only.
 */
export function parseHeaderList(list: string, variable = 'OTEL_EXPORTER_OTLP_HEADERS'): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const member of list.split(',')) {
    if (member.trim() === '') continue;
    const eq = member.indexOf('=');
    const key = eq > 0 ? member.slice(0, eq).trim() : '';
    if (key === '') {
      ignored(`${variable} member`, 'key=value');
      continue;
    }
    let value = member.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      ignored(`${variable} "${key}"`, 'a percent-encoded value');
      continue;
    }
    headers[key] = value;
  }
  return headers;
}

/**
 * Exporter settings from the OTLP exporter variables, plus `OTLP_API_KEY` and `OTLP_AUTH_HEADER`.
 * https://opentelemetry.io/docs/specs/otel/protocol/exporter/
 * A value we cannot use is ignored with one warning, as the other OpenTelemetry variables are.
 */
export function exporterConfigFromEnv(env: NodeJS.ProcessEnv): ExporterEnvSettings {
  const out: ExporterEnvSettings = {};

  const url = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (url) {
    if (isHttpUrl(url)) out.exporterUrl = url;
    else ignored('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'an absolute http(s) URL');
  }
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (endpoint) {
    if (isHttpUrl(endpoint)) out.exporterEndpoint = endpoint;
    else ignored('OTEL_EXPORTER_OTLP_ENDPOINT', 'an absolute http(s) URL');
  }

  const generic = env.OTEL_EXPORTER_OTLP_HEADERS ? parseHeaderList(env.OTEL_EXPORTER_OTLP_HEADERS) : undefined;
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_HEADERS
    ? parseHeaderList(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS')
    : undefined;
  if (generic || traces) out.headers = { ...generic, ...traces };

  const protocol = pick(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL')?.toLowerCase();
  if (protocol === 'http/json' || protocol === 'http/protobuf') out.protocol = protocol as OtlpProtocol;
  else if (protocol) ignored('OTEL_EXPORTER_OTLP_PROTOCOL', "'http/protobuf' or 'http/json' (grpc is not supported)");

  const compression = pick(env, 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'OTEL_EXPORTER_OTLP_COMPRESSION')?.toLowerCase();
  if (compression === 'gzip' || compression === 'none') out.compression = compression;
  else if (compression) ignored('OTEL_EXPORTER_OTLP_COMPRESSION', "'gzip' or 'none'");

  const timeout = pick(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT');
  if (timeout) {
    const ms = Number(timeout);
    if (Number.isInteger(ms) && ms > 0) out.exportTimeoutMs = ms;
    else ignored('OTEL_EXPORTER_OTLP_TIMEOUT', 'a whole number of milliseconds > 0');
  }

  const apiKey = env.OTLP_API_KEY?.trim();
  if (apiKey) out.apiKey = apiKey;
  const authHeader = env.OTLP_AUTH_HEADER?.trim();
  if (authHeader) {
    if (AUTH_HEADER_SHAPE.test(authHeader)) out.authHeader = authHeader;
    else ignored('OTLP_AUTH_HEADER', '"Name: value"');
  }
  return out;
}
