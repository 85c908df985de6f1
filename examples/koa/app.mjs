// A traced Koa service. From the repository root: npm run build && node examples/koa/app.mjs
import Koa from 'koa';
import Router from '@koa/router';
import { getActiveSpan } from '@audit-tracing/core';
import { auditTracing } from '@audit-tracing/koa';

const app = new Koa();
app.use(auditTracing({ serviceName: 'koa-example', ignore: ['/health'] }));

const router = new Router();
router.get('/health', (ctx) => {
  ctx.body = 'ok';
});
router.get('/users/:id', async (ctx) => {
  await new Promise((resolve) => setTimeout(resolve, 10));
  getActiveSpan()?.log('info', 'user loaded', { id: ctx.params.id });
  ctx.body = { id: ctx.params.id, traceId: ctx.state.traceId };
});
router.get('/fail', () => {
  throw new Error('boom');
});
app.use(router.routes());

const server = app.listen(Number(process.env.PORT ?? 0), () => {
  console.log(`koa example on http://localhost:${server.address().port}/users/42`);
});
