import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { isTracingSuppressed } from '../../src/context/global.js';
import { InMemoryExporter } from '../../src/export/InMemoryExporter.js';
import type { ExportResult, SpanExporter } from '../../src/export/SpanExporter.js';
import { SimpleSpanProcessor } from '../../src/processor/SimpleSpanProcessor.js';
import { AuditTracer } from '../../src/trace/AuditTracer.js';
import type { ReadableSpan } from '../../src/types.js';
import { finishedSpan, finishedSpans } from '../helpers/exportSpans.js';
import { captureWarnings } from '../helpers/captureWarnings.js';

/** An exporter whose exports finish only when the test says so; it records what it saw while exporting. */
class ManualExporter implements SpanExporter {
  readonly calls: { spans: readonly ReadableSpan[]; finish: (result: ExportResult) => void }[] = [];
  readonly exported: ReadableSpan[] = [];
  readonly suppressed: boolean[] = [];
  shutdownCalls = 0;
  /** How many exports had finished when `shutdown` was called. */
  finishedAtShutdown = -1;
  private finished = 0;

  export(spans: readonly ReadableSpan[]): Promise<ExportResult> {
    this.suppressed.push(isTracingSuppressed());
    return new Promise((resolve) => {
      this.calls.push({
        spans,
        finish: (result) => {
          this.finished++;
          if (result.code === 'success') this.exported.push(...spans);
          resolve(result);
        },
      });
    });
  }

  finishAll(result: ExportResult = { code: 'success' }): void {
    for (const call of this.calls.splice(0)) call.finish(result);
  }

  async shutdown(): Promise<void> {
    this.shutdownCalls++;
    this.finishedAtShutdown = this.finished;
  }
}

function stubExporter(exportFn: SpanExporter['export']): SpanExporter & { shutdownCalls: number } {
  const exporter = {
    shutdownCalls: 0,
    export: exportFn,
    async shutdown() {
      exporter.shutdownCalls++;
    },
  };
  return exporter;
}

