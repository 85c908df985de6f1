import type { ReadableSpan } from '../types.js';
import { SUCCESS, type ExportResult, type SpanExporter } from './SpanExporter.js';

/** Keeps exported spans in memory, for tests. `reset()` empties it. */
export class InMemoryExporter implements SpanExporter {
  private spans: ReadableSpan[] = [];
  private stopped = false;

  async export(spans: readonly ReadableSpan[]): Promise<ExportResult> {
    if (this.stopped) return { code: 'failure', error: new Error('InMemoryExporter is shut down') };
    for (const span of spans) this.spans.push(span);
    return SUCCESS;
  }

  getFinishedSpans(): ReadableSpan[] {
    return this.spans.slice();
  }

  reset(): void {
    this.spans = [];
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
  }
}
