import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag, invalidOption, type ReadableSpan, type SpanKind, type SpanProcessor, type SpanStatusCode } from '@audit-tracing/core';
import { nextAlert, type BottleneckAlert, type OperationGroup } from './BottleneckAlert.js';
import { DEFAULT_DURATION_BUCKETS_MS } from './buckets.js';
import { metricsHandler } from './handler.js';
import { resolveMetricsOptions, type MetricsOptions, type ResolvedMetricsOptions } from './options.js';
import { Series, WINDOW_SLICES } from './Series.js';
import { seriesSnapshot, type MetricsSnapshot } from './snapshot.js';
import { windowOf } from './window.js';

const KINDS: readonly SpanKind[] = ['server', 'client', 'internal', 'producer', 'consumer'];
const STATUSES: readonly SpanStatusCode[] = ['OK', 'ERROR', 'TIMEOUT', 'CANCELLED'];

// Indexes into KINDS and STATUSES; switches, as onEnd runs for every span.
function kindIndex(kind: string): number {
  switch (kind) {
    case 'server':
      return 0;
    case 'client':
      return 1;
    case 'producer':
      return 3;
    case 'consumer':
      return 4;
    default:
      return 2; // internal, and a kind we do not know on a record made elsewhere
  }
}

function statusIndex(code: string): number {
  switch (code) {
    case 'OK':
      return 0;
    case 'TIMEOUT':
      return 2;
    case 'CANCELLED':
      return 3;
    default:
      return 1; // ERROR, and an outcome we do not know: not a success
  }
}

/**
 * Service and operation names longer than this are cut before they name a series: the label value stays readable
 * and memory stays bounded whatever a request names its span.
 */
export const MAX_NAME_LENGTH = 256;

const cut = (name: string) => (name.length > MAX_NAME_LENGTH ? name.slice(0, MAX_NAME_LENGTH) : name);

export type BottleneckCallback = (alert: BottleneckAlert) => void;

/**
 * Live metrics from ended spans, per service, operation, kind and status: counts, a duration histogram on
 * OpenTelemetry's default buckets with the latest span of each bucket as its exemplar, and over a sliding window
 * the rate, percentiles from a DDSketch, the slowest spans and the latest failures. Add it to a tracer with
 * `processors: [metrics]`; read it with `snapshot()`, serve it with `handler()`, and be told of slow operations with
 * `onBottleneck()`.
 *
 * Memory is bounded: at most `maxSeries` series (then one overflow series per kind and status, counted), each with
 * 16 buckets, 4 window slices whose sketches hold 1024 bins at most, and 5 exemplars per list.
 */
