import { invalidOption } from '../invalidOption.js';
import type { ReadableSpan } from '../types.js';
import {
  collectCallEvidence,
  DEFAULT_RECOMMENDATION_THRESHOLDS,
  newEvidence,
  OperationIndex,
  type CallEvidence,
  type OperationRef,
  type RecommendationThresholds,
} from './callPatterns.js';
import { groupByTrace } from './groupByTrace.js';
import { percentileOfSorted } from './percentile.js';
import { buildTraceTree, flattenTraceTree } from './traceTree.js';

export type BottleneckSeverity = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/** What a finding is about; each kind has its own rule (see `RecommendationThresholds`). */
export type BottleneckFindingKind = 'slow' | 'n_plus_one' | 'sequential_calls' | 'high_variance' | 'high_error_rate' | 'dominant_downstream';

/** One thing the spans show about an operation, and what to do about it. */
export interface BottleneckFinding {
  kind: BottleneckFindingKind;
  message: string;
  /** A trace that shows it, when it comes from the shape of traces. */
  exampleTraceId?: string;
}

/**
 * Timing statistics of one operation, with a severity and what to look at. Times in ms. What needs whole traces
 * (self time, findings from their shape) is optional here, so that a live view without trees (a metrics
 * processor's window) can give one too; `analyzeBottlenecks` fills every field (`OperationAnalysis`).
 */
export interface BottleneckAnalysis {
  /** `resource.serviceName` of its spans. */
  service?: string;
  operation: string;
  /** The component of its first span (http, express, pg…). */
  component: string;
  sampleCount: number;
  averageTime: number;
  minTime: number;
  maxTime: number;
  percentile50?: number;
  percentile95: number;
  percentile99: number;
  /** Share (0–1) of its spans whose status is not OK. */
  errorRate: number;
  /** Sum of its spans' self time (time when none of their children ran). */
  selfTime?: number;
  /** Its self time as a share (0–1) of the self time of all spans analysed: where the time actually goes. */
  selfTimeShare?: number;
  severity: BottleneckSeverity;
  findings?: BottleneckFinding[];
  /** What to do, in words: the findings' messages. */
  recommendations: string[];
}

/** A `BottleneckAnalysis` made from spans by `analyzeBottlenecks`: every field set. */
export interface OperationAnalysis extends BottleneckAnalysis {
  service: string;
  percentile50: number;
  selfTime: number;
  selfTimeShare: number;
  findings: BottleneckFinding[];
}

/** p95 thresholds (ms) at and above which an operation is MEDIUM, HIGH and CRITICAL. */
export interface BottleneckThresholds {
  medium: number;
  high: number;
  critical: number;
}

export const DEFAULT_BOTTLENECK_THRESHOLDS: Readonly<BottleneckThresholds> = Object.freeze({ medium: 100, high: 500, critical: 2000 });

export interface AnalyzeBottlenecksOptions {
  /** Severity by p95; any left out keep their default. */
  thresholds?: Partial<BottleneckThresholds>;
  /** When a finding is made; any left out keep their default. */
  recommendations?: Partial<RecommendationThresholds>;
}

const SEVERITY_ORDER: readonly (keyof BottleneckThresholds)[] = ['medium', 'high', 'critical'];
const RECOMMENDATION_KEYS = Object.keys(DEFAULT_RECOMMENDATION_THRESHOLDS) as (keyof RecommendationThresholds)[];
const SHARES: ReadonlySet<string> = new Set(['errorRate', 'dominantShare', 'sequentialShare']);

function resolveOptions(options: AnalyzeBottlenecksOptions | BottleneckThresholds | undefined): { thresholds: BottleneckThresholds; recommend: RecommendationThresholds } {
  if (options !== undefined && (options === null || typeof options !== 'object')) throw invalidOption('analyzeBottlenecks', 'options', 'an options object', options);
  // The first form of the second argument was the thresholds themselves: still accepted.
  const legacy = options !== undefined && !('thresholds' in options) && !('recommendations' in options) && SEVERITY_ORDER.some((key) => key in options);
  const given = legacy ? (options as Partial<BottleneckThresholds>) : ((options as AnalyzeBottlenecksOptions | undefined)?.thresholds ?? {});
  const thresholds = { ...DEFAULT_BOTTLENECK_THRESHOLDS, ...given };
  let previous = 0;
  for (const key of SEVERITY_ORDER) {
    const value = thresholds[key];
    if (typeof value !== 'number' || !(value >= previous) || !Number.isFinite(value)) {
      throw invalidOption('analyzeBottlenecks', `thresholds.${key}`, `a number of ms >= ${previous} (medium <= high <= critical)`, value);
    }
    previous = value;
  }
  const recommend = { ...DEFAULT_RECOMMENDATION_THRESHOLDS, ...(legacy ? {} : (options as AnalyzeBottlenecksOptions | undefined)?.recommendations) };
  for (const key of RECOMMENDATION_KEYS) {
    const value = recommend[key];
    const ok = typeof value === 'number' && Number.isFinite(value) && value >= 0 && (!SHARES.has(key) || value <= 1);
    if (!ok) throw invalidOption('analyzeBottlenecks', `recommendations.${key}`, SHARES.has(key) ? 'a number from 0 to 1' : 'a number >= 0', value);
  }
  return { thresholds, recommend };
}

function severityOf(p95: number, thresholds: BottleneckThresholds): BottleneckSeverity {
  if (p95 >= thresholds.critical) return 'CRITICAL';
  if (p95 >= thresholds.high) return 'HIGH';
  if (p95 >= thresholds.medium) return 'MEDIUM';
  return 'LOW';
}