describe('SimpleSpanProcessor', () => {
  const warnings = captureWarnings();

  it('exports each ended span once, on its own, as it ends', async () => {
    const exporter = new ManualExporter();
    const processor = new SimpleSpanProcessor(exporter);
    const spans = finishedSpans(3);
    for (const span of spans) processor.onEnd(span);
    // One export per span, started synchronously from onEnd.
    expect(exporter.calls.map((call) => call.spans)).to.deep.equal(spans.map((span) => [span]));
    expect(exporter.calls[0].spans[0]).to.equal(spans[0]);
    exporter.finishAll();
    await processor.forceFlush();
    expect(exporter.exported.map((span) => span.spanId)).to.deep.equal(spans.map((span) => span.spanId));
  });

  it('exports each span of a tracer exactly once, the record the tracer made', async () => {
    const exporter = new InMemoryExporter();
    const tracer = new AuditTracer({ exporter, processor: 'simple', serviceName: 'simple' });
    const a = tracer.startSpan('a', null);
    const b = tracer.startSpan('b', null);
    a.finish();
    a.finish();
    b.finish();
    await tracer.forceFlush();
    expect(exporter.getFinishedSpans().map((span) => span.operationName)).to.deep.equal(['a', 'b']);
    expect(tracer.getStats()).to.deep.include({ spansExported: 2, exportAttempts: 2, exportFailures: 0 });
    await tracer.shutdown();
  });

  it('counts exported spans, attempts and failures in getStats', async () => {
    const exporter = new ManualExporter();
    const processor = new SimpleSpanProcessor(exporter);
    expect(processor.getStats()).to.deep.equal({ spansExported: 0, exportAttempts: 0, exportFailures: 0 });
    for (const span of finishedSpans(4)) processor.onEnd(span);
    expect(processor.getStats()).to.deep.equal({ spansExported: 0, exportAttempts: 4, exportFailures: 0 });
    const [first, second, third, fourth] = exporter.calls;
    first.finish({ code: 'success' });
    second.finish({ code: 'failure', error: new Error('collector said no') });
    third.finish({ code: 'success' });
    fourth.finish({ code: 'failure', error: new Error('still no'), retryable: true, attempts: 3 });
    await processor.forceFlush();
    expect(processor.getStats()).to.deep.equal({ spansExported: 2, exportAttempts: 4, exportFailures: 2 });
  });

  describe('a failing exporter never throws into onEnd, and is counted', () => {
    it('one that rejects', async () => {
      const processor = new SimpleSpanProcessor(stubExporter(() => Promise.reject(new Error('socket hang up'))));
      expect(() => processor.onEnd(finishedSpan())).to.not.throw();
      await processor.forceFlush();
      expect(processor.getStats()).to.deep.equal({ spansExported: 0, exportAttempts: 1, exportFailures: 1 });
    });

    it('one that throws synchronously', async () => {
      const processor = new SimpleSpanProcessor(
        stubExporter(() => {
          throw new Error('sync boom');
        }),
      );
      expect(() => processor.onEnd(finishedSpan())).to.not.throw();
      expect(() => processor.onEnd(finishedSpan())).to.not.throw();
      expect(processor.getStats()).to.deep.equal({ spansExported: 0, exportAttempts: 2, exportFailures: 2 });
      await processor.forceFlush();
      expect(processor.getStats()).to.deep.equal({ spansExported: 0, exportAttempts: 2, exportFailures: 2 });
    });

    it('one that resolves a failure', async () => {
      const processor = new SimpleSpanProcessor(stubExporter(async () => ({ code: 'failure', error: new Error('HTTP 503') })));
      expect(() => processor.onEnd(finishedSpan())).to.not.throw();
      await processor.forceFlush();
      expect(processor.getStats()).to.deep.equal({ spansExported: 0, exportAttempts: 1, exportFailures: 1 });
    });

    it('and the tracer carries on after it', async () => {
      const exporter = stubExporter(() => Promise.reject(new Error('down')));
      const tracer = new AuditTracer({ exporter, processor: 'simple', serviceName: 'failing' });
      expect(() => tracer.startSpan('one', null).finish()).to.not.throw();
      expect(() => tracer.startSpan('two', null).finish()).to.not.throw();
      await tracer.forceFlush();
      expect(tracer.getStats()).to.deep.include({ spansFinished: 2, spansExported: 0, exportAttempts: 2, exportFailures: 2 });
      await tracer.shutdown();
    });
  });

  it('counts an exporter that resolves something other than an ExportResult as a failure', async () => {
    const processor = new SimpleSpanProcessor(stubExporter(async () => undefined as unknown as ExportResult));
    processor.onEnd(finishedSpan());
    await processor.forceFlush();
    expect(processor.getStats()).to.deep.equal({ spansExported: 0, exportAttempts: 1, exportFailures: 1 });
  });

  it('forceFlush waits for every export in flight', async () => {
    const exporter = new ManualExporter();
    const processor = new SimpleSpanProcessor(exporter);
    for (const span of finishedSpans(2)) processor.onEnd(span);
    let flushed = false;
    const flush = processor.forceFlush().then(() => {
      flushed = true;
    });
    await sleep(10);
    expect(flushed).to.equal(false);
    exporter.calls[0].finish({ code: 'success' });
    await sleep(10);
    expect(flushed).to.equal(false);
    exporter.calls[1].finish({ code: 'success' });
    await flush;
    expect(flushed).to.equal(true);
    expect(exporter.exported).to.have.length(2);
  });

  it('forceFlush calls the exporter forceFlush after the pending exports', async () => {
    const order: string[] = [];
    let finish!: () => void;
    const exporter: SpanExporter = {
      export: () =>
        new Promise<ExportResult>((resolve) => {
          finish = () => {
            order.push('export');
            resolve({ code: 'success' });
          };
        }),
      async forceFlush() {
        order.push('exporter.forceFlush');
      },
      async shutdown() {},
    };
    const processor = new SimpleSpanProcessor(exporter);
    processor.onEnd(finishedSpan());
    const flush = processor.forceFlush();
    await sleep(5);
    expect(order).to.deep.equal([]);
    finish();
    await flush;
    expect(order).to.deep.equal(['export', 'exporter.forceFlush']);
  });

  it('shutdown flushes pending exports, then shuts the exporter down once and ignores later spans', async () => {
    const exporter = new ManualExporter();
    const processor = new SimpleSpanProcessor(exporter);
    processor.onEnd(finishedSpan());
    const shutdown = processor.shutdown();
    await sleep(10);
    expect(exporter.shutdownCalls).to.equal(0);
    exporter.finishAll();
    await shutdown;
    expect(exporter.shutdownCalls).to.equal(1);
    expect(exporter.finishedAtShutdown).to.equal(1);

    processor.onEnd(finishedSpan());
    expect(exporter.calls).to.have.length(0);
    expect(processor.getStats()).to.deep.equal({ spansExported: 1, exportAttempts: 1, exportFailures: 0 });

    await processor.shutdown();
    expect(exporter.shutdownCalls).to.equal(1);
  });

  it('shuts the exporter down once when shutdown is called twice at the same time', async () => {
    const exporter = new ManualExporter();
    const processor = new SimpleSpanProcessor(exporter);
    processor.onEnd(finishedSpan());
    const both = Promise.all([processor.shutdown(), processor.shutdown()]);
    exporter.finishAll();
    await both;
    expect(exporter.shutdownCalls).to.equal(1);
  });

  it('never shuts the exporter down with an accepted export still in flight', async () => {
    const exporter = new ManualExporter();
    const processor = new SimpleSpanProcessor(exporter);
    processor.onEnd(finishedSpan());
    const shutdown = processor.shutdown();
    processor.onEnd(finishedSpan()); // ends while the first export is pending
    const accepted = exporter.calls.length;
    exporter.calls[0].finish({ code: 'success' });
    await sleep(10);
    exporter.finishAll();
    await shutdown;
    // Either refused, or delivered before the exporter was shut down.
    expect(exporter.finishedAtShutdown).to.equal(accepted);
  });

  it('runs the export with tracing suppressed, and leaves the caller unsuppressed', async () => {
    const exporter = new ManualExporter();
    const processor = new SimpleSpanProcessor(exporter);
    expect(isTracingSuppressed()).to.equal(false);
    processor.onEnd(finishedSpan());
    expect(exporter.suppressed).to.deep.equal([true]);
    expect(isTracingSuppressed()).to.equal(false);
    exporter.finishAll();
    await processor.forceFlush();
  });

  it('keeps tracing suppressed across the awaits of an async exporter', async () => {
    const seen: boolean[] = [];
    const processor = new SimpleSpanProcessor(
      stubExporter(async () => {
        seen.push(isTracingSuppressed());
        await sleep(1);
        seen.push(isTracingSuppressed());
        await new Promise((resolve) => setImmediate(resolve));
        seen.push(isTracingSuppressed());
        return { code: 'success' };
      }),
    );
    processor.onEnd(finishedSpan());
    await processor.forceFlush();
    expect(seen).to.deep.equal([true, true, true]);
    expect(processor.getStats().spansExported).to.equal(1);
  });
});
