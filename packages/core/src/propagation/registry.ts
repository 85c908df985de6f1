import { invalidOption } from '../invalidOption.js';
import { B3Propagator } from './B3Propagator.js';
import { CompositePropagator } from './CompositePropagator.js';
import type { Propagator } from './Propagator.js';
import { W3CTraceContextPropagator } from './W3CTraceContextPropagator.js';
import { XTraceIdPropagator, type XTraceIdHeaderNames } from './XTraceIdPropagator.js';

/** What a propagator factory may read: the settings of the tracer it is built for. */
export interface PropagatorSettings {
  propagators?: readonly string[] | { inject?: readonly string[]; extract?: readonly string[] };
  traceIdHeaders?: XTraceIdHeaderNames;
}

type PropagatorFactory = (settings: PropagatorSettings) => Propagator;

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

function build(names: readonly string[], field: string, config: PropagatorSettings): Propagator[] {
  if (!Array.isArray(names)) throw invalidOption('tracing', field, 'an array of propagator names', names);
  return names
    .filter((name) => name !== 'none')
    .map((name) => {
      const factory = typeof name === 'string' ? factories.get(name) : undefined;
      if (!factory) {
        throw invalidOption('tracing', field, `propagator names (known: ${[...factories.keys()].join(', ')})`, name);
      }
      return factory(config);
    });
}

/** The propagator a tracer uses, built from `config.propagators`. Unknown names throw a TypeError. */
export function createPropagator(config: PropagatorSettings): CompositePropagator {
  const option = config.propagators;
  if (option === undefined) return new CompositePropagator(build(DEFAULT_INJECT, 'propagators', config), build(DEFAULT_EXTRACT, 'propagators', config));
  if (Array.isArray(option)) {
    const both = build(option, 'propagators', config);
    return new CompositePropagator(both, both);
  }
  if (typeof option !== 'object' || option === null) throw invalidOption('tracing', 'propagators', 'an array or { inject, extract }', option);
  const { inject = DEFAULT_INJECT, extract = DEFAULT_EXTRACT } = option as { inject?: readonly string[]; extract?: readonly string[] };
  return new CompositePropagator(build(inject, 'propagators.inject', config), build(extract, 'propagators.extract', config));
}
