import { expect } from 'chai';
import { buildTraceTree, criticalPath } from '@audit-tracing/core';
import { record } from '../helpers/spanRecords.js';

const pathOf = (spans: Parameters<typeof buildTraceTree>[0]) => criticalPath(buildTraceTree(spans)).map((n) => n.span.operationName);

describe('criticalPath', () => {
  it('follows the child that ends last, down the tree', () => {
    expect(
      pathOf([
        record({ id: 'a', name: 'root', start: 0, end: 100 }),
        record({ id: 'b', parent: 'a', name: 'fast', start: 10, end: 40 }),
        record({ id: 'c', parent: 'a', name: 'slow', start: 10, end: 90 }),
        record({ id: 'd', parent: 'c', name: 'slow.db', start: 20, end: 80 }),
        record({ id: 'e', parent: 'b', name: 'fast.db', start: 15, end: 35 }),
      ]),
    ).to.deep.equal(['root', 'slow', 'slow.db']);
  });

  it('takes sequential siblings that gate each other, not one that ran in parallel with a longer one', () => {
    // A 0–40 then B 50–95 in sequence; C 10–30 ran beside A
    expect(
      pathOf([
        record({ id: 'a', name: 'root', start: 0, end: 100 }),
        record({ id: 'b', parent: 'a', name: 'A', start: 0, end: 40 }),
        record({ id: 'c', parent: 'a', name: 'C', start: 10, end: 30 }),
        record({ id: 'd', parent: 'a', name: 'B', start: 50, end: 95 }),
      ]),
    ).to.deep.equal(['root', 'A', 'B']);
  });

  it('clips a child that overlaps the one after it, and goes on from its start', () => {
    // X 0–60 overlaps Y 50–100 (Y gates the end); before Y starts, X is what runs
    expect(
      pathOf([
        record({ id: 'a', name: 'root', start: 0, end: 100 }),
        record({ id: 'b', parent: 'a', name: 'X', start: 0, end: 60 }),
        record({ id: 'c', parent: 'a', name: 'Y', start: 50, end: 100 }),
        record({ id: 'd', parent: 'b', name: 'X.late', start: 55, end: 60 }),
        record({ id: 'e', parent: 'b', name: 'X.early', start: 5, end: 45 }),
      ]),
    ).to.deep.equal(['root', 'X', 'X.early', 'Y']);
  });

  it('from a forest (orphans), starts at the longest root; from a node, at that node', () => {
    const roots = buildTraceTree([
      record({ id: 'a', name: 'short', start: 0, end: 10 }),
      record({ id: 'c', parent: 'b', name: 'orphan', start: 0, end: 50 }),
      record({ id: 'd', parent: 'c', name: 'child', start: 5, end: 45 }),
    ]);
    expect(criticalPath(roots).map((n) => n.span.operationName)).to.deep.equal(['orphan', 'child']);
    expect(criticalPath(roots[0]).map((n) => n.span.operationName)).to.deep.equal(['short']);
    expect(criticalPath([])).to.deep.equal([]);
  });

  it('uses skew-corrected times', () => {
    // on its own clock the remote call would seem to end last; corrected, the local query ends last
    expect(
      pathOf([
        record({ id: 'a', service: 'web', name: 'root', start: 0, end: 100 }),
        record({ id: 'b', parent: 'a', service: 'api', name: 'remote', start: 60, end: 140 }),
        record({ id: 'c', parent: 'a', service: 'web', name: 'local', start: 80, end: 99 }),
      ]),
    ).to.deep.equal(['root', 'remote', 'local']);
  });
});
