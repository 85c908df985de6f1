// Finished spans for exporter and processor tests, built directly (no tracer), with a fixed resource.
import { AuditSpan, toReadableSpan, type AuditSpanInit } from '../../src/trace/AuditSpan.js';
import type { ReadableSpan, Resource } from '../../src/types.js';

export const TEST_RESOURCE: Resource = Object.freeze({
  serviceName: 'checkout',
  attributes: Object.freeze({
    'service.name': 'checkout',
    'service.version': '1.2.3',
    'deployment.environment.name': 'test',
    'telemetry.sdk.name': 'audit-tracing',
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.version': '0.1.0',
  }),
});

let counter = 0;

function hex(value: number, length: number): string {
  return value.toString(16).padStart(length, '0');
}

/**
 * The record of a finished span with unique ids, as processors and exporters receive it; `finishAt` defaults to 12.5 ms after the start. `before` runs before the span
 * ends (to set a status or add logs).
 */
export function finishedSpan(init: Partial<AuditSpanInit> = {}, finishAt?: number, before?: (span: AuditSpan) => void): ReadableSpan {
  counter++;
  const startTime = init.startTime ?? 1_700_000_000_000 + counter + 0.25;
  const span = new AuditSpan({
    traceId: `4bf92f3577b34da6a3ce929d${hex(counter, 8)}`,
    spanId: `00f067aa${hex(counter, 8)}`,
    operationName: `op-${counter}`,
    component: 'test',
    kind: 'internal',
    traceFlags: 1,
    resource: TEST_RESOURCE,
    ...init,
    startTime,
  });
  before?.(span);
  span.finish(finishAt ?? startTime + 12.5);
  return toReadableSpan(span);
}

export function finishedSpans(count: number, init: Partial<AuditSpanInit> = {}): ReadableSpan[] {
  return Array.from({ length: count }, () => finishedSpan(init));
}
