import { expect } from 'chai';
import parsePrometheusText from 'parse-prometheus-text-format';
import { canonicalNumber, DEFAULT_DURATION_BUCKETS_MS, escapeLabelValue, formatMetrics, METRIC_NAMES, MetricsSpanProcessor } from '@audit-tracing/metrics';
import { readOpenMetrics, type OmFamily } from './helpers/openMetricsGrammar.js';
import { endSpan, tracerWith } from './helpers/spans.js';

// Names a request can choose: quotes, backslashes, line feeds, a forged exemplar and label, unicode, a lone surrogate.
const HOSTILE = ['GET /a"b', 'GET \\x\\"', 'GET /\nfake_metric 1', 'GET /x"} 1 # {trace_id="forged"} 1', 'GET /naïve/日本/🚀', 'GET /\uD800half', 'tab\there\rcr'];

function sampleMetrics() {
  const metrics = new MetricsSpanProcessor();
  const tracer = tracerWith(metrics, 'shop "eu"\\1\n');
  const spans = [endSpan(tracer, 'GET /orders', 3), endSpan(tracer, 'GET /orders', 40), endSpan(tracer, 'GET /orders', 12_000, { status: 'ERROR' })];
  for (const name of HOSTILE) endSpan(tracer, name, 7);
  return { metrics, spans };
}

// What the exposition writes for a name: lone surrogates and carriage returns become U+FFFD.
const writable = (name: string) => name.replace('\uD800', '\uFFFD').replace('\r', '\uFFFD');
const family = (families: OmFamily[], name: string) => families.find((f) => f.name === name)!;
const operations = (f: OmFamily) => [...new Set(f.samples.map((s) => s.labels.operation))];

