import { expect } from 'chai';
import { startViewer, type RunningViewer } from '../src/index.js';
import { checkoutTrace, postOtlp, record } from './helpers/spans.js';

describe('viewer JSON API', () => {
  let running: RunningViewer;
  const base = 1_700_000_000_000;
  const ok = checkoutTrace(base);
  const failed = checkoutTrace(base + 1000, { failPricing: true });
  const slowTraceId = 'cc00000000000000000000000000000c';
  const slow = [record({ traceId: slowTraceId, name: 'nightly.report', service: 'reports', start: base + 2000, duration: 1500, tags: { 'tenant.id': 'acme', tier: 'gold' } })];

  before(async () => {
    running = await startViewer({ port: 0 });
    expect((await postOtlp(running.url, [...ok, ...failed, ...slow])).status).to.equal(200);
  });
  after(async () => running.close());

  async function traceIds(query: string): Promise<string[]> {
    const response = await fetch(`${running.url}/api/traces${query}`);
    expect(response.status, query).to.equal(200);
    return (await response.json() as any).traces.map((t: { traceId: string }) => t.traceId);
  }

  it('lists traces newest first, with their summary', async () => {
    const body = await (await fetch(`${running.url}/api/traces`)).json() as any;
    expect(body.traces.map((t: { traceId: string }) => t.traceId)).to.deep.equal([slowTraceId, failed[0].traceId, ok[0].traceId]);
    expect(body.traces[1]).to.deep.include({ rootName: 'GET /checkout/:sku', rootService: 'gateway', start: base + 1000, duration: 40, spanCount: 6, errorCount: 5 });
    expect(body.traces[1].services).to.deep.equal([
      { name: 'gateway', spanCount: 2 },
      { name: 'inventory', spanCount: 3 },
      { name: 'pricing', spanCount: 1 },
    ]);
  });

  it('filters by service, operation, status, duration, time range, tag and limit', async () => {
    expect(await traceIds('?service=pricing')).to.deep.equal([failed[0].traceId, ok[0].traceId]);
    expect(await traceIds('?service=reports')).to.deep.equal([slowTraceId]);
    expect(await traceIds('?operation=stock.lookup')).to.deep.equal([failed[0].traceId, ok[0].traceId]);
    // service and operation hold on one span: pricing has no stock.lookup.
    expect(await traceIds('?service=pricing&operation=stock.lookup')).to.deep.equal([]);
    expect(await traceIds('?status=error')).to.deep.equal([failed[0].traceId]);
    expect(await traceIds('?status=ok')).to.deep.equal([slowTraceId, ok[0].traceId]);
    expect(await traceIds('?minDuration=1s')).to.deep.equal([slowTraceId]);
    expect(await traceIds('?minDuration=41')).to.deep.equal([slowTraceId]);
    expect(await traceIds(`?from=${base + 500}&to=${base + 1500}`)).to.deep.equal([failed[0].traceId]);
    expect(await traceIds(`?from=${new Date(base + 1500).toISOString()}`)).to.deep.equal([slowTraceId]);
    expect(await traceIds('?tag=tenant.id%3Dacme')).to.deep.equal([slowTraceId]);
    expect(await traceIds('?tag=tier')).to.deep.equal([slowTraceId]);
    expect(await traceIds('?tag=tenant.id%3Dother')).to.deep.equal([]);
    expect(await traceIds('?tag=http.route%3D/prices/:sku&service=pricing')).to.deep.equal([failed[0].traceId, ok[0].traceId]);
    expect(await traceIds('?limit=1')).to.deep.equal([slowTraceId]);
  });

  it('refuses filters it cannot read with 400 and says which', async () => {
    for (const [query, field] of [['?minDuration=soon', 'minDuration'], ['?status=maybe', 'status'], ['?from=yesterday', 'from'], ['?limit=-1', 'limit'], [`?service=${'x'.repeat(2000)}`, 'service']]) {
      const response = await fetch(`${running.url}/api/traces${query}`);
      expect(response.status, query).to.equal(400);
      expect((await response.json() as any).error).to.match(new RegExp(`^${field}:`));
    }
  });

  it('gives one trace as waterfall rows: depth, skew-corrected times, self time, critical path', async () => {
    const detail = await (await fetch(`${running.url}/api/traces/${failed[0].traceId.toUpperCase()}`)).json() as any;
    expect(detail.rows.map((row: any) => [row.span.operationName, row.depth, row.critical])).to.deep.equal([
      ['GET /checkout/:sku', 0, true],
      ['GET', 1, true],
      ['GET /stock/:sku', 2, true],
      // Sequential before the pricing call: on the path too.
      ['stock.lookup', 3, true],
      ['GET', 3, true],
      ['GET /prices/:sku', 4, true],
    ]);
    expect(detail.rows[0].selfTime).to.be.closeTo(5, 1e-9);
    expect((await fetch(`${running.url}/api/traces/ffffffffffffffffffffffffffffffff`)).status).to.equal(404);
    expect((await fetch(`${running.url}/api/traces/%3Cscript%3E`)).status).to.equal(404);
  });

  it('lists services with operations, the service map and the bottlenecks', async () => {
    const { services } = await (await fetch(`${running.url}/api/services`)).json() as any;
    expect(services.map((s: { name: string }) => s.name)).to.deep.equal(['gateway', 'inventory', 'pricing', 'reports']);
    expect(services[1]).to.deep.include({ spanCount: 6, traceCount: 2, errorCount: 2, operations: ['GET', 'GET /stock/:sku', 'stock.lookup'] });
    const map = await (await fetch(`${running.url}/api/service-map`)).json() as any;
    expect(map.edges).to.deep.equal([
      { from: 'gateway', to: 'inventory', calls: 2, errors: 1, errorRate: 0.5 },
      { from: 'inventory', to: 'pricing', calls: 2, errors: 1, errorRate: 0.5 },
    ]);
    const { bottlenecks } = await (await fetch(`${running.url}/api/bottlenecks`)).json() as any;
    expect(bottlenecks[0]).to.include({ operation: 'nightly.report', severity: 'HIGH' });
    const onlyPricing = await (await fetch(`${running.url}/api/bottlenecks?service=pricing`)).json() as any;
    expect(onlyPricing.bottlenecks.map((b: { operation: string }) => b.operation)).to.deep.equal(['GET /prices/:sku']);
  });

  it('sends a strict Content-Security-Policy and no-sniff on pages and API alike', async () => {
    for (const path of ['/', '/trace.html', '/api/traces', '/common.js']) {
      const response = await fetch(running.url + path);
      expect(response.status, path).to.equal(200);
      const csp = response.headers.get('content-security-policy')!;
      expect(csp).to.include("default-src 'none'").and.include("script-src 'self'").and.not.include('unsafe-inline');
      expect(response.headers.get('x-content-type-options')).to.equal('nosniff');
    }
    expect((await fetch(`${running.url}/../../etc/passwd`)).status).to.equal(404);
    expect((await fetch(`${running.url}/api/traces`, { method: 'DELETE' })).status).to.equal(405);
  });

  it('answers only to loopback host names (no DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${running.url}/api/traces`, { headers: { host: 'attacker.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).to.equal(421);
  });
});
