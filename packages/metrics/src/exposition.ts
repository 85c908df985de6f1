// Prometheus text exposition 0.0.4 and OpenMetrics 1.0.0, written from a snapshot.
// https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
// https://github.com/OpenObservability/OpenMetrics/blob/main/specification/OpenMetrics.md
import { QUANTILES, type MetricsSnapshot, percentileKey, type SeriesSnapshot } from './snapshot.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** Metric family names, per the Prometheus and OpenTelemetry naming conventions (unit last, `_total` on counters). */
export const METRIC_NAMES = Object.freeze({
  duration: 'audit_tracing_span_duration_milliseconds',
  quantiles: 'audit_tracing_span_duration_sketch_milliseconds',
  series: 'audit_tracing_metrics_series',
  overflow: 'audit_tracing_metrics_overflow_spans',
  callbackErrors: 'audit_tracing_metrics_callback_errors',
});

// Label values hold span and service names, which requests control: escape backslash, double quote and line feed
// (the three escapes both formats define), and replace lone surrogates, which cannot be written as UTF-8, and
// carriage returns, which neither format can escape and a scraper splitting on CRLF would cut a line at.
const NEEDS_WORK = /[\\"\n\r\uD800-\uDFFF]/;
const ESCAPED = /[\\"\n]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n' };
const UNWRITABLE = /\r|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A label value as both formats write it between double quotes. */
export function escapeLabelValue(value: string): string {
  if (!NEEDS_WORK.test(value)) return value;
  return value.replace(UNWRITABLE, '\uFFFD').replace(ESCAPED, (c) => ESCAPES[c]);
}

// OpenMetrics caps an exemplar's label names and values at 128 characters together; ids of records made elsewhere
// could be longer, and such an exemplar is left out.
const MAX_EXEMPLAR_LABEL_CHARS = 128;

/**
 * The canonical text of an `le` or `quantile` value: Go's `%g` with `.0` added to integers, as OpenMetrics asks
 * ("Canonical Numbers"), so that every exposer writes `5.0`, `0.95`, `1e+06` the same way.
 */
export function canonicalNumber(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (Number.isNaN(value)) return 'NaN';
  if (value === 0) return '0.0';
  const [mantissa, exponentText] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const digits = String(Math.abs(exponent)).padStart(2, '0');
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${digits}`;
  }
  const fixed = String(value);
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

/** A sample value: JavaScript's shortest round-trip text, with the infinities and NaN as both formats spell them. */
function sampleValue(value: number): string {
  if (Number.isFinite(value)) return String(value);
  return value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN';
}

function seriesLabels(series: SeriesSnapshot): string {
  const common = `kind="${series.kind}",status="${series.status}"`;
  if (series.overflow) return `otel_metric_overflow="true",${common}`;
  return `service="${escapeLabelValue(series.service)}",operation="${escapeLabelValue(series.operation)}",${common}`;
}

type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

function header(out: string[], openMetrics: boolean, name: string, type: MetricType, unit: string, help: string): void {
  if (openMetrics) {
    out.push(`# TYPE ${name} ${type}`);
    if (unit !== '') out.push(`# UNIT ${name} ${unit}`);
    out.push(`# HELP ${name} ${help}`);
  } else {
    // In 0.0.4 the metadata names the counter's sample, `_total` included.
    const sampleName = type === 'counter' ? `${name}_total` : name;
    out.push(`# HELP ${sampleName} ${help}`, `# TYPE ${sampleName} ${type}`);
  }
}

/**
 * The snapshot as Prometheus text (0.0.4) or, with `openMetrics`, as OpenMetrics text with exemplars: the bucket
 * a span fell in carries `# {trace_id="…",span_id="…"} duration end-time`. Exemplars exist only in OpenMetrics.
 */
export function formatMetrics(snapshot: MetricsSnapshot, openMetrics: boolean): string {
  const out: string[] = [];
  // Written once, not per series and bucket.
  const les = [...snapshot.boundaries.map(canonicalNumber), '+Inf'];
  const quantileLabels = QUANTILES.map((q) => [q, `,quantile="${canonicalNumber(q)}"} `] as const);

  const duration = METRIC_NAMES.duration;
  header(out, openMetrics, duration, 'histogram', 'milliseconds', 'Duration of ended spans, by service, operation, kind and status.');
  for (const series of snapshot.series) {
    const labels = seriesLabels(series);
    let cumulative = 0;
    for (let i = 0; i < series.buckets.length; i++) {
      cumulative += series.buckets[i];
      let line = `${duration}_bucket{${labels},le="${les[i]}"} ${cumulative}`;
      const exemplar = series.exemplars[i];
      if (openMetrics && exemplar !== null && 'trace_idspan_id'.length + exemplar.traceId.length + exemplar.spanId.length <= MAX_EXEMPLAR_LABEL_CHARS) {
        line += ` # {trace_id="${escapeLabelValue(exemplar.traceId)}",span_id="${escapeLabelValue(exemplar.spanId)}"} ${sampleValue(exemplar.value)} ${sampleValue(exemplar.time / 1000)}`;
      }
      out.push(line);
    }
    out.push(`${duration}_count{${labels}} ${series.count}`, `${duration}_sum{${labels}} ${sampleValue(series.sum)}`);
  }

  const quantiles = METRIC_NAMES.quantiles;
  header(out, openMetrics, quantiles, 'summary', 'milliseconds', `Span duration quantiles over the last ${snapshot.windowMs / 1000}s, from a DDSketch (1% relative accuracy).`);
  for (const series of snapshot.series) {
    const labels = seriesLabels(series);
    for (const [q, quantileLabel] of quantileLabels) {
      out.push(`${quantiles}{${labels}${quantileLabel}${sampleValue(series.window.percentiles[percentileKey(q)] ?? Number.NaN)}`);
    }
  }

  header(out, openMetrics, METRIC_NAMES.series, 'gauge', '', 'Series held (service, operation, kind, status), overflow series included.');
  out.push(`${METRIC_NAMES.series} ${snapshot.series.length}`);
  header(out, openMetrics, METRIC_NAMES.overflow, 'counter', '', 'Spans counted in an overflow series because maxSeries was reached.');
  out.push(`${METRIC_NAMES.overflow}_total ${snapshot.overflowSpans}`);
  header(out, openMetrics, METRIC_NAMES.callbackErrors, 'counter', '', 'onBottleneck callbacks that threw.');
  out.push(`${METRIC_NAMES.callbackErrors}_total ${snapshot.callbackErrors}`);

  if (openMetrics) out.push('# EOF');
  return `${out.join('\n')}\n`;
}
