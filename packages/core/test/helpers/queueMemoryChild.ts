// Run in a process of its own (fork with `--require tsx/cjs`), so that its RSS tells what the tracer holds: finishes
// spans with large, distinct tags at a steady rate against a collector that is down, samples RSS and the batch
// processor's estimated queue bytes as it goes, and sends the figures to its parent.
//   argv[2]: JSON of QueueMemoryOptions
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditTracer } from '../../src/trace/AuditTracer.js';

export interface QueueMemoryOptions {
  /** The collector's base URL. */
  url: string;
  /** `batch.maxQueueBytes`; undefined keeps the default. */
  maxQueueBytes?: number;
  spansPerSecond: number;
  durationMs: number;
  /** Tags of 4096 distinct characters per span. */
  tagsPerSpan: number;
}

export interface QueueMemoryResult {
  spans: number;
  /** Bytes of tag text the spans carried, all told. */
  tagBytes: number;
  rssBefore: number;
  rssPeak: number;
  rssAfter: number;
  /** V8 heap in use plus external memory (Buffers), read after a collection when --expose-gc is on. */
  heldBefore: number;
  heldPeak: number;
  /** The largest estimated queue size sampled (the processor's own counter). */
  queueBytesPeak: number;
  spansDropped: Record<string, number>;
  spansFinished: number;
  spansExported: number;
}

const TAG_CHARS = 4096;

async function main(options: QueueMemoryOptions): Promise<QueueMemoryResult> {
  const tracer = new AuditTracer({
    serviceName: 'memory-probe',
    exporterType: 'otlp',
    exporterEndpoint: options.url,
    ...(options.maxQueueBytes === undefined ? {} : { batch: { maxQueueBytes: options.maxQueueBytes } }),
  });
  // White-box: the processor keeps its estimate private; the test reads it to check the budget is kept.
  const processor = (tracer as unknown as { exportProcessor: { heldBytes?: unknown } }).exportProcessor;
  if (typeof processor?.heldBytes !== 'number') throw new Error('the batch processor no longer has a numeric heldBytes field (queued and in-flight bytes): update this probe');
  const heldBytes = (): number => processor.heldBytes as number;

  global.gc?.();
  const held = (usage: NodeJS.MemoryUsage): number => usage.heapUsed + usage.external;
  const before = process.memoryUsage();
  const rssBefore = before.rss;
  const heldBefore = held(before);
  let rssPeak = rssBefore;
  let heldPeak = heldBefore;
  let queueBytesPeak = 0;
  const sample = (): void => {
    const usage = process.memoryUsage();
    rssPeak = Math.max(rssPeak, usage.rss);
    heldPeak = Math.max(heldPeak, held(usage));
    queueBytesPeak = Math.max(queueBytesPeak, heldBytes());
  };
  // With --expose-gc, RSS is read after a collection, so that it tells what is held rather than garbage V8 has not
  // got round to collecting yet.
  const sampler = setInterval(() => {
    global.gc?.();
    sample();
  }, 100);

  const total = Math.round((options.spansPerSecond * options.durationMs) / 1000);
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const span = tracer.startSpan('big-payload', null);
    // Distinct strings: a shared one would be held once however many spans point at it.
    for (let t = 0; t < options.tagsPerSpan; t++) span.setTag(`payload.${t}`, randomBytes((TAG_CHARS * 3) / 4).toString('base64'));
    span.finish();
    queueBytesPeak = Math.max(queueBytesPeak, heldBytes());
    const wait = started + ((i + 1) * 1000) / options.spansPerSecond - performance.now();
    if (wait > 0) await sleep(wait);
  }
  clearInterval(sampler);
  global.gc?.();
  sample();
  const stats = tracer.getStats();
  const result: QueueMemoryResult = {
    spans: total,
    tagBytes: total * options.tagsPerSpan * TAG_CHARS,
    rssBefore,
    rssPeak,
    rssAfter: process.memoryUsage().rss,
    heldBefore,
    heldPeak,
    queueBytesPeak,
    spansDropped: stats.spansDropped,
    spansFinished: stats.spansFinished,
    spansExported: stats.spansExported,
  };
  await tracer.shutdown({ timeoutMs: 500 });
  return result;
}

main(JSON.parse(process.argv[2]) as QueueMemoryOptions).then(
  (result) => process.send!({ result }, () => process.exit(0)),
  (error: unknown) => process.send!({ error: String((error as Error)?.stack ?? error) }, () => process.exit(1)),
);
