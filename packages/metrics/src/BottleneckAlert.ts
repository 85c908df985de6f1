import { bottleneckSeverity, type BottleneckAnalysis, type BottleneckFinding, type BottleneckSeverity, type BottleneckThresholds, type SpanKind } from '@audit-tracing/core';
import type { Exemplar } from './Exemplar.js';
import type { Series } from './Series.js';
import { quantileOf, type WindowStats } from './window.js';

/** What `onBottleneck` callbacks receive: an operation that is HIGH or CRITICAL over the sliding window. */
export interface BottleneckAlert {
  /**
   * The operation's statistics over the window (`sampleCount` spans), shaped as `analyzeBottlenecks` reports them.
   * Live spans come one at a time, without their children, so `selfTime` and `selfTimeShare` are NaN (unknown), and
   * the findings are those a window can show: `slow` and `high_error_rate`, each with a trace to open.
   */
  readonly analysis: BottleneckAnalysis & { readonly findings: BottleneckFinding[] };
  /** The span kind of the operation (the analysis groups by service and operation; alerts also by kind). */
  readonly kind: SpanKind;
  /**
   * `crossed`: it was below HIGH (or never seen) at the previous check; `escalated`: from HIGH to CRITICAL;
   * `reminder`: still HIGH or CRITICAL a cool-down after the last alert.
   */
  readonly reason: 'crossed' | 'escalated' | 'reminder';
  /** The slowest spans of the window, slowest first: the traces to open. */
  readonly slowest: readonly Exemplar[];
  /** The latest failed spans of the operation, newest first. */
  readonly failed: readonly Exemplar[];
  readonly windowMs: number;
  /** When the check ran, epoch ms. */
  readonly time: number;
}

/** The spans of one service, operation and kind, across statuses, and where its alerting stands. */
export interface OperationGroup {
  readonly service: string;
  readonly operation: string;
  readonly kind: SpanKind;
  /** The component of the first span seen (`express`, `http`…). */
  readonly component: string;
  /** Indexed by status (`STATUSES`). */
  readonly series: (Series | undefined)[];
  /** The severity last reported, while it stays HIGH or CRITICAL. */
  alerted: BottleneckSeverity | undefined;
  alertedAt: number;
}


const RANK: Record<BottleneckSeverity, number> = { LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3 };
// More failures than this in the window earn a recommendation of their own (core's analysis uses the same 5 %).
const HIGH_ERROR_RATE = 0.05;

export interface AlertSettings {
  readonly thresholds: Readonly<BottleneckThresholds>;
  readonly minSamples: number;
  readonly cooldownMs: number;
  readonly windowMs: number;
}

/**
 * Moves the group's alert state to what its window shows and returns the alert to send, if any: once when it
 * crosses into HIGH or CRITICAL, once more when it escalates to CRITICAL, then only after `cooldownMs` while it
 * stays there. Falling below HIGH (or below `minSamples`) clears the state, so the next crossing alerts again.
 */
export function nextAlert(group: OperationGroup, stats: WindowStats, settings: AlertSettings, time: number): BottleneckAlert | undefined {
  const p95 = quantileOf(stats, 0.95);
  const severity = stats.count >= settings.minSamples ? bottleneckSeverity(p95, settings.thresholds) : 'LOW';
  if (RANK[severity] < RANK.HIGH) {
    group.alerted = undefined;
    return undefined;
  }
  let reason: BottleneckAlert['reason'];
  if (group.alerted === undefined) reason = 'crossed';
  else if (RANK[severity] > RANK[group.alerted]) reason = 'escalated';
  else if (time - group.alertedAt >= settings.cooldownMs) reason = 'reminder';
  else return undefined;
  group.alerted = severity;
  group.alertedAt = time;

  const failed = group.series.flatMap((series) => series?.recentFailures() ?? []).sort((a, b) => b.time - a.time);
  const errorRate = stats.errors / stats.count;
  const threshold = severity === 'CRITICAL' ? settings.thresholds.critical : settings.thresholds.high;
  const findings: BottleneckFinding[] = [
    {
      kind: 'slow',
      message: `p95 of ${p95.toFixed(1)}ms over the last ${settings.windowMs / 1000}s is at or over the ${severity} threshold (${threshold}ms): open trace ${stats.slowest[0].traceId}, the slowest`,
      exampleTraceId: stats.slowest[0].traceId,
    },
  ];
  if (errorRate > HIGH_ERROR_RATE && failed.length > 0) {
    findings.push({
      kind: 'high_error_rate',
      message: `${(errorRate * 100).toFixed(0)}% of calls failed in the window: failures can show as latency (timeouts, retries); open trace ${failed[0].traceId}`,
      exampleTraceId: failed[0].traceId,
    });
  }
  const analysis: BottleneckAlert['analysis'] = {
    service: group.service,
    operation: group.operation,
    component: group.component,
    sampleCount: stats.count,
    averageTime: stats.sum / stats.count,
    minTime: stats.min,
    maxTime: stats.max,
    percentile50: quantileOf(stats, 0.5),
    percentile95: p95,
    percentile99: quantileOf(stats, 0.99),
    errorRate,
    // Self time needs a span's children, which a processor does not see together: unknown live.
    selfTime: Number.NaN,
    selfTimeShare: Number.NaN,
    severity,
    findings,
    recommendations: findings.map((finding) => finding.message),
  };
  return { analysis, kind: group.kind, reason, slowest: stats.slowest, failed, windowMs: settings.windowMs, time };
}
