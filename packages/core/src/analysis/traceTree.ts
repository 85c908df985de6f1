import type { ReadableSpan } from '../types.js';

export interface TraceTreeNode {
  span: ReadableSpan;
  children: TraceTreeNode[];
  /** 0 for roots. */
  depth: number;
}

/**
 * Links spans into trees by parent id, children in start order. Spans whose parent is not among `spans`
 * (a remote parent, say) become roots.
 */
export function buildTraceTree(spans: Iterable<ReadableSpan>): TraceTreeNode[] {
  const nodes = new Map<string, TraceTreeNode>();
  for (const span of spans) nodes.set(span.spanId, { span, children: [], depth: 0 });
  const roots: TraceTreeNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.span.parentSpanId === undefined ? undefined : nodes.get(node.span.parentSpanId);
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const byStart = (a: TraceTreeNode, b: TraceTreeNode) => a.span.startTime - b.span.startTime;
  const setDepth = (node: TraceTreeNode, depth: number) => {
    node.depth = depth;
    node.children.sort(byStart);
    for (const child of node.children) setDepth(child, depth + 1);
  };
  roots.sort(byStart);
  for (const root of roots) setDepth(root, 0);
  return roots;
}

export interface FormatTraceTreeOptions {
  /** Width of the waterfall bar column. Default 40. */
  barWidth?: number;
}

function flatten(nodes: TraceTreeNode[], out: TraceTreeNode[] = []): TraceTreeNode[] {
  for (const node of nodes) {
    out.push(node);
    flatten(node.children, out);
  }
  return out;
}

/**
 * Renders trees as text: one line per span with indentation, a timing waterfall, duration and status.
 *
 *     GET /checkout [express]   |████████████████████| 42.1ms OK
 *       GET 127.0.0.1 [fetch]   |  ██████████████    | 30.2ms OK
 */
export function formatTraceTree(roots: TraceTreeNode[], options: FormatTraceTreeOptions = {}): string {
  const barWidth = options.barWidth ?? 40;
  const nodes = flatten(roots);
  if (nodes.length === 0) return '';
  const start = Math.min(...nodes.map((n) => n.span.startTime));
  const end = Math.max(...nodes.map((n) => n.span.endTime ?? n.span.startTime));
  const total = Math.max(end - start, 1e-6);
  const labels = nodes.map((n) => `${'  '.repeat(n.depth)}${n.span.operationName} [${n.span.component}]`);
  const labelWidth = Math.max(...labels.map((l) => l.length));
  return nodes
    .map((node, i) => {
      const span = node.span;
      const from = Math.floor(((span.startTime - start) / total) * barWidth);
      const to = Math.max(from + 1, Math.ceil((((span.endTime ?? end) - start) / total) * barWidth));
      const bar = ' '.repeat(from) + '█'.repeat(Math.min(to, barWidth) - from) + ' '.repeat(Math.max(0, barWidth - to));
      const duration = span.duration === undefined ? 'open' : `${span.duration.toFixed(1)}ms`;
      const status = span.status.message ? `${span.status.code} (${span.status.message})` : span.status.code;
      return `${labels[i].padEnd(labelWidth)} |${bar}| ${duration.padStart(8)} ${status}`;
    })
    .join('\n');
}
