import { expect } from 'chai';
import { analyzeBottlenecks, encodeOtlpProtobuf, readSpans, type BottleneckFindingKind, type OperationAnalysis, type ReadableSpan } from '@audit-tracing/core';
import { record, TRACE } from '../helpers/spanRecords.js';

let traceCounter = 0;
/** A fresh trace id per call, so that each built trace stands alone. */
const nextTrace = () => (++traceCounter).toString(16).padStart(32, 'a');

/** The finding kinds of a row, `slow` aside (it follows severity alone, and has its own test). */
const kinds = (row: OperationAnalysis | undefined): BottleneckFindingKind[] => (row?.findings ?? []).map((f) => f.kind).filter((kind) => kind !== 'slow');
const row = (rows: OperationAnalysis[], operation: string) => rows.find((r) => r.operation === operation);

/** `count` lone spans of one operation with the given durations. */
function samples(operation: string, durations: readonly number[], service = 'app', status: 'OK' | 'ERROR' = 'OK'): ReadableSpan[] {
  return durations.map((d, i) => record({ id: (i + 1).toString(16), trace: nextTrace(), name: operation, service, start: 0, end: d, status }));
}

describe('analyzeBottlenecks', () => {
  describe('statistics', () => {
    it('exact percentiles by linear interpolation between closest ranks, whatever the order', () => {
      const durations = Array.from({ length: 100 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
      const [stats] = analyzeBottlenecks(samples('q', durations));
      expect(stats).to.include({ sampleCount: 100, minTime: 1, maxTime: 100, averageTime: 50.5 });
      expect(stats.percentile50).to.be.closeTo(50.5, 1e-12);
      expect(stats.percentile95).to.be.closeTo(95.05, 1e-12);
      expect(stats.percentile99).to.be.closeTo(99.01, 1e-12);
      // numpy.percentile([1, 2, 3, 4, 10], [50, 95, 99]) → 3, 8.8, 9.76
      const [small] = analyzeBottlenecks(samples('s', [10, 1, 4, 3, 2]));
      expect([small.percentile50, small.percentile95, small.percentile99].map((v) => +v.toFixed(9))).to.deep.equal([3, 8.8, 9.76]);
    });

    it('groups per service and operation, with error rate and self-time share', () => {
      const spans = [
        ...samples('GET /', [10, 10, 10, 10], 'web'),
        ...samples('GET /', [30, 30], 'api'),
        ...samples('GET /', [30, 30], 'api', 'ERROR'),
      ];
      const rows = analyzeBottlenecks(spans);
      expect(rows.map((r) => [r.service, r.operation, r.sampleCount])).to.deep.equal([
        ['api', 'GET /', 4],
        ['web', 'GET /', 4],
      ]);
      expect(rows[0].errorRate).to.equal(0.5);
      expect(rows[0].selfTime).to.equal(120);
      expect(rows[0].selfTimeShare).to.equal(0.75);
      expect(rows[1].selfTimeShare).to.equal(0.25);
    });

    it('self time leaves out the children: a parent that only waits has none', () => {
      const rows = analyzeBottlenecks([
        record({ id: 'a', name: 'handler', start: 0, end: 100 }),
        record({ id: 'b', parent: 'a', name: 'query', start: 0, end: 100 }),
      ]);
      expect(row(rows, 'handler')!.selfTime).to.equal(0);
      expect(row(rows, 'query')!.selfTimeShare).to.equal(1);
    });

    it('grades severity with thresholds given as options or, as before, as the second argument', () => {
      expect(analyzeBottlenecks(samples('x', [150]))[0].severity).to.equal('MEDIUM');
      expect(analyzeBottlenecks(samples('x', [3000]))[0].severity).to.equal('CRITICAL');
      expect(analyzeBottlenecks(samples('x', [150]), { thresholds: { high: 120 } })[0].severity).to.equal('HIGH');
      expect(analyzeBottlenecks(samples('x', [250]), { medium: 100, high: 200, critical: 300 })[0].severity).to.equal('HIGH');
      expect(analyzeBottlenecks(samples('x', [50]))[0].severity).to.equal('LOW');
    });

    it('rejects wrong options at once, with the option error', () => {
      expect(() => analyzeBottlenecks([], { thresholds: { medium: 600 } })).to.throw(TypeError, 'analyzeBottlenecks.thresholds.high: expected a number of ms >= 600 (medium <= high <= critical), got 500');
      expect(() => analyzeBottlenecks([], { recommendations: { dominantShare: 2 } })).to.throw(/recommendations\.dominantShare: expected a number from 0 to 1/);
    });

    it('leaves unfinished spans out of the statistics, and reads records as well as live spans', () => {
      const rows = analyzeBottlenecks([record({ id: 'a', name: 'open', start: 0 }), record({ id: 'b', name: 'done', start: 0, end: 5 })]);
      expect(rows.map((r) => r.operation)).to.deep.equal(['done']);
      const back = readSpans(encodeOtlpProtobuf(samples('q', [1, 2, 3])));
      expect(analyzeBottlenecks(back)[0]).to.include({ operation: 'q', sampleCount: 3, percentile50: 2 });
    });
  });

  describe('findings, each from its own rule', () => {
    it('n_plus_one: the same call repeated in sequence under one parent', () => {
      const spans = [record({ id: 'a', name: 'GET /cart', start: 0, end: 100 })];
      for (let i = 0; i < 8; i++) spans.push(record({ id: `b${i}`, parent: 'a', kind: 'client', name: 'SELECT item', start: 5 + i * 10, end: 13 + i * 10 }));
      const rows = analyzeBottlenecks(spans);
      const cart = row(rows, 'GET /cart')!;
      expect(kinds(cart)).to.include('n_plus_one');
      const finding = cart.findings.find((f) => f.kind === 'n_plus_one')!;
      expect(finding.message).to.contain('"SELECT item" [app] up to 8 times in sequence');
      expect(finding.exampleTraceId).to.equal(TRACE);
      // the same calls, concurrent: not N+1
      const parallel = [record({ id: 'a', name: 'GET /cart', start: 0, end: 100 })];
      for (let i = 0; i < 8; i++) parallel.push(record({ id: `b${i}`, parent: 'a', kind: 'client', name: 'SELECT item', start: 5 + i, end: 90 }));
      expect(kinds(row(analyzeBottlenecks(parallel), 'GET /cart'))).to.not.include('n_plus_one');
    });

    it('sequential_calls: different downstream calls one after another over most of the parent', () => {
      const spans = [
        record({ id: 'a', name: 'GET /profile', start: 0, end: 100 }),
        record({ id: 'b', parent: 'a', kind: 'client', name: 'GET users', start: 2, end: 32 }),
        record({ id: 'c', parent: 'a', kind: 'client', name: 'GET orders', start: 33, end: 63 }),
        record({ id: 'd', parent: 'a', kind: 'client', name: 'GET prefs', start: 64, end: 94 }),
      ];
      const profile = row(analyzeBottlenecks(spans), 'GET /profile')!;
      expect(kinds(profile)).to.deep.equal(['sequential_calls']);
      expect(profile.findings[0].message).to.contain('"GET users" [app], "GET orders" [app], "GET prefs" [app] one after another').and.contain('about 60.0ms saved');
      // overlapping already: nothing to gain
      const overlapping = spans.map((s, i) => (i === 0 ? s : { ...s, startTime: 2, endTime: 94, duration: 92 }));
      expect(kinds(row(analyzeBottlenecks(overlapping), 'GET /profile'))).to.not.include('sequential_calls');
    });

    it('dominant_downstream: one call to another service takes most of the parent', () => {
      const spans = [
        record({ id: 'a', service: 'web', name: 'POST /checkout', start: 0, end: 100 }),
        record({ id: 'b', parent: 'a', service: 'web', name: 'validate', start: 0, end: 5 }),
        record({ id: 'c', parent: 'a', service: 'billing', kind: 'server', name: 'POST /charge', start: 6, end: 96 }),
      ];
      const checkout = row(analyzeBottlenecks(spans), 'POST /checkout')!;
      expect(kinds(checkout)).to.deep.equal(['dominant_downstream']);
      expect(checkout.findings[0].message).to.equal('"POST /charge" [billing] takes 90% of its time: look there first');
      expect(kinds(row(analyzeBottlenecks(spans, { recommendations: { dominantShare: 0.95 } }), 'POST /checkout'))).to.deep.equal([]);
    });

    it('high_variance: p99 far above p50, given enough samples', () => {
      const durations = [...Array(95).fill(10), 200, 200, 200, 200, 200];
      const [stats] = analyzeBottlenecks(samples('q', durations));
      expect(kinds(stats)).to.deep.equal(['high_variance']);
      expect(stats.findings[0].message).to.match(/^p99 \(200\.0ms\) is 20\.0x p50 \(10\.0ms\)/);
      // too few samples to tell
      expect(kinds(analyzeBottlenecks(samples('q', [10, 10, 200]))[0])).to.deep.equal([]);
    });

    it('high_error_rate: errors at or above the threshold', () => {
      const spans = [...samples('pay', Array(18).fill(5)), ...samples('pay', [5, 5], 'app', 'ERROR')];
      const [stats] = analyzeBottlenecks(spans);
      expect(kinds(stats)).to.deep.equal(['high_error_rate']);
      expect(stats.recommendations).to.deep.equal(['10% of calls fail: errors can hide as latency (timeouts, retries)']);
      expect(kinds(analyzeBottlenecks(spans, { recommendations: { errorRate: 0.2 } })[0])).to.deep.equal([]);
    });

    it('slow: a severity above LOW', () => {
      const [stats] = analyzeBottlenecks(samples('report', [700]));
      expect(stats.findings.map((f) => f.kind)).to.deep.equal(['slow']);
      expect(stats.recommendations).to.deep.equal(['p95 of 700.0ms: profile "report" or cache its result']);
      expect(analyzeBottlenecks(samples('report', [70]))[0].findings).to.deep.equal([]);
      expect(stats.severity).to.equal('HIGH');
    });
  });
});
