// The public surface of @audit-tracing/core: named exports only.
export type {
  InstrumentationScope,
  LogLevel,
  ReadableSpan,
  Resource,
  Span,
  SpanKind,
  SpanLink,
  SpanLog,
  SpanOptions,
  SpanStatus,
  SpanStatusCode,
  TagValue,
  Tags,
  TraceContext,
} from './types.js';
export { NO_SPAN_ID, TRACE_FLAG_RANDOM, TRACE_FLAG_SAMPLED } from './types.js';

export type { BatchConfig, ObservabilityConfig, SamplerName, TracingConfig, TracingOptions, XTraceIdHeaderNames } from './config.js';
export type { OtlpProtocol, RedactionOptions, RetryConfig } from './config.js';

export type { InvalidOptionError } from './invalidOption.js';
export { describeValue, ERR_INVALID_OPTION, invalidOption, secretValue, unknownOption } from './invalidOption.js';
export type { NameMatcher, NameMatcherOptions, NamePattern } from './matcher.js';
export { compileNameMatcher } from './matcher.js';
export {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_STACK,
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  ATTR_HTTP_REQUEST_HEADER_PREFIX,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_OTEL_SCOPE_NAME,
  ATTR_OTEL_SCOPE_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
  EVENT_EXCEPTION,
  REDACTED,
  VALUE_OTHER,
  isHttpErrorStatus,
  signalUrl,
  widenTraceId,
} from './semconv.js';
export { DEFAULT_TRACING_CONFIG, resolveTracingConfig, tracingConfigFromEnv } from './config.js';

export { now } from './clock.js';
export { generateSpanId, generateTraceId, isValidSpanId, isValidTraceId } from './ids.js';
export type { DiagLogger } from './diag.js';
export { diag, setDiagLogger } from './diag.js';

export { AuditSpan } from './trace/AuditSpan.js';
export { NonRecordingSpan } from './trace/NonRecordingSpan.js';
export type { Tracer } from './trace/Tracer.js';
export type { SpanLimitStats, TracerStats } from './trace/AuditTracer.js';
export { AuditTracer, CORRELATION_ID_TAG } from './trace/AuditTracer.js';
export { getGlobalTracer, setGlobalTracer, tracerOf } from './trace/globalTracer.js';
export type { ResolvedSpanLimits, SpanLimits } from './trace/spanLimits.js';
export {
  DEFAULT_ATTRIBUTE_COUNT_LIMIT,
  DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT,
  DEFAULT_EVENT_COUNT_LIMIT,
  DEFAULT_LINK_COUNT_LIMIT,
  DEFAULT_SPAN_LIMITS,
} from './trace/spanLimits.js';
export { recordError, runInSpan } from './trace/runInSpan.js';
export type { TraceOptions } from './trace/traced.js';
export { trace, traced } from './trace/traced.js';

export type { HttpServerAdapter, HttpServerTracingOptions, ResolvedServerOptions } from './http/serverOptions.js';
export { DEFAULT_TRACE_ID_RESPONSE_HEADER, INCOMING_TRACE_ID_TAG, NEVER_CAPTURED_HEADERS, resolveServerOptions } from './http/serverOptions.js';
export type { ServerSpan, ServerSpanOutcome } from './http/ServerSpan.js';
export { startServerSpan } from './http/startServerSpan.js';
export { finishServerSpan } from './http/finishServerSpan.js';

export type { ContextManager } from './context/ContextManager.js';
export { AsyncLocalStorageContextManager } from './context/AsyncLocalStorageContextManager.js';
export type { ClsHookedContextManagerOptions } from './context/ClsHookedContextManager.js';
export { ClsHookedContextManager } from './context/ClsHookedContextManager.js';
export {
  bind,
  bindEmitter,
  bindEmitterPrototype,
  getActiveSpan,
  getContextManager,
  isTracingSuppressed,
  setContextManager,
  suppressTracing,
  withSpan,
} from './context/global.js';
export type { LogContext } from './context/logContext.js';
export { logContext } from './context/logContext.js';

