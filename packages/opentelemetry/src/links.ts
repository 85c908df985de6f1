import type { SpanLink, Tags } from '@audit-tracing/core';
import type { Link } from '@opentelemetry/api';

/** An OpenTelemetry link as ours; our span checks the ids and applies the link limits. */
export function toSpanLink(link: Link): SpanLink {
  const context = link?.context;
  return {
    context: {
      traceId: context?.traceId,
      spanId: context?.spanId,
      traceFlags: context?.traceFlags,
      traceState: context?.traceState?.serialize(),
    },
    tags: link?.attributes as Tags | undefined,
  } as SpanLink;
}
