import { expect } from 'chai';
import { analyzeBottlenecks, formatBottleneckTable, type BottleneckAnalysis } from '@audit-tracing/core';
import { record } from '../helpers/spanRecords.js';

describe('formatBottleneckTable', () => {
  const rows = analyzeBottlenecks([
    record({ id: 'a', service: 'web', name: 'GET /slow', start: 0, end: 700, trace: '1'.repeat(32) }),
    record({ id: 'b', service: 'web', name: 'GET /fast', start: 0, end: 5, status: 'ERROR', trace: '2'.repeat(32) }),
    record({ id: 'c', service: 'db', name: 'SELECT', start: 0, end: 1, trace: '3'.repeat(32) }),
  ]);

  it('aligns a row per operation under a header, slowest first, with the findings but `slow` below', () => {
    const lines = formatBottleneckTable(rows).split('\n');
    expect(lines[0]).to.match(/^severity\s+service\s+operation\s+n\s+p50\s+p95\s+p99\s+max\s+err\s+self$/);
    expect(lines[1]).to.match(/^HIGH\s+web\s+GET \/slow\s+1\s+700\.0\s+700\.0\s+700\.0\s+700\.0\s+0%\s+99%$/);
    expect(lines[2]).to.match(/^LOW\s+web\s+GET \/fast .*100%\s+1%$/);
    // numbers right-aligned under their headers: every table line ends in the same column
    expect(new Set(lines.slice(0, 4).map((line) => line.length)).size).to.equal(1);
    expect(lines.slice(4)).to.deep.equal(['  web GET /fast: 100% of calls fail: errors can hide as latency (timeouts, retries)']);
  });

  it('shows a BottleneckAnalysis made elsewhere (no trees: no self time, no findings), with its recommendations', () => {
    const live: BottleneckAnalysis = { operation: 'GET /x', component: 'express', sampleCount: 9, averageTime: 5, minTime: 1, maxTime: 9, percentile95: 8, percentile99: 9, errorRate: 0, severity: 'LOW', recommendations: ['look'] };
    const lines = formatBottleneckTable([live]).split('\n');
    expect(lines[1]).to.match(/^LOW\s+-\s+GET \/x\s+9\s+-\s+8\.0\s+9\.0\s+9\.0\s+0%\s+-$/);
    expect(lines[2]).to.equal('  express GET /x: look');
  });

  it('limits rows and findings', () => {
    const lines = formatBottleneckTable(rows, { limit: 1, maxFindings: 0 }).split('\n');
    expect(lines).to.have.length(3);
    expect(lines[2]).to.equal('… 2 more');
  });
});