export type { Propagator } from './propagation/Propagator.js';
export type { HeaderCarrier, IncomingHeaders } from './propagation/headers.js';
export { readHeader, writeHeader } from './propagation/headers.js';
export { CompositePropagator } from './propagation/CompositePropagator.js';
export { W3CTraceContextPropagator } from './propagation/W3CTraceContextPropagator.js';
export { B3Propagator } from './propagation/B3Propagator.js';
export { XTraceIdPropagator } from './propagation/XTraceIdPropagator.js';
export { DEFAULT_EXTRACT, DEFAULT_INJECT, registerPropagator } from './propagation/registry.js';

export type { Sampler } from './sampling/Sampler.js';
export { AlwaysOnSampler } from './sampling/AlwaysOnSampler.js';
export { AlwaysOffSampler } from './sampling/AlwaysOffSampler.js';
export { TraceIdRatioSampler } from './sampling/TraceIdRatioSampler.js';
export { ParentBasedSampler } from './sampling/ParentBasedSampler.js';

export type { ProcessorStats, SpanProcessor } from './processor/SpanProcessor.js';
export { SimpleSpanProcessor } from './processor/SimpleSpanProcessor.js';
export type { RecentSpansOptions } from './processor/RecentSpansProcessor.js';
export { RecentSpansProcessor } from './processor/RecentSpansProcessor.js';
export type { DropReason } from './processor/BatchSpanProcessor.js';
export {
  BatchSpanProcessor,
  DEFAULT_EXPORT_TIMEOUT_MS,
  DEFAULT_MAX_CONCURRENT_EXPORTS,
  DEFAULT_MAX_EXPORT_BATCH_SIZE,
  DEFAULT_MAX_QUEUE_SIZE,
  DEFAULT_SCHEDULED_DELAY_MS,
} from './processor/BatchSpanProcessor.js';

export type { ExportResult, SpanExporter } from './export/SpanExporter.js';
export type { ExporterFactory, ExporterSettings } from './export/registry.js';
export { registerExporter } from './export/registry.js';
export { InMemoryExporter } from './export/InMemoryExporter.js';
export type { FileExporterOptions } from './export/file/fileExporterOptions.js';
export { DEFAULT_FILE_MAX_BYTES, DEFAULT_FILE_MAX_FILES, DEFAULT_FILE_MAX_QUEUE_BYTES } from './export/file/fileExporterOptions.js';
export type { FileExporterStats } from './export/file/FileSpanExporter.js';
export { FileSpanExporter, rotatedFileName } from './export/file/FileSpanExporter.js';
export type { ConsoleExporterOptions } from './export/ConsoleExporter.js';
export { ConsoleExporter, formatSpanLine } from './export/ConsoleExporter.js';
export type { HttpExporterOptions, SpanEncoding } from './export/http/HttpSpanExporter.js';
export { HttpSpanExporter } from './export/http/HttpSpanExporter.js';
export {
  BACKOFF_JITTER,
  BACKOFF_MULTIPLIER,
  DEFAULT_INITIAL_BACKOFF_MS,
  DEFAULT_MAX_BACKOFF_MS,
  DEFAULT_MAX_RETRIES,
  DEFAULT_RETRYABLE_STATUSES,
  MAX_RETRY_AFTER_MS,
} from './export/http/RetryingTransport.js';
export { DEFAULT_REQUEST_TIMEOUT_MS } from './export/http/HttpTransport.js';
export type { OtlpHttpExporterOptions } from './export/otlp/OtlpHttpExporter.js';
export { DEFAULT_OTLP_ENDPOINT, OtlpHttpExporter } from './export/otlp/OtlpHttpExporter.js';
export { encodeOtlpJson } from './export/otlp/encodeJson.js';
export { encodeOtlpProtobuf } from './export/otlp/encodeProtobuf.js';
export type { ZipkinExporterOptions } from './export/zipkin/ZipkinExporter.js';
export { DEFAULT_ZIPKIN_ENDPOINT, ZipkinExporter } from './export/zipkin/ZipkinExporter.js';
export type { ZipkinSpan } from './export/zipkin/transform.js';
export { encodeZipkinJson, toZipkinSpan } from './export/zipkin/transform.js';
export { createJaegerExporter, DEFAULT_JAEGER_OTLP_ENDPOINT } from './export/jaeger.js';

