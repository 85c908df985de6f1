// Hand-built span records for analysis tests: short names for ids, times in ms from 0, one resource per service.
import type { ReadableSpan, Resource, SpanKind, SpanStatusCode, Tags } from '../../src/types.js';

const resources = new Map<string, Resource>();

export function serviceResource(service: string): Resource {
  let resource = resources.get(service);
  if (!resource) resources.set(service, (resource = Object.freeze({ serviceName: service, attributes: Object.freeze({ 'service.name': service }) })));
  return resource;
}

/** A span id from a short name: 'a' → '000000000000000a' (hex digits only, so names are hex: 'a1', 'b2'…). */
export const sid = (name: string): string => name.padStart(16, '0');

export const TRACE = '0af7651916cd43dd8448eb211c80319c';

export interface RecordInit {
  id: string;
  parent?: string;
  service?: string;
  name?: string;
  start: number;
  end?: number;
  status?: SpanStatusCode;
  kind?: SpanKind;
  trace?: string;
  tags?: Tags;
}

export function record(init: RecordInit): ReadableSpan {
  return {
    traceId: init.trace ?? TRACE,
    spanId: sid(init.id),
    parentSpanId: init.parent === undefined ? undefined : sid(init.parent),
    operationName: init.name ?? `op-${init.id}`,
    component: 'test',
    kind: init.kind ?? 'internal',
    startTime: init.start,
    endTime: init.end,
    duration: init.end === undefined ? undefined : init.end - init.start,
    tags: init.tags ?? {},
    logs: [],
    links: [],
    status: { code: init.status ?? 'OK' },
    traceFlags: 1,
    resource: serviceResource(init.service ?? 'app'),
    droppedTagsCount: 0,
    droppedLogsCount: 0,
    droppedLinksCount: 0,
  };
}
