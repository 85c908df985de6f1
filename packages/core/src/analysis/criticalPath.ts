import type { TraceTreeNode } from './traceTree.js';

/** The root a forest of roots (a trace with orphans) is measured from: the longest, the earliest of equals. */
function mainRoot(roots: readonly TraceTreeNode[]): TraceTreeNode | undefined {
  let best: TraceTreeNode | undefined;
  for (const root of roots) if (best === undefined || root.duration > best.duration || (root.duration === best.duration && root.startTime < best.startTime)) best = root;
  return best;
}

/**
 * The spans that decide the end-to-end latency of `tree` (a node, or the roots `buildTraceTree` returned, of which
 * the longest is taken), in start order. The usual backwards walk (as Jaeger's critical path): from the end of a
 * span, the child that ends last before that point is on the path; the walk goes on inside it, and then, from that
 * child's start, with the siblings that end before it — so a chain of sequential calls is on the path, while a call
 * that ran in parallel with a longer one is not. Time in a span when no child runs is the span's own. Uses the
 * skew-corrected times of the nodes.
 */
export function criticalPath(tree: TraceTreeNode | readonly TraceTreeNode[]): TraceTreeNode[] {
  const root = Array.isArray(tree) ? mainRoot(tree) : (tree as TraceTreeNode);
  if (root === undefined) return [];
  const path: TraceTreeNode[] = [];
  const stack: [TraceTreeNode, number][] = [[root, root.endTime]];
  while (stack.length > 0) {
    const [node, bound] = stack.pop()!;
    path.push(node);
    // Children by end, latest first: the first one that starts before the cursor is the one that gates it (its
    // end, clipped to the cursor, is the latest); those passed over start after the cursor and never will.
    const byEnd = [...node.children].sort((a, b) => b.endTime - a.endTime);
    let cursor = Math.min(node.endTime, bound);
    for (const child of byEnd) {
      if (cursor <= node.startTime) break;
      if (child.startTime >= cursor) continue;
      stack.push([child, Math.min(child.endTime, cursor)]);
      cursor = child.startTime;
    }
  }
  return path.sort((a, b) => a.startTime - b.startTime || a.depth - b.depth);
}
