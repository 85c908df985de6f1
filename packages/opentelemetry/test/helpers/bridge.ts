// A tracer exporting to memory, registered with @opentelemetry/api for the tests of one describe block.
import { AuditTracer, InMemoryExporter, setDiagLogger, type TracingOptions } from '@audit-tracing/core';
import { registerOpenTelemetry } from '../../src/index.js';

export interface Bridge {
  tracer: AuditTracer;
  exporter: InMemoryExporter;
  /** Warnings our diagnostic logger received during the current test. */
  warnings: string[];
}

/** Registers before each test and undoes it after, so every test starts from a fresh tracer and clean globals. */
export function useBridge(options: TracingOptions = {}): Bridge {
  const bridge = { warnings: [] } as unknown as Bridge;
  let unregister: (() => void) | undefined;
  beforeEach(() => {
    bridge.exporter = new InMemoryExporter();
    bridge.tracer = new AuditTracer({ serviceName: 'otel-bridge', exporter: bridge.exporter, processor: 'simple', ...options });
    bridge.warnings.length = 0;
    setDiagLogger({ warn: (m) => bridge.warnings.push(m), error: (m) => bridge.warnings.push(m) });
    unregister = registerOpenTelemetry({ tracer: bridge.tracer });
  });
  afterEach(async () => {
    unregister?.();
    setDiagLogger(undefined);
    await bridge.tracer.shutdown();
  });
  return bridge;
}

/** Lets `diag.warnOnce` report a key again (its memory is process-wide, shared through core's global state). */
export function forgetWarning(key: string): void {
  const state = (globalThis as Record<symbol, { warned?: Set<string> }>)[Symbol.for('audit-tracing.core')];
  state?.warned?.delete(key);
}
