// The public surface of @audit-tracing/metrics: named exports only.
export type { BottleneckAlert } from './BottleneckAlert.js';
export { DEFAULT_DURATION_BUCKETS_MS } from './buckets.js';
export type { Exemplar } from './Exemplar.js';
export { canonicalNumber, escapeLabelValue, formatMetrics, METRIC_NAMES, OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from './exposition.js';
export type { BottleneckCallback } from './MetricsSpanProcessor.js';
export { MAX_NAME_LENGTH, MetricsSpanProcessor } from './MetricsSpanProcessor.js';
export type { MetricsOptions } from './options.js';
export { DEFAULT_CHECK_INTERVAL_MS, DEFAULT_COOLDOWN_MS, DEFAULT_MAX_SERIES, DEFAULT_MIN_SAMPLES, DEFAULT_WINDOW_MS } from './options.js';
export type { MetricsSnapshot, SeriesSnapshot } from './snapshot.js';
export { QUANTILES } from './snapshot.js';
export { SKETCH_BIN_LIMIT, SKETCH_RELATIVE_ACCURACY } from './sketch.js';
