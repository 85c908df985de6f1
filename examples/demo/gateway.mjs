// The gateway (Express): the public entry, calls inventory with Node's global fetch.
import express from 'express';

/**
 * `GET /checkout/:sku` → the inventory answer, or 502 when a service behind it failed.
 * @param {{ tracing: { auditTracing: Function, auditTracingErrorHandler: Function }, tracer: unknown, inventoryUrl: string }} deps
 */
export function createGatewayApp({ tracing, tracer, inventoryUrl }) {
  const app = express();
  app.use(tracing.auditTracing({ tracer }));

  app.get('/checkout/:sku', async function checkout(req, res) {
    const answer = await fetch(`${inventoryUrl}/stock/${encodeURIComponent(req.params.sku)}?channel=web`);
    const body = await answer.json();
    if (!answer.ok) {
      res.status(502).json({ error: 'inventory failed', upstream: answer.status, detail: body });
      return;
    }
    res.json({ ...body, checkout: 'ready' });
  });

  app.use(tracing.auditTracingErrorHandler());
  return app;
}