export class MetricsSpanProcessor implements SpanProcessor {
  private readonly options: ResolvedMetricsOptions;
  private readonly sliceMs: number;
  private readonly startTime: number;
  /** service → operation → group by kind index. */
  private readonly services = new Map<string, Map<string, (OperationGroup | undefined)[]>>();
  private readonly groups: OperationGroup[] = [];
  private readonly overflowSeries: (Series | undefined)[] = new Array(KINDS.length * STATUSES.length).fill(undefined);
  private seriesCount = 0;
  private overflowSpans = 0;
  private callbackErrors = 0;
  private readonly callbacks = new Set<BottleneckCallback>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options?: MetricsOptions) {
    this.options = resolveMetricsOptions(options);
    this.sliceMs = this.options.windowMs / WINDOW_SLICES;
    this.startTime = this.options.clock();
  }

  onEnd(span: ReadableSpan): void {
    const duration = span.duration;
    if (duration === undefined || this.stopped) return;
    const series = this.seriesFor(span, kindIndex(span.kind), statusIndex(span.status.code));
    series.record(duration, span.traceId, span.spanId, span.endTime ?? this.options.clock());
  }

  private seriesFor(span: ReadableSpan, kind: number, status: number): Series {
    const service = cut(span.resource.serviceName);
    const operation = cut(span.operationName);
    let operations = this.services.get(service);
    let kinds = operations?.get(operation);
    const group = kinds?.[kind];
    const found = group?.series[status];
    if (found !== undefined) return found;

    if (this.seriesCount >= this.options.maxSeries) {
      this.overflowSpans++;
      const at = kind * STATUSES.length + status;
      return (this.overflowSeries[at] ??= new Series('', '', KINDS[kind], STATUSES[status], true, this.sliceMs));
    }
    this.seriesCount++;
    const series = new Series(service, operation, KINDS[kind], STATUSES[status], false, this.sliceMs);
    if (group !== undefined) {
      group.series[status] = series;
      return series;
    }
    if (operations === undefined) this.services.set(service, (operations = new Map()));
    if (kinds === undefined) operations.set(operation, (kinds = new Array(KINDS.length).fill(undefined)));
    const created: OperationGroup = {
      service,
      operation,
      kind: KINDS[kind],
      component: span.component,
      series: new Array(STATUSES.length).fill(undefined),
      alerted: undefined,
      alertedAt: 0,
    };
    created.series[status] = series;
    kinds[kind] = created;
    this.groups.push(created);
    return series;
  }

  /** Every series as plain data: counts since the start, rates, percentiles and exemplars over the window. */
  snapshot(): MetricsSnapshot {
    const time = this.options.clock();
    const windowStart = (Math.floor(time / this.sliceMs) - WINDOW_SLICES + 1) * this.sliceMs;
    const coveredMs = time - Math.max(windowStart, this.startTime);
    const series = [];
    for (const group of this.groups) for (const one of group.series) if (one !== undefined) series.push(seriesSnapshot(one, time, coveredMs));
    for (const one of this.overflowSeries) if (one !== undefined) series.push(seriesSnapshot(one, time, coveredMs));
    return {
      time,
      startTime: this.startTime,
      windowMs: this.options.windowMs,
      boundaries: DEFAULT_DURATION_BUCKETS_MS,
      series,
      overflowSpans: this.overflowSpans,
      callbackErrors: this.callbackErrors,
    };
  }

  /**
   * A `node:http` request handler serving the metrics: OpenMetrics text with exemplars to a client that asks for
   * `application/openmetrics-text` (Prometheus does), Prometheus text 0.0.4 otherwise. Mount it on `/metrics`.
   */
  handler(): (req: IncomingMessage, res: ServerResponse) => void {
    return metricsHandler(() => this.snapshot());
  }

  /**
   * Calls `callback` when an operation's p95 over the window crosses into HIGH or CRITICAL (with at least
   * `minSamples` spans), with its analysis and the traces to open; once per crossing, again on escalation to
   * CRITICAL or after `cooldownMs`. Checks run every `checkIntervalMs` off the request path. A callback that
   * throws is counted and reported once through `diag`. Returns a function that removes the callback.
   */
  onBottleneck(callback: BottleneckCallback): () => void {
    if (typeof callback !== 'function') throw invalidOption('MetricsSpanProcessor.onBottleneck', '', 'a function', callback);
    this.callbacks.add(callback);
    if (this.timer === undefined && !this.stopped) {
      this.timer = setInterval(() => this.checkOnTimer(), this.options.checkIntervalMs);
      this.timer.unref();
    }
    return () => {
      this.callbacks.delete(callback);
      if (this.callbacks.size === 0 && this.timer !== undefined) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  private checkOnTimer(): void {
    try {
      this.checkBottlenecks();
    } catch (error) {
      diag.warnOnce('metrics.checkBottlenecks', `MetricsSpanProcessor: checking for bottlenecks failed: ${(error as Error)?.message}`);
    }
  }

  /**
   * Checks every operation now (the timer does this on its own) and returns the alerts sent to the callbacks.
   * `time` defaults to the processor's clock.
   */
  checkBottlenecks(time: number = this.options.clock()): BottleneckAlert[] {
    const alerts: BottleneckAlert[] = [];
    for (const group of this.groups) {
      const stats = windowOf(
        group.series.filter((series): series is Series => series !== undefined),
        time,
      );
      const alert = nextAlert(group, stats, this.options, time);
      if (alert !== undefined) alerts.push(alert);
    }
    for (const alert of alerts) {
      for (const callback of this.callbacks) {
        try {
          callback(alert);
        } catch (error) {
          this.callbackErrors++;
          diag.warnOnce('metrics.onBottleneck', `MetricsSpanProcessor: an onBottleneck callback threw (counted in audit_tracing_metrics_callback_errors_total): ${(error as Error)?.message}`);
        }
      }
    }
    return alerts;
  }

  async forceFlush(): Promise<void> {}

  /** Stops counting and checking; what was counted stays readable. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
