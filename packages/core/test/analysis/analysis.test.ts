import { expect } from 'chai';
import { analyzeBottlenecks, AuditTracer, buildTraceTree, formatTraceTree, InMemoryExporter, percentile, type AuditSpan } from '@audit-tracing/core';

const tracer = new AuditTracer({ exporter: new InMemoryExporter(), processor: 'simple', serviceName: 'analysis' });

function finished(name: string, duration: number, component = 'app', status: 'OK' | 'ERROR' = 'OK') {
  const span = tracer.startSpan(name, null, { component, startTime: 1000 });
  span.setStatus(status);
  span.finish(1000 + duration);
  return span as AuditSpan;
}

describe('percentile', () => {
  it('interpolates between closest ranks', () => {
    expect(percentile([1, 2, 3, 4, 5], 50)).to.equal(3);
    expect(percentile([1, 2, 3, 4], 50)).to.equal(2.5);
    expect(percentile([10, 20], 95)).to.be.closeTo(19.5, 1e-9);
    expect(percentile([5], 99)).to.equal(5);
    expect(percentile([], 50)).to.be.NaN;
  });
  it('rejects p outside 0..100', () => {
    expect(() => percentile([1], 101)).to.throw(RangeError);
  });
});

describe('analyzeBottlenecks', () => {
  it('groups by operation, computes statistics and ranks by p95', () => {
    const spans = [
      ...Array.from({ length: 100 }, (_, i) => finished('db.query', i + 1, 'db')),
      ...Array.from({ length: 10 }, () => finished('cache.get', 2, 'cache')),
      finished('cache.get', 2, 'cache', 'ERROR'),
    ];
    const [db, cache] = analyzeBottlenecks(spans);
    expect(db.operation).to.equal('db.query');
    expect(db.sampleCount).to.equal(100);
    expect(db.averageTime).to.be.closeTo(50.5, 1e-9);
    expect(db.minTime).to.equal(1);
    expect(db.maxTime).to.equal(100);
    expect(db.percentile95).to.be.closeTo(95.05, 1e-9);
    expect(db.percentile99).to.be.closeTo(99.01, 1e-9);
    expect(db.severity).to.equal('LOW');
    expect(cache.errorRate).to.be.closeTo(1 / 11, 1e-9);
    expect(cache.recommendations.join(' ')).to.contain('fail');
  });

  it('grades severity by p95 against thresholds', () => {
    const [slow] = analyzeBottlenecks([finished('slow', 3000)]);
    expect(slow.severity).to.equal('CRITICAL');
    expect(slow.recommendations).to.not.be.empty;
    expect(analyzeBottlenecks([finished('x', 150)], { medium: 100, high: 200, critical: 300 })[0].severity).to.equal('MEDIUM');
  });
});

describe('buildTraceTree / formatTraceTree', () => {
  it('links children to parents in start order and renders a waterfall', () => {
    const root = tracer.startSpan('GET /checkout', null, { component: 'express', startTime: 0 });
    const b = tracer.createChildSpan(root, 'second', { startTime: 20 });
    const a = tracer.createChildSpan(root, 'first', { startTime: 10 });
    const grandchild = tracer.createChildSpan(a, 'deep', { startTime: 12 });
    grandchild.finish(15);
    a.finish(18);
    b.setStatus('ERROR', 'boom');
    b.finish(40);
    root.finish(50);
    const [tree] = buildTraceTree([b, grandchild, root, a] as AuditSpan[]);
    expect(tree.span).to.equal(root);
    expect(tree.children.map((n) => n.span.operationName)).to.deep.equal(['first', 'second']);
    expect(tree.children[0].children[0].depth).to.equal(2);
    const lines = formatTraceTree([tree], { barWidth: 10 }).split('\n');
    expect(lines).to.have.length(4);
    expect(lines[0]).to.match(/^GET \/checkout \[express\]\s+\|██████████\|\s+50\.0ms OK$/);
    expect(lines[2]).to.match(/^ {4}deep/);
    expect(lines[3]).to.contain('ERROR (boom)');
  });

  it('treats spans with a missing parent as roots', () => {
    const orphan = tracer.startSpan('orphan', { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1, isRemote: true });
    orphan.finish();
    expect(buildTraceTree([orphan as AuditSpan])).to.have.length(1);
  });
});
