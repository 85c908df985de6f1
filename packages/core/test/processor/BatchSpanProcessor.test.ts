import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isTracingSuppressed } from '../../src/context/global.js';
import type { ExportResult, SpanExporter } from '../../src/export/SpanExporter.js';
import {
  BatchSpanProcessor,
  DEFAULT_EXPORT_TIMEOUT_MS,
  DEFAULT_MAX_CONCURRENT_EXPORTS,
  DEFAULT_MAX_EXPORT_BATCH_SIZE,
  DEFAULT_MAX_QUEUE_SIZE,
  DEFAULT_SCHEDULED_DELAY_MS,
} from '../../src/processor/BatchSpanProcessor.js';
import type { ReadableSpan } from '../../src/types.js';
import { AuditTracer } from '../../src/trace/AuditTracer.js';
import { finishedSpans } from '../helpers/exportSpans.js';
import { captureWarnings } from '../helpers/captureWarnings.js';

/** An exporter whose exports finish with `auto` on the next turn, or, given null, when the test says so. */
class ControlledExporter implements SpanExporter {
  readonly batches: ReadableSpan[][] = [];
  readonly calls: { spans: readonly ReadableSpan[]; finish: (result: ExportResult) => void }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  suppressedDuringExport = true;
  shutdownCalls = 0;
  constructor(private readonly auto: ExportResult | null = { code: 'success' }) {}

  export(spans: readonly ReadableSpan[]): Promise<ExportResult> {
    if (!isTracingSuppressed()) this.suppressedDuringExport = false;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve) => {
      const finish = (result: ExportResult) => {
        this.inFlight--;
        this.batches.push([...spans]);
        resolve(result);
      };
      this.calls.push({ spans, finish });
      const auto = this.auto;
      if (auto) setImmediate(() => finish(auto));
    });
  }

  async shutdown(): Promise<void> {
    this.shutdownCalls++;
  }

  exportedIds(): string[] {
    return this.batches.flat().map((span) => span.spanId);
  }
}

function feed(processor: BatchSpanProcessor, spans: ReadableSpan[]): void {
  for (const span of spans) processor.onEnd(span);
}

