import { expect } from 'chai';
import ts from 'typescript';
import * as core from '@audit-tracing/core';
import { AuditTracer, InMemoryExporter, getActiveSpan, traced } from '@audit-tracing/core';

const exporter = new InMemoryExporter();
const tracer = new AuditTracer({ exporter, processor: 'simple', serviceName: 'decorators' });

const SOURCE = `
import { trace, getActiveSpan } from '@audit-tracing/core';
export class Orders {
  @trace({ tracer })
  total(a: number, b: number) { return a + b; }
  @trace({ name: 'orders.fail', tracer })
  fail() { throw new TypeError('sync failure'); }
  @trace({ tracer })
  async load(id: string) { await new Promise((r) => setTimeout(r, 5)); return { id, span: getActiveSpan() }; }
  @trace({ tracer })
  async reject() { await Promise.resolve(); throw new Error('async failure'); }
}
`;

// Compiles SOURCE with the real TypeScript compiler in one decorator mode and loads the class.
function compile(experimentalDecorators: boolean): new () => {
  total(a: number, b: number): number;
  fail(): void;
  load(id: string): Promise<{ id: string; span: unknown }>;
  reject(): Promise<void>;
} {
  const { outputText } = ts.transpileModule(SOURCE, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, experimentalDecorators },
  });
  const module = { exports: {} as Record<string, unknown> };
  const load = new Function('require', 'module', 'exports', 'tracer', outputText);
  load((id: string) => (id === '@audit-tracing/core' ? core : require(id)), module, module.exports, tracer);
  return module.exports.Orders as never;
}

for (const [mode, legacy] of [
  ['TypeScript 5 standard decorators', false],
  ['legacy experimentalDecorators', true],
] as const) {
  describe(`trace decorator (${mode})`, () => {
    const Orders = compile(legacy);
    beforeEach(() => exporter.reset());

    it('traces a sync method: OK status, Class.method name, result returned', () => {
      expect(new Orders().total(2, 3)).to.equal(5);
      const [span] = exporter.getFinishedSpans();
      expect(span.operationName).to.equal('Orders.total');
      expect(span.status.code).to.equal('OK');
    });

    it('marks a sync throw ERROR with message and stack, and re-throws it', () => {
      expect(() => new Orders().fail()).to.throw(TypeError, 'sync failure');
      const [span] = exporter.getFinishedSpans();
      expect(span.operationName).to.equal('orders.fail');
      expect(span.status).to.deep.equal({ code: 'ERROR', message: 'sync failure' });
      expect(span.logs[0].level).to.equal('error');
      expect(span.logs[0].fields?.['error.type']).to.equal('TypeError');
      expect(String(span.logs[0].fields?.['error.stack'])).to.contain('sync failure');
    });

    it('traces an async method until it resolves, with the span active inside', async () => {
      const result = await new Orders().load('o-1');
      const [span] = exporter.getFinishedSpans();
      expect(result.id).to.equal('o-1');
      expect((result.span as { spanId: string }).spanId).to.equal(span.spanId);
      expect(span.duration).to.be.at.least(4);
      expect(span.status.code).to.equal('OK');
    });

    it('marks a rejection ERROR and re-throws it', async () => {
      let caught: unknown;
      await new Orders().reject().catch((error: unknown) => (caught = error));
      expect((caught as Error).message).to.equal('async failure');
      const [span] = exporter.getFinishedSpans();
      expect(span.status).to.deep.equal({ code: 'ERROR', message: 'async failure' });
    });

    it('makes the decorated span the parent of spans started inside', async () => {
      const outer = tracer.startSpan('outer');
      await tracer.withSpan(outer, () => new Orders().load('x'));
      const [span] = exporter.getFinishedSpans();
      expect(span.parentSpanId).to.equal(outer.spanId);
    });
  });
}

describe('traced()', () => {
  beforeEach(() => exporter.reset());

  it('wraps a plain function and keeps its name', async () => {
    const fetchUser = traced({ name: 'fetchUser', tracer }, async function fetchUser(id: number) {
      return { id, active: getActiveSpan()?.operationName };
    });
    expect(fetchUser.name).to.equal('fetchUser');
    expect(await fetchUser(7)).to.deep.equal({ id: 7, active: 'fetchUser' });
    expect(exporter.getFinishedSpans().map((s) => s.operationName)).to.deep.equal(['fetchUser']);
  });

  it('rejects what is not a function', () => {
    expect(() => traced('x', 42 as never)).to.throw(TypeError, /traced\.fn: expected a function, got 42/);
  });
});