export type { EncryptionStats, TagEncryptorOptions } from './security/TagEncryptor.js';
export { TagEncryptor } from './security/TagEncryptor.js';
export { EncryptingSpanProcessor } from './security/EncryptingSpanProcessor.js';
export type { DataKey, KeyProvider } from './security/KeyProvider.js';
export type { LocalKeyProviderOptions } from './security/LocalKeyProvider.js';
export { LocalKeyProvider } from './security/LocalKeyProvider.js';
export type { MasterKeyInput } from './security/masterKeys.js';
export { ENCRYPTION_KEY_ENV } from './security/masterKeys.js';
export type { ValueBinding, ValueScope } from './security/envelope.js';
export { ENCRYPTED_PREFIX, ENCRYPTION_UNAVAILABLE } from './security/envelope.js';
export type { DataKeyStats } from './security/DataKeyCache.js';
export { DEFAULT_DATA_KEY_MAX_USES, DEFAULT_DATA_KEY_TIMEOUT_MS, DEFAULT_DATA_KEY_TTL_MS } from './security/DataKeyCache.js';
export type { DecryptError } from './security/decrypt.js';
export { decryptAttributes, decryptSpan, ERR_DECRYPT } from './security/decrypt.js';
export { isSecretKey, Redactor } from './security/Redactor.js';
export { DEFAULT_SENSITIVE_QUERY_PARAMS } from './security/redactUrl.js';

export type {
  AnalyzeBottlenecksOptions,
  BottleneckAnalysis,
  BottleneckFinding,
  BottleneckFindingKind,
  BottleneckSeverity,
  BottleneckThresholds,
  OperationAnalysis,
} from './analysis/bottlenecks.js';
export { analyzeBottlenecks, bottleneckSeverity, DEFAULT_BOTTLENECK_THRESHOLDS } from './analysis/bottlenecks.js';
export type { RecommendationThresholds } from './analysis/callPatterns.js';
export { DEFAULT_RECOMMENDATION_THRESHOLDS } from './analysis/callPatterns.js';
export type { FormatBottleneckTableOptions } from './analysis/formatBottleneckTable.js';
export { formatBottleneckTable } from './analysis/formatBottleneckTable.js';
export type { SpanQuery } from './analysis/querySpans.js';
export { querySpans } from './analysis/querySpans.js';
export { groupByTrace } from './analysis/groupByTrace.js';
export { percentile } from './analysis/percentile.js';
export type { TraceTreeNode } from './analysis/traceTree.js';
export { buildTraceTree, flattenTraceTree } from './analysis/traceTree.js';
export type { FormatTraceTreeOptions } from './analysis/formatTraceTree.js';
export { formatTraceTree } from './analysis/formatTraceTree.js';
export { criticalPath } from './analysis/criticalPath.js';
export { parallelGroups } from './analysis/parallelGroups.js';
export type { ReadSpansOptions, SpanInputFormat } from './analysis/readSpans.js';
export { readSpans } from './analysis/readSpans.js';
export type { ReadSpansFromFileOptions } from './analysis/readSpansFromFile.js';
export { readSpansFromFile } from './analysis/readSpansFromFile.js';
export type { SpanDecodeError } from './analysis/read/spanDecodeError.js';
export { ERR_SPAN_DECODE } from './analysis/read/spanDecodeError.js';
export { fromZipkinSpan } from './analysis/read/fromZipkin.js';
