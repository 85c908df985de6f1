import { expect } from 'chai';
import { groupByTrace, querySpans } from '@audit-tracing/core';
import { record } from '../helpers/spanRecords.js';

const other = 'b'.repeat(32);
const spans = [
  record({ id: 'a', service: 'web', name: 'GET /cart', start: 1000, end: 1100, tags: { 'http.route': '/cart', 'http.response.status_code': 200 } }),
  record({ id: 'b', parent: 'a', service: 'web', name: 'SELECT cart', start: 1010, end: 1020, tags: { 'db.system': 'postgresql', hosts: ['db1', 'db2'] } }),
  record({ id: 'c', service: 'billing', name: 'POST /charge', start: 2000, end: 2500, status: 'ERROR', trace: other, tags: { 'http.response.status_code': 502 } }),
  record({ id: 'd', service: 'billing', name: 'GET /health', start: 3000, trace: other }),
];
const ids = (found: readonly { spanId: string }[]) => found.map((s) => s.spanId.replace(/^0+/, ''));

describe('querySpans', () => {
  it('selects by trace, service and operation (names, patterns, lists)', () => {
    expect(ids(querySpans(spans, { traceId: other.toUpperCase() }))).to.deep.equal(['c', 'd']);
    expect(ids(querySpans(spans, { service: 'web' }))).to.deep.equal(['a', 'b']);
    expect(ids(querySpans(spans, { operation: /^get /i }))).to.deep.equal(['a', 'd']);
    expect(ids(querySpans(spans, { operation: ['SELECT cart', /charge/g] }))).to.deep.equal(['b', 'c']);
    // a /g pattern keeps no state between spans
    expect(ids(querySpans(spans, { operation: /T/g }))).to.deep.equal(['a', 'b', 'c', 'd']);
  });

  it('selects by status, duration, tags and start time; every condition must hold', () => {
    expect(ids(querySpans(spans, { status: 'ERROR' }))).to.deep.equal(['c']);
    expect(ids(querySpans(spans, { status: ['OK', 'TIMEOUT'] }))).to.deep.equal(['a', 'b', 'd']);
    expect(ids(querySpans(spans, { minDuration: 100 }))).to.deep.equal(['a', 'c']);
    expect(ids(querySpans(spans, { maxDuration: 100 }))).to.deep.equal(['a', 'b']);
    expect(ids(querySpans(spans, { tags: { 'http.response.status_code': 502 } }))).to.deep.equal(['c']);
    expect(ids(querySpans(spans, { tags: { 'http.response.status_code': /^5/ } }))).to.deep.equal(['c']);
    expect(ids(querySpans(spans, { tags: { hosts: 'db2' } }))).to.deep.equal(['b']);
    expect(ids(querySpans(spans, { from: 1010, to: new Date(2000) }))).to.deep.equal(['b', 'c']);
    expect(ids(querySpans(spans, { service: 'billing', minDuration: 0 }))).to.deep.equal(['c']);
    expect(querySpans(spans, {})).to.have.length(4);
  });

  it('checks the query before reading a span', () => {
    expect(() => querySpans(spans, { status: 'FAILED' as never })).to.throw(TypeError, 'querySpans.status: expected OK, ERROR, TIMEOUT or CANCELLED (or a list of them), got "FAILED"');
    expect(() => querySpans(spans, { minDuration: -1 })).to.throw(/querySpans\.minDuration/);
    expect(() => querySpans(spans, { from: 'yesterday' as never })).to.throw(/querySpans\.from: expected epoch milliseconds or a Date/);
    expect(() => querySpans(spans, { service: '' })).to.throw(/querySpans\.service/);
    expect(() => querySpans(spans, { operaton: 'x' } as never)).to.throw(/querySpans\.operaton: unknown option/);
    expect(() => querySpans(spans, { tags: { x: {} as never } })).to.throw(/querySpans\.tags\.x/);
  });
});

describe('groupByTrace', () => {
  it('groups spans by trace id, traces in order of first appearance', () => {
    const traces = groupByTrace([spans[2], spans[0], spans[3], spans[1]]);
    expect([...traces.keys()]).to.deep.equal([other, spans[0].traceId]);
    expect(ids(traces.get(other)!)).to.deep.equal(['c', 'd']);
  });
});
