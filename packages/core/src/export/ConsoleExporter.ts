import type { ReadableSpan } from '../types.js';
import { SUCCESS, type ExportResult, type SpanExporter } from './SpanExporter.js';

export interface ConsoleExporterOptions {
  /** Where lines go; default `process.stdout`. */
  write?: (line: string) => void;
}

function formatTags(span: ReadableSpan): string {
  let out = '';
  for (const key in span.tags) {
    const value = span.tags[key];
    if (value === undefined) continue;
    out += ` ${key}=${typeof value === 'string' ? JSON.stringify(value) : String(value)}`;
  }
  return out;
}

/** One readable line per span (never an object dump), e.g. `[checkout] GET /cart 12.4ms OK trace=… span=…`. */
export function formatSpanLine(span: ReadableSpan): string {
  const status = span.status.message ? `${span.status.code}(${span.status.message})` : span.status.code;
  const parent = span.parentSpanId ? ` parent=${span.parentSpanId}` : '';
  const duration = (span.duration ?? 0).toFixed(1);
  return `[${span.resource.serviceName}] ${span.kind} ${span.operationName} ${duration}ms ${status} trace=${span.traceId} span=${span.spanId}${parent}${formatTags(span)}`;
}

export class ConsoleExporter implements SpanExporter {
  private readonly write: (line: string) => void;

  constructor(options: ConsoleExporterOptions = {}) {
    this.write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
  }

  async export(spans: readonly ReadableSpan[]): Promise<ExportResult> {
    // Written on the next turn of the event loop: writing to a file or a terminal is synchronous in Node, and
    // with the simple processor export() is called from span.finish(), on the request path.
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (const span of spans) this.write(formatSpanLine(span));
    return SUCCESS;
  }

  async shutdown(): Promise<void> {}
}