describe('BatchSpanProcessor', () => {
  const warnings = captureWarnings();

  it('has the documented defaults', () => {
    expect(DEFAULT_MAX_EXPORT_BATCH_SIZE).to.equal(100);
    expect(DEFAULT_MAX_QUEUE_SIZE).to.equal(8192);
    expect(DEFAULT_SCHEDULED_DELAY_MS).to.equal(5000);
    expect(DEFAULT_EXPORT_TIMEOUT_MS).to.equal(10_000);
    expect(DEFAULT_MAX_CONCURRENT_EXPORTS).to.equal(4);
  });

  it('never exports on the request path: onEnd only queues, a full batch goes out on the next turn', async () => {
    const exporter = new ControlledExporter();
    const processor = new BatchSpanProcessor(exporter, { maxExportBatchSize: 10, scheduledDelayMs: 60_000 });
    feed(processor, finishedSpans(25));
    expect(exporter.calls).to.have.length(0);
    await sleep(20);
    expect(exporter.batches.map((b) => b.length)).to.deep.equal([10, 10]);
    expect(exporter.suppressedDuringExport).to.equal(true);
    await processor.shutdown();
  });

  it('sends a partial batch when the scheduled delay has passed', async () => {
    const exporter = new ControlledExporter();
    const processor = new BatchSpanProcessor(exporter, { scheduledDelayMs: 30 });
    feed(processor, finishedSpans(3));
    await sleep(10);
    expect(exporter.calls).to.have.length(0);
    await sleep(60);
    expect(exporter.batches.map((b) => b.length)).to.deep.equal([3]);
    expect(processor.getStats()).to.deep.include({ spansExported: 3, exportAttempts: 1, exportFailures: 0 });
    await processor.shutdown();
  });

  it('keeps at most four exports in flight by default, as many as configured otherwise', async () => {
    const one = new ControlledExporter(null);
    const processor = new BatchSpanProcessor(one, { maxExportBatchSize: 5, scheduledDelayMs: 60_000 });
    feed(processor, finishedSpans(40));
    await sleep(10);
    expect(one.calls).to.have.length(4);
    while (one.calls.length > one.batches.length) {
      one.calls[one.batches.length].finish({ code: 'success' });
      await sleep(5);
    }
    expect(one.maxInFlight).to.equal(4);
    expect(one.exportedIds()).to.have.length(40);

    const three = new ControlledExporter({ code: 'success' });
    const parallel = new BatchSpanProcessor(three, { maxExportBatchSize: 5, scheduledDelayMs: 60_000, maxConcurrentExports: 3 });
    feed(parallel, finishedSpans(20));
    await parallel.forceFlush();
    expect(three.maxInFlight).to.equal(3);
    await processor.shutdown();
    await parallel.shutdown();
  });

  it('drops and counts spans when the queue is full, and says so once', async () => {
    const exporter = new ControlledExporter(null);
    const processor = new BatchSpanProcessor(exporter, { maxQueueSize: 10, maxExportBatchSize: 10, scheduledDelayMs: 60_000 });
    feed(processor, finishedSpans(10)); // a full batch: taken off the queue into the (stuck) export
    await sleep(5);
    feed(processor, finishedSpans(15)); // 10 fit the queue again, 5 do not
    expect(processor.getStats().spansDropped).to.deep.equal({ queue_full: 5 });
    // once per process: never more than one line, however many spans are dropped
    expect(warnings.filter((w) => w.includes('queue full'))).to.have.length.at.most(1);
    exporter.calls[0].finish({ code: 'success' });
    await sleep(5);
    exporter.calls[1]?.finish({ code: 'success' });
    await processor.forceFlush();
  });

  it('counts failed exports and the spans they carried, without throwing or rejecting', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const failing = new BatchSpanProcessor(new ControlledExporter({ code: 'failure', error: new Error('503 from collector') }), { scheduledDelayMs: 10 });
      const throwing = new BatchSpanProcessor(
        {
          export: () => {
            throw new Error('sync throw');
          },
          shutdown: async () => {},
        },
        { scheduledDelayMs: 10 },
      );
      const rejecting = new BatchSpanProcessor({ export: () => Promise.reject(new Error('async reject')), shutdown: async () => {} }, { scheduledDelayMs: 10 });
      const sloppy = new BatchSpanProcessor({ export: async () => undefined as unknown as ExportResult, shutdown: async () => {} }, { scheduledDelayMs: 10 });
      for (const processor of [failing, throwing, rejecting, sloppy]) {
        feed(processor, finishedSpans(4));
        await processor.forceFlush();
        expect(processor.getStats()).to.deep.include({ spansExported: 0, exportFailures: 1, spansDropped: { export_failed: 4 } });
        await processor.shutdown();
      }
      await sleep(10);
      expect(unhandled).to.deep.equal([]);
      expect(warnings.filter((w) => w.includes('spans failed'))).to.have.length.at.most(1);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('gives up on an export that outlives the export timeout and counts its spans', async () => {
    const exporter = new ControlledExporter(null);
    const processor = new BatchSpanProcessor(exporter, { exportTimeoutMs: 30, scheduledDelayMs: 10 });
    feed(processor, finishedSpans(3));
    await sleep(80);
    expect(processor.getStats()).to.deep.include({ exportFailures: 1, spansDropped: { export_timeout: 3 } });
    // the slot is free again: the next batch goes out
    feed(processor, finishedSpans(2));
    await sleep(30);
    expect(exporter.calls).to.have.length(2);
    exporter.calls[1].finish({ code: 'success' });
    exporter.calls[0].finish({ code: 'success' }); // late: changes nothing
    await processor.shutdown();
    expect(processor.getStats()).to.deep.include({ spansExported: 2, exportFailures: 1 });
  });

  it('counts spans the backend rejected in a partial success', async () => {
    const processor = new BatchSpanProcessor(new ControlledExporter({ code: 'success', rejected: 2 }), { scheduledDelayMs: 10 });
    feed(processor, finishedSpans(5));
    await processor.forceFlush();
    expect(processor.getStats()).to.deep.include({ spansExported: 3, spansDropped: { rejected: 2 } });
    await processor.shutdown();
  });

  it('forceFlush delivers everything queued, in batches', async () => {
    const exporter = new ControlledExporter();
    const processor = new BatchSpanProcessor(exporter, { maxExportBatchSize: 100, scheduledDelayMs: 60_000 });
    const spans = finishedSpans(250);
    feed(processor, spans);
    await processor.forceFlush();
    expect(exporter.batches.map((b) => b.length)).to.deep.equal([100, 100, 50]);
    expect(exporter.exportedIds()).to.deep.equal(spans.map((s) => s.spanId));
    await processor.shutdown();
  });

  it('shutdown delivers every span accepted before it, in flight or queued, then shuts the exporter down once', async () => {
    const exporter = new ControlledExporter(null);
    const processor = new BatchSpanProcessor(exporter, { maxExportBatchSize: 10, scheduledDelayMs: 60_000 });
    const spans = finishedSpans(35);
    feed(processor, spans);
    await sleep(5); // one batch is now in flight, held by the exporter
    const done = Promise.all([processor.shutdown(), processor.shutdown()]);
    feed(processor, finishedSpans(3)); // after shutdown: dropped and counted
    for (let i = 0; i < 10 && exporter.batches.length < 4; i++) {
      for (const call of exporter.calls.slice(exporter.batches.length)) call.finish({ code: 'success' });
      await sleep(5);
    }
    await done;
    expect(exporter.exportedIds()).to.deep.equal(spans.map((s) => s.spanId));
    expect(exporter.shutdownCalls).to.equal(1);
    expect(processor.getStats()).to.deep.include({ spansExported: 35, spansDropped: { shutdown: 3 } });
  });

  it('rejects bad options with a TypeError naming the field', () => {
    const exporter = new ControlledExporter();
    expect(() => new BatchSpanProcessor(exporter, { maxQueueSize: 0 })).to.throw(TypeError, /tracing\.batch\.maxQueueSize/);
    expect(() => new BatchSpanProcessor(exporter, { maxExportBatchSize: 1.5 })).to.throw(TypeError, /maxExportBatchSize/);
    expect(() => new BatchSpanProcessor(exporter, { maxExportBatchSize: 200, maxQueueSize: 100 })).to.throw(TypeError, /at most maxQueueSize/);
    expect(() => new BatchSpanProcessor(exporter, { scheduledDelayMs: -1 })).to.throw(TypeError, /scheduledDelayMs/);
    expect(() => new BatchSpanProcessor(exporter, { exportTimeoutMs: '5' as unknown as number })).to.throw(TypeError, /exportTimeoutMs/);
    expect(() => new BatchSpanProcessor(exporter, { maxConcurrentExports: 0 })).to.throw(TypeError, /maxConcurrentExports/);
    expect(new BatchSpanProcessor(exporter, { maxQueueSize: 50 })).to.be.instanceOf(BatchSpanProcessor);
  });

  it('feeds tracer.getStats(): started, finished, exported, dropped, attempts, failures', async () => {
    const exporter = new ControlledExporter();
    const tracer = new AuditTracer({ serviceName: 'stats', exporter, processor: 'batch', batch: { maxQueueSize: 3, maxExportBatchSize: 3, scheduledDelayMs: 10 } });
    for (let i = 0; i < 5; i++) tracer.startSpan(`op${i}`).finish();
    await tracer.forceFlush();
    const stats = tracer.getStats();
    expect(stats).to.deep.include({ spansStarted: 5, spansFinished: 5, spansExported: 3, exportAttempts: 1, exportRetries: 0, exportFailures: 0 });
    expect(stats.spansDropped).to.deep.equal({ queue_full: 2 });
    await tracer.shutdown();
  });

  it('never keeps the process alive with its timer', async function () {
    this.timeout(20_000);
    const dir = mkdtempSync(join(tmpdir(), 'bsp-'));
    const script = join(dir, 'idle.ts');
    const source = resolve(__dirname, '../../src/processor/BatchSpanProcessor.ts');
    const spans = resolve(__dirname, '../helpers/exportSpans.ts');
    writeFileSync(
      script,
      `const { BatchSpanProcessor } = require(${JSON.stringify(source)});
       const { finishedSpans } = require(${JSON.stringify(spans)});
       const processor = new BatchSpanProcessor({ export: async () => ({ code: 'success' }), shutdown: async () => {} }, { scheduledDelayMs: 600000 });
       for (const span of finishedSpans(3)) processor.onEnd(span);
       console.log('queued');`,
    );
    try {
      const started = performance.now();
      const output = await new Promise<string>((resolveRun, reject) => {
        execFile(process.execPath, ['--require', 'tsx/cjs', script], { cwd: resolve(__dirname, '../../../..'), timeout: 15_000 }, (error, stdout) =>
          error ? reject(error) : resolveRun(stdout),
        );
      });
      expect(output.trim()).to.equal('queued');
      expect(performance.now() - started).to.be.below(15_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
