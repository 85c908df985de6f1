import { expect } from 'chai';
import { encodeOtlpJson } from '../../src/export/otlp/encodeJson.js';
import { InMemoryExporter } from '../../src/export/InMemoryExporter.js';
import { AuditTracer } from '../../src/trace/AuditTracer.js';

// Tag names and log fields can come from request data (`span.setTags(req.query)`): `__proto__` among them must
// stay a tag like any other, never replace the prototype of the span's tags.
describe('hostile tag names', () => {
  const exporter = new InMemoryExporter();
  const tracer = new AuditTracer({ serviceName: 'hostile', exporter, processor: 'simple' });
  beforeEach(() => exporter.reset());

  it('keeps a tag named __proto__ as an own tag, and the prototype of the tags as it was', async () => {
    const span = tracer.startSpan('request', null);
    span.setTag('__proto__', 'a value');
    span.setTags(JSON.parse('{"__proto__": {"polluted": "yes"}, "ordinary": 1}'));
    span.finish();
    await tracer.forceFlush();
    const [record] = exporter.getFinishedSpans();
    expect(Object.getPrototypeOf(record.tags)).to.equal(Object.prototype);
    expect(Object.keys(record.tags)).to.deep.equal(['__proto__', 'ordinary']);
    expect(Object.getOwnPropertyDescriptor(record.tags, '__proto__')?.value).to.deep.equal({ polluted: 'yes' });
    expect('polluted' in record.tags).to.equal(false);
    const body = JSON.parse(encodeOtlpJson([record]).toString()) as { resourceSpans: { scopeSpans: { spans: { attributes: { key: string }[] }[] }[] }[] };
    expect(body.resourceSpans[0].scopeSpans[0].spans[0].attributes.map((a) => a.key)).to.include.members(['__proto__', 'ordinary']);
  });

  it('keeps __proto__ in log fields cut to the limits, and encrypts it when it is sensitive', async () => {
    const sensitive = new AuditTracer({
      serviceName: 'hostile',
      exporter,
      processor: 'simple',
      spanLimits: { attributePerEventCountLimit: 1 },
      encryption: { key: 'a'.repeat(64), sensitiveTags: ['__proto__'] },
    });
    const span = sensitive.startSpan('request', null);
    span.setTag('__proto__', 'secret');
    span.log('info', 'fields', JSON.parse('{"__proto__": "first", "second": 2}'));
    span.finish();
    await sensitive.forceFlush();
    const [record] = exporter.getFinishedSpans();
    expect(Object.getPrototypeOf(record.tags)).to.equal(Object.prototype);
    expect(String(Object.getOwnPropertyDescriptor(record.tags, '__proto__')?.value)).to.match(/^enc:v2:/);
    expect(Object.keys(record.logs[0].fields!)).to.deep.equal(['__proto__']);
    expect(record.logs[0].droppedFieldsCount).to.equal(1);
    await sensitive.shutdown();
  });
});
