import type { TraceContext } from '../types.js';
import type { HeaderCarrier, IncomingHeaders } from './headers.js';

/**
 * One wire format for trace context. Propagators are small, composable and chosen by name.
 * `extract` never throws: on a malformed header it returns null and a new trace starts.
 */
export interface Propagator {
  /** The name it is configured by: `tracecontext`, `b3`, `b3multi`, `x-trace-id`. */
  readonly name: string;
  /** Lowercase header names this propagator reads or writes. */
  fields(): readonly string[];
  /** Writes `context` into `carrier`. Never overwrites a header the carrier already has. */
  inject(context: TraceContext, carrier: HeaderCarrier): void;
  /** Reads a context from `headers`, or null when there is none or it is invalid. */
  extract(headers: IncomingHeaders): TraceContext | null;
}
