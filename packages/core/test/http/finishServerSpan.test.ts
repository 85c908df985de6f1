import { expect } from 'chai';
import { AuditTracer, finishServerSpan, InMemoryExporter, type Span } from '@audit-tracing/core';
import { errorStatusCode } from '../../src/http/finishServerSpan.js';

const tracer = new AuditTracer({ exporter: new InMemoryExporter(), processor: 'simple', serviceName: 'finish' });
const span = (): Span => tracer.startSpan('GET /x', null, { kind: 'server' });

describe('finishServerSpan', () => {
  it('leaves 2xx, 3xx and 4xx OK and records the status code', () => {
    for (const code of [200, 204, 304, 400, 404, 499]) {
      const s = span();
      finishServerSpan(s, code);
      expect(s.status, String(code)).to.deep.equal({ code: 'OK' });
      expect(s.tags['http.response.status_code']).to.equal(code);
      expect(s.isEnded()).to.equal(true);
    }
  });

  it('marks 5xx ERROR, without a description, with error.type the status code', () => {
    const s = span();
    finishServerSpan(s, 502);
    expect(s.status).to.deep.equal({ code: 'ERROR' });
    expect(s.tags['error.type']).to.equal('502');
  });

  it('marks a thrown error ERROR with its message, and logs type, message and stack', () => {
    const s = span();
    finishServerSpan(s, 500, new RangeError('out of range'));
    expect(s.status).to.deep.equal({ code: 'ERROR', message: 'out of range' });
    expect(s.tags['error.type']).to.equal('RangeError');
    const [log] = s.logs;
    expect(log?.level).to.equal('error');
    expect(log?.fields?.['error.type']).to.equal('RangeError');
    expect(log?.fields?.['error.stack']).to.include('out of range');
  });

  it('marks a thrown error ERROR even when an error handler answered 200', () => {
    const s = span();
    finishServerSpan(s, 200, new Error('swallowed'));
    expect(s.status.code).to.equal('ERROR');
  });

  it('treats an error asking for a 4xx as the client\'s: OK with a warning log', () => {
    const s = span();
    finishServerSpan(s, 404, Object.assign(new Error('no such user'), { status: 404 }));
    expect(s.status).to.deep.equal({ code: 'OK' });
    expect(s.logs.map((log) => [log.level, log.message])).to.deep.equal([['warn', 'no such user']]);
  });

  it('still marks ERROR when an error asking for 4xx ended in a 5xx response', () => {
    const s = span();
    finishServerSpan(s, 500, Object.assign(new Error('odd'), { statusCode: 400 }));
    expect(s.status.code).to.equal('ERROR');
  });

  it('handles non-Error throws', () => {
    const s = span();
    finishServerSpan(s, 500, 'plain string');
    expect(s.status).to.deep.equal({ code: 'ERROR', message: 'plain string' });
    expect(s.tags['error.type']).to.equal('string');
  });
});

describe('errorStatusCode', () => {
  it('reads status or statusCode, and nothing else', () => {
    expect(errorStatusCode({ status: 418 })).to.equal(418);
    expect(errorStatusCode({ statusCode: 400 })).to.equal(400);
    expect(errorStatusCode({ status: '400' })).to.equal(undefined);
    expect(errorStatusCode({ status: 42 })).to.equal(undefined);
    expect(errorStatusCode(new Error('x'))).to.equal(undefined);
    expect(errorStatusCode(null)).to.equal(undefined);
  });
});
