import { expect } from 'chai';
import { fromZipkinSpan } from '../../src/analysis/read/fromZipkin.js';
import { ERR_SPAN_DECODE } from '../../src/analysis/read/spanDecodeError.js';
import { toZipkinSpan } from '../../src/export/zipkin/transform.js';
import { finishedSpan } from '../helpers/exportSpans.js';

describe('Zipkin transform, read back (fromZipkinSpan)', () => {
  it('gives back what toZipkinSpan wrote: ids, kind, times, service, component, status and log levels', () => {
    const span = finishedSpan(
      { kind: 'client', component: 'fetch', parentSpanId: '1111222233334444', startTime: 1_700_000_000_000.5, tags: { 'http.route': '/cart' } },
      1_700_000_000_012.75,
      (s) => {
        s.log('info', 'cache hit');
        s.log('warn', 'slow {not json', { ms: 12 });
        s.setStatus('TIMEOUT', 'upstream');
      },
    );
    const back = fromZipkinSpan(JSON.parse(JSON.stringify(toZipkinSpan(span))));
    expect(back).to.include({ traceId: span.traceId, spanId: span.spanId, parentSpanId: '1111222233334444', operationName: span.operationName, component: 'fetch', kind: 'client' });
    expect(back.startTime).to.be.closeTo(span.startTime, 0.001);
    expect(back.duration).to.be.closeTo(span.duration!, 0.001);
    expect(back.resource.serviceName).to.equal(span.resource.serviceName);
    expect(back.status).to.deep.equal({ code: 'TIMEOUT', message: 'upstream' });
    expect(back.tags['http.route']).to.equal('/cart');
    expect(back.tags).to.not.have.any.keys('otel.status_code', 'error', 'audit.status_code', 'component');
    expect(back.logs.map(({ level, message, fields }) => ({ level, message, fields }))).to.deep.equal([
      { level: 'info', message: 'cache hit', fields: undefined },
      { level: 'warn', message: 'slow {not json', fields: { ms: 12 } },
    ]);
  });

  it('reads a foreign Zipkin span: 64-bit trace id widened, error tag, no service, no kind', () => {
    const back = fromZipkinSpan({ traceId: 'ABCDEF0123456789', id: '0123456789abcdef', name: 'get', timestamp: 1_000_000, duration: 2500, tags: { error: 'boom' }, annotations: [{ timestamp: 1_000_100, value: 'ws {"a":1}' }] });
    expect(back.traceId).to.equal('0000000000000000abcdef0123456789');
    expect(back).to.include({ kind: 'internal', startTime: 1000, duration: 2.5, endTime: 1002.5, component: 'zipkin' });
    expect(back.resource.serviceName).to.equal('unknown');
    expect(back.status).to.deep.equal({ code: 'ERROR', message: 'boom' });
    expect(back.logs[0]).to.include({ level: 'info', message: 'ws {"a":1}' });
  });

  it('refuses what is not a span with a coded error', () => {
    for (const bad of [null, [], 'x', { traceId: 'zz', id: '0123456789abcdef' }, { traceId: 'abcdef0123456789', id: '12' }, { traceId: 'abcdef0123456789', id: '0123456789abcdef', timestamp: 'soon' }, { traceId: 'abcdef0123456789', id: '0123456789abcdef', annotations: {} }]) {
      expect(() => fromZipkinSpan(bad), JSON.stringify(bad)).to.throw().with.property('code', ERR_SPAN_DECODE);
    }
  });
});
