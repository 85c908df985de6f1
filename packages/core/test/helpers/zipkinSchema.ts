// The Zipkin v2 span schema, transcribed from zipkin2-api.yaml (openzipkin/zipkin-api, definitions ListOfSpans,
// Span, Endpoint, Annotation, Tags), as a checker that lists every violation.

const SPAN_PROPERTIES = new Set([
  'traceId',
  'name',
  'parentId',
  'id',
  'kind',
  'timestamp',
  'duration',
  'debug',
  'shared',
  'localEndpoint',
  'remoteEndpoint',
  'annotations',
  'tags',
]);
const KINDS = new Set(['CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER']);
const HEX = /^[0-9a-f]+$/;

function isInt64(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

function checkEndpoint(endpoint: unknown, where: string, errors: string[]): void {
  if (endpoint === null || typeof endpoint !== 'object' || Array.isArray(endpoint)) {
    errors.push(`${where}: expected an object`);
    return;
  }
  const e = endpoint as Record<string, unknown>;
  for (const field of ['serviceName', 'ipv4', 'ipv6'] as const) {
    if (e[field] !== undefined && typeof e[field] !== 'string') errors.push(`${where}.${field}: expected a string`);
  }
  if (e.port !== undefined && !Number.isInteger(e.port)) errors.push(`${where}.port: expected an integer`);
}

/** Every way `body` departs from the schema; empty when it conforms. */
export function validateZipkinSpans(body: unknown): string[] {
  if (!Array.isArray(body)) return ['body: expected an array of spans'];
  const errors: string[] = [];
  body.forEach((item, i) => {
    const where = `[${i}]`;
    if (item === null || typeof item !== 'object') {
      errors.push(`${where}: expected an object`);
      return;
    }
    const span = item as Record<string, unknown>;
    for (const key of Object.keys(span)) if (!SPAN_PROPERTIES.has(key)) errors.push(`${where}.${key}: not a Span property`);
    const { traceId, id, parentId } = span;
    if (typeof traceId !== 'string' || !HEX.test(traceId) || (traceId.length !== 16 && traceId.length !== 32)) errors.push(`${where}.traceId: expected 16 or 32 lowercase hex`);
    if (typeof id !== 'string' || !HEX.test(id) || id.length !== 16) errors.push(`${where}.id: expected 16 lowercase hex`);
    if (parentId !== undefined && (typeof parentId !== 'string' || !HEX.test(parentId) || parentId.length !== 16)) errors.push(`${where}.parentId: expected 16 lowercase hex`);
    if (span.name !== undefined && typeof span.name !== 'string') errors.push(`${where}.name: expected a string`);
    if (span.kind !== undefined && !KINDS.has(span.kind as string)) errors.push(`${where}.kind: expected CLIENT, SERVER, PRODUCER or CONSUMER`);
    if (span.timestamp !== undefined && !isInt64(span.timestamp)) errors.push(`${where}.timestamp: expected an int64 (epoch µs)`);
    if (span.duration !== undefined && !(isInt64(span.duration) && (span.duration as number) >= 1)) errors.push(`${where}.duration: expected an int64 >= 1 (µs)`);
    for (const flag of ['debug', 'shared'] as const) if (span[flag] !== undefined && typeof span[flag] !== 'boolean') errors.push(`${where}.${flag}: expected a boolean`);
    if (span.localEndpoint !== undefined) checkEndpoint(span.localEndpoint, `${where}.localEndpoint`, errors);
    if (span.remoteEndpoint !== undefined) checkEndpoint(span.remoteEndpoint, `${where}.remoteEndpoint`, errors);
    if (span.annotations !== undefined) {
      if (!Array.isArray(span.annotations)) errors.push(`${where}.annotations: expected an array`);
      else
        span.annotations.forEach((annotation: Record<string, unknown>, j: number) => {
          if (!isInt64(annotation?.timestamp)) errors.push(`${where}.annotations[${j}].timestamp: expected an integer (epoch µs)`);
          if (typeof annotation?.value !== 'string') errors.push(`${where}.annotations[${j}].value: expected a string`);
        });
    }
    if (span.tags !== undefined) {
      if (span.tags === null || typeof span.tags !== 'object' || Array.isArray(span.tags)) errors.push(`${where}.tags: expected an object`);
      else for (const [key, value] of Object.entries(span.tags)) if (typeof value !== 'string') errors.push(`${where}.tags.${key}: expected a string`);
    }
  });
  return errors;
}
