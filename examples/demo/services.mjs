// Starts the three services on free loopback ports, wired gateway → inventory → pricing.
// Everything tracing-related is passed in, so the demo (built packages) and the tests (sources) each run
// with exactly one copy of the tracing core, and so one active-span store.
import { createServer } from 'node:http';
import { createGatewayApp } from './gateway.mjs';
import { createInventoryApp } from './inventory.mjs';
import { createPricingApp } from './pricing.mjs';

const HOST = '127.0.0.1';

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve(`http://${HOST}:${server.address().port}`));
  });
}

function close(server) {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/**
 * @param {object} deps
 * @param {{ gateway: object, inventory: object, pricing: object }} deps.tracers one tracer per service
 * @param {{ express: object, koa: object, fastify: object }} deps.adapters the three adapter packages
 * @returns {Promise<{ gatewayUrl: string, inventoryUrl: string, pricingUrl: string, close(): Promise<void> }>}
 */
export async function startServices({ tracers, adapters }) {
  const pricing = await createPricingApp({ tracing: adapters.fastify, tracer: tracers.pricing });
  const pricingUrl = await pricing.listen({ port: 0, host: HOST });

  const inventoryServer = createServer(createInventoryApp({ tracing: adapters.koa, tracer: tracers.inventory, pricingUrl }).callback());
  const inventoryUrl = await listen(inventoryServer);

  const gatewayServer = createServer(createGatewayApp({ tracing: adapters.express, tracer: tracers.gateway, inventoryUrl }));
  const gatewayUrl = await listen(gatewayServer);

  return {
    gatewayUrl,
    inventoryUrl,
    pricingUrl,
    async close() {
      await close(gatewayServer);
      await close(inventoryServer);
      await pricing.close();
    },
  };
}

/**
 * For `instrumentFetch({ tracer })` when several services share one process: a client span belongs to the
 * tracer of the service whose span is active, so each hop is reported under the right service name.
 * @param {{ gateway: object, inventory: object, pricing: object }} tracers
 */
export function tracerOfCaller(tracers) {
  const byService = new Map(Object.values(tracers).map((tracer) => [tracer.resource.serviceName, tracer]));
  return function tracerOfActiveService(parent) {
    return byService.get(parent?.resource?.serviceName) ?? tracers.gateway;
  };
}
