import { expect } from 'chai';
import { gunzipSync } from 'node:zlib';
import { HttpTransport, MAX_RESPONSE_BYTES, MAX_SYNC_GZIP_BYTES } from '../../../src/export/http/HttpTransport.js';
import { closedPortUrl, TestCollector } from '../../helpers/collector.js';

describe('HttpTransport', () => {
  let collector: TestCollector | undefined;
  afterEach(async () => {
    await collector?.close();
    collector = undefined;
  });

  it('posts the body with the content type, headers and gzip', async () => {
    collector = await TestCollector.start({ fallback: { status: 200, body: 'ok' } });
    const transport = new HttpTransport({ url: `${collector.url}/v1/traces`, contentType: 'application/json', headers: { 'x-tenant': 'acme' } });
    const body = await transport.prepare('{"a":1}');
    expect(gunzipSync(body).toString()).to.equal('{"a":1}');
    const outcome = await transport.send(body);
    transport.shutdown();
    expect(outcome).to.include({ kind: 'response', statusCode: 200 });
    const [request] = collector.requests;
    expect(request.method).to.equal('POST');
    expect(request.url).to.equal('/v1/traces');
    expect(request.headers).to.include({ 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-tenant': 'acme' });
    expect(request.body.toString()).to.equal('{"a":1}');
  });

  it('gzips bodies on either side of the size compressed in place, each to the bytes given', async () => {
    const transport = new HttpTransport({ url: 'http://127.0.0.1:4318/v1/traces', contentType: 'application/x-protobuf' });
    for (const size of [0, 1, MAX_SYNC_GZIP_BYTES, MAX_SYNC_GZIP_BYTES + 1, 4 * MAX_SYNC_GZIP_BYTES]) {
      const bytes = Buffer.alloc(size, 'otlp body ');
      expect(gunzipSync(await transport.prepare(bytes)).equals(bytes), `size ${size}`).to.equal(true);
    }
    transport.shutdown();
  });

  it('sends uncompressed bodies when compression is none', async () => {
    collector = await TestCollector.start();
    const transport = new HttpTransport({ url: collector.url, contentType: 'application/x-protobuf', compression: 'none' });
    await transport.send(await transport.prepare(Buffer.from([1, 2, 3])));
    transport.shutdown();
    expect(collector.requests[0].headers).not.to.have.property('content-encoding');
    expect([...collector.requests[0].rawBody]).to.deep.equal([1, 2, 3]);
  });

  it('reports status, Retry-After and a bounded body', async () => {
    collector = await TestCollector.start({ fallback: { status: 429, headers: { 'retry-after': '7' }, body: 'z'.repeat(MAX_RESPONSE_BYTES + 10) } });
    const transport = new HttpTransport({ url: collector.url, contentType: 'application/json', compression: 'none' });
    const outcome = await transport.send(Buffer.from('{}'));
    transport.shutdown();
    expect(outcome.kind).to.equal('response');
    if (outcome.kind !== 'response') return;
    expect(outcome.statusCode).to.equal(429);
    expect(outcome.retryAfter).to.equal('7');
    expect(outcome.body.length).to.equal(MAX_RESPONSE_BYTES);
  });

  it('gives up on a collector that hangs after the request timeout', async () => {
    collector = await TestCollector.start({ fallback: 'hang' });
    const transport = new HttpTransport({ url: collector.url, contentType: 'application/json', compression: 'none', timeoutMs: 100 });
    const started = performance.now();
    const outcome = await transport.send(Buffer.from('{}'));
    transport.shutdown();
    expect(outcome).to.include({ kind: 'network-error', timedOut: true });
    expect(performance.now() - started).to.be.within(90, 2000);
  });

  it('reports a refused connection or a dropped one as a network error', async () => {
    const down = new HttpTransport({ url: await closedPortUrl(), contentType: 'application/json' });
    expect(await down.send(Buffer.from('{}'))).to.include({ kind: 'network-error', timedOut: false });
    down.shutdown();
    collector = await TestCollector.start({ fallback: 'reset' });
    const reset = new HttpTransport({ url: collector.url, contentType: 'application/json', compression: 'none' });
    expect(await reset.send(Buffer.from('{}'))).to.include({ kind: 'network-error', timedOut: false });
    reset.shutdown();
  });

  it('rejects bad set-up with a TypeError that names the header but never shows its value', () => {
    expect(() => new HttpTransport({ url: 'ftp://x', contentType: 'a' })).to.throw(TypeError, /http: or https:/);
    expect(() => new HttpTransport({ url: 'not a url', contentType: 'a' })).to.throw(TypeError, /url/);
    expect(() => new HttpTransport({ url: 'http://x', contentType: 'a', timeoutMs: 0 })).to.throw(TypeError, /timeoutMs/);
    expect(() => new HttpTransport({ url: 'http://x', contentType: 'a', headers: { 'bad name': 'v' } })).to.throw(TypeError, /bad name/);
    let message = '';
    try {
      new HttpTransport({ url: 'http://x', contentType: 'a', headers: { authorization: 'Bearer sec\nret' } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.contain('authorization');
    expect(message).not.to.contain('sec');
  });
});
