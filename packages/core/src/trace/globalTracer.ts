import { AuditTracer } from './AuditTracer.js';

let globalTracer: AuditTracer | undefined;

/** Makes `tracer` the one adapters and `trace` use when they are given none. */
export function setGlobalTracer(tracer: AuditTracer | undefined): void {
  globalTracer = tracer;
}

/** The process-wide tracer; created on first use from the environment (OTEL_* variables) when none was set. */
export function getGlobalTracer(): AuditTracer {
  globalTracer ??= new AuditTracer();
  return globalTracer;
}
