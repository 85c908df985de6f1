import { flattenTraceTree, type TraceTreeNode } from './traceTree.js';

/**
 * Siblings that ran at the same time: for each span, its children split into runs of overlapping intervals (a
 * child joins a run when it starts before the run's latest end, so A–B and B–C overlapping make one run A, B, C
 * even if A and C do not), runs of one left out. Parents in tree order, each group in start order; skew-corrected
 * times. A call that starts exactly when another ends is sequential, not parallel.
 */
export function parallelGroups(tree: TraceTreeNode | readonly TraceTreeNode[]): TraceTreeNode[][] {
  const groups: TraceTreeNode[][] = [];
  for (const node of flattenTraceTree(tree)) {
    let run: TraceTreeNode[] = [];
    let runEnd = -Infinity;
    for (const child of node.children) {
      if (child.startTime < runEnd) run.push(child);
      else {
        if (run.length > 1) groups.push(run);
        run = [child];
      }
      if (child.endTime > runEnd) runEnd = child.endTime;
    }
    if (run.length > 1) groups.push(run);
  }
  return groups;
}
