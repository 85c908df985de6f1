// The inventory service (Koa): checks stock, then asks pricing with undici's `request`.
import { setTimeout as sleep } from 'node:timers/promises';
import Koa from 'koa';
import Router from '@koa/router';
import { request } from 'undici';

const STOCK = { apple: 120, pear: 8, truffle: 1, recalled: 40 };
// Rare items are priced by a supplier quote instead of the price list.
const QUOTED = new Set(['truffle']);

/**
 * `GET /stock/:sku` → `{ sku, available, price }`; 502 when pricing fails.
 * @param {{ tracing: { auditTracing: Function }, tracer: import('@audit-tracing/core').AuditTracer, pricingUrl: string }} deps
 */
export function createInventoryApp({ tracing, tracer, pricingUrl }) {
  const app = new Koa();
  const router = new Router();
  app.use(tracing.auditTracing({ tracer }));

  router.get('/stock/:sku', async function stock(ctx) {
    const { sku } = ctx.params;
    // Local work shows up as an internal span next to the outbound call.
    const lookup = tracer.startSpan('stock.lookup', undefined, { component: 'db', tags: { 'db.system': 'memory' } });
    await sleep(3);
    const available = STOCK[sku] ?? 0;
    lookup.finish();

    const path = QUOTED.has(sku) ? `/quotes/${sku}` : `/prices/${sku}`;
    const answer = await request(`${pricingUrl}${path}`);
    const body = await answer.body.json().catch(() => null);
    if (answer.statusCode >= 400) {
      ctx.status = 502;
      ctx.body = { error: 'pricing failed', upstream: answer.statusCode };
      return;
    }
    ctx.body = { sku, available, price: body.price };
  });

  app.use(router.routes());
  return app;
}
