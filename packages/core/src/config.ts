import { diag } from './diag.js';
import { AUTH_HEADER_SHAPE, exporterConfigFromEnv, type OtlpProtocol } from './export/exporterEnv.js';
import { resolveRetryConfig, type RetryConfig } from './export/http/RetryingTransport.js';
import { FILE_PATH_ENV, resolveFileExporterOptions, type FileExporterOptions } from './export/file/fileExporterOptions.js';
import { exporterNames, getExporterFactory } from './export/registry.js';
import type { SpanExporter } from './export/SpanExporter.js';
import { invalidOption, secretValue } from './invalidOption.js';
import { resolveBatchConfig, type BatchConfig } from './processor/BatchSpanProcessor.js';
import type { SpanProcessor } from './processor/SpanProcessor.js';
import type { XTraceIdHeaderNames } from './propagation/XTraceIdPropagator.js';
import type { Sampler } from './sampling/Sampler.js';
import type { TagEncryptorOptions } from './security/TagEncryptor.js';
import { resolveSpanLimits, spanLimitsFromEnv, type SpanLimits } from './trace/spanLimits.js';
import type { TagValue } from './types.js';

export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

/** The `tracing` part of `ObservabilityConfig`. Every field is optional on input; see `DEFAULT_TRACING_CONFIG`. */
export interface TracingConfig {
  /** False makes every span a non-recording one and exports nothing; context still propagates. */
  enabled: boolean;
  serviceName: string;
  serviceVersion?: string;
  /** `deployment.environment.name`. */
  environment?: string;
  /** Extra resource attributes, exported once per batch. */
  resourceAttributes?: Record<string, TagValue>;
  /** Probability from 0 to 1 that a new trace is recorded; decided from the trace id. Default 1. */
  sampleRate: number;
  /** A sampler name (the OTEL_TRACES_SAMPLER names) or instance. Default `parentbased_traceidratio`. */
  sampler?: SamplerName | Sampler;
  /** Which registered exporter to use: `console`, `memory`, `file`, `otlp`, `zipkin`, `jaeger`, `none`. */
  exporterType: string;
  /** The collector's base URL for network exporters. */
  exporterEndpoint?: string;
  /** Extra headers sent with every export request (auth, tenancy). Values are never logged. */
  headers?: Record<string, string>;
  /** The full URL export requests go to, used as is (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`); wins over `exporterEndpoint`. */
  exporterUrl?: string;
  /** OTLP encoding: `http/protobuf` (default) or `http/json`. */
  protocol?: OtlpProtocol;
  /** Request body compression of network exporters. Default `gzip`. */
  compression?: 'gzip' | 'none';
  /** How long one export request may take before it is abandoned (and retried), in ms. Default 10000. */
  exportTimeoutMs?: number;
  /** The largest request body (before compression) network exporters send; larger batches are split. Default 4 MiB. */
  exportMaxBodyBytes?: number;
  /** Retry policy of network exporters. */
  retry?: RetryConfig;
  /** Sent as `Authorization: Bearer <apiKey>` (`OTLP_API_KEY`). Never logged. */
  apiKey?: string;
  /** One more header, written `Name: value` (`OTLP_AUTH_HEADER`). Never logged. */
  authHeader?: string;
  /** The JSON-lines file of `exporterType: 'file'`: path (or `AUDIT_TRACING_FILE_PATH`), rotation by size. */
  file?: FileExporterOptions;
  /** An exporter instance; wins over `exporterType`. */
  exporter?: SpanExporter;
  /** `batch` (default for network exporters) or `simple` (default for `console` and `memory`). */
  processor?: 'batch' | 'simple';
  /** Batch processor options. */
  batch?: BatchConfig;
  /** Encrypt these tags' values (AES-256-GCM) before export. */
  encryption?: TagEncryptorOptions;
  /** Propagator names for both directions, or separately. Default: extract all, inject tracecontext + x-trace-id. */
  propagators?: readonly string[] | { inject?: readonly string[]; extract?: readonly string[] };
  /** Header names of the x-trace-id family, if yours differ. */
  traceIdHeaders?: XTraceIdHeaderNames;
  /** How much one span may hold (OpenTelemetry's span limits; also `OTEL_SPAN_*_LIMIT`, `OTEL_ATTRIBUTE_*_LIMIT`). */
  spanLimits?: SpanLimits;
  /** More processors, each told of every span start and end before the exporting one (metrics, a viewer…). */
  processors?: readonly SpanProcessor[];
  /** How many finished spans `getTraceSpans` can still see. Default 1000; 0 keeps none. */
  maxFinishedSpans: number;
  /** How many bytes (estimated) those finished spans may hold together; the oldest go first. Default 8 MiB. */
  maxFinishedSpanBytes: number;
  /** How long a finished span stays visible to `getTraceSpans`, in ms. Default 300000. */
  finishedSpanTtlMs: number;
  /** A span never finished after this long is dropped from the active set and counted as expired. Default 600000. */
  maxActiveSpanAgeMs: number;
  /** At most this many spans are tracked as active; more are traced but not listed. Default 10000. */
  maxActiveSpans: number;
  /** How often expired spans are swept, in ms (an unref'd timer). Default 60000. */
  cleanupIntervalMs: number;
}

