import type { ReadableSpan } from '../types.js';

/** A span in its trace's tree, with times corrected for clock skew between services. Times in (epoch) ms. */
export interface TraceTreeNode {
  span: ReadableSpan;
  /** In start order. */
  children: TraceTreeNode[];
  /** 0 for roots. */
  depth: number;
  /**
   * True for a root whose span names a parent that is not among the spans (lost, not exported, still running) or
   * that sits in a parent cycle. A span whose parent is another process's (a remote parent) is such a root too.
   */
  orphan: boolean;
  /**
   * How far this span's times were moved to fit into its parent's (positive: later), 0 when they were not. A span
   * of another service than its parent's that starts before the parent or ends after it was measured on another
   * clock; it is moved into the parent (centred in it, or aligned at its start when it is longer), and the spans of
   * the same service below it move with it. This is Jaeger's clock-skew adjuster's rule.
   */
  skewMs: number;
  /** Start after the skew correction. */
  startTime: number;
  /** End after the skew correction; for a span still open, the latest end below it (or its start). */
  endTime: number;
  /** `endTime - startTime`. */
  duration: number;
  /** Time in this span when none of its children ran: `duration` minus the union of the children's intervals. */
  selfTime: number;
}

function serviceOf(span: ReadableSpan): string {
  return span.resource?.serviceName ?? '';
}

const byStart = (a: TraceTreeNode, b: TraceTreeNode) => a.startTime - b.startTime || a.span.startTime - b.span.startTime;

/** The shift that moves `child` (raw times) into `parent` (corrected times), or 0 when it already fits. */
function skewInto(child: TraceTreeNode, parent: TraceTreeNode): number {
  if (child.span.endTime === undefined || parent.span.endTime === undefined) return 0;
  const start = child.span.startTime;
  const end = child.span.endTime;
  if (start >= parent.startTime && end <= parent.endTime) return 0;
  const childDuration = end - start;
  const parentDuration = parent.endTime - parent.startTime;
  if (childDuration >= parentDuration) return parent.startTime - start;
  return parent.startTime + (parentDuration - childDuration) / 2 - start;
}

/** The length of the union of the children's intervals, clipped to the node's. Children are in start order. */
function coveredByChildren(node: TraceTreeNode): number {
  let covered = 0;
  let runStart = Number.NaN;
  let runEnd = Number.NaN;
  for (const child of node.children) {
    const start = Math.max(child.startTime, node.startTime);
    const end = Math.min(child.endTime, node.endTime);
    if (end <= start) continue;
    if (start > runEnd) {
      covered += runEnd - runStart;
      runStart = start;
      runEnd = end;
    } else if (Number.isNaN(runStart)) {
      runStart = start;
      runEnd = end;
    } else if (end > runEnd) runEnd = end;
  }
  return Number.isNaN(runStart) ? covered : covered + (runEnd - runStart);
}

/**
 * Every node below `roots`, parents before children (iterative: traces can be deep). Each node has one parent, so
 * no cycle is reachable from a root and no node is met twice.
 */
function preorder(roots: readonly TraceTreeNode[], out: TraceTreeNode[]): void {
  const stack: TraceTreeNode[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push(roots[i]);
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.push(node);
    const children = node.children;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
}

/**
 * Links spans (records or live spans, of one trace or several) into trees by parent id, and returns the roots in
 * start order. Spans whose parent is missing become roots flagged `orphan`; times are corrected for clock skew
 * between services (`skewMs`), and each node gets its `selfTime`. The spans themselves are not changed.
 */
export function buildTraceTree(spans: Iterable<ReadableSpan>): TraceTreeNode[] {
  const all: TraceTreeNode[] = [];
  let oneTrace = true;
  for (const span of spans) {
    all.push({ span, children: [], depth: 0, orphan: false, skewMs: 0, startTime: span.startTime, endTime: span.endTime ?? span.startTime, duration: 0, selfTime: 0 });
    if (oneTrace && span.traceId !== all[0].span.traceId) oneTrace = false;
  }
  // Spans of one trace (the usual case) are found by span id alone; of several, by trace and span id.
  const keyOf = oneTrace ? (_traceId: string, spanId: string) => spanId : (traceId: string, spanId: string) => `${traceId}/${spanId}`;
  const byId = new Map<string, TraceTreeNode>();
  for (const node of all) {
    const key = keyOf(node.span.traceId, node.span.spanId);
    if (!byId.has(key)) byId.set(key, node);
  }
  const roots: TraceTreeNode[] = [];
  for (const node of all) {
    const parentId = node.span.parentSpanId;
    const parent = parentId === undefined ? undefined : byId.get(keyOf(node.span.traceId, parentId));
    if (parent !== undefined && parent !== node) {
      parent.children.push(node);
    } else {
      node.orphan = parentId !== undefined;
      roots.push(node);
    }
  }

  // Spans in a parent cycle are reachable from no root: cut each cycle at its earliest span.
  const order: TraceTreeNode[] = [];
  preorder(roots, order);
  if (order.length < all.length) {
    const seen = new Set(order);
    const lost = all.filter((node) => !seen.has(node)).sort((a, b) => a.span.startTime - b.span.startTime);
    for (const node of lost) {
      if (seen.has(node)) continue;
      const parent = byId.get(keyOf(node.span.traceId, node.span.parentSpanId!))!;
      parent.children.splice(parent.children.indexOf(node), 1);
      node.orphan = true;
      roots.push(node);
      const below: TraceTreeNode[] = [];
      preorder([node], below);
      for (const reached of below) {
        seen.add(reached);
        order.push(reached);
      }
    }
  }

  // An open span lasts, for the tree, until the latest end below it.
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    if (node.span.endTime !== undefined) continue;
    for (const child of node.children) if (child.endTime > node.endTime) node.endTime = child.endTime;
  }

  // Top down: a child on another service's clock is moved into its parent; a child on the same clock moves with it.
  roots.sort(byStart);
  for (const root of roots) root.duration = root.endTime - root.startTime;
  for (const node of order) {
    for (const child of node.children) {
      const shift = serviceOf(child.span) === serviceOf(node.span) ? node.skewMs : skewInto(child, node);
      if (shift !== 0) {
        child.skewMs = shift;
        child.startTime = child.span.startTime + shift;
        child.endTime += shift;
      }
      child.depth = node.depth + 1;
      child.duration = child.endTime - child.startTime;
    }
    node.children.sort(byStart);
    node.selfTime = Math.max(0, node.duration - coveredByChildren(node));
  }
  return roots;
}

function preorderFrom(roots: readonly TraceTreeNode[]): TraceTreeNode[] {
  const out: TraceTreeNode[] = [];
  preorder(roots, out);
  return out;
}

/** The nodes of trees, parents before children. */
export function flattenTraceTree(roots: TraceTreeNode | readonly TraceTreeNode[]): TraceTreeNode[] {
  return preorderFrom(Array.isArray(roots) ? roots : [roots as TraceTreeNode]);
}
