import { expect } from 'chai';
import { performance } from 'node:perf_hooks';
import { createTraceState, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Span } from '@opentelemetry/api';
import { BridgeSpan } from '../src/index.js';
import { forgetWarning, useBridge } from './helpers/bridge.js';

describe('BridgeSpan: the OpenTelemetry Span interface on our span', () => {
  const bridge = useBridge();
  const otel = () => trace.getTracer('@example/lib', '1.2.3');

  async function exported(span: Span) {
    await bridge.tracer.forceFlush();
    const record = bridge.exporter.getFinishedSpans().find((s) => s.spanId === span.spanContext().spanId);
    expect(record, 'exported record').to.exist;
    return record!;
  }

  it('is one of our spans, with the instrumentation scope of its tracer', async () => {
    const span = otel().startSpan('work');
    expect(span).to.be.instanceOf(BridgeSpan);
    span.end();
    const record = await exported(span);
    expect(record.operationName).to.equal('work');
    expect(record.instrumentationScope).to.deep.equal({ name: '@example/lib', version: '1.2.3' });
    expect(record.resource.serviceName).to.equal('otel-bridge');
  });

  it('setAttribute and setAttributes write tags; invalid keys and values are dropped with a warning', async () => {
    forgetWarning('opentelemetry.attributeKey');
    forgetWarning('opentelemetry.attributeValue');
    const span = otel().startSpan('attrs', { attributes: { 'at.start': 'yes' } });
    expect(span.setAttribute('db.system', 'postgresql')).to.equal(span);
    span.setAttributes({ 'db.rows': 3, ok: true, hosts: ['a', 'b'], ports: [1, null, 2] });
    span.setAttribute('', 'no key');
    span.setAttribute('mixed', ['a', 1] as unknown as string[]);
    span.setAttribute('object', { a: 1 } as unknown as string);
    span.end();
    const record = await exported(span);
    expect(record.tags).to.deep.equal({ 'at.start': 'yes', 'db.system': 'postgresql', 'db.rows': 3, ok: true, hosts: ['a', 'b'], ports: [1, null, 2] });
    expect(bridge.warnings.join('\n')).to.match(/empty or non-string key/).and.match(/"mixed"/);
  });

  it('addEvent becomes a log, with attributes and any form of time', async () => {
    const span = otel().startSpan('events');
    // Epoch ms after the process started: earlier numbers are performance.now() readings, as OpenTelemetry reads them.
    const at = Math.floor(Date.now()) + 60_000;
    span.addEvent('plain');
    span.addEvent('with attributes', { n: 1 });
    span.addEvent('epoch ms', at);
    span.addEvent('date', { n: 2 }, new Date(at));
    span.addEvent('hrtime', [Math.floor(at / 1000), (at % 1000) * 1e6 + 500]);
    const perfNow = performance.now();
    span.addEvent('performance.now()', perfNow);
    span.end();
    const logs = (await exported(span)).logs;
    expect(logs.map((l) => l.message)).to.deep.equal(['plain', 'with attributes', 'epoch ms', 'date', 'hrtime', 'performance.now()']);
    expect(logs.every((l) => l.level === 'info')).to.equal(true);
    expect(logs[1].fields).to.deep.equal({ n: 1 });
    expect(logs[2].timestamp).to.equal(at);
    expect(logs[3].timestamp).to.equal(at);
    expect(logs[3].fields).to.deep.equal({ n: 2 });
    expect(logs[4].timestamp).to.be.closeTo(at + 0.0005, 1e-6);
    expect(logs[5].timestamp).to.be.closeTo(performance.timeOrigin + perfNow, 1e-3);
  });

  it('recordException writes an exception event with the semantic conventions, and leaves the status alone', async () => {
    const span = otel().startSpan('failing');
    const error = new TypeError('bad input');
    span.recordException(error);
    span.recordException('plain text', new Date(Date.UTC(2025, 0, 1)));
    span.recordException({ code: 'ECONNRESET', message: 'socket hang up' });
    span.end();
    const record = await exported(span);
    expect(record.status.code).to.equal('OK');
    expect(record.logs.map((l) => [l.level, l.message])).to.deep.equal([
      ['error', 'exception'],
      ['error', 'exception'],
      ['error', 'exception'],
    ]);
    expect(record.logs[0].fields).to.deep.equal({ 'exception.type': 'TypeError', 'exception.message': 'bad input', 'exception.stacktrace': error.stack });
    expect(record.logs[1].fields).to.deep.equal({ 'exception.message': 'plain text' });
    expect(record.logs[1].timestamp).to.equal(Date.UTC(2025, 0, 1));
    expect(record.logs[2].fields).to.deep.equal({ 'exception.type': 'ECONNRESET', 'exception.message': 'socket hang up' });
  });

  it('setStatus maps their codes to ours: UNSET is ignored, ERROR keeps its message, OK is final', async () => {
    const a = otel().startSpan('a');
    a.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
    a.setStatus({ code: SpanStatusCode.UNSET });
    a.end();
    expect((await exported(a)).status).to.deep.equal({ code: 'ERROR', message: 'card declined' });

    const b = otel().startSpan('b');
    b.setStatus({ code: SpanStatusCode.ERROR });
    b.setStatus({ code: SpanStatusCode.OK });
    b.setStatus({ code: SpanStatusCode.ERROR, message: 'too late' });
    b.end();
    expect((await exported(b)).status).to.deep.equal({ code: 'OK' });
  });

  it('updateName renames; end takes every TimeInput form and is idempotent', async () => {
    const at = Math.floor(performance.timeOrigin) + 1;
    const forms: [string, Parameters<Span['end']>[0], number | undefined][] = [
      ['none', undefined, undefined],
      ['epoch ms', at + 10, at + 10],
      ['performance.now()', at + 15 - performance.timeOrigin, at + 15],
      ['date', new Date(at + 20), at + 20],
      ['hrtime', [Math.floor(at / 1000) + 1, 30_000_000], (Math.floor(at / 1000) + 1) * 1000 + 30],
    ];
    for (const [label, end, expected] of forms) {
      const span = otel().startSpan('before', { startTime: at });
      span.updateName(`after ${label}`);
      span.end(end);
      span.end(at + 999_999);
      const record = await exported(span);
      expect(record.operationName).to.equal(`after ${label}`);
      expect(record.startTime).to.equal(at);
      if (expected !== undefined) expect(record.endTime, label).to.equal(expected);
      else expect(record.endTime).to.be.greaterThan(at);
    }
    expect(bridge.exporter.getFinishedSpans()).to.have.length(forms.length);
  });

  it('isRecording is true until the end, and false for an unsampled span', () => {
    const span = otel().startSpan('live');
    expect(span.isRecording()).to.equal(true);
    span.end();
    expect(span.isRecording()).to.equal(false);
  });

  it('spanContext carries the ids, the flags, the trace state, and isRemote false', () => {
    const remote = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true, traceState: createTraceState('vendor=a,other=b') };
    const span = otel().startSpan('ctx', {}, trace.setSpanContext(ROOT_CONTEXT, remote));
    const context = span.spanContext();
    expect(context.traceId).to.equal((span as BridgeSpan).span.traceId);
    expect(context.spanId).to.equal((span as BridgeSpan).span.spanId);
    expect(context.traceFlags & TraceFlags.SAMPLED).to.equal(TraceFlags.SAMPLED);
    expect(context.traceId).to.equal(remote.traceId);
    expect(context.traceState?.serialize()).to.equal('vendor=a,other=b');
    expect(context.isRemote).to.equal(false);
    expect(span.spanContext()).to.equal(context);
    span.end();
  });

  it('addLink and addLinks carry context, trace state and attributes; invalid links are dropped', async () => {
    const other = otel().startSpan('other');
    const span = otel().startSpan('linked', { links: [{ context: other.spanContext(), attributes: { reason: 'at start' } }] });
    span.addLink({ context: { ...other.spanContext(), traceState: trace.wrapSpanContext(other.spanContext()).spanContext().traceState } });
    span.addLinks([{ context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }, attributes: { n: 2 } }, { context: { traceId: 'nope', spanId: 'x', traceFlags: 0 } }]);
    span.end();
    other.end();
    const links = (await exported(span)).links;
    expect(links).to.have.length(3);
    expect(links[0].context.spanId).to.equal(other.spanContext().spanId);
    expect(links[0].tags).to.deep.equal({ reason: 'at start' });
    expect(links[2].context).to.include({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
  });

  it('maps every SpanKind', async () => {
    const kinds = [
      [SpanKind.INTERNAL, 'internal'],
      [SpanKind.SERVER, 'server'],
      [SpanKind.CLIENT, 'client'],
      [SpanKind.PRODUCER, 'producer'],
      [SpanKind.CONSUMER, 'consumer'],
      [undefined, 'internal'],
    ] as const;
    for (const [kind, ours] of kinds) {
      const span = otel().startSpan(`kind ${ours}`, { kind });
      span.end();
      expect((await exported(span)).kind).to.equal(ours);
    }
  });

  it('ignores writes after the end, as our spans do, with one warning', async () => {
    const span = otel().startSpan('ended');
    span.end();
    span.setAttribute('late', 1).addEvent('late').updateName('late').setStatus({ code: SpanStatusCode.ERROR });
    const record = await exported(span);
    expect(record.tags).to.not.have.property('late');
    expect(record.logs).to.have.length(0);
    expect(record.operationName).to.equal('ended');
    expect(record.status.code).to.equal('OK');
  });
});

describe('BridgeSpan on an unsampled span', () => {
  const bridge = useBridge({ sampleRate: 0 });

  it('records nothing, propagates ids, and is not recording', async () => {
    const span = trace.getTracer('x').startSpan('dropped');
    expect(span.isRecording()).to.equal(false);
    expect(trace.isSpanContextValid(span.spanContext())).to.equal(true);
    expect(span.spanContext().traceFlags & TraceFlags.SAMPLED).to.equal(0);
    span.setAttribute('a', 1).addEvent('e').end();
    await bridge.tracer.forceFlush();
    expect(bridge.exporter.getFinishedSpans()).to.have.length(0);
  });
});
