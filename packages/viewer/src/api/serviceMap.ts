import type { SpanStore } from '../SpanStore.js';

export interface ServiceNode {
  name: string;
  spanCount: number;
  errorCount: number;
}

/** Calls from one service into another: a span of `to` whose parent span belongs to `from`. */
export interface ServiceEdge {
  from: string;
  to: string;
  calls: number;
  errors: number;
  /** errors / calls. */
  errorRate: number;
}

export interface ServiceMap {
  services: ServiceNode[];
  edges: ServiceEdge[];
}

/**
 * Who calls whom, from parent/child links that cross services: each child span whose parent is a span of another
 * service is one call (a client span and the server span it caused, say), an error when the child is not OK.
 */
export function buildServiceMap(store: SpanStore): ServiceMap {
  const services = new Map<string, ServiceNode>();
  const edges = new Map<string, ServiceEdge>();
  for (const trace of store.values()) {
    const serviceOfSpan = new Map<string, string>();
    for (const span of trace.spans) serviceOfSpan.set(span.spanId, span.resource.serviceName);
    for (const span of trace.spans) {
      const to = span.resource.serviceName;
      let node = services.get(to);
      if (node === undefined) services.set(to, (node = { name: to, spanCount: 0, errorCount: 0 }));
      node.spanCount++;
      const failed = span.status.code !== 'OK';
      if (failed) node.errorCount++;
      const from = span.parentSpanId === undefined ? undefined : serviceOfSpan.get(span.parentSpanId);
      if (from === undefined || from === to) continue;
      const key = `${from}\u0000${to}`;
      let edge = edges.get(key);
      if (edge === undefined) edges.set(key, (edge = { from, to, calls: 0, errors: 0, errorRate: 0 }));
      edge.calls++;
      if (failed) edge.errors++;
    }
  }
  for (const edge of edges.values()) edge.errorRate = edge.errors / edge.calls;
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return {
    services: [...services.values()].sort(byName),
    edges: [...edges.values()].sort((a, b) => b.calls - a.calls || (a.from + a.to < b.from + b.to ? -1 : 1)),
  };
}

export interface ServiceSummary {
  name: string;
  spanCount: number;
  traceCount: number;
  errorCount: number;
  /** Operation names seen, sorted. */
  operations: string[];
}

/** The services in the store with their operations, for the filters of the trace list. */
export function listServices(store: SpanStore): ServiceSummary[] {
  const out = new Map<string, ServiceSummary & { ops: Set<string> }>();
  for (const trace of store.values()) {
    for (const [name] of trace.services) {
      let entry = out.get(name);
      if (entry === undefined) out.set(name, (entry = { name, spanCount: 0, traceCount: 0, errorCount: 0, operations: [], ops: new Set() }));
      entry.traceCount++;
    }
    for (const span of trace.spans) {
      const entry = out.get(span.resource.serviceName)!;
      entry.spanCount++;
      if (span.status.code !== 'OK') entry.errorCount++;
      entry.ops.add(span.operationName);
    }
  }
  return [...out.values()]
    .map(({ ops, ...entry }) => ({ ...entry, operations: [...ops].sort() }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
