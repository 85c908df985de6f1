import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import fc from 'fast-check';
import { encodeOtlpProtobuf, encodeZipkinJson } from '@audit-tracing/core';
import { startViewer, type RunningViewer } from '../src/index.js';
import { MAX_CONCURRENT_RECEIVES } from '../src/Viewer.js';
import { checkoutTrace, postOtlp } from './helpers/spans.js';

/** google.rpc.Status from protobuf: field 1 code (varint), field 2 message (bytes). */
function decodeStatus(body: Buffer): { code?: number; message?: string } {
  const out: { code?: number; message?: string } = {};
  let at = 0;
  const varint = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = body[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < body.length) {
    const key = varint();
    if (key === 0x08) out.code = varint();
    else if (key === 0x12) {
      const length = varint();
      out.message = body.subarray(at, at + length).toString('utf8');
      at += length;
    } else throw new Error(`unexpected field key ${key}`);
  }
  return out;
}

/** Sends a body with a Content-Length that lies, or chunked, via node:http so nothing fixes it up. */
function rawPost(url: string, headers: Record<string, string>, chunks: Buffer[]): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/traces`, { method: 'POST', headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    const writeNext = (i: number): void => {
      if (i === chunks.length) {
        req.end();
        return;
      }
      // The server may answer 413 and close while we still write: that is the point.
      if (!req.write(chunks[i])) req.once('drain', () => writeNext(i + 1));
      else setImmediate(() => writeNext(i + 1));
    };
    req.on('response', () => undefined);
    writeNext(0);
  });
}

describe('viewer receiver: OTLP/HTTP and Zipkin v2', () => {
  let running: RunningViewer;
  before(async () => {
    running = await startViewer({ port: 0, maxBodyBytes: 64 * 1024 });
  });
  after(async () => running.close());
  beforeEach(() => running.viewer.store.clear());

  async function storedTrace(traceId: string) {
    const response = await fetch(`${running.url}/api/traces/${traceId}`);
    expect(response.status).to.equal(200);
    return response.json() as any;
  }

  for (const format of ['protobuf', 'json'] as const) {
    for (const gzip of [false, true]) {
      it(`takes OTLP/${format}${gzip ? ' gzipped' : ''} and answers with an empty ExportTraceServiceResponse`, async () => {
        const spans = checkoutTrace(1_700_000_000_000, { failPricing: true });
        const response = await postOtlp(running.url, spans, { format, gzip });
        expect(response.status).to.equal(200);
        expect(response.headers.get('content-type')).to.equal(format === 'json' ? 'application/json' : 'application/x-protobuf');
        const body = Buffer.from(await response.arrayBuffer());
        if (format === 'json') expect(JSON.parse(body.toString())).to.deep.equal({});
        else expect(body.length).to.equal(0);
        const trace = await storedTrace(spans[0].traceId);
        expect(trace.rows.map((row: any) => [row.span.resource.serviceName, row.span.operationName, row.depth])).to.deep.equal([
          ['gateway', 'GET /checkout/:sku', 0],
          ['gateway', 'GET', 1],
          ['inventory', 'GET /stock/:sku', 2],
          ['inventory', 'stock.lookup', 3],
          ['inventory', 'GET', 3],
          ['pricing', 'GET /prices/:sku', 4],
        ]);
        const pricing = trace.rows[5].span;
        expect(pricing.status).to.deep.equal({ code: 'ERROR', message: 'price service down' });
        expect(pricing.tags['http.route']).to.equal('/prices/:sku');
        expect(trace.rows[3].span.logs[0]).to.include({ message: 'cache miss', level: 'info' });
      });
    }
  }

  it('takes Zipkin v2 JSON (gzipped too) and answers 202', async () => {
    const spans = checkoutTrace(1_700_000_000_000, { failPricing: true });
    const response = await fetch(`${running.url}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(encodeZipkinJson(spans)) });
    expect(response.status).to.equal(202);
    const trace = await storedTrace(spans[0].traceId);
    expect(trace.rows).to.have.length(6);
    expect(trace.rows.map((row: any) => row.span.resource.serviceName)).to.deep.equal(['gateway', 'gateway', 'inventory', 'inventory', 'inventory', 'pricing']);
    expect(trace.rows[5].span.status).to.deep.equal({ code: 'ERROR', message: 'price service down' });
    expect(trace.rows[5].span.kind).to.equal('server');
  });

  it('answers 413 to a body over the limit: declared, streamed, or a gzip bomb', async () => {
    const big = Buffer.alloc(100 * 1024, 0x41);
    const declared = await rawPost(running.url, { 'content-type': 'application/x-protobuf', 'content-length': String(big.length) }, [big]);
    expect(declared.status).to.equal(413);
    expect(decodeStatus(declared.body).message).to.match(/larger than the limit/);
    const streamed = await rawPost(running.url, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, Array.from({ length: 10 }, () => Buffer.alloc(10 * 1024, 0x20)));
    expect(streamed.status).to.equal(413);
    expect(JSON.parse(streamed.body.toString())).to.include({ code: 8 });
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20));
    expect(bomb.length).to.be.below(64 * 1024);
    const inflated = await rawPost(running.url, { 'content-type': 'application/json', 'content-encoding': 'gzip' }, [bomb]);
    expect(inflated.status).to.equal(413);
    expect(JSON.parse(inflated.body.toString()).message).to.match(/decompressed/);
  });

  it('answers 400 with a google.rpc.Status in the request format to malformed bodies, and keeps serving', async () => {
    const cases: Array<[string, Buffer]> = [
      ['application/x-protobuf', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01])],
      ['application/x-protobuf', Buffer.from('this is not protobuf at all, no no no')],
      ['application/json', Buffer.from('{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": 12}]}]}]}')],
      ['application/json', Buffer.from('{"resourceSpans": ')],
    ];
    for (const [type, body] of cases) {
      const response = await fetch(`${running.url}/v1/traces`, { method: 'POST', headers: { 'content-type': type }, body });
      expect(response.status, body.toString()).to.equal(400);
      expect(response.headers.get('content-type')).to.equal(type);
      const raw = Buffer.from(await response.arrayBuffer());
      const status = type === 'application/json' ? JSON.parse(raw.toString()) : decodeStatus(raw);
      expect(status.code).to.equal(3);
      expect(status.message).to.be.a('string').and.not.equal('');
    }
    const notGzip = await fetch(`${running.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: 'plain' });
    expect(notGzip.status).to.equal(400);
    const zipkin = await fetch(`${running.url}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[{"traceId":"nope","id":"1"}]' });
    expect(zipkin.status).to.equal(400);
    expect(await zipkin.text()).to.match(/^Zipkin v2: traceId/);
    const wrongType = await fetch(`${running.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(wrongType.status).to.equal(415);
    // Still alive, and nothing half-stored.
    expect((await fetch(`${running.url}/api/stats`)).status).to.equal(200);
    expect(running.viewer.store.getStats().spans).to.equal(0);
    expect(running.viewer.getStats().receiver.refused).to.include({ 400: 6, 415: 1 });
  });

  it('answers arbitrary bytes with 200 or 400, never anything else, and keeps serving (fast-check)', async function () {
    this.timeout(60_000);
    const valid = encodeOtlpProtobuf(checkoutTrace(1_700_000_000_000));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 512 }),
          // A valid request with a few bytes flipped: deep inside the decoder rather than at its door.
          fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }).map((flips) => {
            const body = Buffer.from(valid);
            for (const [at, value] of flips) body[at] = value;
            return new Uint8Array(body);
          }),
        ),
        fc.constantFrom('application/x-protobuf', 'application/json'),
        async (body, type) => {
          const response = await fetch(`${running.url}/v1/traces`, { method: 'POST', headers: { 'content-type': type }, body });
          await response.arrayBuffer();
          expect([200, 400], `${response.status} for ${Buffer.from(body).toString('hex').slice(0, 80)}`).to.include(response.status);
        },
      ),
      { numRuns: 300 },
    );
    expect((await fetch(`${running.url}/api/stats`)).status).to.equal(200);
  });

  it('reads at most 16 bodies at once: one more gets 503 with Retry-After, which exporters retry', async () => {
    // Senders that declared a body and sent only its first bytes: each holds a receive slot.
    const stalled = Array.from({ length: MAX_CONCURRENT_RECEIVES }, () => {
      const req = request(`${running.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-length': '1000' } });
      req.on('error', () => undefined);
      req.write(Buffer.alloc(10));
      return req;
    });
    const deadline = Date.now() + 5000;
    let busy: Response | undefined;
    while (Date.now() < deadline) {
      const response = await postOtlp(running.url, checkoutTrace(1), { format: 'json' });
      if (response.status === 503) {
        busy = response;
        break;
      }
      await response.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(busy?.status).to.equal(503);
    expect(busy!.headers.get('retry-after')).to.equal('1');
    expect(await busy!.json() as any).to.include({ code: 14 });
    for (const req of stalled) req.destroy();
    const again = Date.now() + 5000;
    let status = 0;
    while (Date.now() < again && status !== 200) {
      status = (await postOtlp(running.url, checkoutTrace(1))).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).to.equal(200);
  });
});
