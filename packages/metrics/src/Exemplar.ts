/** A sample that leads to its trace: open `traceId` in the trace viewer to see why it took `value` ms. */
export interface Exemplar {
  readonly traceId: string;
  readonly spanId: string;
  /** The span's duration, in ms. */
  readonly value: number;
  /** When the span ended, epoch ms. */
  readonly time: number;
}

/** How many of the slowest and of the most recent failed samples are kept per series and per window slice. */
export const EXEMPLARS_KEPT = 5;

/**
 * Keeps the `EXEMPLARS_KEPT` slowest samples of `into`, slowest first. Cheap when the sample is not among them (one
 * comparison), which is the common case once the list is full.
 */
export function keepSlowest(into: Exemplar[], traceId: string, spanId: string, value: number, time: number): void {
  const length = into.length;
  if (length === EXEMPLARS_KEPT && value <= into[length - 1].value) return;
  let at = length === EXEMPLARS_KEPT ? length - 1 : length;
  while (at > 0 && into[at - 1].value < value) {
    into[at] = into[at - 1];
    at--;
  }
  into[at] = { traceId, spanId, value, time };
}

/** The slowest `EXEMPLARS_KEPT` of several lists kept by `keepSlowest`. */
export function slowestOf(lists: Iterable<readonly Exemplar[]>): Exemplar[] {
  const out: Exemplar[] = [];
  for (const list of lists) for (const e of list) keepSlowest(out, e.traceId, e.spanId, e.value, e.time);
  return out;
}
