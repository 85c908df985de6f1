import type { TracingConfig } from '../config.js';
import { B3Propagator } from './B3Propagator.js';
import { CompositePropagator } from './CompositePropagator.js';
import type { Propagator } from './Propagator.js';
import { W3CTraceContextPropagator } from './W3CTraceContextPropagator.js';
import { XTraceIdPropagator } from './XTraceIdPropagator.js';

type PropagatorFactory = (config: TracingConfig) => Propagator;

const factories = new Map<string, PropagatorFactory>([
  ['tracecontext', () => new W3CTraceContextPropagator()],
  ['b3', () => new B3Propagator({ injectEncoding: 'single' })],
  ['b3multi', () => new B3Propagator({ injectEncoding: 'multi' })],
  ['x-trace-id', (config) => new XTraceIdPropagator(config.traceIdHeaders)],
]);

/** Incoming requests are read in every format we know; outbound ones carry W3C and x-trace-id. */
export const DEFAULT_EXTRACT = ['tracecontext', 'b3', 'x-trace-id'] as const;
export const DEFAULT_INJECT = ['tracecontext', 'x-trace-id'] as const;

/** Makes a propagator available by name to the `propagators` option. */
export function registerPropagator(name: string, factory: PropagatorFactory): void {
  factories.set(name, factory);
}

function build(names: readonly string[], field: string, config: TracingConfig): Propagator[] {
  if (!Array.isArray(names)) throw new TypeError(`tracing.${field}: expected an array of propagator names, got ${typeof names}`);
  return names
    .filter((name) => name !== 'none')
    .map((name) => {
      const factory = typeof name === 'string' ? factories.get(name) : undefined;
      if (!factory) {
        throw new TypeError(`tracing.${field}: unknown propagator ${JSON.stringify(name)} (known: ${[...factories.keys()].join(', ')})`);
      }
      return factory(config);
    });
}

/** The propagator a tracer uses, built from `config.propagators`. Unknown names throw a TypeError. */
export function createPropagator(config: TracingConfig): CompositePropagator {
  const option = config.propagators;
  if (option === undefined) return new CompositePropagator(build(DEFAULT_INJECT, 'propagators', config), build(DEFAULT_EXTRACT, 'propagators', config));
  if (Array.isArray(option)) {
    const both = build(option, 'propagators', config);
    return new CompositePropagator(both, both);
  }
  if (typeof option !== 'object' || option === null) throw new TypeError(`tracing.propagators: expected an array or { inject, extract }, got ${typeof option}`);
  const { inject = DEFAULT_INJECT, extract = DEFAULT_EXTRACT } = option as { inject?: readonly string[]; extract?: readonly string[] };
  return new CompositePropagator(build(inject, 'propagators.inject', config), build(extract, 'propagators.extract', config));
}
