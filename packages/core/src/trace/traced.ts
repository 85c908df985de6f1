import type { SpanOptions } from '../types.js';
import type { AuditTracer } from './AuditTracer.js';
import { getActiveSpan } from '../context/global.js';
import { invalidOption } from '../invalidOption.js';
import { tracerOf } from './globalTracer.js';
import { runInSpan } from './runInSpan.js';

export interface TraceOptions extends SpanOptions {
  /** Span name; default `Class.method` for methods, the function's name for `traced`. */
  name?: string;
  /** Default: the tracer of the active span, else the global one. */
  tracer?: AuditTracer;
}

type AnyFunction = (this: unknown, ...args: never[]) => unknown;

function wrap<F extends AnyFunction>(fn: F, nameFor: (self: unknown) => string, options: TraceOptions): F {
  const traced = function tracedFunction(this: unknown, ...args: never[]) {
    const tracer = options.tracer ?? tracerOf(getActiveSpan());
    const span = tracer.startSpan(nameFor(this), undefined, options);
    return runInSpan(span, () => fn.apply(this, args));
  };
  Object.defineProperty(traced, 'name', { value: fn.name });
  return traced as unknown as F;
}

function normalise(nameOrOptions: string | TraceOptions | undefined): TraceOptions {
  if (nameOrOptions === undefined) return {};
  if (typeof nameOrOptions === 'string') return { name: nameOrOptions };
  if (typeof nameOrOptions === 'object' && nameOrOptions !== null) return nameOrOptions;
  throw invalidOption('trace', 'options', 'a span name or an options object', nameOrOptions);
}

/** Wraps a plain function (sync or async) in a span per call. */
export function traced<F extends AnyFunction>(name: string | TraceOptions, fn: F): F {
  if (typeof fn !== 'function') throw invalidOption('traced', 'fn', 'a function', fn);
  const options = normalise(name);
  const spanName = options.name ?? (fn.name || 'anonymous');
  return wrap(fn, () => spanName, options);
}

function methodName(self: unknown, method: string): string {
  const owner = typeof self === 'function' ? self.name : (self as { constructor?: { name?: string } } | null)?.constructor?.name;
  return owner ? `${owner}.${method}` : method;
}

/**
 * Method decorator: a span per call, `OK` on success, `ERROR` with message and stack on a throw or rejection
 * (then re-thrown). Works as a TypeScript 5 standard decorator and as a legacy `experimentalDecorators` one.
 */
export function trace(nameOrOptions?: string | TraceOptions) {
  const options = normalise(nameOrOptions);
  return function traceDecorator(target: unknown, contextOrKey: unknown, descriptor?: PropertyDescriptor): any {
    if (typeof contextOrKey === 'object' && contextOrKey !== null && 'kind' in contextOrKey) {
      // TC39 decorators: (method, context)
      const context = contextOrKey as ClassMethodDecoratorContext;
      if (context.kind !== 'method') throw new TypeError(`trace: can only decorate methods, got a ${context.kind}`);
      const method = String(context.name);
      return wrap(target as AnyFunction, (self) => options.name ?? methodName(self, method), options);
    }
    // experimentalDecorators: (prototype, key, descriptor)
    if (!descriptor || typeof descriptor.value !== 'function') throw new TypeError('trace: can only decorate methods');
    const method = String(contextOrKey);
    descriptor.value = wrap(descriptor.value as AnyFunction, (self) => options.name ?? methodName(self, method), options);
    return descriptor;
  };
}
