import type { AuditSpan } from '../trace/AuditSpan.js';
import { SUCCESS, type ExportResult, type SpanExporter } from './SpanExporter.js';

/** Keeps exported spans in memory, for tests. `reset()` empties it. */
export class InMemoryExporter implements SpanExporter {
  private spans: AuditSpan[] = [];
  private stopped = false;

  async export(spans: readonly AuditSpan[]): Promise<ExportResult> {
    if (this.stopped) return { code: 'failure', error: new Error('InMemoryExporter is shut down') };
    for (const span of spans) this.spans.push(span);
    return SUCCESS;
  }

  getFinishedSpans(): AuditSpan[] {
    return this.spans.slice();
  }

  reset(): void {
    this.spans = [];
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
  }
}
