// What a span's children show about how it calls others, one parent at a time: N+1 (the same call repeated in
// sequence), sequential independent calls, and one downstream taking most of the parent's time. Evidence is
// summed per parent operation over all its spans, so a pattern seen in 9 of 10 requests says so.

import type { ReadableSpan } from '../types.js';
import type { TraceTreeNode } from './traceTree.js';

export interface RecommendationThresholds {
  /** An operation whose error rate reaches this (0–1) gets a finding. Default 0.05. */
  errorRate: number;
  /** p99 / p50 at or above this is high variance. Default 4. */
  varianceRatio: number;
  /** Samples needed before p99 against p50 means anything. Default 20. */
  varianceMinSamples: number;
  /** The same operation called at least this many times in sequence under one parent is N+1. Default 5. */
  nPlusOneCalls: number;
  /** A downstream call taking at least this share (0–1) of its parent's time dominates it. Default 0.8. */
  dominantShare: number;
  /** Sequential calls to different operations taking at least this share of the parent's time could run in parallel. Default 0.5. */
  sequentialShare: number;
}

export const DEFAULT_RECOMMENDATION_THRESHOLDS: Readonly<RecommendationThresholds> = Object.freeze({
  errorRate: 0.05,
  varianceRatio: 4,
  varianceMinSamples: 20,
  nPlusOneCalls: 5,
  dominantShare: 0.8,
  sequentialShare: 0.5,
});

/** One operation of one service: the same object for every span of it, so that maps key on it without strings. */
export interface OperationRef {
  readonly service: string;
  readonly operation: string;
}

const NO_RESOURCE = {};

/**
 * Gives each service and operation one `OperationRef`, for one analysis (so that nothing outlives it): found by
 * the span's resource object first (shared by the spans of a tracer, and by the records read from one source),
 * then by service name, so that equal resources that are different objects still give one reference.
 */
export class OperationIndex {
  private readonly byResource = new Map<object, Map<string, OperationRef>>();
  private readonly byService = new Map<string, Map<string, OperationRef>>();

  of(span: ReadableSpan): OperationRef {
    const resource: object = span.resource ?? NO_RESOURCE;
    let byName = this.byResource.get(resource);
    if (byName === undefined) this.byResource.set(resource, (byName = new Map()));
    let ref = byName.get(span.operationName);
    if (ref === undefined) byName.set(span.operationName, (ref = this.intern(span.resource?.serviceName ?? '', span.operationName)));
    return ref;
  }

  private intern(service: string, operation: string): OperationRef {
    let byName = this.byService.get(service);
    if (byName === undefined) this.byService.set(service, (byName = new Map()));
    let ref = byName.get(operation);
    if (ref === undefined) byName.set(operation, (ref = Object.freeze({ service, operation })));
    return ref;
  }
}

export function describeOperation(node: TraceTreeNode): string {
  return `"${node.span.operationName}" [${node.span.resource?.serviceName ?? node.span.component}]`;
}

/** Evidence for one parent operation, summed over its spans. */
export interface CallEvidence {
  /** N+1, per repeated child operation. */
  repeated: Map<OperationRef, { label: string; parents: number; maxCalls: number; exampleTraceId: string }>;
  /** Parents whose distinct downstream calls ran one after another over `sequentialShare` of their time. */
  sequential: { parents: number; saving: number; labels: string[]; exampleTraceId: string } | undefined;
  /** Per downstream operation: its time inside the parents it appears in, and those parents' time. */
  downstream: Map<OperationRef, { label: string; childTime: number; parentTime: number; exampleTraceId: string }>;
}

export function newEvidence(): CallEvidence {
  return { repeated: new Map(), sequential: undefined, downstream: new Map() };
}

function isCallSpan(node: TraceTreeNode): boolean {
  return node.span.kind === 'client' || node.span.kind === 'producer';
}

/** A call to another process: a client or producer span, or a child of another service. */
function isDownstream(child: TraceTreeNode, parent: TraceTreeNode): boolean {
  return isCallSpan(child) || child.span.resource?.serviceName !== parent.span.resource?.serviceName;
}

