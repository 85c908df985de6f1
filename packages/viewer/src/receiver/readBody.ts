import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';

/** Why a body was refused, as the HTTP status the receiver answers with. */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

function gunzipWithin(body: Buffer, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxOutputLength stops a small gzip bomb from inflating past the limit in memory.
    gunzip(body, { maxOutputLength: limit }, function gunzipped(error, out) {
      if (error === null) resolve(out);
      else if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) reject(new BodyError(413, `body is larger than ${limit} bytes once decompressed`));
      else reject(new BodyError(400, 'body is not valid gzip'));
    });
  });
}

/**
 * Reads a request body of at most `limit` bytes, before and after gzip (the one Content-Encoding OTLP/HTTP
 * requires besides none: https://opentelemetry.io/docs/specs/otlp/#otlphttp-request). A declared length over the
 * limit is refused before a byte is read; a body that grows past it is cut off there.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') throw new BodyError(415, `Content-Encoding ${JSON.stringify(encoding.slice(0, 40))} is not supported (gzip or none)`);
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw new BodyError(413, `body of ${declared} bytes is larger than the limit of ${limit}`);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > limit) throw new BodyError(413, `body is larger than the limit of ${limit} bytes`);
    chunks.push(chunk);
  }
  const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length);
  return encoding === 'gzip' ? gunzipWithin(body, limit) : body;
}
