// Types for the TypeScript test that runs the logging example.
import type { AuditTracer, ReadableSpan, SpanExporter } from '@audit-tracing/core';

export interface RunningShop {
  origin: string;
  tracer: AuditTracer;
  close(): Promise<void>;
}
export declare function startShop(options?: { logStream?: NodeJS.WritableStream; exporter?: SpanExporter }): Promise<RunningShop>;
export declare function traceOfLogLine(tracer: AuditTracer, line: string, timeoutMs?: number): Promise<ReadableSpan[]>;
