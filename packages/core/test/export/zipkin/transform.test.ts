import { expect } from 'chai';
import { encodeZipkinJson, toZipkinSpan } from '../../../src/export/zipkin/transform.js';
import { finishedSpan } from '../../helpers/exportSpans.js';
import { validateZipkinSpans } from '../../helpers/zipkinSchema.js';

describe('Zipkin transform', () => {
  it('produces a list that matches the Zipkin v2 schema', () => {
    const body = JSON.parse(
      encodeZipkinJson([
        finishedSpan({ kind: 'server', tags: { 'http.method': 'GET', 'http.status_code': 200, ok: true, list: [1, 'a'] } }),
        finishedSpan({ kind: 'client', parentSpanId: 'abcdefabcdefabcd' }, undefined, (s) => s.log('warn', 'slow', { ms: 12 })),
        finishedSpan({ kind: 'producer' }, undefined, (s) => s.setStatus('ERROR', 'broker down')),
        finishedSpan({ kind: 'consumer' }, undefined, (s) => s.setStatus('TIMEOUT')),
        finishedSpan({ kind: 'internal' }),
      ]),
    );
    expect(validateZipkinSpans(body)).to.deep.equal([]);
  });

  it('the schema check catches what Zipkin would refuse', () => {
    expect(validateZipkinSpans([{ traceId: 'XYZ', id: '1', timestamp: 1.5, tags: { n: 1 }, kind: 'INTERNAL' }])).to.have.length.greaterThan(3);
    expect(validateZipkinSpans({})).to.deep.equal(['body: expected an array of spans']);
  });

  it('maps ids, kind, microsecond times, endpoint, tags and annotations', () => {
    const span = finishedSpan(
      { kind: 'server', component: 'http', parentSpanId: '1111222233334444', startTime: 1_700_000_000_000.5, tags: { 'http.route': '/cart', n: 3, missing: undefined } },
      1_700_000_000_012.75,
      (s) => {
        s.log('info', 'cache hit');
        s.log('error', 'db failed', { code: 'E1' });
      },
    );
    const zipkin = toZipkinSpan(span);
    expect(zipkin).to.deep.include({
      traceId: span.traceId,
      id: span.spanId,
      parentId: '1111222233334444',
      name: span.operationName,
      kind: 'SERVER',
      timestamp: 1_700_000_000_000_500,
      duration: 12_250,
      localEndpoint: { serviceName: 'checkout' },
    });
    expect(zipkin.tags).to.include({ 'http.route': '/cart', n: '3', component: 'http', 'service.version': '1.2.3', 'otel.status_code': 'OK' });
    expect(zipkin.tags).not.to.have.property('missing');
    expect(zipkin.tags).not.to.have.property('service.name');
    expect(zipkin.annotations).to.deep.equal([
      { timestamp: Math.round(span.logs[0].timestamp * 1000), value: 'cache hit' },
      { timestamp: Math.round(span.logs[1].timestamp * 1000), value: 'db failed {"level":"error","code":"E1"}' },
    ]);
  });

  it('leaves kind out for internal spans and rounds a zero duration up to 1 µs', () => {
    const zipkin = toZipkinSpan(finishedSpan({ kind: 'internal', startTime: 1_700_000_000_000 }, 1_700_000_000_000));
    expect(zipkin).not.to.have.property('kind');
    expect(zipkin.duration).to.equal(1);
  });

  it('marks errors the way Zipkin shows them, keeping TIMEOUT and CANCELLED', () => {
    expect(toZipkinSpan(finishedSpan({}, undefined, (s) => s.setStatus('ERROR', 'boom'))).tags).to.include({ error: 'boom', 'otel.status_code': 'ERROR' });
    expect(toZipkinSpan(finishedSpan({}, undefined, (s) => s.setStatus('ERROR'))).tags).to.include({ error: 'true' });
    expect(toZipkinSpan(finishedSpan({}, undefined, (s) => s.setStatus('TIMEOUT', 'slow'))).tags).to.include({
      error: 'TIMEOUT: slow',
      'audit.status_code': 'TIMEOUT',
    });
    expect(toZipkinSpan(finishedSpan({}, undefined, (s) => s.setStatus('CANCELLED'))).tags).to.include({ error: 'CANCELLED', 'audit.status_code': 'CANCELLED' });
  });
});
