// The pages in a real Chromium, showing a real three-service trace: the demo's Express gateway → Koa inventory →
// Fastify pricing, each service with its own tracer exporting OTLP/HTTP protobuf to the viewer.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { AuditTracer } from '@audit-tracing/core';
import * as expressTracing from '@audit-tracing/express';
import * as fastifyTracing from '@audit-tracing/fastify';
import { instrumentFetch, type Instrumentation } from '@audit-tracing/fetch';
import * as koaTracing from '@audit-tracing/koa';
import { startServices, tracerOfCaller, type RunningServices } from '../../../../examples/demo/services.mjs';
import { startViewer, type RunningViewer } from '../../src/index.js';
import { launchChromium, pngStats, type Browser } from '../helpers/browser.js';
import { postOtlp, record } from '../helpers/spans.js';

// Run inside the page by page.evaluate: the browser's globals, untyped here (the tests compile without the DOM lib).
declare const document: any;

// As the demo passes them (the Fastify adapter is a fastify-plugin already: wrapping it again would rename it).
const adapters = { express: expressTracing, koa: koaTracing, fastify: fastifyTracing };

describe('viewer pages in Chromium: a real three-service trace', function () {
  this.timeout(60_000);
  let running: RunningViewer;
  let services: RunningServices;
  let instrumentation: Instrumentation;
  let browser: Browser;
  const traceIds: Record<string, string> = {};

  before(async () => {
    browser = await launchChromium();
    running = await startViewer({ port: 0 });
    const tracer = (serviceName: string) => new AuditTracer({ serviceName, exporterType: 'otlp', exporterEndpoint: running.url, processor: 'simple' });
    const tracers = { gateway: tracer('gateway'), inventory: tracer('inventory'), pricing: tracer('pricing') };
    instrumentation = instrumentFetch({ tracer: tracerOfCaller(tracers) });
    services = await startServices({ tracers, adapters: adapters as never });
    for (const sku of ['apple', 'recalled']) {
      const response = await fetch(`${services.gatewayUrl}/checkout/${sku}`);
      await response.arrayBuffer();
      traceIds[sku] = String(response.headers.get('x-trace-id'));
    }
    // Server spans end on 'finish'; then every tracer flushes its exports to the viewer.
    const deadline = Date.now() + 5000;
    while (Object.values(tracers).some((t) => t.getActiveSpans().length > 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await Promise.all(Object.values(tracers).map((t) => t.shutdown()));
    instrumentation.uninstall();
  });

  after(async () => {
    await browser?.close();
    await services?.close();
    await running?.close();
  });

  it('lists the traces, filters to the failed one, opens it and shows the waterfall, critical path and error', async () => {
    const expected = running.viewer.store.get(traceIds.recalled)!.spans;
    expect(expected.length).to.be.at.least(6);
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });

    await page.goto(`${running.url}/`);
    await page.locator('#traces tbody tr').first().waitFor();
    expect(await page.locator('#traces tbody tr').count()).to.equal(2);
    expect(await page.locator('#traces').innerText()).to.include('gateway: GET /checkout/:sku');

    await page.selectOption('#filter-status', 'error');
    await page.click('#search');
    await page.waitForFunction(() => document.querySelectorAll('#traces tbody tr').length === 1);
    expect(await page.locator('#traces tbody tr').getAttribute('data-trace-id')).to.equal(traceIds.recalled);
    expect(page.url()).to.include('status=error');

    await page.selectOption('#filter-service', 'pricing');
    await page.click('#search');
    await page.waitForFunction(() => document.querySelectorAll('#traces tbody tr').length === 1);

    await page.click('#traces tbody tr a.trace-link');
    await page.waitForURL(/trace\.html\?id=/);
    await page.locator('#waterfall .row').first().waitFor();
    const rows = await page.$$eval('#waterfall .row', (nodes) =>
      nodes.map((node) => ({
        service: (node as any).dataset.service,
        depth: Number((node as any).dataset.depth),
        name: node.querySelector('.name')!.textContent,
        critical: node.classList.contains('critical'),
        error: node.classList.contains('error'),
        indent: parseFloat((node.querySelector('.label') as any).style.paddingLeft),
        colour: (node.querySelector('.bar') as any).style.backgroundColor,
      })),
    );
    expect(rows).to.have.length(expected.length);
    expect(rows[0]).to.include({ service: 'gateway', depth: 0, name: 'GET /checkout/:sku', critical: true });
    // Indented by parent, deeper rows further right.
    for (const row of rows) expect(row.indent).to.equal(8 + row.depth * 16);
    const pricing = rows.find((row) => row.service === 'pricing' && row.depth > 0)!;
    expect(pricing).to.include({ error: true, critical: true });
    expect(pricing.depth).to.be.at.least(4);
    // One colour per service.
    const colours = new Map(rows.map((row) => [row.service, row.colour]));
    expect(new Set(colours.values()).size).to.equal(3);
    for (const row of rows) expect(row.colour).to.equal(colours.get(row.service));
    expect(await page.locator('#waterfall .row.critical').count()).to.be.at.least(3);

    // The details of the failing pricing span: status, tags.
    await page.locator('#waterfall .row.error[data-service="pricing"]').first().click();
    const details = await page.locator('#details').innerText();
    expect(details).to.include('ERROR').and.include('http.route').and.include('/prices/:sku');

    const png = await page.screenshot({ fullPage: true });
    const dir = path.join(tmpdir(), 'audit-tracing-viewer-screenshots');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'trace.png'), png);
    const stats = pngStats(png);
    expect(stats.colours, 'distinct colours in the screenshot').to.be.above(50);
    expect(stats.inkShare, 'share of non-white pixels').to.be.above(0.05);
    expect(problems).to.deep.equal([]);
    await page.close();
  });

  it('shows the bottleneck table and the service map with call counts and error rates', async () => {
    const page = await browser.newPage();
    await page.goto(`${running.url}/bottlenecks.html`);
    await page.locator('#bottlenecks tbody tr').first().waitFor();
    expect(await page.locator('#bottlenecks tbody tr').count()).to.be.at.least(4);
    expect(await page.locator('#bottlenecks').innerText()).to.include('GET /prices/:sku');

    await page.goto(`${running.url}/map.html`);
    await page.locator('#edges tbody tr').first().waitFor();
    const edges = await page.$$eval('#edges tbody tr', (nodes) => nodes.map((node) => Array.from(node.querySelectorAll("td"), (td: any) => td.textContent)));
    expect(edges).to.deep.include(['gateway', 'inventory', '2', '1', '50.0%']);
    expect(edges).to.deep.include(['inventory', 'pricing', '2', '1', '50.0%']);
    expect(await page.locator('.map svg circle').count()).to.equal(3);
    await page.close();
  });

  it('flags a span moved for clock skew and a span whose parent never arrived', async () => {
    const traceId = 'fa00000000000000000000000000000f';
    const start = 1_700_000_000_000;
    const root = record({ traceId, name: 'GET /orders', service: 'edge', kind: 'server', start, duration: 20 });
    // Measured on a clock 50 ms behind: it starts before its parent.
    const remote = record({ traceId, parentSpanId: root.spanId, name: 'GET /stock', service: 'stock', kind: 'server', start: start - 50, duration: 10 });
    const lost = record({ traceId, parentSpanId: 'dead00000000beef', name: 'audit.write', service: 'audit', start: start + 5, duration: 3 });
    expect((await postOtlp(running.url, [root, remote, lost])).status).to.equal(200);
    const page = await browser.newPage();
    await page.goto(`${running.url}/trace.html?id=${traceId}`);
    await page.locator('#waterfall .row').first().waitFor();
    const flags = await page.$$eval('#waterfall .row', (nodes) => nodes.map((node) => [node.querySelector('.name')!.textContent, Array.from(node.querySelectorAll('.flag.note'), (flag: any) => flag.textContent)]));
    expect(flags).to.deep.include(['GET /stock', ['skew']]);
    expect(flags).to.deep.include(['audit.write', ['no parent']]);
    expect(flags).to.deep.include(['GET /orders', []]);
    await page.close();
  });
});
