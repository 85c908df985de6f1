import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { encodeOtlpProtobuf, FileSpanExporter } from '@audit-tracing/core';
import { createViewer, startViewer } from '../src/index.js';
import { checkoutTrace, postOtlp } from './helpers/spans.js';

describe('viewer files: JSON-lines loading and persistence across a restart', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'viewer-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("loads at start what core's FileSpanExporter wrote (JSON lines) and OTLP/protobuf files", async () => {
    const a = checkoutTrace(1_700_000_000_000);
    const b = checkoutTrace(1_700_000_001_000, { failPricing: true });
    const lines = path.join(dir, 'spans.jsonl');
    const exporter = new FileSpanExporter({ path: lines });
    expect(await exporter.export(a)).to.deep.equal({ code: 'success' });
    await exporter.shutdown();
    const protobuf = path.join(dir, 'request.pb');
    writeFileSync(protobuf, encodeOtlpProtobuf(b));
    const viewer = await createViewer({ files: [lines, protobuf] });
    expect(JSON.parse(JSON.stringify(viewer.store.get(a[0].traceId)?.spans))).to.deep.equal(JSON.parse(JSON.stringify(a)));
    expect(viewer.store.get(b[0].traceId)?.errorCount).to.equal(5);
    await viewer.close();
  });

  it('keeps the store in its file: a restarted viewer shows the same traces, and a torn last line is skipped', async () => {
    const file = path.join(dir, 'store.jsonl');
    const first = await startViewer({ port: 0, persistFile: file });
    const spans = checkoutTrace(1_700_000_000_000, { failPricing: true });
    expect((await postOtlp(first.url, spans)).status).to.equal(200);
    await first.close();
    expect(readFileSync(file, 'utf8').trim().split('\n')).to.have.length(6);
    // A crash in the middle of a write.
    appendFileSync(file, '{"traceId":"aa","spa');

    const second = await startViewer({ port: 0, persistFile: file });
    const detail = (await (await fetch(`${second.url}/api/traces/${spans[0].traceId}`)).json()) as any;
    expect(detail).to.include({ spanCount: 6, errorCount: 5 });
    expect(detail.rows.map((row: any) => row.span.operationName)).to.deep.equal(spans.map((span) => span.operationName));
    await second.close();
    // The rewrite at start dropped the torn line.
    expect(readFileSync(file, 'utf8').trim().split('\n')).to.have.length(6);
  });

  it('keeps the file to what the store holds once evicted traces pile up', async () => {
    const file = path.join(dir, 'store.jsonl');
    const viewer = await createViewer({ persistFile: file, maxSpans: 12 });
    for (let i = 0; i < 5; i++) viewer.store.add(checkoutTrace(1_700_000_000_000 + i * 1000));
    await viewer.close();
    const reopened = await createViewer({ persistFile: file, maxSpans: 12 });
    expect(reopened.store.getStats()).to.include({ traces: 2, spans: 12 });
    await reopened.close();
    expect(readFileSync(file, 'utf8').trim().split('\n')).to.have.length(12);
  });

  it("follows a JSON-lines file while FileSpanExporter writes it, across a rotation", async function () {
    this.timeout(20_000);
    const file = path.join(dir, 'live.jsonl');
    const first = checkoutTrace(1_700_000_000_000);
    const oneTraceBytes = first.reduce((total, span) => total + JSON.stringify(span).length + 1, 0);
    // Rotates once the file would pass three and a half traces: the fourth goes to a new file.
    const exporter = new FileSpanExporter({ path: file, maxFileBytes: Math.ceil(oneTraceBytes * 3.5), maxFiles: 3 });
    await exporter.export(first);
    const viewer = await createViewer({ files: [file] });
    const has = (traceId: string) => viewer.store.get(traceId)?.spans.length === 6;
    const eventually = async (what: string, test: () => boolean) => {
      const deadline = Date.now() + 5000;
      while (!test() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(test(), what).to.equal(true);
    };
    try {
      expect(has(first[0].traceId)).to.equal(true);
      const second = checkoutTrace(1_700_000_001_000);
      await exporter.export(second);
      await eventually('the appended trace', () => has(second[0].traceId));
      const later = [checkoutTrace(1_700_000_002_000), checkoutTrace(1_700_000_003_000)];
      for (const trace of later) await exporter.export(trace);
      expect(exporter.getStats().rotations).to.be.above(0);
      // The one appended just before the rotation is read from the rotated file; the one after, from the new file.
      await eventually('the traces written around the rotation', () => has(later[0][0].traceId) && has(later[1][0].traceId));
      expect(viewer.store.getStats().duplicates).to.equal(0);
    } finally {
      await exporter.shutdown();
      await viewer.close();
    }
  });
});
