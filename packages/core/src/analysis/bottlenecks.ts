import type { ReadableSpan } from '../types.js';
import { percentileOfSorted } from './percentile.js';

export type BottleneckSeverity = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/** Timing statistics of one operation, with a severity and what to look at. Times in ms. */
export interface BottleneckAnalysis {
  operation: string;
  component: string;
  averageTime: number;
  maxTime: number;
  minTime: number;
  percentile95: number;
  percentile99: number;
  sampleCount: number;
  errorRate: number;
  severity: BottleneckSeverity;
  recommendations: string[];
}

/** p95 thresholds (ms) above which an operation is MEDIUM, HIGH and CRITICAL. */
export interface BottleneckThresholds {
  medium: number;
  high: number;
  critical: number;
}

export const DEFAULT_BOTTLENECK_THRESHOLDS: Readonly<BottleneckThresholds> = Object.freeze({ medium: 100, high: 500, critical: 2000 });

function severityOf(p95: number, thresholds: BottleneckThresholds): BottleneckSeverity {
  if (p95 >= thresholds.critical) return 'CRITICAL';
  if (p95 >= thresholds.high) return 'HIGH';
  if (p95 >= thresholds.medium) return 'MEDIUM';
  return 'LOW';
}

function recommend(stats: Omit<BottleneckAnalysis, 'recommendations'>): string[] {
  const out: string[] = [];
  if (stats.severity !== 'LOW') out.push(`p95 of ${stats.percentile95.toFixed(1)}ms: profile "${stats.operation}" or cache its result`);
  if (stats.percentile99 > stats.averageTime * 3 && stats.sampleCount >= 20) {
    out.push('p99 is over 3x the average: look for contention, retries or cold caches on the slow tail');
  }
  if (stats.errorRate > 0.05) out.push(`${(stats.errorRate * 100).toFixed(0)}% of calls fail: errors can hide as latency (timeouts, retries)`);
  return out;
}

/**
 * Groups finished spans by operation and component and ranks them, slowest p95 first.
 * Unfinished spans are left out.
 */
export function analyzeBottlenecks(spans: Iterable<ReadableSpan>, thresholds: BottleneckThresholds = DEFAULT_BOTTLENECK_THRESHOLDS): BottleneckAnalysis[] {
  const groups = new Map<string, { operation: string; component: string; durations: number[]; errors: number }>();
  for (const span of spans) {
    if (span.duration === undefined) continue;
    const key = `${span.component}\u0000${span.operationName}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { operation: span.operationName, component: span.component, durations: [], errors: 0 }));
    group.durations.push(span.duration);
    if (span.status.code !== 'OK') group.errors++;
  }
  const out: BottleneckAnalysis[] = [];
  for (const group of groups.values()) {
    const sorted = group.durations.sort((a, b) => a - b);
    const sum = sorted.reduce((total, value) => total + value, 0);
    const percentile95 = percentileOfSorted(sorted, 95);
    const stats = {
      operation: group.operation,
      component: group.component,
      averageTime: sum / sorted.length,
      maxTime: sorted[sorted.length - 1],
      minTime: sorted[0],
      percentile95,
      percentile99: percentileOfSorted(sorted, 99),
      sampleCount: sorted.length,
      errorRate: group.errors / sorted.length,
      severity: severityOf(percentile95, thresholds),
    };
    out.push({ ...stats, recommendations: recommend(stats) });
  }
  return out.sort((a, b) => b.percentile95 - a.percentile95);
}
