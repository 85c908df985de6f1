import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { InMemoryExporter } from '@audit-tracing/core';
import { startShop, traceOfLogLine, type RunningShop } from '../../examples/logging/service.mjs';

const root = path.resolve(__dirname, '../..');

describe('the logging example (examples/logging)', () => {
  const lines: string[] = [];
  const exporter = new InMemoryExporter();
  let shop: RunningShop;
  const line = (msg: string) => {
    const found = lines.filter((text) => JSON.parse(text).msg === msg);
    expect(found, msg).to.have.length(1);
    return found[0]!;
  };

  before(async () => {
    const logStream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    shop = await startShop({ logStream, exporter });
    const response = await fetch(`${shop.origin}/orders/42`);
    expect(response.status).to.equal(200);
  });
  after(() => shop?.close());

  it('leads from the handler’s log line to its trace: server span, client span and downstream server span', async () => {
    const spans = await traceOfLogLine(shop.tracer, line('order loaded'));
    const { trace_id, span_id } = JSON.parse(line('order loaded'));
    const written = spans.find((span) => span.spanId === span_id)!;
    expect(written.operationName).to.equal('GET /orders/:id');
    expect(written.kind).to.equal('server');
    expect(spans.map((span) => `${span.kind} ${span.operationName}`).sort()).to.deep.equal(['client GET 127.0.0.1', 'server GET /orders/:id', 'server GET /stock/:sku']);
    // The exporter got the same trace: the id in the log line is the id in the exported spans.
    expect(exporter.getFinishedSpans().filter((span) => span.traceId === trace_id)).to.have.length(3);

    const stock = JSON.parse(line('stock checked'));
    expect(stock.trace_id).to.equal(trace_id);
    expect(spans.find((span) => span.spanId === stock.span_id)!.operationName).to.equal('GET /stock/:sku');
  });

  it('writes the start-up line without trace fields', () => {
    expect(JSON.parse(line('shop listening'))).to.not.have.any.keys('trace_id', 'span_id', 'trace_flags');
  });

  it('runs as documented (`npm run example:logging`) and prints the trace of the log line', async function () {
    // run.mjs imports the built packages; `npm test` builds first.
    if (!existsSync(path.join(root, 'packages/logging/dist/index.mjs'))) this.skip();
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(root, 'examples/logging/run.mjs')], { cwd: root, timeout: 10_000 });
    const [, traceId] = /The line "order loaded" has trace_id=([0-9a-f]{32}) span_id=[0-9a-f]{16}: written in "GET \/orders\/:id" \(server\)/.exec(stdout) ?? [];
    expect(traceId, stdout).to.be.a('string');
    expect(stdout).to.include(`"trace_id":"${traceId}"`);
    expect(stdout).to.include(`[shop] server GET /orders/:id`);
    expect(stdout).to.match(/Its trace, 3 spans:\nGET \/orders\/:id \[express\]/);
  });
});
