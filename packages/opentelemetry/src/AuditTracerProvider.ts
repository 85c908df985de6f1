import { diag, type AuditTracer, type InstrumentationScope } from '@audit-tracing/core';
import type { Tracer, TracerOptions, TracerProvider } from '@opentelemetry/api';
import { BridgeTracer, type TracerOwner } from './BridgeTracer.js';
import { warnIfDuplicating } from './duplicateInstrumentation.js';

/**
 * Tracers kept for reuse. Instrumentations ask for a handful; code asking with a new name per call would
 * otherwise grow the map without end: past this, tracers are made afresh each time (and warned about once).
 */
export const MAX_CACHED_TRACERS = 1024;

/**
 * OpenTelemetry's `TracerProvider` backed by one of our tracers. `getTracer` hands out one `BridgeTracer` per
 * name, version and schema URL, so that every span of an instrumentation shares one scope object (the OTLP
 * encoders group spans by it).
 */
export class AuditTracerProvider implements TracerProvider, TracerOwner {
  private readonly tracers = new Map<string, BridgeTracer>();
  private disabled = false;

  constructor(readonly tracer: AuditTracer) {}

  /** False once `disable` ran: tracers handed out earlier then pass their spans to the global provider. */
  get enabled(): boolean {
    return !this.disabled;
  }

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const scopeName = typeof name === 'string' && name !== '' ? name : 'unknown';
    if (scopeName === 'unknown') diag.warnOnce('opentelemetry.tracerName', 'OpenTelemetry API: getTracer was given no name; its spans are reported under the scope "unknown"');
    const schemaUrl = typeof options?.schemaUrl === 'string' ? options.schemaUrl : undefined;
    const key = `${scopeName}\u0000${version ?? ''}\u0000${schemaUrl ?? ''}`;
    let tracer = this.tracers.get(key);
    if (tracer === undefined) {
      const scope: { name: string; version?: string; schemaUrl?: string } = { name: scopeName };
      if (typeof version === 'string' && version !== '') scope.version = version;
      if (schemaUrl !== undefined) scope.schemaUrl = schemaUrl;
      tracer = new BridgeTracer(this.tracer, Object.freeze(scope) as InstrumentationScope, this);
      if (this.tracers.size < MAX_CACHED_TRACERS) this.tracers.set(key, tracer);
      else diag.warnOnce('opentelemetry.tracers', `OpenTelemetry API: more than ${MAX_CACHED_TRACERS} distinct tracers asked for; later ones are not kept (give getTracer a fixed name per library)`);
      warnIfDuplicating(scopeName);
    }
    return tracer;
  }

  /** Stops answering for the global provider (what `registerOpenTelemetry`'s undo calls). */
  disable(): void {
    this.disabled = true;
  }
}
