import { expect } from 'chai';
import { AuditTracer, buildTraceTree, formatTraceTree, InMemoryExporter, type AuditSpan, type TraceTreeNode } from '@audit-tracing/core';
import { record } from '../helpers/spanRecords.js';

const names = (nodes: readonly TraceTreeNode[]) => nodes.map((n) => n.span.operationName);

describe('buildTraceTree', () => {
  it('links children in start order, with depth, duration and self time', () => {
    const roots = buildTraceTree([
      record({ id: 'c', parent: 'a', name: 'second', start: 20, end: 40 }),
      record({ id: 'd', parent: 'b', name: 'deep', start: 12, end: 15 }),
      record({ id: 'a', name: 'root', start: 0, end: 50 }),
      record({ id: 'b', parent: 'a', name: 'first', start: 10, end: 30 }),
    ]);
    expect(roots).to.have.length(1);
    const [root] = roots;
    expect(root).to.include({ depth: 0, orphan: false, skewMs: 0, startTime: 0, endTime: 50, duration: 50 });
    expect(names(root.children)).to.deep.equal(['first', 'second']);
    expect(root.children[0].children[0]).to.include({ depth: 2, duration: 3 });
    // children cover 10–40 (overlapping 10–30 and 20–40): 50 - 30
    expect(root.selfTime).to.equal(20);
    expect(root.children[0].selfTime).to.equal(17);
    expect(root.children[1].selfTime).to.equal(20);
    expect(root.children[0].children[0].selfTime).to.equal(3);
  });

  it('self time counts only the part of a child inside its parent, and never goes below zero', () => {
    const [root] = buildTraceTree([
      record({ id: 'a', start: 0, end: 10 }),
      record({ id: 'b', parent: 'a', start: 5, end: 20 }),
      record({ id: 'c', parent: 'a', start: 0, end: 2 }),
      record({ id: 'd', parent: 'a', start: 1, end: 3 }),
    ]);
    // covered: 0–3 and 5–10 → 8 of 10
    expect(root.selfTime).to.equal(2);
  });

  it('keeps spans with a missing parent as roots, flagged orphan', () => {
    const roots = buildTraceTree([
      record({ id: 'a', name: 'root', start: 0, end: 100 }),
      record({ id: 'c', parent: 'b', name: 'lost child', start: 10, end: 20 }),
      record({ id: 'd', parent: 'c', name: 'grandchild', start: 12, end: 18 }),
    ]);
    expect(names(roots)).to.deep.equal(['root', 'lost child']);
    expect(roots.map((r) => r.orphan)).to.deep.equal([false, true]);
    expect(names(roots[1].children)).to.deep.equal(['grandchild']);
    expect(roots[1].children[0].orphan).to.equal(false);
    expect(formatTraceTree(roots).split('\n')[1]).to.contain('(parent missing)');
  });

  it('cuts parent cycles instead of losing their spans', () => {
    const roots = buildTraceTree([
      record({ id: 'a', parent: 'b', name: 'x', start: 5, end: 10 }),
      record({ id: 'b', parent: 'a', name: 'y', start: 0, end: 20 }),
      record({ id: 'c', parent: 'c', name: 'self', start: 0, end: 1 }),
    ]);
    expect(names(roots).sort()).to.deep.equal(['self', 'y']);
    const y = roots.find((r) => r.span.operationName === 'y')!;
    expect(y.orphan).to.equal(true);
    expect(names(y.children)).to.deep.equal(['x']);
  });

  it('keeps spans of different traces apart, even with equal span ids', () => {
    const other = 'f'.repeat(32);
    const roots = buildTraceTree([
      record({ id: 'a', start: 0, end: 10 }),
      record({ id: 'a', trace: other, start: 0, end: 10 }),
      record({ id: 'b', parent: 'a', trace: other, start: 1, end: 2 }),
    ]);
    expect(roots).to.have.length(2);
    expect(roots.find((r) => r.span.traceId === other)!.children).to.have.length(1);
  });

  describe('clock skew between services', () => {
    it('moves a remote child that starts before its parent into it (centred), and says by how much', () => {
      // the client span 100–200 on the web service; the server span on billing's clock, 30 ms behind: 80–140
      const [root] = buildTraceTree([
        record({ id: 'a', service: 'web', name: 'GET /pay', start: 90, end: 210 }),
        record({ id: 'b', parent: 'a', service: 'web', name: 'POST billing', kind: 'client', start: 100, end: 200 }),
        record({ id: 'c', parent: 'b', service: 'billing', name: 'POST /charge', kind: 'server', start: 80, end: 140 }),
        record({ id: 'd', parent: 'c', service: 'billing', name: 'db', start: 90, end: 130 }),
      ]);
      const client = root.children[0];
      const server = client.children[0];
      const db = server.children[0];
      expect(client.skewMs).to.equal(0);
      // centred: 60 ms in 100: starts at 120
      expect(server).to.include({ skewMs: 40, startTime: 120, endTime: 180, duration: 60 });
      // the same service's spans move with it, on the same clock
      expect(db).to.include({ skewMs: 40, startTime: 130, endTime: 170 });
      expect(server.span.startTime).to.equal(80); // the record is not changed
      expect(client.selfTime).to.equal(40);
      expect(formatTraceTree([root]).split('\n')[2]).to.contain('(clock skew +40.0ms)');
    });

    it('moves a remote child that ends after its parent; a longer child is aligned at the parent start', () => {
      const [root] = buildTraceTree([
        record({ id: 'a', service: 'web', start: 0, end: 100 }),
        record({ id: 'b', parent: 'a', service: 'api', start: 90, end: 130 }),
        record({ id: 'c', parent: 'a', service: 'api', start: 50, end: 200 }),
      ]);
      const [late, long] = [...root.children].sort((x, y) => x.span.startTime - y.span.startTime).reverse();
      expect(late).to.include({ skewMs: -60, startTime: 30, endTime: 70 });
      expect(long).to.include({ skewMs: -50, startTime: 0, endTime: 150 });
    });

    it('leaves a child of the same service alone, and a remote child that fits', () => {
      const [root] = buildTraceTree([
        record({ id: 'a', service: 'web', start: 10, end: 100 }),
        record({ id: 'b', parent: 'a', service: 'web', start: 0, end: 50 }),
        record({ id: 'c', parent: 'a', service: 'api', start: 20, end: 90 }),
      ]);
      expect(root.children.map((c) => c.skewMs)).to.deep.equal([0, 0]);
    });
  });

  it('takes live spans, an open one lasting until the latest end below it', () => {
    const tracer = new AuditTracer({ exporter: new InMemoryExporter(), processor: 'simple', serviceName: 'live' });
    const root = tracer.startSpan('root', null, { startTime: 1000 });
    const child = tracer.createChildSpan(root, 'child', { startTime: 1010 });
    child.finish(1030);
    const [tree] = buildTraceTree([child, root] as AuditSpan[]);
    expect(tree.span).to.equal(root);
    expect(tree).to.include({ startTime: 1000, endTime: 1030, selfTime: 10 });
    expect(formatTraceTree([tree]).split('\n')[0]).to.contain('open');
    root.finish(1040);
    expect(buildTraceTree([root, child] as AuditSpan[])[0]).to.include({ endTime: 1040, selfTime: 20 });
  });

  it('handles a chain 20 000 spans deep without running out of stack', () => {
    const spans = Array.from({ length: 20_000 }, (_, i) => record({ id: (i + 1).toString(16), parent: i === 0 ? undefined : i.toString(16), start: i, end: 40_000 - i }));
    const [root] = buildTraceTree(spans.reverse());
    let node = root;
    while (node.children.length > 0) node = node.children[0];
    expect(node.depth).to.equal(19_999);
    // 0–1 and 39 999–40 000 are the root's own
    expect(root.selfTime).to.equal(2);
  });
});
