import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { getActiveSpan, isTracingSuppressed, suppressTracing, withSpan } from '@audit-tracing/core';
import { context, propagation, ROOT_CONTEXT, trace, TraceFlags, type Span } from '@opentelemetry/api';
import { isTracingSuppressed as otelIsSuppressed, suppressTracing as otelSuppressTracing } from '@opentelemetry/core';
import { BridgeSpan } from '../src/index.js';
import { useBridge } from './helpers/bridge.js';

const ours = (span: Span) => (span as BridgeSpan).span;

describe('BridgeContextManager: one active span for OpenTelemetry and for us', () => {
  const bridge = useBridge();
  const otel = () => trace.getTracer('@example/lib');

  describe('ours → OpenTelemetry', () => {
    it('context.active() sees the span our API made active, through await and timers', async () => {
      const span = bridge.tracer.startSpan('ours');
      await withSpan(span, async () => {
        const active = trace.getActiveSpan();
        expect(active?.spanContext().spanId).to.equal(span.spanId);
        expect(context.active(), 'one context per span, not one per call').to.equal(context.active());
        await sleep(1);
        expect(trace.getActiveSpan()).to.equal(active);
        await new Promise<void>((resolve) => setImmediate(() => {
          expect(trace.getActiveSpan()).to.equal(active);
          resolve();
        }));
      });
      expect(trace.getActiveSpan()).to.equal(undefined);
      span.finish();
    });

    it('a span started through the API inside ours is its child, in its trace', async () => {
      const parent = bridge.tracer.startSpan('ours');
      const child = withSpan(parent, () => otel().startSpan('theirs'));
      child.end();
      parent.finish();
      expect(ours(child).parentSpanId).to.equal(parent.spanId);
      expect(ours(child).traceId).to.equal(parent.traceId);
    });

    it('without an active span, the API starts a new trace; root: true does so under one too', () => {
      const root = otel().startSpan('root');
      expect(ours(root).parentSpanId).to.equal(undefined);
      const parent = bridge.tracer.startSpan('ours');
      const rooted = withSpan(parent, () => otel().startSpan('rooted', { root: true }));
      expect(ours(rooted).traceId).to.not.equal(parent.traceId);
      for (const span of [root, rooted]) span.end();
      parent.finish();
    });
  });

  describe('OpenTelemetry → ours', () => {
    it('startActiveSpan makes the span what getActiveSpan() returns, through await', async () => {
      const result = await otel().startActiveSpan('active', async (span) => {
        expect(getActiveSpan()).to.equal(ours(span));
        await sleep(1);
        expect(getActiveSpan()).to.equal(ours(span));
        expect(trace.getActiveSpan()).to.equal(span);
        const child = bridge.tracer.startSpan('our child');
        child.finish();
        expect(child.parentSpanId).to.equal(span.spanContext().spanId);
        span.end();
        return 42;
      });
      expect(result).to.equal(42);
      expect(getActiveSpan()).to.equal(undefined);
    });

    it('context.with(ctx, fn, thisArg, ...args) enters the span of ctx, passes this and the arguments, and returns', () => {
      const span = otel().startSpan('with');
      const self = { name: 'self' };
      const returned = context.with(
        trace.setSpan(context.active(), span),
        function (this: typeof self, a: number, b: string) {
          expect(getActiveSpan()).to.equal(ours(span));
          return `${this.name}:${a}:${b}`;
        },
        self,
        1,
        'two',
      );
      expect(returned).to.equal('self:1:two');
      span.end();
    });

    it('context.with(ROOT_CONTEXT) clears our active span; leaving it restores it', () => {
      const span = bridge.tracer.startSpan('outer');
      withSpan(span, () => {
        context.with(ROOT_CONTEXT, () => expect(getActiveSpan()).to.equal(undefined));
        expect(getActiveSpan()).to.equal(span);
      });
      span.finish();
    });

    it('a remote span context made active is a sampled parent for our spans, in its trace', () => {
      const remote = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true };
      context.with(trace.setSpanContext(ROOT_CONTEXT, remote), () => {
        const active = getActiveSpan();
        expect(active?.traceId).to.equal(remote.traceId);
        expect(trace.getActiveSpan()?.spanContext()).to.equal(remote);
        const child = bridge.tracer.startSpan('child of remote');
        expect(child.isRecording()).to.equal(true);
        expect(child.parentSpanId).to.equal(remote.spanId);
        child.finish();
      });
      context.with(trace.setSpanContext(ROOT_CONTEXT, { ...remote, traceFlags: TraceFlags.NONE }), () => {
        expect(bridge.tracer.startSpan('unsampled parent').isRecording()).to.equal(false);
      });
    });

    it('keeps the rest of an OpenTelemetry context (baggage) while our API changes the span', () => {
      const baggage = propagation.createBaggage({ tenant: { value: 'acme' } });
      context.with(propagation.setBaggage(ROOT_CONTEXT, baggage), () => {
        const child = bridge.tracer.startSpan('ours in baggage');
        withSpan(child, () => {
          expect(propagation.getBaggage(context.active())?.getEntry('tenant')?.value).to.equal('acme');
          expect(trace.getActiveSpan()?.spanContext().spanId).to.equal(child.spanId);
          expect(context.active()).to.equal(context.active());
        });
        child.finish();
      });
    });
  });

  describe('suppression, both ways', () => {
    it('our suppressTracing suppresses OpenTelemetry: instrumentations see the key, the API starts no span', async () => {
      suppressTracing(() => {
        expect(otelIsSuppressed(context.active())).to.equal(true);
        const span = otel().startSpan('while exporting');
        expect(span.isRecording()).to.equal(false);
        expect(trace.isSpanContextValid(span.spanContext())).to.equal(false);
        // A context made elsewhere, handed in explicitly, does not lift our suppression either.
        expect(otel().startSpan('explicit context', {}, ROOT_CONTEXT).isRecording()).to.equal(false);
      });
      await bridge.tracer.forceFlush();
      expect(bridge.exporter.getFinishedSpans()).to.have.length(0);
    });

    it("OpenTelemetry's suppressTracing suppresses ours", () => {
      context.with(otelSuppressTracing(context.active()), () => {
        expect(isTracingSuppressed()).to.equal(true);
        expect(otel().startSpan('suppressed').isRecording()).to.equal(false);
      });
      expect(isTracingSuppressed()).to.equal(false);
    });
  });

  describe('bind', () => {
    it('binds a function to a context, whoever calls it later', async () => {
      const span = otel().startSpan('bound');
      const bound = context.bind(trace.setSpan(ROOT_CONTEXT, span), function (this: unknown, n: number) {
        return [getActiveSpan(), this, n] as const;
      });
      await sleep(1);
      const self = {};
      const [active, receivedThis, n] = bound.call(self, 7);
      expect(active).to.equal(ours(span));
      expect(receivedThis).to.equal(self);
      expect(n).to.equal(7);
      span.end();
    });

    it("binds an emitter: its listeners run with the context's span, whoever emits", async () => {
      const span = otel().startSpan('emitter');
      const emitter = context.bind(trace.setSpan(ROOT_CONTEXT, span), new EventEmitter());
      const seen = new Promise((resolve) => emitter.on('data', () => resolve(getActiveSpan())));
      setImmediate(() => context.with(ROOT_CONTEXT, () => emitter.emit('data')));
      expect(await seen).to.equal(ours(span));
      span.end();
    });

    it('binding an emitter to a context without a span does not bind it to the span active then', () => {
      const active = bridge.tracer.startSpan('active at bind');
      const emitter = withSpan(active, () => context.bind(ROOT_CONTEXT, new EventEmitter()));
      const emitting = bridge.tracer.startSpan('active at emit');
      let seen: unknown;
      emitter.on('data', () => (seen = getActiveSpan()));
      withSpan(emitting, () => emitter.emit('data'));
      expect(seen).to.equal(emitting);
      active.finish();
      emitting.finish();
    });

    it('leaves anything else as it is', () => {
      const value = { a: 1 };
      expect(context.bind(ROOT_CONTEXT, value)).to.equal(value);
    });
  });
});
