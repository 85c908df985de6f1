import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { getContextManager, NO_SPAN_ID, type Span as AuditSpan, type TraceContext } from '@audit-tracing/core';
import { ROOT_CONTEXT, trace, type Context, type ContextManager, type Span } from '@opentelemetry/api';
import { BridgeSpan } from './BridgeSpan.js';
import { ForeignSpan } from './ForeignSpan.js';
import { REMOTE_PARENT_KEY } from './remoteParent.js';

/**
 * The key under which OpenTelemetry's SDK marks a context as not to be traced (`suppressTracing` in
 * @opentelemetry/core). `createContextKey` is `Symbol.for(description)`, so the key is the same symbol here
 * without depending on that package.
 * https://github.com/open-telemetry/opentelemetry-js/blob/main/packages/opentelemetry-core/src/trace/suppress-tracing.ts
 */
export const SUPPRESS_TRACING_KEY = Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/** What the bridge keeps per `with`: the OpenTelemetry context entered, and the span it put into ours. */
interface Entered {
  readonly context: Context;
  readonly span: AuditSpan | undefined;
  readonly suppressed: boolean;
  /** The last context derived from this one for another span of ours, and that span. */
  derived?: Context;
  derivedFor?: AuditSpan;
}

// One wrapper per span, made on first sight: instrumentations compare and re-read the active span.
const bridgeSpans = new WeakMap<AuditSpan, BridgeSpan>();
const foreignSpans = new WeakMap<Span, ForeignSpan>();
// The context of a span entered by our own API (the usual case: our adapter's server span), made once per span.
const spanContexts = new WeakMap<AuditSpan, Context>();

/** The OpenTelemetry span for one of ours: the span it stands for when foreign, else its one wrapper. */
export function otelSpanOf(span: AuditSpan): Span {
  if (span instanceof ForeignSpan) return span.otelSpan;
  let wrapper = bridgeSpans.get(span);
  if (wrapper === undefined) {
    wrapper = new BridgeSpan(span);
    bridgeSpans.set(span, wrapper);
  }
  return wrapper;
}

/**
 * Our span for an OpenTelemetry one: the span a wrapper writes to, or a `ForeignSpan` carrying its context (and
 * the correlation id our propagator read with it, when `remote` is that reading).
 */
export function auditSpanOf(span: Span | undefined, remote?: TraceContext): AuditSpan | undefined {
  if (span === undefined) return undefined;
  if (span instanceof BridgeSpan) return span.span;
  let foreign = foreignSpans.get(span);
  if (foreign === undefined) {
    const context = span.spanContext();
    // An x-trace-id alone names a trace but no span (NO_SPAN_ID): OpenTelemetry calls that context invalid, yet
    // what our API starts under it continues the trace, as the root of its part of it.
    const traceOnly = remote !== undefined && remote.spanId === NO_SPAN_ID && context.spanId === NO_SPAN_ID && context.traceId === remote.traceId;
    if (!traceOnly && !trace.isSpanContextValid(context)) return undefined;
    foreign = new ForeignSpan(span, context, remote?.spanId === context.spanId ? remote.correlationId : undefined);
    foreignSpans.set(span, foreign);
  }
  return foreign;
}

/**
 * OpenTelemetry's context manager on top of ours, so both see one active span. Ours stays the truth about the
 * span: `context.active()` answers with our active span (wrapped), and `context.with(ctx, fn)` makes the span of
 * `ctx` active in ours too, so `getActiveSpan()` returns it inside `fn`. What else an OpenTelemetry context holds
 * (baggage, an instrumentation's own keys) is kept beside it, in an AsyncLocalStorage of the bridge's.
 * Suppression crosses both ways: our exporters' `suppressTracing` is OpenTelemetry's SUPPRESS_TRACING key, and a
 * context carrying that key suppresses ours.
 */
export class BridgeContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Entered>();

  active(): Context {
    const ours = getContextManager();
    const entered = this.storage.getStore();
    if (ours.isSuppressed()) {
      if (entered !== undefined && entered.suppressed) return entered.context;
      return (entered?.context ?? ROOT_CONTEXT).setValue(SUPPRESS_TRACING_KEY, true);
    }
    const span = ours.active();
    if (entered !== undefined && entered.span === span && !entered.suppressed) return entered.context;
    if (entered === undefined || entered.context === ROOT_CONTEXT) {
      if (span === undefined) return ROOT_CONTEXT;
      let context = spanContexts.get(span);
      if (context === undefined) {
        context = trace.setSpan(ROOT_CONTEXT, otelSpanOf(span));
        spanContexts.set(span, context);
      }
      return context;
    }
    // Our API changed the span inside an OpenTelemetry context: its other values carry on with our span.
    if (entered.derived !== undefined && entered.derivedFor === span) return entered.derived;
    const base = entered.suppressed ? entered.context.deleteValue(SUPPRESS_TRACING_KEY) : entered.context;
    entered.derivedFor = span;
    entered.derived = span === undefined ? trace.deleteSpan(base) : trace.setSpan(base, otelSpanOf(span));
    return entered.derived;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const ctx = context ?? ROOT_CONTEXT;
    const suppressed = ctx.getValue(SUPPRESS_TRACING_KEY) === true;
    const span = suppressed ? undefined : auditSpanOf(trace.getSpan(ctx), ctx.getValue(REMOTE_PARENT_KEY) as TraceContext | undefined);
    const entered: Entered = { context: ctx, span, suppressed };
    const storage = this.storage;
    const run = function runInOpenTelemetryContext(): ReturnType<F> {
      return storage.run(entered, () => fn.apply(thisArg as ThisParameterType<F>, args));
    };
    const ours = getContextManager();
    return suppressed ? ours.suppress(run) : ours.with(span, run);
  }

  /** A function runs in `context` whenever called; an emitter's listeners run with the context's span active. */
  bind<T>(context: Context, target: T): T {
    if (typeof target === 'function') {
      const manager = this;
      const fn = target as unknown as (...args: unknown[]) => unknown;
      const bound = function boundToContext(this: unknown, ...args: unknown[]) {
        return manager.with(context, fn, this, ...args);
      };
      return bound as unknown as T;
    }
    // Our emitter binding carries a span, not a whole context: listeners see the context's span, and no baggage.
    // A context without a span binds nothing (ours would read "no span" as "the span active now").
    if (target instanceof EventEmitter) {
      const span = auditSpanOf(trace.getSpan(context ?? ROOT_CONTEXT));
      if (span !== undefined) getContextManager().bindEmitter(target, span);
    }
    return target;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.storage.disable();
    return this;
  }
}