interface Group {
  service: string;
  operation: string;
  component: string;
  durations: number[];
  errors: number;
  selfTime: number;
  /** Spans of it that have children, for the call findings. */
  evidence: CallEvidence;
}

const percent = (share: number) => `${Math.round(share * 100)}%`;
const ms = (value: number) => `${value.toFixed(1)}ms`;

function findingsOf(group: Group, stats: { p50: number; p95: number; p99: number; count: number; errorRate: number; severity: BottleneckSeverity }, r: RecommendationThresholds): BottleneckFinding[] {
  const out: BottleneckFinding[] = [];
  const { evidence } = group;
  for (const repeated of evidence.repeated.values()) {
    out.push({
      kind: 'n_plus_one',
      message: `calls ${repeated.label} up to ${repeated.maxCalls} times in sequence (in ${repeated.parents} of ${stats.count} spans): an N+1 pattern — fetch them in one batched call`,
      exampleTraceId: repeated.exampleTraceId,
    });
  }
  if (evidence.sequential) {
    const s = evidence.sequential;
    out.push({
      kind: 'sequential_calls',
      message: `calls ${s.labels.join(', ')} one after another (in ${s.parents} of ${stats.count} spans): if they do not depend on each other, run them in parallel (about ${ms(s.saving / s.parents)} saved each time)`,
      exampleTraceId: s.exampleTraceId,
    });
  }
  let dominant: { label: string; share: number; exampleTraceId: string } | undefined;
  for (const d of evidence.downstream.values()) {
    const share = d.parentTime > 0 ? d.childTime / d.parentTime : 0;
    if (share >= r.dominantShare && (!dominant || share > dominant.share)) dominant = { label: d.label, share, exampleTraceId: d.exampleTraceId };
  }
  if (dominant) {
    out.push({ kind: 'dominant_downstream', message: `${dominant.label} takes ${percent(dominant.share)} of its time: look there first`, exampleTraceId: dominant.exampleTraceId });
  }
  if (stats.count >= r.varianceMinSamples && stats.p50 > 0 && stats.p99 / stats.p50 >= r.varianceRatio) {
    out.push({ kind: 'high_variance', message: `p99 (${ms(stats.p99)}) is ${(stats.p99 / stats.p50).toFixed(1)}x p50 (${ms(stats.p50)}): look for contention, retries, cold caches or garbage collection on the slow tail` });
  }
  if (stats.errorRate >= r.errorRate && stats.errorRate > 0) {
    out.push({ kind: 'high_error_rate', message: `${percent(stats.errorRate)} of calls fail: errors can hide as latency (timeouts, retries)` });
  }
  if (stats.severity !== 'LOW') out.push({ kind: 'slow', message: `p95 of ${ms(stats.p95)}: profile "${group.operation}" or cache its result` });
  return out;
}

/**
 * Statistics per service and operation over finished spans (records read back with `readSpans`, or live spans),
 * slowest p95 first. Percentiles are exact: the durations are sorted and p is interpolated linearly between the
 * closest ranks (`rank = p/100 × (n − 1)`, numpy's default, Hyndman–Fan type 7). Severity grades p95 against
 * `thresholds`. Findings come from the values and from the shape of each trace (its tree): N+1, sequential
 * calls, a dominant downstream, high variance, a high error rate, and slowness itself. Spans not yet ended are
 * part of their trees but not of the statistics.
 */
export function analyzeBottlenecks(spans: Iterable<ReadableSpan>, options?: AnalyzeBottlenecksOptions | BottleneckThresholds): OperationAnalysis[] {
  const { thresholds, recommend } = resolveOptions(options);
  const groups = new Map<OperationRef, Group>();
  const operations = new OperationIndex();
  let totalSelfTime = 0;
  // One trace at a time: its tree lives only while it is looked at, so memory stays near the records' own.
  for (const traceSpans of groupByTrace(spans).values()) {
    for (const node of flattenTraceTree(buildTraceTree(traceSpans))) {
      const span = node.span;
      if (span.endTime === undefined || span.duration === undefined) continue;
      const ref = operations.of(span);
      let group = groups.get(ref);
      if (group === undefined) {
        group = { service: ref.service, operation: ref.operation, component: span.component, durations: [], errors: 0, selfTime: 0, evidence: newEvidence() };
        groups.set(ref, group);
      }
      group.durations.push(span.duration);
      if (span.status.code !== 'OK') group.errors++;
      group.selfTime += node.selfTime;
      totalSelfTime += node.selfTime;
      collectCallEvidence(node, group.evidence, recommend, operations);
    }
  }

  const out: OperationAnalysis[] = [];
  for (const group of groups.values()) {
    const sorted = Float64Array.from(group.durations).sort();
    const count = sorted.length;
    let sum = 0;
    for (let i = 0; i < count; i++) sum += sorted[i];
    const p50 = percentileOfSorted(sorted, 50);
    const p95 = percentileOfSorted(sorted, 95);
    const p99 = percentileOfSorted(sorted, 99);
    const errorRate = group.errors / count;
    const severity = severityOf(p95, thresholds);
    const findings = findingsOf(group, { p50, p95, p99, count, errorRate, severity }, recommend);
    out.push({
      service: group.service,
      operation: group.operation,
      component: group.component,
      sampleCount: count,
      averageTime: sum / count,
      minTime: sorted[0],
      maxTime: sorted[count - 1],
      percentile50: p50,
      percentile95: p95,
      percentile99: p99,
      errorRate,
      selfTime: group.selfTime,
      selfTimeShare: totalSelfTime > 0 ? group.selfTime / totalSelfTime : 0,
      severity,
      findings,
      recommendations: findings.map((f) => f.message),
    });
  }
  return out.sort((a, b) => b.percentile95 - a.percentile95 || b.selfTime - a.selfTime);
}
