// OTLP/HTTP answers: https://opentelemetry.io/docs/specs/otlp/#otlphttp-response
// The body has the Content-Type of the request. A success is an ExportTraceServiceResponse (empty: everything was
// taken); a failure is a google.rpc.Status whose `message` says what was wrong (the spec leaves `code` optional;
// we send the gRPC code that matches, as the Collector does).

/** google.rpc.Code values used here. https://github.com/googleapis/googleapis/blob/master/google/rpc/code.proto */
export const RPC_INVALID_ARGUMENT = 3;
export const RPC_PERMISSION_DENIED = 7;
export const RPC_RESOURCE_EXHAUSTED = 8;
export const RPC_UNIMPLEMENTED = 12;
export const RPC_UNAVAILABLE = 14;
export const RPC_UNAUTHENTICATED = 16;

export type BodyFormat = 'json' | 'protobuf';

export const CONTENT_TYPE: Readonly<Record<BodyFormat, string>> = Object.freeze({ json: 'application/json', protobuf: 'application/x-protobuf' });

/** The request's format from its Content-Type; undefined for any other type (answered with 415). */
export function bodyFormatOf(contentType: string | undefined): BodyFormat | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

/** The empty ExportTraceServiceResponse. */
export function encodeExportResponse(format: BodyFormat): Buffer {
  return format === 'json' ? Buffer.from('{}') : Buffer.alloc(0);
}

function varint(value: number, out: number[]): void {
  let rest = value >>> 0;
  while (rest > 0x7f) {
    out.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  out.push(rest);
}

/** A google.rpc.Status: `code` (field 1, int32) and `message` (field 2, string). */
export function encodeStatus(format: BodyFormat, code: number, message: string): Buffer {
  if (format === 'json') return Buffer.from(JSON.stringify({ code, message }));
  const text = Buffer.from(message, 'utf8');
  const head: number[] = [0x08];
  varint(code, head);
  head.push(0x12);
  varint(text.length, head);
  return Buffer.concat([Buffer.from(head), text]);
}
