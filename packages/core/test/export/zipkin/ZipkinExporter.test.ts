import { expect } from 'chai';
import { DEFAULT_ZIPKIN_ENDPOINT, ZIPKIN_SPANS_PATH, ZipkinExporter } from '../../../src/export/zipkin/ZipkinExporter.js';
import { signalUrl } from '../../../src/semconv.js';

const zipkinSpansUrl = (endpoint: string) => signalUrl(endpoint, ZIPKIN_SPANS_PATH);
import { TestCollector } from '../../helpers/collector.js';
import { finishedSpans } from '../../helpers/exportSpans.js';
import { validateZipkinSpans } from '../../helpers/zipkinSchema.js';

describe('ZipkinExporter', () => {
  let collector: TestCollector | undefined;
  afterEach(async () => collector?.close());

  it('posts gzip-compressed Zipkin v2 JSON to /api/v2/spans', async () => {
    collector = await TestCollector.start({ fallback: { status: 202 } });
    const exporter = new ZipkinExporter({ endpoint: collector.url });
    const spans = finishedSpans(3);
    expect(await exporter.export(spans)).to.deep.equal({ code: 'success' });
    await exporter.shutdown();
    const [request] = collector.requests;
    expect(request.url).to.equal('/api/v2/spans');
    expect(request.headers).to.include({ 'content-type': 'application/json', 'content-encoding': 'gzip' });
    const body = JSON.parse(request.body.toString());
    expect(validateZipkinSpans(body)).to.deep.equal([]);
    expect(body.map((s: { id: string }) => s.id)).to.deep.equal(spans.map((s) => s.spanId));
  });

  it('goes through the same retrying transport', async () => {
    collector = await TestCollector.start({ script: [{ status: 503 }, { status: 202 }] });
    const exporter = new ZipkinExporter({ endpoint: collector.url, retry: { initialBackoffMs: 1 } });
    expect((await exporter.export(finishedSpans(1))).code).to.equal('success');
    expect(exporter.getStats()).to.include({ exportAttempts: 2, exportRetries: 1 });
    await exporter.shutdown();
  });

  it('builds its URL from an endpoint, or takes a full one', () => {
    expect(zipkinSpansUrl('http://z:9411/')).to.equal('http://z:9411/api/v2/spans');
    expect(zipkinSpansUrl('http://z:9411/api/v2/spans')).to.equal('http://z:9411/api/v2/spans');
    expect(new ZipkinExporter().target).to.equal(`${DEFAULT_ZIPKIN_ENDPOINT}/api/v2/spans`);
    expect(new ZipkinExporter({ url: 'http://z/spans' }).target).to.equal('http://z/spans');
  });
});
