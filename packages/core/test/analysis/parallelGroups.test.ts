import { expect } from 'chai';
import { buildTraceTree, parallelGroups } from '@audit-tracing/core';
import { record } from '../helpers/spanRecords.js';

describe('parallelGroups', () => {
  it('groups overlapping siblings, per parent; sequential ones and lone ones are left out', () => {
    const roots = buildTraceTree([
      record({ id: 'a', name: 'root', start: 0, end: 100 }),
      record({ id: 'b', parent: 'a', name: 'p1', start: 0, end: 30 }),
      record({ id: 'c', parent: 'a', name: 'p2', start: 5, end: 20 }),
      record({ id: 'd', parent: 'a', name: 'p3', start: 25, end: 40 }),
      record({ id: 'e', parent: 'a', name: 'seq', start: 40, end: 50 }),
      record({ id: 'f', parent: 'a', name: 'q1', start: 60, end: 80 }),
      record({ id: 'a1', parent: 'a', name: 'q2', start: 70, end: 90 }),
      record({ id: 'b1', parent: 'f', name: 'f1', start: 61, end: 70 }),
      record({ id: 'c1', parent: 'f', name: 'f2', start: 62, end: 71 }),
    ]);
    const groups = parallelGroups(roots).map((g) => g.map((n) => n.span.operationName));
    // p1 and p3 do not overlap, but p3 overlaps the run p1–p2 reaches (until 30); seq starts as p3 ends
    expect(groups).to.deep.equal([
      ['p1', 'p2', 'p3'],
      ['q1', 'q2'],
      ['f1', 'f2'],
    ]);
  });

  it('finds none in a sequential trace, and works from any node', () => {
    const [root] = buildTraceTree([
      record({ id: 'a', start: 0, end: 30 }),
      record({ id: 'b', parent: 'a', start: 0, end: 10 }),
      record({ id: 'c', parent: 'a', start: 10, end: 20 }),
      record({ id: 'd', parent: 'c', start: 11, end: 15 }),
      record({ id: 'e', parent: 'c', start: 12, end: 19 }),
    ]);
    expect(parallelGroups(root)).to.have.length(1);
    expect(parallelGroups(root.children[0])).to.deep.equal([]);
  });
});