export type { BatchConfig, FileExporterOptions, OtlpProtocol, RetryConfig, SpanLimits, XTraceIdHeaderNames };

/** The design's configuration object; tracing is the part this library reads. */
export interface ObservabilityConfig {
  tracing: Partial<TracingConfig>;
}

export type TracingOptions = Partial<TracingConfig>;

export const DEFAULT_SERVICE_NAME = 'unknown_service:node';

export const DEFAULT_TRACING_CONFIG: Readonly<TracingConfig> = Object.freeze({
  enabled: true,
  serviceName: DEFAULT_SERVICE_NAME,
  sampleRate: 1,
  exporterType: 'console',
  maxFinishedSpans: 1000,
  maxFinishedSpanBytes: 8 * 1024 * 1024,
  finishedSpanTtlMs: 5 * 60_000,
  maxActiveSpanAgeMs: 10 * 60_000,
  maxActiveSpans: 10_000,
  cleanupIntervalMs: 60_000,
});

const SAMPLER_NAMES: readonly string[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

function fail(field: string, expected: string, got: unknown): never {
  throw invalidOption('tracing', field, expected, got);
}

// Secrets are described by type only: a wrong value must not reach an error message.
function failSecret(field: string, expected: string, got: unknown): never {
  throw invalidOption('tracing', field, expected, got, secretValue(got));
}

function checkNonNegativeInt(config: TracingConfig, field: keyof TracingConfig): void {
  const value = config[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) fail(field, 'a whole number >= 0', value);
}

/**
 * Settings read from the OpenTelemetry environment variables.
 * https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
 */
export function tracingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): TracingOptions {
  const out: TracingOptions = {};
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') out.enabled = false;
  if (env.OTEL_SERVICE_NAME) out.serviceName = env.OTEL_SERVICE_NAME;
  const sampler = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase();
  if (sampler && SAMPLER_NAMES.includes(sampler)) out.sampler = sampler as SamplerName;
  else if (sampler) diag.warnOnce('env:OTEL_TRACES_SAMPLER', `OTEL_TRACES_SAMPLER ignored: expected one of ${SAMPLER_NAMES.join(', ')}`);
  if (env.OTEL_TRACES_SAMPLER_ARG !== undefined && env.OTEL_TRACES_SAMPLER_ARG.trim() !== '') {
    const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG);
    if (ratio >= 0 && ratio <= 1) out.sampleRate = ratio;
    else diag.warnOnce('env:OTEL_TRACES_SAMPLER_ARG', 'OTEL_TRACES_SAMPLER_ARG ignored: expected a number from 0 to 1');
  }
  const spanLimits = spanLimitsFromEnv(env);
  if (spanLimits) out.spanLimits = spanLimits;
  if (env.OTEL_PROPAGATORS) {
    out.propagators = env.OTEL_PROPAGATORS.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  }
  Object.assign(out, exporterConfigFromEnv(env));
  const filePath = env[FILE_PATH_ENV]?.trim();
  if (filePath) out.file = { path: filePath };
  const exporter = env.OTEL_TRACES_EXPORTER?.split(',')[0]?.trim().toLowerCase();
  if (exporter) out.exporterType = exporter;
  else if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) out.exporterType = 'otlp';
  else if (filePath) out.exporterType = 'file';
  return out;
}

