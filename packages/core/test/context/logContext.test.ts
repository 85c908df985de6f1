import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditTracer, ClsHookedContextManager, getContextManager, InMemoryExporter, logContext, NonRecordingSpan, setContextManager, suppressTracing, withSpan } from '@audit-tracing/core';

const tracer = new AuditTracer({ exporter: new InMemoryExporter(), processor: 'simple', serviceName: 'logs' });

describe('logContext', () => {
  it('is undefined outside any span, and spreads to nothing', () => {
    expect(logContext()).to.equal(undefined);
    expect({ ...logContext() }).to.deep.equal({});
  });

  it('gives the active span’s trace_id, span_id and trace_flags, also after await and timers', async () => {
    const span = tracer.startSpan('work', null, { kind: 'server' });
    const seen = await tracer.withSpan(span, async () => {
      const first = logContext();
      await sleep(5);
      const afterAwait = logContext();
      const inTimer = await new Promise((resolve) => setTimeout(() => resolve(logContext()), 1));
      return [first, afterAwait, inTimer];
    });
    span.finish();
    // AuditTracer sets the sampled and random bits (W3C level 2), so the byte is 03.
    const expected = { trace_id: span.traceId, span_id: span.spanId, trace_flags: span.traceFlags.toString(16).padStart(2, '0') };
    expect(expected.trace_flags).to.match(/^0[13]$/);
    for (const fields of seen) expect(fields).to.deep.equal(expected);
  });

  it('follows the innermost span', () => {
    const parent = tracer.startSpan('parent');
    const child = tracer.startSpan('child', parent);
    tracer.withSpan(parent, () => {
      expect(logContext()!.span_id).to.equal(parent.spanId);
      tracer.withSpan(child, () => expect(logContext()!.span_id).to.equal(child.spanId));
      expect(logContext()!.span_id).to.equal(parent.spanId);
    });
    child.finish();
    parent.finish();
  });

  it('writes the flags byte as two hex digits, for an unsampled span 00', () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const cases: Array<[number, string]> = [
      [0x00, '00'],
      [0x01, '01'],
      [0x03, '03'],
      [0x10, '10'],
      [0xff, 'ff'],
    ];
    for (const [flags, text] of cases) {
      const span = new NonRecordingSpan(traceId, '00f067aa0ba902b7', undefined, 'x', flags);
      expect(withSpan(span, logContext)).to.deep.equal({ trace_id: traceId, span_id: '00f067aa0ba902b7', trace_flags: text });
    }
  });

  it('is undefined for a span with invalid ids and while tracing is suppressed', () => {
    const zeros = new NonRecordingSpan('0'.repeat(32), '00f067aa0ba902b7', undefined, 'x', 1);
    const upper = new NonRecordingSpan('4BF92F3577B34DA6A3CE929D0E0E4736', '00f067aa0ba902b7', undefined, 'x', 1);
    const badSpan = new NonRecordingSpan('4bf92f3577b34da6a3ce929d0e0e4736', '0'.repeat(16), undefined, 'x', 1);
    for (const span of [zeros, upper, badSpan]) expect(withSpan(span, logContext)).to.equal(undefined);
    const span = tracer.startSpan('exporting');
    tracer.withSpan(span, () => suppressTracing(() => expect(logContext()).to.equal(undefined)));
    span.finish();
  });

  it('returns a new object each call (pino merges into the mixin result)', () => {
    const span = tracer.startSpan('fresh');
    tracer.withSpan(span, () => {
      const a = logContext()!;
      a.trace_id = 'changed';
      expect(logContext()!.trace_id).to.equal(span.traceId);
    });
    span.finish();
  });

  it('reads the span through whichever context manager is installed (cls-hooked too)', async () => {
    const previous = getContextManager();
    setContextManager(new ClsHookedContextManager({ namespace: 'audit-tracing-log-context' }));
    try {
      const span = tracer.startSpan('cls');
      const fields = await tracer.withSpan(span, async () => {
        await sleep(1);
        return logContext();
      });
      span.finish();
      expect(fields?.span_id).to.equal(span.spanId);
      expect(logContext()).to.equal(undefined);
    } finally {
      setContextManager(previous);
    }
  });
});
