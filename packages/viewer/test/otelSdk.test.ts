// An OpenTelemetry JS SDK, from the npm registry, exporting to the viewer with its own OTLP/protobuf exporter.
import { expect } from 'chai';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startViewer, type RunningViewer } from '../src/index.js';

describe('viewer: an OpenTelemetry JS SDK exporting OTLP/protobuf to it', () => {
  let running: RunningViewer;
  before(async () => {
    running = await startViewer({ port: 0 });
  });
  after(async () => running.close());

  it('shows the SDK’s trace: service, names, kinds, nesting, attributes, events, links and status', async () => {
    const exporter = new OTLPTraceExporter({ url: `${running.url}/v1/traces` });
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'otel-shop', 'service.version': '9.9.9' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('viewer-test');
    const other = tracer.startSpan('batch.job');
    other.end();
    const root = tracer.startSpan('GET /cart', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/cart' } });
    const child = tracer.startSpan('SELECT cart', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql', 'db.rows': 3 }, links: [{ context: other.spanContext(), attributes: { reason: 'batched' } }] }, trace.setSpan(context.active(), root));
    child.addEvent('retry', { attempt: 2 });
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'deadlock detected' });
    child.end();
    root.end();
    await provider.forceFlush();
    await provider.shutdown();

    const traceId = root.spanContext().traceId;
    const response = await fetch(`${running.url}/api/traces/${traceId}`);
    expect(response.status).to.equal(200);
    const detail = await response.json() as any;
    expect(detail).to.include({ traceId, rootName: 'GET /cart', rootService: 'otel-shop', spanCount: 2, errorCount: 1 });
    const [rootRow, childRow] = detail.rows;
    expect(rootRow.span).to.include({ spanId: root.spanContext().spanId, kind: 'server', operationName: 'GET /cart' });
    expect(rootRow.span.resource.attributes).to.include({ 'service.name': 'otel-shop', 'service.version': '9.9.9' });
    expect(rootRow.span.tags).to.include({ 'http.route': '/cart' });
    expect(childRow).to.include({ depth: 1 });
    expect(childRow.span).to.include({ parentSpanId: root.spanContext().spanId, kind: 'client', operationName: 'SELECT cart' });
    expect(childRow.span.tags).to.include({ 'db.system': 'postgresql', 'db.rows': 3 });
    expect(childRow.span.status).to.deep.equal({ code: 'ERROR', message: 'deadlock detected' });
    expect(childRow.span.logs[0].message).to.equal('retry');
    expect(childRow.span.links[0].context).to.include({ traceId: other.spanContext().traceId, spanId: other.spanContext().spanId });
    expect(childRow.span.duration).to.be.within(0, 1000);

    const list = await (await fetch(`${running.url}/api/traces?service=otel-shop&status=error`)).json() as any;
    expect(list.traces.map((t: { traceId: string }) => t.traceId)).to.deep.equal([traceId]);
  });
});