/**
 * Merges defaults < environment < options and validates the result. Wrong configuration throws a TypeError
 * naming the field, at construction, never later.
 */
export function resolveTracingConfig(options: TracingOptions | ObservabilityConfig = {}, env: NodeJS.ProcessEnv = process.env): TracingConfig {
  if (options === null || typeof options !== 'object') fail('', 'an options object', options);
  const own = 'tracing' in options && typeof options.tracing === 'object' ? options.tracing : (options as TracingOptions);
  const defined: TracingOptions = {};
  for (const key of Object.keys(own) as (keyof TracingConfig)[]) {
    if (own[key] !== undefined) (defined as Record<string, unknown>)[key] = own[key];
  }
  const fromEnv = tracingConfigFromEnv(env);
  const config: TracingConfig = { ...DEFAULT_TRACING_CONFIG, ...fromEnv, ...defined };
  // Limits merge per limit: one set in code does not undo the others the environment set.
  config.spanLimits = resolveSpanLimits(defined.spanLimits, fromEnv.spanLimits);
  // Options win over the environment: an endpoint in code beats a traces URL from the environment, and header
  // lists merge, the code's value winning per name.
  if (defined.exporterEndpoint !== undefined && defined.exporterUrl === undefined) delete config.exporterUrl;
  if (fromEnv.headers && defined.headers && typeof defined.headers === 'object') config.headers = { ...fromEnv.headers, ...defined.headers };
  // The file's options merge too: a path from the environment with rotation settings from code.
  if (fromEnv.file && defined.file && typeof defined.file === 'object') config.file = { ...fromEnv.file, ...defined.file };
  // An endpoint in code means OTLP, as it does in the environment: the console is the default only when nothing
  // else is configured.
  if (defined.exporterType === undefined && fromEnv.exporterType === undefined && (defined.exporterEndpoint || defined.exporterUrl)) config.exporterType = 'otlp';
  else if (defined.exporterType === undefined && fromEnv.exporterType === undefined && typeof defined.file?.path === 'string') config.exporterType = 'file';

  if (typeof config.enabled !== 'boolean') fail('enabled', 'a boolean', config.enabled);
  if (typeof config.serviceName !== 'string' || config.serviceName === '') fail('serviceName', 'a non-empty string', config.serviceName);
  if (typeof config.sampleRate !== 'number' || !(config.sampleRate >= 0 && config.sampleRate <= 1)) {
    fail('sampleRate', 'a number from 0 to 1', config.sampleRate);
  }
  if (config.sampler !== undefined && typeof config.sampler !== 'object' && !SAMPLER_NAMES.includes(config.sampler as string)) {
    fail('sampler', `one of ${SAMPLER_NAMES.join(', ')} or a Sampler`, config.sampler);
  }
  if (typeof config.sampler === 'object' && typeof config.sampler?.shouldSample !== 'function') {
    fail('sampler', 'an object with shouldSample()', config.sampler);
  }
  if (config.exporter !== undefined && (typeof config.exporter !== 'object' || typeof config.exporter.export !== 'function')) {
    fail('exporter', 'an object with export() and shutdown()', config.exporter);
  }
  if (typeof config.exporterType !== 'string') fail('exporterType', 'a string', config.exporterType);
  if (config.exporter === undefined && config.exporterType !== 'none' && getExporterFactory(config.exporterType) === undefined) {
    fail('exporterType', `one of ${exporterNames().join(', ')}`, config.exporterType);
  }
  if (config.exporter === undefined && config.exporterType === 'file') config.file = resolveFileExporterOptions(config.file ?? {}, 'tracing.file');
  if (config.exporterEndpoint !== undefined) {
    if (typeof config.exporterEndpoint !== 'string' || !/^https?:\/\//i.test(config.exporterEndpoint) || !URL.canParse(config.exporterEndpoint)) {
      fail('exporterEndpoint', 'an absolute http(s) URL', config.exporterEndpoint);
    }
  }
  if (config.headers !== undefined && (typeof config.headers !== 'object' || config.headers === null)) {
    fail('headers', 'an object of header names to values', config.headers);
  }
  if (config.exporterUrl !== undefined) {
    if (typeof config.exporterUrl !== 'string' || !/^https?:\/\//i.test(config.exporterUrl) || !URL.canParse(config.exporterUrl)) {
      fail('exporterUrl', 'an absolute http(s) URL', config.exporterUrl);
    }
  }
  if (config.protocol !== undefined && config.protocol !== 'http/json' && config.protocol !== 'http/protobuf') {
    fail('protocol', "'http/json' or 'http/protobuf'", config.protocol);
  }
  if (config.compression !== undefined && config.compression !== 'gzip' && config.compression !== 'none') {
    fail('compression', "'gzip' or 'none'", config.compression);
  }
  if (config.exportTimeoutMs !== undefined && !(Number.isInteger(config.exportTimeoutMs) && config.exportTimeoutMs > 0)) {
    fail('exportTimeoutMs', 'a whole number > 0', config.exportTimeoutMs);
  }
  if (config.retry !== undefined) config.retry = resolveRetryConfig(config.retry);
  // Secrets are described by type only: a wrong value must not reach an error message.
  if (config.apiKey !== undefined && (typeof config.apiKey !== 'string' || config.apiKey === '')) failSecret('apiKey', 'a non-empty string', config.apiKey);
  if (config.authHeader !== undefined && (typeof config.authHeader !== 'string' || !AUTH_HEADER_SHAPE.test(config.authHeader))) {
    failSecret('authHeader', 'a string "Name: value"', config.authHeader);
  }
  if (config.processor !== undefined && config.processor !== 'batch' && config.processor !== 'simple') {
    fail('processor', "'batch' or 'simple'", config.processor);
  }
  if ('contextManager' in own) {
    // Context is process-wide: installing a context manager is an explicit call, not a side effect of a tracer.
    fail('contextManager', 'no such option: call setContextManager(new ClsHookedContextManager()) once at start-up', (own as Record<string, unknown>).contextManager);
  }
  if (config.batch !== undefined) config.batch = resolveBatchConfig(config.batch);
  if (config.processors !== undefined) {
    if (!Array.isArray(config.processors) || !config.processors.every((p) => p !== null && typeof p === 'object' && typeof p.onEnd === 'function')) {
      fail('processors', 'an array of span processors (objects with onEnd)', config.processors);
    }
  }
  if (config.exportMaxBodyBytes !== undefined && !(Number.isInteger(config.exportMaxBodyBytes) && config.exportMaxBodyBytes >= 1024)) {
    fail('exportMaxBodyBytes', 'a whole number of bytes >= 1024', config.exportMaxBodyBytes);
  }
  for (const field of ['maxFinishedSpanBytes', 'maxFinishedSpans', 'finishedSpanTtlMs', 'maxActiveSpanAgeMs', 'maxActiveSpans', 'cleanupIntervalMs'] as const) {
    checkNonNegativeInt(config, field);
  }
  return config;
}
