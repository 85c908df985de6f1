import type { TraceContext } from '../types.js';
import type { HeaderCarrier, IncomingHeaders } from './headers.js';
import type { Propagator } from './Propagator.js';

/** Injects with every injector; extracts with the extractors in order, the first valid context winning. */
export class CompositePropagator implements Propagator {
  readonly name = 'composite';
  private readonly fieldList: readonly string[];

  constructor(
    private readonly injectors: readonly Propagator[],
    private readonly extractors: readonly Propagator[] = injectors,
  ) {
    this.fieldList = [...new Set([...injectors, ...extractors].flatMap((p) => p.fields()))];
  }

  fields(): readonly string[] {
    return this.fieldList;
  }

  inject(context: TraceContext, carrier: HeaderCarrier): void {
    for (const propagator of this.injectors) {
      try {
        propagator.inject(context, carrier);
      } catch {
        // a carrier that refuses a header (a frozen object, a sealed Headers) must not fail the request
      }
    }
  }

  extract(headers: IncomingHeaders): TraceContext | null {
    for (const propagator of this.extractors) {
      let context: TraceContext | null = null;
      try {
        context = propagator.extract(headers);
      } catch {
        context = null;
      }
      if (context) return context;
    }
    return null;
  }
}
