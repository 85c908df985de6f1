import { expect } from 'chai';
import { AuditTracer, ConsoleExporter } from '@audit-tracing/core';

describe('ConsoleExporter', () => {
  it('prints one readable line per span, never an object dump', async () => {
    const lines: string[] = [];
    const tracer = new AuditTracer({ serviceName: 'shop', exporter: new ConsoleExporter({ write: (line) => lines.push(line) }), processor: 'simple' });
    const parent = tracer.startSpan('GET /cart', null, { kind: 'server', tags: { 'http.route': '/cart', 'user.id': 42 } });
    const child = tracer.createChildSpan(parent, 'db.query');
    child.setStatus('ERROR', 'timeout').finish();
    parent.finish();
    await tracer.forceFlush();
    expect(lines).to.have.length(2);
    expect(lines[0]).to.match(new RegExp(`^\\[shop\\] internal db\\.query \\d+\\.\\dms ERROR\\(timeout\\) trace=${child.traceId} span=${child.spanId} parent=${parent.spanId}$`));
    expect(lines[1]).to.contain('[shop] server GET /cart').and.to.contain('http.route="/cart" user.id=42');
    for (const line of lines) expect(line).to.not.match(/\n|\[object Object\]|\{/);
  });

  it('does not write while the span finishes: the line comes on a later turn of the event loop', async () => {
    const lines: string[] = [];
    const tracer = new AuditTracer({ exporter: new ConsoleExporter({ write: (line) => lines.push(line) }), processor: 'simple' });
    tracer.startSpan('op', null).finish();
    expect(lines).to.have.length(0);
    await tracer.forceFlush();
    expect(lines).to.have.length(1);
  });
});
