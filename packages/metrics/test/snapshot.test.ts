import { expect } from 'chai';
import { DEFAULT_DURATION_BUCKETS_MS, MAX_NAME_LENGTH, MetricsSpanProcessor } from '@audit-tracing/metrics';
import { bucketIndex } from '../src/buckets.js';
import { logNormal, seededRandom } from './helpers/random.js';
import { endSpan, tracerWith } from './helpers/spans.js';

// Durations in 1/1024 ms steps survive `end - start` on epoch-ms timestamps exactly, so sums can be compared exactly.
const exactMs = (ms: number) => Math.round(ms * 1024) / 1024;

describe('MetricsSpanProcessor.snapshot', function () {
  it('keeps one series per service, operation, kind and status', function () {
    const metrics = new MetricsSpanProcessor();
    const shop = tracerWith(metrics, 'shop');
    const stock = tracerWith(metrics, 'stock');
    endSpan(shop, 'GET /orders', 10);
    endSpan(shop, 'GET /orders', 12);
    endSpan(shop, 'GET /orders', 30, { status: 'ERROR' });
    endSpan(shop, 'GET /orders', 30, { kind: 'client' });
    endSpan(stock, 'GET /orders', 5);
    const keys = metrics.snapshot().series.map((s) => `${s.service} ${s.operation} ${s.kind} ${s.status} ${s.count}`);
    expect(keys).to.have.members(['shop GET /orders server OK 2', 'shop GET /orders server ERROR 1', 'shop GET /orders client OK 1', 'stock GET /orders server OK 1']);
  });

  it('counts every duration in its OpenTelemetry bucket exactly, boundaries included (le is ≤)', function () {
    const metrics = new MetricsSpanProcessor();
    const tracer = tracerWith(metrics);
    const random = seededRandom(1);
    const durations: number[] = [...DEFAULT_DURATION_BUCKETS_MS, 0, 12_000, 1 / 1024];
    for (let i = 0; i < 5000; i++) durations.push(exactMs(logNormal(random, Math.log(80), 1.6)));
    for (const ms of durations) endSpan(tracer, 'work', ms);

    const [series] = metrics.snapshot().series;
    // Counted independently: how many durations are ≤ each boundary, minus those ≤ the previous one.
    const expected = [...DEFAULT_DURATION_BUCKETS_MS, Infinity].map((le, i, all) => durations.filter((d) => d <= le && (i === 0 || d > all[i - 1])).length);
    expect(series.buckets).to.deep.equal(expected);
    expect(series.count).to.equal(durations.length);
    expect(series.sum).to.equal(durations.reduce((a, b) => a + b, 0));
    expect(bucketIndex(DEFAULT_DURATION_BUCKETS_MS, 5)).to.equal(1); // 5 ms is in le="5"
    expect(bucketIndex(DEFAULT_DURATION_BUCKETS_MS, 5.0001)).to.equal(2);
  });

  it('gives each bucket the latest span that fell in it as its exemplar', function () {
    const metrics = new MetricsSpanProcessor();
    const tracer = tracerWith(metrics);
    endSpan(tracer, 'work', 3);
    const later = endSpan(tracer, 'work', 4);
    const slow = endSpan(tracer, 'work', 600);
    const [series] = metrics.snapshot().series;
    expect(series.exemplars[1]).to.include({ traceId: later.traceId, spanId: later.spanId, value: 4 });
    expect(series.exemplars[9]).to.include({ traceId: slow.traceId, spanId: slow.spanId, value: 600 }); // le="750"
    expect(series.exemplars.filter((e) => e !== null)).to.have.length(2);
  });

  it('reports percentiles, rate, slowest and failed spans over the sliding window only', function () {
    let clock = 1_000_000;
    const metrics = new MetricsSpanProcessor({ windowMs: 60_000, clock: () => clock });
    const tracer = tracerWith(metrics);
    // An old burst of slow spans, then a minute later fast ones: the window sees only the fast ones.
    for (let i = 0; i < 100; i++) endSpan(tracer, 'work', 900, { endTime: clock });
    clock += 70_000;
    const random = seededRandom(3);
    const durations: number[] = [];
    const failures: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const ms = exactMs(logNormal(random, Math.log(20), 1));
      durations.push(ms);
      const failed = i % 1000 === 0;
      const span = endSpan(tracer, 'work', ms, { endTime: clock - 10_000 + i / 2, status: failed ? 'ERROR' : 'OK' });
      if (failed) failures.push(span.traceId);
    }
    const snapshot = metrics.snapshot();
    const ok = snapshot.series.find((s) => s.status === 'OK')!;
    const failed = snapshot.series.find((s) => s.status === 'ERROR')!;
    expect(ok.count).to.equal(100 + 19_980);
    expect(ok.window.count).to.equal(19_980);
    const sorted = durations.filter((_, i) => i % 1000 !== 0).sort((a, b) => a - b);
    for (const [key, q] of [['p50', 0.5], ['p90', 0.9], ['p95', 0.95], ['p99', 0.99]] as const) {
      const exact = sorted[Math.floor(q * (sorted.length - 1))];
      expect(Math.abs(ok.window.percentiles[key]! - exact) / exact, key).to.be.at.most(0.01);
    }
    expect(ok.window.max).to.equal(sorted.at(-1));
    expect(ok.window.slowest.map((e) => e.value)).to.deep.equal(sorted.slice(-5).reverse());
    // The window at 1 070 000 spans three whole 15 s slices and 5 s of the newest: 50 s, for 20 000 spans.
    expect(ok.window.rate + failed.window.rate).to.be.closeTo(20_000 / 50, 1e-9);
    expect(failed.failed.map((e) => e.traceId)).to.deep.equal(failures.slice(-5).reverse());
  });

  it('holds at most maxSeries series and counts the rest in an overflow series per kind and status', function () {
    const metrics = new MetricsSpanProcessor({ maxSeries: 3 });
    const tracer = tracerWith(metrics);
    for (let i = 0; i < 50; i++) endSpan(tracer, `GET /user/${i}`, 1);
    endSpan(tracer, 'GET /user/0', 1);
    endSpan(tracer, 'GET /user/49', 1, { status: 'ERROR' });
    const snapshot = metrics.snapshot();
    expect(snapshot.series.filter((s) => !s.overflow).map((s) => s.operation)).to.deep.equal(['GET /user/0', 'GET /user/1', 'GET /user/2']);
    const overflow = snapshot.series.filter((s) => s.overflow);
    expect(overflow.map((s) => [s.kind, s.status, s.count, s.service, s.operation])).to.deep.equal([
      ['server', 'OK', 47, '', ''],
      ['server', 'ERROR', 1, '', ''],
    ]);
    expect(snapshot.overflowSpans).to.equal(48);
    expect(snapshot.series[0].count).to.equal(2);
  });

  it('cuts names longer than MAX_NAME_LENGTH, so one long name costs no more than any other', function () {
    const metrics = new MetricsSpanProcessor();
    const tracer = tracerWith(metrics);
    endSpan(tracer, 'x'.repeat(100_000) + 'a', 1);
    endSpan(tracer, 'x'.repeat(100_000) + 'b', 1);
    const [series, ...rest] = metrics.snapshot().series;
    expect(rest).to.have.length(0);
    expect(series.operation).to.equal('x'.repeat(MAX_NAME_LENGTH));
    expect(series.count).to.equal(2);
  });

  it('is plain JSON: empty windows give null percentiles, not NaN', function () {
    let clock = 0;
    const metrics = new MetricsSpanProcessor({ clock: () => clock });
    endSpan(tracerWith(metrics), 'work', 5, { endTime: 0 });
    clock = 3_600_000;
    const parsed = JSON.parse(JSON.stringify(metrics.snapshot()));
    expect(parsed.series[0].window).to.deep.include({ count: 0, rate: 0, min: null, max: null, percentiles: { p50: null, p90: null, p95: null, p99: null } });
    expect(parsed.series[0].count).to.equal(1);
  });

  it('stops counting after shutdown', async function () {
    const metrics = new MetricsSpanProcessor();
    const tracer = tracerWith(metrics);
    endSpan(tracer, 'work', 1);
    await metrics.shutdown();
    endSpan(tracer, 'work', 1);
    expect(metrics.snapshot().series[0].count).to.equal(1);
  });
});
