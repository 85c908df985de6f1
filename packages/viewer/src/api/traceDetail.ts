import { buildTraceTree, criticalPath, flattenTraceTree, type ReadableSpan, type TraceTreeNode } from '@audit-tracing/core';
import type { StoredTrace } from '../SpanStore.js';
import { summarize, type TraceSummary } from './traceQuery.js';

/** One waterfall row: a span with where it sits and what the tree made of its times. */
export interface WaterfallRow {
  span: ReadableSpan;
  depth: number;
  /** Start and end after clock-skew correction, epoch ms. */
  startTime: number;
  endTime: number;
  /** How far the span was moved to fit into its parent (another service's clock), ms; 0 when it was not. */
  skewMs: number;
  selfTime: number;
  /** Its parent is not among the spans (lost, still running, or another system's). */
  orphan: boolean;
  /** On the chain of spans that decides the trace's end-to-end latency. */
  critical: boolean;
}

export interface TraceDetail extends TraceSummary {
  /** Parents before children, siblings in start order: the waterfall, top to bottom. */
  rows: WaterfallRow[];
}

/** The trace page's data: the spans as a skew-corrected tree, flattened into rows, the critical path marked. */
export function traceDetail(trace: StoredTrace): TraceDetail {
  const roots = buildTraceTree(trace.spans);
  const critical = new Set<TraceTreeNode>(criticalPath(roots));
  const rows = flattenTraceTree(roots).map(
    (node): WaterfallRow => ({
      span: node.span,
      depth: node.depth,
      startTime: node.startTime,
      endTime: node.endTime,
      skewMs: node.skewMs,
      selfTime: node.selfTime,
      orphan: node.orphan,
      critical: critical.has(node),
    }),
  );
  return { ...summarize(trace), rows };
}
