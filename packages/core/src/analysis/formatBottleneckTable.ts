import type { BottleneckAnalysis } from './bottlenecks.js';

export interface FormatBottleneckTableOptions {
  /** Rows shown at most (the slowest first, as `analyzeBottlenecks` orders them). Default 10. */
  limit?: number;
  /** Findings listed under the table at most, in row order (`slow` is left out: the severity column says it). Default 6; 0 lists none. */
  maxFindings?: number;
}

const ms = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(1));
const pct = (share: number | undefined) => (share === undefined ? '-' : `${Math.round(share * 100)}%`);

/**
 * `analyzeBottlenecks` rows (or any `BottleneckAnalysis`, `-` for what it lacks) as a text table, with their
 * findings below it:
 *
 *     severity  service  operation           n   p50    p95    p99    max  err  self
 *     HIGH      pricing  GET /quotes/:sku    1 251.7  251.7  251.7  251.7   0%   72%
 */
export function formatBottleneckTable(rows: readonly BottleneckAnalysis[], options: FormatBottleneckTableOptions = {}): string {
  const shown = rows.slice(0, options.limit ?? 10);
  const header = ['severity', 'service', 'operation', 'n', 'p50', 'p95', 'p99', 'max', 'err', 'self'];
  const cells = shown.map((r) => [r.severity, r.service ?? '-', r.operation, String(r.sampleCount), ms(r.percentile50), ms(r.percentile95), ms(r.percentile99), ms(r.maxTime), pct(r.errorRate), pct(r.selfTimeShare)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  // text columns to the left, numbers to the right
  const line = (c: string[]) => c.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  const lines = [line(header), ...cells.map(line)];
  if (rows.length > shown.length) lines.push(`… ${rows.length - shown.length} more`);
  // rows without findings (made elsewhere) list their recommendations
  const findings = shown.flatMap((r) => (r.findings ? r.findings.filter((f) => f.kind !== 'slow').map((f) => f.message) : r.recommendations).map((message) => `  ${r.service ?? r.component} ${r.operation}: ${message}`));
  const maxFindings = options.maxFindings ?? 6;
  lines.push(...findings.slice(0, maxFindings));
  if (findings.length > maxFindings && maxFindings > 0) lines.push(`  … ${findings.length - maxFindings} more findings`);
  return lines.join('\n');
}
