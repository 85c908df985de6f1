import { Writable } from 'node:stream';

/** A stream keeping every line written to it, as pino and winston's Stream transport write them (JSON). */
export class MemoryLog extends Writable {
  readonly lines: string[] = [];

  constructor() {
    super({ decodeStrings: false });
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    for (const line of String(chunk).split('\n')) if (line !== '') this.lines.push(line);
    done();
  }

  /** The parsed lines. */
  records(): Array<Record<string, unknown>> {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** The parsed line whose `msg` (pino) or `message` (winston) is `text`; fails when there is not exactly one. */
  record(text: string): Record<string, unknown> {
    const found = this.records().filter((record) => record.msg === text || record.message === text);
    if (found.length !== 1) throw new Error(`expected one line "${text}", found ${found.length} in:\n${this.lines.join('\n')}`);
    return found[0]!;
  }
}
