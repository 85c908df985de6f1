import { isTracingSuppressed, type AuditTracer, type Span as AuditSpan, type InstrumentationScope, type SpanLink, type SpanOptions as AuditSpanOptions, type Tags, type TraceContext } from '@audit-tracing/core';
import { context as contextApi, INVALID_SPAN_CONTEXT, trace, type Context, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api';
import { SUPPRESS_TRACING_KEY, auditSpanOf } from './BridgeContextManager.js';
import { BridgeSpan } from './BridgeSpan.js';
import { toSpanLink } from './links.js';
import { REMOTE_PARENT_KEY } from './remoteParent.js';
import { toSpanKind } from './spanKind.js';
import { toEpochMs } from './timeInput.js';

/** What a tracer asks its provider: whether it still answers for the global tracer provider. */
export interface TracerOwner {
  readonly enabled: boolean;
}

type ActiveSpanFn = (span: Span) => unknown;

/**
 * OpenTelemetry's `Tracer` on our tracer, one per instrumentation scope: spans started through it are ours,
 * sampled, limited and exported by our pipeline, and carry the scope.
 */
export class BridgeTracer implements Tracer {
  constructor(
    private readonly tracer: AuditTracer,
    readonly scope: InstrumentationScope,
    private readonly owner: TracerOwner,
  ) {}

  startSpan(name: string, spanOptions?: SpanOptions, parentContext?: Context): Span {
    const options = spanOptions ?? {};
    const context = parentContext ?? contextApi.active();
    // Instrumentations keep their tracer: once the registration is undone, they get the global one's spans.
    if (!this.owner.enabled) return trace.getTracerProvider().getTracer(this.scope.name, this.scope.version, { schemaUrl: this.scope.schemaUrl }).startSpan(name, spanOptions, context);
    // The active context carries our suppression as OpenTelemetry's key already; a context passed in may not.
    if (context.getValue(SUPPRESS_TRACING_KEY) === true || (parentContext !== undefined && isTracingSuppressed())) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    const parent = options.root === true ? null : parentOf(context);
    const ourOptions: AuditSpanOptions = {
      kind: toSpanKind(options.kind),
      component: this.scope.name,
      instrumentationScope: this.scope,
      tags: options.attributes as Tags | undefined,
      links: Array.isArray(options.links) ? (options.links.map(toSpanLink) as SpanLink[]) : undefined,
      startTime: toEpochMs(options.startTime),
    };
    // Not registered as the span's wrapper: the context hands this one back while it is active through the API,
    // and only our own API re-entering the span needs a wrapper looked up (otelSpanOf makes it then).
    return new BridgeSpan(this.tracer.startSpan(String(name), parent, ourOptions));
  }

  startActiveSpan<F extends ActiveSpanFn>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends ActiveSpanFn>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends ActiveSpanFn>(name: string, options: SpanOptions, context: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends ActiveSpanFn>(name: string, a?: SpanOptions | F, b?: Context | F, c?: F): ReturnType<F> | undefined {
    let options: SpanOptions | undefined;
    let parentContext: Context | undefined;
    let fn: F;
    if (typeof a === 'function') fn = a;
    else if (typeof b === 'function') {
      options = a;
      fn = b;
    } else {
      options = a;
      parentContext = b;
      fn = c as F;
    }
    if (typeof fn !== 'function') return undefined;
    const context = parentContext ?? contextApi.active();
    const span = this.startSpan(name, options, context);
    return contextApi.with(trace.setSpan(context, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }
}

/**
 * The parent a context names: one of our spans, or the remote context a propagator read (as our propagator
 * read it, keeping what OpenTelemetry's span context has no room for: a correlation id, a deferred decision).
 * Null, a new trace, when it names none.
 */
function parentOf(context: Context): TraceContext | AuditSpan | null {
  const span = trace.getSpan(context);
  if (span === undefined) return null;
  const remote = context.getValue(REMOTE_PARENT_KEY) as TraceContext | undefined;
  if (remote !== undefined && !(span instanceof BridgeSpan) && span.spanContext().spanId === remote.spanId) return remote;
  return auditSpanOf(span) ?? null;
}
