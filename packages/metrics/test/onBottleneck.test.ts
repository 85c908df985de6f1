import { expect } from 'chai';
import { DEFAULT_BOTTLENECK_THRESHOLDS, ERR_INVALID_OPTION, setDiagLogger } from '@audit-tracing/core';
import { MetricsSpanProcessor, type BottleneckAlert } from '@audit-tracing/metrics';
import { endSpan, tracerWith, type EndedSpan } from './helpers/spans.js';

/** A processor on a clock the test moves, with the alerts it sends. */
function setUp(options: ConstructorParameters<typeof MetricsSpanProcessor>[0] = {}) {
  const clock = { now: 10_000_000 };
  const metrics = new MetricsSpanProcessor({ clock: () => clock.now, ...options });
  const tracer = tracerWith(metrics);
  const alerts: BottleneckAlert[] = [];
  metrics.onBottleneck((alert) => alerts.push(alert));
  const burst = (count: number, ms: number, name = 'GET /report', status: 'OK' | 'ERROR' = 'OK'): EndedSpan[] =>
    Array.from({ length: count }, (_, i) => endSpan(tracer, name, ms + (i % 7), { endTime: clock.now - 1000 + i, status }));
  return { clock, metrics, alerts, burst };
}

describe('MetricsSpanProcessor.onBottleneck', function () {
  it('fires once when an operation crosses into HIGH, not per span nor per check', function () {
    const { metrics, alerts, burst, clock } = setUp();
    burst(200, 40);
    expect(metrics.checkBottlenecks()).to.deep.equal([]);
    const slow = burst(200, 600); // p95 over 500 ms: HIGH
    expect(alerts).to.have.length(0); // spans alone never call back: checks do
    metrics.checkBottlenecks();
    for (let i = 0; i < 20; i++) {
      clock.now += 1000;
      burst(50, 600);
      metrics.checkBottlenecks();
    }
    expect(alerts).to.have.length(1);
    const [alert] = alerts;
    expect(alert).to.include({ kind: 'server', reason: 'crossed', windowMs: 60_000 });
    expect(alert.analysis).to.include({ service: 'shop', operation: 'GET /report', component: 'internal', severity: 'HIGH', sampleCount: 400, errorRate: 0, minTime: 40, maxTime: 606 });
    expect(alert.analysis.selfTime).to.be.NaN; // not known from spans seen one at a time
    expect(alert.analysis.findings.map((f) => [f.kind, f.exampleTraceId])).to.deep.equal([['slow', alert.slowest[0].traceId]]);
    expect(alert.analysis.percentile50).to.be.within(40, 606);
    expect(alert.analysis.percentile95).to.be.within(600 * 0.99, 606 * 1.01);
    expect(alert.analysis.averageTime).to.be.closeTo((200 * 43 + 200 * 603) / 400, 0.5);
    expect(alert.slowest.map((e) => e.value)).to.deep.equal([606, 606, 606, 606, 606].slice(0, alert.slowest.length));
    expect(slow.map((s) => s.traceId)).to.include(alert.slowest[0].traceId);
    expect(alert.analysis.recommendations[0]).to.include(alert.slowest[0].traceId);
  });

  it('fires again on escalation to CRITICAL, and after the cool-down while it stays', function () {
    const { metrics, alerts, burst, clock } = setUp({ cooldownMs: 30_000 });
    burst(100, 700);
    metrics.checkBottlenecks();
    clock.now += 1000;
    burst(400, 2500);
    metrics.checkBottlenecks();
    metrics.checkBottlenecks();
    expect(alerts.map((a) => [a.reason, a.analysis.severity])).to.deep.equal([
      ['crossed', 'HIGH'],
      ['escalated', 'CRITICAL'],
    ]);
    for (let i = 0; i < 40; i++) {
      clock.now += 1000;
      burst(100, 2500);
      metrics.checkBottlenecks();
    }
    expect(alerts.map((a) => a.reason)).to.deep.equal(['crossed', 'escalated', 'reminder']);
    expect(alerts[2].time - alerts[1].time).to.equal(30_000);
  });

  it('recovers when the window is fast again, and then fires on the next crossing', function () {
    const { metrics, alerts, burst, clock } = setUp();
    burst(100, 900);
    metrics.checkBottlenecks();
    expect(alerts).to.have.length(1);
    clock.now += 70_000; // the slow spans leave the window
    burst(100, 20);
    metrics.checkBottlenecks();
    expect(alerts).to.have.length(1);
    clock.now += 1000;
    burst(500, 950);
    metrics.checkBottlenecks();
    expect(alerts.map((a) => a.reason)).to.deep.equal(['crossed', 'crossed']);
  });

  it('needs minSamples spans in the window, and uses the thresholds given', function () {
    const few = setUp();
    few.burst(19, 5000);
    few.metrics.checkBottlenecks();
    expect(few.alerts).to.have.length(0);

    const strict = setUp({ thresholds: { medium: 20, high: 50, critical: 100 }, minSamples: 5 });
    strict.burst(5, 60);
    strict.metrics.checkBottlenecks();
    expect(strict.alerts.map((a) => a.analysis.severity)).to.deep.equal(['HIGH']);
    expect(DEFAULT_BOTTLENECK_THRESHOLDS.high).to.equal(500);
  });

  it('reports the error rate and the latest failed traces of the operation', function () {
    const { metrics, alerts, burst } = setUp();
    burst(80, 800);
    const failed = burst(20, 800, 'GET /report', 'ERROR');
    metrics.checkBottlenecks();
    expect(alerts[0].analysis.errorRate).to.equal(0.2);
    expect(alerts[0].failed.map((e) => e.traceId)).to.deep.equal(failed.slice(-5).reverse().map((s) => s.traceId));
    expect(alerts[0].analysis.recommendations[1]).to.include('20% of calls failed').and.include(failed.at(-1)!.traceId);
    expect(alerts[0].analysis.findings[1]).to.deep.include({ kind: 'high_error_rate', exampleTraceId: failed.at(-1)!.traceId });
  });

  it('keeps going when a callback throws: counted, reported once, the other callbacks still called', function () {
    const { metrics, alerts, burst, clock } = setUp();
    const warnings: string[] = [];
    setDiagLogger({ warn: (m) => warnings.push(m), error: (m) => warnings.push(m) });
    try {
      metrics.onBottleneck(function broken() {
        throw new Error('dashboard down');
      });
      burst(100, 800, 'GET /a');
      metrics.checkBottlenecks();
      clock.now += 1000;
      burst(100, 800, 'GET /b');
      metrics.checkBottlenecks();
    } finally {
      setDiagLogger(undefined);
    }
    expect(alerts.map((a) => a.analysis.operation)).to.deep.equal(['GET /a', 'GET /b']);
    expect(metrics.snapshot().callbackErrors).to.equal(2);
    expect(warnings.filter((w) => w.includes('onBottleneck callback threw') && w.includes('dashboard down'))).to.have.length(1);
  });

  it('checks on its own timer, off the request path, and stops when unsubscribed', async function () {
    const metrics = new MetricsSpanProcessor({ checkIntervalMs: 10 });
    const tracer = tracerWith(metrics);
    const alerts: BottleneckAlert[] = [];
    const unsubscribe = metrics.onBottleneck((alert) => alerts.push(alert));
    for (let i = 0; i < 50; i++) endSpan(tracer, 'GET /slow', 3000);
    expect(alerts).to.have.length(0);
    const deadline = Date.now() + 5000;
    while (alerts.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 100)); // several more checks
    expect(alerts.map((a) => [a.reason, a.analysis.severity])).to.deep.equal([['crossed', 'CRITICAL']]);
    unsubscribe();
    await metrics.shutdown();
  });

  it('rejects a callback that is not a function', function () {
    const metrics = new MetricsSpanProcessor();
    expect(() => metrics.onBottleneck('alert' as never))
      .to.throw(TypeError, 'MetricsSpanProcessor.onBottleneck: expected a function, got "alert"')
      .with.property('code', ERR_INVALID_OPTION);
  });
});
