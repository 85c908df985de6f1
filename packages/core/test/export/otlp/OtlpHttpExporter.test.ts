import { expect } from 'chai';
import { setDiagLogger } from '../../../src/diag.js';
import { DEFAULT_OTLP_ENDPOINT, OTLP_TRACES_PATH, OtlpHttpExporter } from '../../../src/export/otlp/OtlpHttpExporter.js';
import { signalUrl } from '../../../src/semconv.js';

const otlpTracesUrl = (endpoint: string) => signalUrl(endpoint, OTLP_TRACES_PATH);
import { TestCollector } from '../../helpers/collector.js';
import { finishedSpan } from '../../helpers/exportSpans.js';
import { decodeOtlpProtobuf, encodeTraceResponse, normalizeOtlpJson, otlpSpans } from '../../helpers/otlpDecode.js';

describe('OtlpHttpExporter', () => {
  let collector: TestCollector;
  const warnings: string[] = [];
  beforeEach(async () => {
    collector = await TestCollector.start();
    setDiagLogger({ warn: (m) => warnings.push(m), error: (m) => warnings.push(m) });
  });
  afterEach(async () => {
    await collector.close();
    setDiagLogger(undefined);
    warnings.length = 0;
  });

  function spans() {
    return [
      finishedSpan({ kind: 'server', tags: { 'http.method': 'GET', 'http.status_code': 200 } }, undefined, (s) => s.log('info', 'hello', { n: 1 })),
      finishedSpan({ kind: 'client', parentSpanId: '0123456789abcdef', tags: { ratio: 0.5, list: ['a'] } }, undefined, (s) => s.setStatus('CANCELLED', 'client went away')),
    ];
  }

  it('posts protobuf (the default) and JSON bodies that decode into the same spans', async () => {
    const batch = spans();
    const protobuf = new OtlpHttpExporter({ endpoint: collector.url });
    const json = new OtlpHttpExporter({ endpoint: collector.url, protocol: 'http/json' });
    expect(protobuf.protocol).to.equal('http/protobuf');
    expect(await protobuf.export(batch)).to.deep.equal({ code: 'success' });
    expect(await json.export(batch)).to.deep.equal({ code: 'success' });
    await Promise.all([protobuf.shutdown(), json.shutdown()]);

    const [protobufRequest, jsonRequest] = collector.requests;
    expect(protobufRequest.url).to.equal('/v1/traces');
    expect(protobufRequest.headers['content-type']).to.equal('application/x-protobuf');
    expect(jsonRequest.url).to.equal('/v1/traces');
    expect(jsonRequest.headers['content-type']).to.equal('application/json');
    const fromProtobuf = decodeOtlpProtobuf(protobufRequest.body);
    const fromJson = normalizeOtlpJson(JSON.parse(jsonRequest.body.toString()));
    expect(fromProtobuf).to.deep.equal(fromJson);
    expect(otlpSpans(fromProtobuf).map((s) => s.spanId)).to.deep.equal(batch.map((s) => s.spanId));
  });

  it('sends uncompressed bodies when compression is none', async () => {
    const exporter = new OtlpHttpExporter({ endpoint: collector.url, compression: 'none', protocol: 'http/json' });
    await exporter.export(spans());
    await exporter.shutdown();
    expect(collector.requests[0].headers).not.to.have.property('content-encoding');
    expect(JSON.parse(collector.requests[0].rawBody.toString())).to.have.property('resourceSpans');
  });

  it('reads a protobuf partial success and counts the rejected spans', async () => {
    await collector.close();
    collector = await TestCollector.start({
      fallback: { status: 200, headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(encodeTraceResponse({ rejectedSpans: 1, errorMessage: 'dup' })) },
    });
    const exporter = new OtlpHttpExporter({ endpoint: collector.url });
    expect(await exporter.export(spans())).to.deep.equal({ code: 'success', rejected: 1 });
    expect(exporter.getStats()).to.deep.equal({ exportAttempts: 1, exportRetries: 0 });
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain('rejected 1 of 2 spans: dup');
    await exporter.shutdown();
  });

  it('uses a full URL as is, and appends /v1/traces to an endpoint once', async () => {
    const exporter = new OtlpHttpExporter({ url: `${collector.url}/custom/ingest` });
    await exporter.export(spans());
    await exporter.shutdown();
    expect(collector.requests[0].url).to.equal('/custom/ingest');
    expect(otlpTracesUrl('http://c:4318/')).to.equal('http://c:4318/v1/traces');
    expect(otlpTracesUrl('http://c:4318/v1/traces')).to.equal('http://c:4318/v1/traces');
    expect(otlpTracesUrl('http://c/otlp')).to.equal('http://c/otlp/v1/traces');
    expect(new OtlpHttpExporter().target).to.equal(`${DEFAULT_OTLP_ENDPOINT}/v1/traces`);
  });

  it('fails every export after shutdown, without a request', async () => {
    const exporter = new OtlpHttpExporter({ endpoint: collector.url });
    await exporter.shutdown();
    const result = await exporter.export(spans());
    expect(result.code).to.equal('failure');
    expect(collector.requests).to.have.length(0);
  });

  it('rejects an unknown protocol at construction', () => {
    expect(() => new OtlpHttpExporter({ protocol: 'grpc' as never })).to.throw(TypeError, /protocol/);
  });
});
