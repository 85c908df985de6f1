import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AsyncLocalStorageContextManager,
  AuditTracer,
  ClsHookedContextManager,
  getContextManager,
  InMemoryExporter,
  setContextManager,
  type ContextManager,
  type Span,
} from '@audit-tracing/core';

const tracer = new AuditTracer({ exporter: new InMemoryExporter(), processor: 'simple', serviceName: 'ctx' });

// The same behaviour is required of every context manager.
const managers: Array<[string, () => ContextManager]> = [
  ['AsyncLocalStorageContextManager', () => new AsyncLocalStorageContextManager()],
  ['ClsHookedContextManager', () => new ClsHookedContextManager({ namespace: 'audit-tracing-test' })],
];

for (const [name, create] of managers) {
  describe(name, () => {
    let manager: ContextManager;
    let previous: ContextManager;
    before(() => {
      previous = getContextManager();
      manager = create();
      setContextManager(manager);
    });
    after(() => setContextManager(previous));

    const span = () => tracer.startSpan('s', null);

    it('has no active span outside any context', () => {
      expect(manager.active()).to.equal(undefined);
    });

    it('keeps the span across await, timers, setImmediate, nextTick and promise chains', async () => {
      const s = span();
      await manager.with(s, async () => {
        await sleep(1);
        expect(manager.active()).to.equal(s);
        await new Promise<void>((resolve) => setTimeout(() => (expect(manager.active()).to.equal(s), resolve()), 1));
        await new Promise<void>((resolve) => setImmediate(() => (expect(manager.active()).to.equal(s), resolve())));
        await new Promise<void>((resolve) => process.nextTick(() => (expect(manager.active()).to.equal(s), resolve())));
        const seen = await Promise.resolve(1)
          .then(() => sleep(1))
          .then(() => manager.active());
        expect(seen).to.equal(s);
      });
      expect(manager.active()).to.equal(undefined);
    });

    it('nests and restores', () => {
      const outer = span();
      const inner = span();
      manager.with(outer, () => {
        manager.with(inner, () => expect(manager.active()).to.equal(inner));
        expect(manager.active()).to.equal(outer);
        manager.with(undefined, () => expect(manager.active()).to.equal(undefined));
      });
    });

    it('binds a function to the span active when bound, or to a given span', async () => {
      const s = span();
      const bound = manager.with(s, () => manager.bind(() => manager.active()));
      expect(bound()).to.equal(s);
      const other = span();
      expect(manager.bind(() => manager.active(), other)()).to.equal(other);
    });

    it('binds emitter listeners, and removeListener still removes them', async () => {
      const s = span();
      const emitter = new EventEmitter();
      manager.bindEmitter(emitter, s);
      const seen: Array<Span | undefined> = [];
      const listener = () => seen.push(manager.active());
      emitter.on('event', listener);
      emitter.emit('event');
      emitter.removeListener('event', listener);
      emitter.emit('event');
      expect(seen).to.deep.equal([s]);
      expect(emitter.listenerCount('event')).to.equal(0);
    });

    it('never lets 200 concurrent flows see each other’s span', async () => {
      const failures: string[] = [];
      await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          const s = tracer.startSpan(`flow-${i}`, null);
          await manager.with(s, async () => {
            for (let step = 0; step < 3; step++) {
              await sleep(Math.random() * 5);
              await new Promise<void>((resolve) => setImmediate(resolve));
              if (manager.active() !== s) failures.push(`flow ${i} step ${step}`);
              const child = tracer.startSpan('child');
              if (child.traceId !== s.traceId || child.parentSpanId !== s.spanId) failures.push(`flow ${i} child`);
            }
          });
        }),
      );
      expect(failures).to.deep.equal([]);
    });

    it('suppresses tracing inside suppress()', () => {
      const s = span();
      manager.with(s, () => {
        manager.suppress(() => {
          expect(manager.isSuppressed()).to.equal(true);
          expect(manager.active()).to.equal(undefined);
        });
        expect(manager.isSuppressed()).to.equal(false);
      });
    });
  });
}

describe('installing a context manager', () => {
  it('is an explicit call: creating a tracer leaves the process-wide manager alone', () => {
    const previous = getContextManager();
    new AuditTracer({ exporterType: 'none' });
    expect(getContextManager()).to.equal(previous);
  });

  it('rejects the old contextManager option with a message that says what to call instead', () => {
    expect(() => new AuditTracer({ contextManager: 'cls-hooked', exporterType: 'none' } as never))
      .to.throw(TypeError, /tracing\.contextManager: expected no such option: call setContextManager\(new ClsHookedContextManager\(\)\)/)
      .with.property('code', 'AUDIT_TRACING_ERR_INVALID_OPTION');
  });

  it("selects cls-hooked through setContextManager, sharing the app's namespace", () => {
    const previous = getContextManager();
    try {
      setContextManager(new ClsHookedContextManager());
      const tracer = new AuditTracer({ exporterType: 'none' });
      const span = tracer.startSpan('in-cls');
      expect(getContextManager()).to.be.instanceOf(ClsHookedContextManager);
      expect(tracer.withSpan(span, () => tracer.getActiveSpan())).to.equal(span);
    } finally {
      setContextManager(previous);
    }
  });
});
