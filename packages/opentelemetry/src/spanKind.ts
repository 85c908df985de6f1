import type { SpanKind as AuditSpanKind } from '@audit-tracing/core';
import { SpanKind } from '@opentelemetry/api';

const KINDS: Readonly<Record<number, AuditSpanKind>> = Object.freeze({
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
});

/** OpenTelemetry's numeric span kind as ours; INTERNAL, the API's default, for anything else. */
export function toSpanKind(kind: SpanKind | undefined): AuditSpanKind {
  return (kind !== undefined && KINDS[kind]) || 'internal';
}
