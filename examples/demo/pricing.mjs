// The pricing service (Fastify): the end of the chain. One route fails for a recalled item, one is slow.
// It knows nothing of tracing beyond registering the plugin it is given.
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify from 'fastify';

const PRICES = { apple: 0.5, pear: 0.65, truffle: 1800, recalled: 3 };
export const RECALLED_SKU = 'recalled';
// A supplier quote takes this long: the slow leg of the demo.
export const QUOTE_DELAY_MS = 250;

/**
 * `GET /prices/:sku` answers a price (500 for a recalled item: the downstream failure of the demo);
 * `GET /quotes/:sku` asks a supplier and is slow.
 * @param {{ tracing: { auditTracing: unknown }, tracer: unknown }} deps the Fastify plugin and this service's tracer
 */
export async function createPricingApp({ tracing, tracer }) {
  // forceCloseConnections: close() also drops keep-alive connections callers still hold open.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await app.register(tracing.auditTracing, { tracer });

  app.get('/prices/:sku', async function price(request) {
    const { sku } = request.params;
    await sleep(2);
    if (sku === RECALLED_SKU) throw new Error(`price list has no entry for recalled item ${sku}`);
    if (!(sku in PRICES)) return { sku, price: null };
    return { sku, price: PRICES[sku] };
  });

  app.get('/quotes/:sku', async function quote(request) {
    const { sku } = request.params;
    await sleep(QUOTE_DELAY_MS);
    return { sku, price: PRICES[sku] ?? null, quoted: true };
  });

  return app;
}