/** Time of `children` (in start order) inside the parent, overlaps counted once. */
function unionInside(children: readonly TraceTreeNode[], parent: TraceTreeNode): number {
  let covered = 0;
  let runStart = 0;
  let runEnd = -Infinity;
  for (const child of children) {
    const start = Math.max(child.startTime, parent.startTime);
    const end = Math.min(child.endTime, parent.endTime);
    if (end <= start) continue;
    if (start > runEnd) {
      if (runEnd > runStart) covered += runEnd - runStart;
      runStart = start;
      runEnd = end;
    } else if (end > runEnd) runEnd = end;
  }
  return runEnd > runStart ? covered + (runEnd - runStart) : covered;
}

/** Adds what `parent`'s children show to `evidence`. Children are in start order (buildTraceTree sorts them). */
export function collectCallEvidence(parent: TraceTreeNode, evidence: CallEvidence, thresholds: RecommendationThresholds, operations: OperationIndex): void {
  const children = parent.children;
  if (children.length === 0 || parent.span.endTime === undefined || parent.duration <= 0) return;
  const traceId = parent.span.traceId;

  const byOperation = new Map<OperationRef, TraceTreeNode[]>();
  for (const child of children) {
    const key = operations.of(child.span);
    const same = byOperation.get(key);
    if (same) same.push(child);
    else byOperation.set(key, [child]);
  }

  for (const [key, same] of byOperation) {
    // N+1: the longest chain of calls to one operation, each starting after the one before it ended
    if (same.length >= thresholds.nPlusOneCalls) {
      let chain = 1;
      let longest = 1;
      for (let i = 1; i < same.length; i++) {
        chain = same[i].startTime >= same[i - 1].endTime ? chain + 1 : 1;
        if (chain > longest) longest = chain;
      }
      if (longest >= thresholds.nPlusOneCalls) {
        const seen = evidence.repeated.get(key);
        if (seen) {
          seen.parents++;
          seen.maxCalls = Math.max(seen.maxCalls, longest);
        } else evidence.repeated.set(key, { label: describeOperation(same[0]), parents: 1, maxCalls: longest, exampleTraceId: traceId });
      }
    }
    // The share of the parent one downstream operation takes. Under a client span, the child is the same call
    // seen from the server: that it fills its client span says nothing.
    if (!isCallSpan(parent) && isDownstream(same[0], parent)) {
      const time = unionInside(same, parent);
      const seen = evidence.downstream.get(key);
      if (seen) {
        seen.childTime += time;
        seen.parentTime += parent.duration;
      } else evidence.downstream.set(key, { label: describeOperation(same[0]), childTime: time, parentTime: parent.duration, exampleTraceId: traceId });
    }
  }

  // Sequential calls to different operations: runs of downstream children, none overlapping the next.
  let run: TraceTreeNode[] = [];
  let best: TraceTreeNode[] = [];
  let bestTime = 0;
  const closeRun = () => {
    if (run.length < 2) return;
    const first = operations.of(run[0].span);
    if (run.some((node) => operations.of(node.span) !== first)) {
      const time = run.reduce((sum, node) => sum + node.duration, 0);
      if (time > bestTime) {
        best = run;
        bestTime = time;
      }
    }
  };
  for (const child of children) {
    if (!isDownstream(child, parent)) continue;
    if (run.length > 0 && child.startTime < run[run.length - 1].endTime) {
      closeRun();
      run = [];
    }
    run.push(child);
  }
  closeRun();
  if (best.length >= 2 && bestTime >= thresholds.sequentialShare * parent.duration) {
    // The calls to each operation taken as one stage (repeats are the N+1 finding's business): run in parallel,
    // the stages would take as long as the longest of them.
    const stages = new Map<OperationRef, number>();
    for (const node of best) stages.set(operations.of(node.span), (stages.get(operations.of(node.span)) ?? 0) + node.duration);
    const saving = bestTime - Math.max(...stages.values());
    if (evidence.sequential) {
      evidence.sequential.parents++;
      evidence.sequential.saving += saving;
    } else {
      const labels = [...new Set(best.map(describeOperation))];
      evidence.sequential = { parents: 1, saving, labels, exampleTraceId: traceId };
    }
  }
}
