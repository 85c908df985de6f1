// The demo's three services, really running on 127.0.0.1: Express gateway --fetch--> Koa inventory --undici-->
// Fastify pricing. The services are the demo's own modules; every tracing piece (tracers, adapters, the
// fetch instrumentation) is passed in from here, loaded from the sources, so one tracing core is in play.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import fp from 'fastify-plugin';
import { AuditTracer, InMemoryExporter, type ReadableSpan } from '@audit-tracing/core';
import * as expressTracing from '@audit-tracing/express';
import * as fastifyTracing from '@audit-tracing/fastify';
import { instrumentFetch, type FetchTracingOptions, type Instrumentation } from '@audit-tracing/fetch';
import * as koaTracing from '@audit-tracing/koa';
import { startServices, tracerOfCaller, type RunningServices } from '../../examples/demo/services.mjs';

const PROPAGATION_HEADERS = ['traceparent', 'tracestate', 'x-trace-id', 'x-span-id', 'x-parent-span-id'];
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[13]$/;
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

// The adapters as the demo uses them, plus a capture of the propagation headers each service received.
const adapters = {
  express: {
    auditTracing: (options: expressTracing.ExpressTracingOptions) => expressTracing.auditTracing({ ...options, captureHeaders: PROPAGATION_HEADERS }),
    auditTracingErrorHandler: expressTracing.auditTracingErrorHandler,
  },
  koa: { auditTracing: (options: koaTracing.KoaTracingOptions) => koaTracing.auditTracing({ ...options, captureHeaders: PROPAGATION_HEADERS }) },
  // fastify-plugin, so the hooks registered inside reach the service's routes.
  fastify: {
    auditTracing: fp(async function capturingPlugin(app, options: fastifyTracing.FastifyTracingOptions) {
      await app.register(fastifyTracing.auditTracing, { ...options, captureHeaders: PROPAGATION_HEADERS });
    }),
  },
};

function header(span: ReadableSpan, name: string): string | undefined {
  const value = span.tags[`http.request.header.${name}`];
  return Array.isArray(value) ? String(value[0]) : undefined;
}

