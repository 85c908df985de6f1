// A traced Fastify service. From the repository root: npm run build && node examples/fastify/app.mjs
import Fastify from 'fastify';
import { getActiveSpan } from '@audit-tracing/core';
import { auditTracing } from '@audit-tracing/fastify';

const app = Fastify();
await app.register(auditTracing, { serviceName: 'fastify-example', ignore: ['/health'] });

app.get('/health', async () => 'ok');
app.get('/users/:id', async (request) => {
  await new Promise((resolve) => setTimeout(resolve, 10));
  getActiveSpan()?.log('info', 'user loaded', { id: request.params.id });
  return { id: request.params.id, traceId: request.traceId };
});
app.get('/fail', async () => {
  throw new Error('boom');
});

const url = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(`fastify example on ${url}/users/42`);
