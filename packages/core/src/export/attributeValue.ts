import type { TagValue } from '../types.js';

function describeObject(value: object): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value);
  } catch {
    // circular, or a throwing toJSON
    return Object.prototype.toString.call(value);
  }
}

function toScalar(value: unknown): string | number | boolean | undefined {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
    case 'object':
      return value === null ? undefined : describeObject(value);
    default:
      // undefined, functions and symbols carry nothing worth exporting
      return undefined;
  }
}

/**
 * A tag or log-field value reduced to what OTLP attributes and Zipkin tags can hold: a string, number, boolean,
 * or a flat array of them. Objects become JSON text, dates ISO text, errors `Name: message`; undefined means
 * "leave the attribute out". Exporters call this only for values outside the fast typeof cases.
 */
export function toAttributeValue(value: unknown): TagValue {
  if (Array.isArray(value)) {
    const out: (string | number | boolean)[] = [];
    for (const item of value) {
      const scalar = Array.isArray(item) ? describeObject(item) : toScalar(item);
      if (scalar !== undefined) out.push(scalar);
    }
    return out;
  }
  return toScalar(value);
}
