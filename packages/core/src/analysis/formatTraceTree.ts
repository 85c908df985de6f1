import { flattenTraceTree, type TraceTreeNode } from './traceTree.js';

export interface FormatTraceTreeOptions {
  /** Width of the waterfall bar column. Default 40. */
  barWidth?: number;
}

function formatMs(ms: number): string {
  return `${ms.toFixed(1)}ms`;
}

/**
 * Renders trees as text: one line per span with indentation, a timing waterfall (skew-corrected times), duration
 * and status; a span moved for clock skew says by how much, a span whose parent is missing says so.
 *
 *     GET /checkout [express]   |████████████████████| 42.1ms OK
 *       GET 127.0.0.1 [fetch]   |  ██████████████    | 30.2ms OK
 */
export function formatTraceTree(roots: TraceTreeNode[], options: FormatTraceTreeOptions = {}): string {
  const barWidth = options.barWidth ?? 40;
  const nodes = flattenTraceTree(roots);
  if (nodes.length === 0) return '';
  let start = Infinity;
  let end = -Infinity;
  for (const node of nodes) {
    if (node.startTime < start) start = node.startTime;
    if (node.endTime > end) end = node.endTime;
  }
  const total = Math.max(end - start, 1e-6);
  const labels = nodes.map((n) => `${'  '.repeat(n.depth)}${n.span.operationName} [${n.span.component}]`);
  const labelWidth = Math.max(...labels.map((l) => l.length));
  return nodes
    .map((node, i) => {
      const span = node.span;
      const from = Math.min(barWidth - 1, Math.floor(((node.startTime - start) / total) * barWidth));
      const to = Math.max(from + 1, Math.ceil(((node.endTime - start) / total) * barWidth));
      const bar = ' '.repeat(from) + '█'.repeat(Math.min(to, barWidth) - from) + ' '.repeat(Math.max(0, barWidth - to));
      const duration = span.endTime === undefined ? 'open' : formatMs(node.duration);
      const status = span.status.message ? `${span.status.code} (${span.status.message})` : span.status.code;
      const notes = `${node.orphan ? ' (parent missing)' : ''}${node.skewMs !== 0 ? ` (clock skew ${node.skewMs > 0 ? '+' : ''}${formatMs(node.skewMs)})` : ''}`;
      return `${labels[i].padEnd(labelWidth)} |${bar}| ${duration.padStart(8)} ${status}${notes}`;
    })
    .join('\n');
}