describe('three services: gateway (express) → inventory (koa, fetch) → pricing (fastify, undici)', () => {
  const exporter = new InMemoryExporter();
  const tracers = {
    gateway: new AuditTracer({ exporter, processor: 'simple', serviceName: 'gateway' }),
    inventory: new AuditTracer({ exporter, processor: 'simple', serviceName: 'inventory' }),
    pricing: new AuditTracer({ exporter, processor: 'simple', serviceName: 'pricing' }),
  };
  const test = new AuditTracer({ exporter, processor: 'simple', serviceName: 'test' });
  let services: RunningServices;
  let instrumentation: Instrumentation | undefined;

  function install(options: FetchTracingOptions = {}): void {
    instrumentation?.uninstall();
    instrumentation = instrumentFetch({ tracer: tracerOfCaller(tracers), ...options });
  }

  before(async () => {
    services = await startServices({ tracers, adapters: adapters as never });
  });
  after(async () => {
    instrumentation?.uninstall();
    await services.close();
  });
  beforeEach(() => {
    exporter.reset();
    install();
  });
  afterEach(() => {
    instrumentation?.uninstall();
    instrumentation = undefined;
  });

  /** Calls the gateway from outside any span, as a browser would; returns status, body and the trace id header. */
  async function checkout(sku: string, init?: RequestInit): Promise<{ status: number; body: any; traceId: string }> {
    const response = await fetch(`${services.gatewayUrl}/checkout/${sku}`, init);
    return { status: response.status, body: await response.json(), traceId: String(response.headers.get('x-trace-id')) };
  }

  /** The spans of one trace once all of them have ended. */
  async function traceOf(traceId: string, count: number): Promise<ReadableSpan[]> {
    const deadline = Date.now() + 2000;
    for (;;) {
      const spans = exporter.getFinishedSpans().filter((span) => span.traceId === traceId);
      if (spans.length >= count || Date.now() > deadline) return spans;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** The chain of one checkout, by role. */
  function chain(spans: ReadableSpan[]) {
    const find = (service: string, kind: string, name?: string) =>
      spans.find((s) => s.resource.serviceName === service && s.kind === kind && (name === undefined || s.operationName === name))!;
    return {
      gatewayServer: find('gateway', 'server'),
      gatewayClient: find('gateway', 'client'),
      inventoryServer: find('inventory', 'server'),
      lookup: find('inventory', 'internal', 'stock.lookup'),
      inventoryClient: find('inventory', 'client'),
      pricingServer: find('pricing', 'server'),
    };
  }

  it('carries one trace end to end, each server span a child of exactly its caller’s client span', async () => {
    const { status, traceId } = await checkout('apple');
    expect(status).to.equal(200);
    const spans = await traceOf(traceId, 6);
    expect(spans).to.have.length(6);
    const c = chain(spans);
    expect(c.gatewayServer.parentSpanId).to.equal(undefined);
    expect(c.gatewayClient.parentSpanId).to.equal(c.gatewayServer.spanId);
    expect(c.inventoryServer.parentSpanId).to.equal(c.gatewayClient.spanId);
    expect(c.lookup.parentSpanId).to.equal(c.inventoryServer.spanId);
    expect(c.inventoryClient.parentSpanId).to.equal(c.inventoryServer.spanId);
    expect(c.pricingServer.parentSpanId).to.equal(c.inventoryClient.spanId);
    expect(c.inventoryClient.tags['url.full']).to.equal(`${services.pricingUrl}/prices/apple`);
    expect(c.gatewayClient.tags['url.full']).to.equal(`${services.inventoryUrl}/stock/apple?channel=REDACTED`);
  });

  it('delivers both W3C traceparent and the x-trace-id headers at every hop', async () => {
    const { traceId } = await checkout('pear');
    const c = chain(await traceOf(traceId, 6));
    for (const [server, client] of [
      [c.inventoryServer, c.gatewayClient],
      [c.pricingServer, c.inventoryClient],
    ] as const) {
      const [, wireTrace, wireParent] = TRACEPARENT.exec(String(header(server, 'traceparent')))!;
      expect(wireTrace).to.equal(traceId);
      expect(wireParent).to.equal(client.spanId);
      expect(header(server, 'x-trace-id')).to.equal(traceId);
      expect(header(server, 'x-span-id')).to.equal(client.spanId);
    }
  });

  it('keeps 100 concurrent chains apart', async () => {
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => checkout(`item-${i}`)));
    expect(new Set(results.map((r) => r.traceId)).size).to.equal(100);
    for (const [i, { status, body, traceId }] of results.entries()) {
      expect(status).to.equal(200);
      expect(body.sku).to.equal(`item-${i}`);
      const spans = await traceOf(traceId, 6);
      expect(spans, `trace of item-${i}`).to.have.length(6);
      const c = chain(spans);
      // Every hop of this trace is about this request, and hangs under this request's spans.
      expect(c.gatewayServer.tags['url.path']).to.equal(`/checkout/item-${i}`);
      expect(c.inventoryServer.tags['url.path']).to.equal(`/stock/item-${i}`);
      expect(c.pricingServer.tags['url.path']).to.equal(`/prices/item-${i}`);
      expect(c.inventoryServer.parentSpanId).to.equal(c.gatewayClient.spanId);
      expect(c.pricingServer.parentSpanId).to.equal(c.inventoryClient.spanId);
      expect(c.gatewayClient.parentSpanId).to.equal(c.gatewayServer.spanId);
      expect(c.inventoryClient.parentSpanId).to.equal(c.inventoryServer.spanId);
    }
  });

  it('marks a downstream 500 on the failing server span and on the client spans above it', async () => {
    const { status, body, traceId } = await checkout('recalled');
    expect(status).to.equal(502);
    expect(body.upstream).to.equal(502);
    const c = chain(await traceOf(traceId, 6));
    expect(c.pricingServer.status.code).to.equal('ERROR');
    expect(c.pricingServer.tags['http.response.status_code']).to.equal(500);
    expect(c.pricingServer.logs.some((log) => log.level === 'error' && /recalled/.test(log.message))).to.equal(true);
    expect(c.inventoryClient.status.code).to.equal('ERROR');
    expect(c.inventoryClient.tags['http.response.status_code']).to.equal(500);
    expect(c.inventoryServer.status.code).to.equal('ERROR');
    expect(c.inventoryServer.tags['http.response.status_code']).to.equal(502);
    expect(c.gatewayClient.status.code).to.equal('ERROR');
    expect(c.gatewayClient.tags['http.response.status_code']).to.equal(502);
    // Work that did not fail stays OK.
    expect(c.lookup.status.code).to.equal('OK');
  });

  it('ends an aborted call as CANCELLED', async () => {
    const root = test.startSpan('test.abort', null, { kind: 'internal' });
    const controller = new AbortController();
    const pending = test.withSpan(root, () => fetch(`${services.gatewayUrl}/checkout/truffle`, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    const error = await pending.then(() => undefined, (e: Error) => e);
    root.finish();
    expect(error).to.have.property('name', 'AbortError');
    // The services behind finish their work regardless: root, this call, and the six spans of the chain.
    const spans = await traceOf(root.traceId, 8);
    expect(spans).to.have.length(8);
    const client = spans.find((span) => span.kind === 'client' && span.parentSpanId === root.spanId);
    expect(client!.status.code).to.equal('CANCELLED');
    expect(client!.endTime).to.be.a('number');
  });

  it('sends no headers on calls made outside any request', async () => {
    const response = await fetch(`${services.pricingUrl}/prices/apple`);
    await response.text();
    const traceId = String(response.headers.get('x-trace-id'));
    const [pricing] = await traceOf(traceId, 1);
    for (const name of PROPAGATION_HEADERS) expect(header(pricing!, name), name).to.equal(undefined);
    expect(pricing!.parentSpanId).to.equal(undefined);
    expect(exporter.getFinishedSpans().filter((span) => span.kind === 'client')).to.have.length(0);
  });

  it('keeps trace headers off hosts propagateTo does not list', async () => {
    install({ propagateTo: [new URL(services.inventoryUrl).host] });
    const { traceId } = await checkout('apple');
    const c = chain(await traceOf(traceId, 5));
    expect(header(c.inventoryServer, 'traceparent')).to.match(TRACEPARENT);
    // The call to pricing is still recorded in this trace, but pricing heard nothing of it.
    expect(c.inventoryClient.tags['url.full']).to.equal(`${services.pricingUrl}/prices/apple`);
    expect(c.pricingServer).to.equal(undefined);
    const pricing = exporter.getFinishedSpans().find((span) => span.resource.serviceName === 'pricing')!;
    expect(pricing.traceId).to.not.equal(traceId);
    for (const name of PROPAGATION_HEADERS) expect(header(pricing, name), name).to.equal(undefined);
  });

  it('after uninstall, leaves fetch untouched: same function, same dispatcher, nothing injected', async () => {
    const fetchBefore = globalThis.fetch;
    const dispatcherBefore = (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER];
    instrumentation!.uninstall();
    instrumentation = undefined;
    expect(globalThis.fetch).to.equal(fetchBefore);
    expect((globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER]).to.equal(dispatcherBefore);
    const { status, traceId } = await checkout('apple');
    expect(status).to.equal(200);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const spans = exporter.getFinishedSpans();
    expect(spans.filter((span) => span.kind === 'client')).to.have.length(0);
    const inventory = spans.find((span) => span.resource.serviceName === 'inventory' && span.kind === 'server')!;
    expect(inventory.traceId).to.not.equal(traceId);
    expect(header(inventory, 'traceparent')).to.equal(undefined);
  });
});

describe('the demo (`npm start`, examples/demo/run.mjs)', () => {
  const root = path.resolve(__dirname, '../..');
  const built = ['core', 'express', 'koa', 'fastify', 'fetch'].every((name) => existsSync(path.join(root, 'packages', name, 'dist', 'index.mjs')));

  it('prints four traces, the bottleneck table and the slow trace\'s critical path, and exits by itself with code 0', async function () {
    // The demo imports the built packages; `npm test` builds first.
    if (!built) this.skip();
    const env = { ...process.env };
    delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = execFile(process.execPath, [path.join(root, 'examples/demo/run.mjs')], { cwd: root, env, timeout: 10_000 }, (error, out) => {
        if (error && error.killed) reject(new Error(`the demo did not exit by itself:\n${out}`));
        else resolve({ code: child.exitCode, stdout: out });
      });
    });
    expect(code).to.equal(0);
    expect(stdout.match(/^── GET \/checkout\//gm)).to.have.length(4);
    expect(stdout).to.match(/GET \/prices\/:sku \[fastify\].*ERROR/);
    expect(stdout).to.match(/GET \/quotes\/:sku \[fastify\]/);
    expect(stdout.match(/\(6 spans\)/g)).to.have.length(4);
    // then the bottleneck table of all four requests, and the critical path of the slow one, down to its cause
    expect(stdout).to.match(/^severity\s+service\s+operation\s+n\s+p50\s+p95/m);
    expect(stdout).to.match(/^\S+\s+pricing\s+GET \/quotes\/:sku\s+1\s/m);
    expect(stdout).to.match(/^\S+\s+gateway\s+GET \/checkout\/:sku\s+4\s/m);
    const critical = stdout.slice(stdout.indexOf('── Critical path of GET /checkout/truffle')).trim().split('\n').slice(1);
    expect(critical[0]).to.match(/^GET \/checkout\/:sku \[gateway\]/);
    expect(critical[critical.length - 1]).to.match(/^ {8}GET \/quotes\/:sku \[pricing\]/);
  });
});