describe('Prometheus and OpenMetrics text', function () {
  it('writes le and quantile values the canonical way (OpenMetrics "Canonical Numbers")', function () {
    const examples = [0, 0.001, 0.002, 0.01, 0.1, 0.9, 0.95, 0.99, 0.999, 1, 1.7, 10, 1e-10, 1e-9, 1e-5, 0.0001, 100000, 1e6, 1e10, Infinity];
    expect(examples.map(canonicalNumber)).to.deep.equal(['0.0', '0.001', '0.002', '0.01', '0.1', '0.9', '0.95', '0.99', '0.999', '1.0', '1.7', '10.0', '1e-10', '1e-09', '1e-05', '0.0001', '100000.0', '1e+06', '1e+10', '+Inf']);
    expect(DEFAULT_DURATION_BUCKETS_MS.map(canonicalNumber)).to.include.members(['0.0', '5.0', '2500.0', '10000.0']);
  });

  it('escapes backslash, double quote and line feed, and replaces lone surrogates and carriage returns', function () {
    expect(escapeLabelValue('a"b\\c\nd')).to.equal('a\\"b\\\\c\\nd');
    expect(escapeLabelValue('x\uD800y\uDC00\r')).to.equal('x\uFFFDy\uFFFD\uFFFD');
    expect(escapeLabelValue('🚀 ok')).to.equal('🚀 ok');
  });

  it('OpenMetrics: passes the strict grammar check, with an exemplar per bucket that names a real span', function () {
    const { metrics, spans } = sampleMetrics();
    const snapshot = metrics.snapshot();
    const families = readOpenMetrics(formatMetrics(snapshot, true));
    expect(families.map((f) => [f.name, f.type, f.unit ?? ''])).to.deep.equal([
      [METRIC_NAMES.duration, 'histogram', 'milliseconds'],
      [METRIC_NAMES.quantiles, 'summary', 'milliseconds'],
      [METRIC_NAMES.series, 'gauge', ''],
      [METRIC_NAMES.overflow, 'counter', ''],
      [METRIC_NAMES.callbackErrors, 'counter', ''],
    ]);
    const histogram = family(families, METRIC_NAMES.duration);
    const exemplars = histogram.samples.filter((s) => s.exemplar).map((s) => [s.labels.operation, s.labels.status, s.labels.le, s.exemplar!.labels, s.exemplar!.value]);
    expect(exemplars).to.deep.include.members([
      ['GET /orders', 'OK', '5.0', { trace_id: spans[0].traceId, span_id: spans[0].spanId }, 3],
      ['GET /orders', 'OK', '50.0', { trace_id: spans[1].traceId, span_id: spans[1].spanId }, 40],
      ['GET /orders', 'ERROR', '+Inf', { trace_id: spans[2].traceId, span_id: spans[2].spanId }, 12_000],
    ]);
    // Exemplar timestamps are the spans' end times, in seconds.
    const first = histogram.samples.find((s) => s.exemplar?.labels.trace_id === spans[0].traceId)!;
    expect(first.exemplar!.timestamp! * 1000).to.be.closeTo(snapshot.series[0].exemplars[1]!.time, 1e-3);
    const count = histogram.samples.find((s) => s.name.endsWith('_count') && s.labels.operation === 'GET /orders' && s.labels.status === 'OK')!;
    expect(count.value).to.equal(2);
  });

  it('OpenMetrics: hostile span and service names come back unchanged (lone surrogates and CR as U+FFFD), and forge nothing', function () {
    const { metrics } = sampleMetrics();
    const families = readOpenMetrics(formatMetrics(metrics.snapshot(), true));
    const histogram = family(families, METRIC_NAMES.duration);
    expect(operations(histogram)).to.have.members(['GET /orders', ...HOSTILE.map(writable)]);
    expect(new Set(histogram.samples.map((s) => s.labels.service))).to.deep.equal(new Set(['shop "eu"\\1\n']));
    expect(families.map((f) => f.name)).to.not.include('fake_metric');
    expect(histogram.samples.filter((s) => s.exemplar?.labels.trace_id === 'forged')).to.have.length(0);
    expect(operations(family(families, METRIC_NAMES.quantiles))).to.have.length(HOSTILE.length + 1);
  });

  it('Prometheus 0.0.4: read back by parse-prometheus-text-format, and by the strict check in its 0.0.4 dialect', function () {
    const { metrics } = sampleMetrics();
    const snapshot = metrics.snapshot();
    const text = formatMetrics(snapshot, false);
    expect(text).to.not.include('# EOF').and.not.include('# UNIT');

    const parsed = parsePrometheusText(text);
    expect(parsed.map((f) => [f.name, f.type])).to.deep.equal([
      [METRIC_NAMES.duration, 'HISTOGRAM'],
      [METRIC_NAMES.quantiles, 'SUMMARY'],
      [METRIC_NAMES.series, 'GAUGE'],
      [`${METRIC_NAMES.overflow}_total`, 'COUNTER'],
      [`${METRIC_NAMES.callbackErrors}_total`, 'COUNTER'],
    ]);
    expect(parsed[2].metrics).to.deep.equal([{ value: String(snapshot.series.length) }]);
    expect(parsed[3].metrics).to.deep.equal([{ value: '0' }]);

    // The strict check reads every label back (that parser merges a histogram's label sets into one).
    const families = readOpenMetrics(text, 'prometheus');
    const histogram = family(families, METRIC_NAMES.duration);
    expect(operations(histogram)).to.have.members(['GET /orders', ...HOSTILE.map(writable)]);
    const buckets = histogram.samples.filter((s) => s.labels.operation === 'GET /orders' && s.labels.status === 'OK' && s.name.endsWith('_bucket'));
    expect(buckets.map((s) => s.value)).to.deep.equal([0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
  });

  it('Prometheus 0.0.4: one series reads back through parse-prometheus-text-format bucket by bucket', function () {
    const metrics = new MetricsSpanProcessor();
    const tracer = tracerWith(metrics);
    for (const ms of [1, 2, 30, 30, 800, 3000]) endSpan(tracer, 'GET /one', ms);
    const [histogram, summary] = parsePrometheusText(formatMetrics(metrics.snapshot(), false));
    expect(histogram.metrics[0].buckets).to.deep.equal({
      '0.0': '0', '5.0': '2', '10.0': '2', '25.0': '2', '50.0': '4', '75.0': '4', '100.0': '4', '250.0': '4', '500.0': '4',
      '750.0': '4', '1000.0': '5', '2500.0': '5', '5000.0': '6', '7500.0': '6', '10000.0': '6', '+Inf': '6',
    });
    expect(Object.keys(summary.metrics[0].quantiles ?? {})).to.deep.equal(['0.5', '0.9', '0.95', '0.99']);
    expect(Number(summary.metrics[0].quantiles?.['0.5'])).to.be.closeTo(30, 0.3);
  });

  it('the strict check is not a rubber stamp: it rejects what would break a scrape', function () {
    const good = formatMetrics(sampleMetrics().metrics.snapshot(), true);
    expect(() => readOpenMetrics(good)).to.not.throw();
    const broken = [
      good.replace('# EOF\n', ''), // no EOF
      good.replace('operation="GET /orders"', 'operation="GET "/orders"'), // raw quote
      good.replace('operation="GET /orders"', 'operation="GET \n/orders"'), // raw line feed
      good.replace(/(_count\{[^}]*\} \d+)/, '$1 # {trace_id="a"} 1'), // exemplar on _count
      good.replace('le="5.0"} 1', 'le="5.0"} 7'), // not cumulative
      good.replace(/trace_id="[0-9a-f]+"/, `trace_id="${'a'.repeat(200)}"`), // exemplar over 128 characters
    ];
    for (const text of broken) expect(() => readOpenMetrics(text)).to.throw();
  });
});
