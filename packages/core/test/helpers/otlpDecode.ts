// Decodes OTLP bodies with code generated from the official opentelemetry-proto definitions (the protobufjs root
// that @opentelemetry/otlp-transformer ships), and puts protobuf and JSON bodies into one comparable shape.
import { createRequire } from 'node:module';

const require = createRequire(__filename);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');

export const proto = root.opentelemetry.proto;
const Request = proto.collector.trace.v1.ExportTraceServiceRequest;
export const TraceResponse = proto.collector.trace.v1.ExportTraceServiceResponse;

type Json = Record<string, any>;

const ID_FIELDS = ['traceId', 'spanId', 'parentSpanId'];

/** A protobuf ExportTraceServiceRequest as plain data in the OTLP JSON shape: hex ids, 64-bit numbers as strings. */
export function decodeOtlpProtobuf(body: Uint8Array): Json {
  const message = Request.decode(body);
  const object = Request.toObject(message, { longs: String, enums: Number, bytes: String });
  for (const resourceSpans of object.resourceSpans ?? []) {
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        for (const field of ID_FIELDS) if (span[field] !== undefined) span[field] = Buffer.from(span[field], 'base64').toString('hex');
      }
    }
  }
  return object;
}

/**
 * A JSON body in the same shape as `decodeOtlpProtobuf` returns: `flags` (Span field 16, newer than the shipped
 * definitions, so unknown to the decoder) left out, non-finite doubles as numbers, empty arrays as absent.
 */
export function normalizeOtlpJson(body: Json): Json {
  const copy = JSON.parse(JSON.stringify(body), (key, value) => {
    if (key === 'doubleValue' && typeof value === 'string') return Number(value);
    // An empty repeated field (attributes, an array's values) is simply absent on the protobuf wire.
    if (Array.isArray(value) && value.length === 0) return undefined;
    return value;
  });
  for (const resourceSpans of copy.resourceSpans ?? []) {
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) delete span.flags;
    }
  }
  return copy;
}

export function otlpSpans(body: Json): Json[] {
  return (body.resourceSpans ?? []).flatMap((r: Json) => (r.scopeSpans ?? []).flatMap((s: Json) => s.spans ?? []));
}

/** An ExportTraceServiceResponse carrying `partial_success`, encoded with the official definitions. */
export function encodeTraceResponse(partial: { rejectedSpans: number; errorMessage: string }): Uint8Array {
  return TraceResponse.encode(TraceResponse.fromObject({ partialSuccess: partial })).finish();
}
