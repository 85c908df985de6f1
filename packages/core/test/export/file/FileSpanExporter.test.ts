import { expect } from 'chai';
import { mkdtemp, readFile, readdir, rm, stat, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditTracer, FileSpanExporter, readSpans, readSpansFromFile, resolveTracingConfig, type ReadableSpan } from '@audit-tracing/core';
import { captureWarnings } from '../../helpers/captureWarnings.js';
import { finishedSpan, finishedSpans } from '../../helpers/exportSpans.js';

function plain(span: ReadableSpan): unknown {
  const { estimatedBytes: _, ...rest } = span;
  return JSON.parse(JSON.stringify(rest));
}

describe('FileSpanExporter', () => {
  const warnings = captureWarnings();
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'audit-tracing-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('appends one JSON line per span, which readSpans reads back to the same records', async () => {
    const path = join(dir, 'spans.jsonl');
    const exporter = new FileSpanExporter({ path });
    const parent = finishedSpan({ kind: 'server', component: 'express', operationName: 'GET /cart', traceState: 'v=1', tags: { 'http.route': '/cart', n: 3, list: ['a', 'b'] } });
    const child = finishedSpan({ traceId: parent.traceId, parentSpanId: parent.spanId, links: [{ context: { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: 1 }, tags: { why: 'x' } }] }, undefined, (span) => {
      span.log('error', 'failed', { attempt: 2 });
      span.setStatus('TIMEOUT', 'slow');
    });
    expect(await exporter.export([parent, child])).to.deep.equal({ code: 'success' });
    expect(await exporter.export([finishedSpan()])).to.deep.equal({ code: 'success' });
    await exporter.shutdown();
    const text = await readFile(path, 'utf8');
    expect(text.split('\n')).to.have.length(4); // three lines and the final newline
    const back = readSpans(text);
    expect(back.map(plain).slice(0, 2)).to.deep.equal([parent, child].map(plain));
    expect((await readSpansFromFile(path)).map(plain)).to.deep.equal(back.map(plain));
    expect((await stat(path)).mode & 0o777).to.equal(0o600);
    expect(exporter.getStats()).to.include({ spansWritten: 3, writeFailures: 0, exportAttempts: 2 });
  });

  it('writes values JSON cannot hold as the OTLP encoders do, and never throws on a bad span', async () => {
    const path = join(dir, 'odd.jsonl');
    const exporter = new FileSpanExporter({ path });
    const odd = finishedSpan({}, undefined, (span) => span.log('warn', 'odd', { error: new Error('boom'), when: new Date(0), big: 10n, nan: Number.NaN }));
    const hostile = { ...finishedSpan(), get tags(): never {
      throw new Error('getter');
    } } as unknown as ReadableSpan;
    const result = await exporter.export([odd, hostile]);
    expect(result).to.deep.equal({ code: 'success', dropped: { unserializable: 1 } });
    await exporter.shutdown();
    const [back] = readSpans(await readFile(path));
    expect(back.logs[0].fields).to.deep.equal({ error: 'Error: boom', when: '1970-01-01T00:00:00.000Z', big: 10, nan: 'NaN' });
    expect(exporter.getStats().spansUnserializable).to.equal(1);
  });

  it('rotates by size, keeping maxFiles files; readSpansFromFile reads the set oldest first', async () => {
    const path = join(dir, 'spans.jsonl');
    const exporter = new FileSpanExporter({ path, maxFileBytes: 4096, maxFiles: 3 });
    const spans = finishedSpans(60);
    for (const span of spans) await exporter.export([span]);
    await exporter.shutdown();
    const files = (await readdir(dir)).sort();
    expect(files).to.deep.equal(['spans.jsonl', 'spans.jsonl.1', 'spans.jsonl.2']);
    for (const file of files) expect((await stat(join(dir, file))).size).to.be.at.most(4096);
    const kept = await readSpansFromFile(path);
    expect(exporter.getStats().rotations).to.be.greaterThan(2);
    // the newest spans, in the order they were written, none twice
    const ids = kept.map((s) => s.spanId);
    expect(ids).to.deep.equal(spans.slice(spans.length - kept.length).map((s) => s.spanId));
    expect((await readSpansFromFile(path, { rotated: false })).length).to.be.lessThan(kept.length);
  });

  it('with maxFiles 1, starts the file again instead of keeping an old one', async () => {
    const path = join(dir, 'one.jsonl');
    const exporter = new FileSpanExporter({ path, maxFileBytes: 4096, maxFiles: 1 });
    const spans = finishedSpans(30);
    for (const span of spans) await exporter.export([span]);
    await exporter.shutdown();
    expect(await readdir(dir)).to.deep.equal(['one.jsonl']);
    const kept = await readSpansFromFile(path);
    expect(kept.length).to.be.within(1, 29);
    expect(kept[kept.length - 1].spanId).to.equal(spans[spans.length - 1].spanId);
  });

  it('a write failure resolves to a failure, is counted, and the next export tries again', async () => {
    const path = join(dir, 'missing-dir', 'spans.jsonl');
    const exporter = new FileSpanExporter({ path });
    const result = await exporter.export([finishedSpan()]);
    expect(result.code).to.equal('failure');
    expect(exporter.getStats().writeFailures).to.equal(1);
    expect(warnings.join('\n')).to.contain('ENOENT');
    await rm(join(dir, 'missing-dir'), { force: true, recursive: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'missing-dir')));
    expect((await exporter.export([finishedSpan()])).code).to.equal('success');
    await exporter.shutdown();
    expect(await readSpansFromFile(path)).to.have.length(1);
  });

  it('an export that meets shutdown on its way fails, and leaves the file closed', async () => {
    const path = join(dir, 'late.jsonl');
    const exporter = new FileSpanExporter({ path });
    const late = exporter.export([finishedSpan()]);
    await exporter.shutdown();
    expect((await late).code).to.equal('failure');
    await rm(path, { force: true });
    // nothing holds the file open: nothing writes to it again
    expect(await readdir(dir)).to.deep.equal([]);
  });

  it('a write queue over its bytes fails the export instead of holding more', async () => {
    const exporter = new FileSpanExporter({ path: join(dir, 'q.jsonl'), maxQueueBytes: 10 });
    expect((await exporter.export([finishedSpan()])).code).to.equal('failure');
    expect(exporter.getStats().spansDroppedQueueFull).to.equal(1);
    await exporter.shutdown();
    expect((await exporter.export([finishedSpan()])).code).to.equal('failure');
  });

  it('through the tracer: exporterType file, batch processor, failures counted as dropped', async () => {
    const path = join(dir, 'tracer.jsonl');
    const tracer = new AuditTracer({ serviceName: 'filed', exporterType: 'file', file: { path } });
    for (let i = 0; i < 5; i++) tracer.startSpan(`op${i}`).finish();
    await tracer.shutdown();
    const spans = await readSpansFromFile(path);
    expect(spans.map((s) => s.operationName)).to.deep.equal(['op0', 'op1', 'op2', 'op3', 'op4']);
    expect(spans[0].resource.serviceName).to.equal('filed');

    const broken = new AuditTracer({ serviceName: 'filed', exporterType: 'file', file: { path: join(dir, 'no', 'such', 'dir.jsonl') } });
    broken.startSpan('lost').finish();
    await broken.forceFlush();
    expect(broken.getStats().spansDropped).to.deep.equal({ export_failed: 1 });
    await broken.shutdown();
  });

  it('is configured from AUDIT_TRACING_FILE_PATH; a missing path or a wrong option fails at set-up', () => {
    const fromEnv = resolveTracingConfig({}, { AUDIT_TRACING_FILE_PATH: '/var/log/spans.jsonl' });
    expect(fromEnv.exporterType).to.equal('file');
    expect(fromEnv.file).to.include({ path: '/var/log/spans.jsonl', maxFiles: 5 });
    const merged = resolveTracingConfig({ file: { maxFiles: 2 } }, { AUDIT_TRACING_FILE_PATH: '/tmp/a.jsonl', OTEL_TRACES_EXPORTER: 'file' });
    expect(merged.file).to.include({ path: '/tmp/a.jsonl', maxFiles: 2 });
    expect(resolveTracingConfig({ file: { path: '/tmp/x' } }, {}).exporterType).to.equal('file');
    expect(() => resolveTracingConfig({ exporterType: 'file' }, {})).to.throw(TypeError, /^tracing\.file\.path: expected a file path/).with.property('code', 'AUDIT_TRACING_ERR_INVALID_OPTION');
    expect(() => new FileSpanExporter({ path: 'x', maxFileBytes: 10 })).to.throw('FileSpanExporter.maxFileBytes: expected a whole number of bytes >= 4096, got 10');
    expect(() => new FileSpanExporter({ path: 'x', maxFile: 2 } as never)).to.throw(/FileSpanExporter\.maxFile: unknown option/);
  });

  it('readSpansFromFile leaves a line still being written for the next read, and names the file of a bad line', async () => {
    const path = join(dir, 'cut.jsonl');
    const exporter = new FileSpanExporter({ path });
    await exporter.export(finishedSpans(2));
    await exporter.shutdown();
    await appendFile(path, '{"traceId":"4bf9');
    expect(await readSpansFromFile(path)).to.have.length(2);
    await writeFile(join(dir, 'bad.jsonl'), 'nope\n{}\n');
    try {
      await readSpansFromFile(join(dir, 'bad.jsonl'));
      expect.fail('should throw');
    } catch (error) {
      expect((error as { code: string }).code).to.equal('AUDIT_TRACING_ERR_SPAN_DECODE');
      expect((error as Error).message).to.contain('bad.jsonl: JSON lines: line 1');
    }
  });
});
