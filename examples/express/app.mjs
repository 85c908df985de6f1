// A traced Express service. From the repository root: npm run build && node examples/express/app.mjs
import express from 'express';
import { getActiveSpan } from '@audit-tracing/core';
import { auditTracing, auditTracingErrorHandler } from '@audit-tracing/express';

const app = express();
app.use(auditTracing({ serviceName: 'express-example', ignore: ['/health'] }));
app.use(express.json());

app.get('/health', (req, res) => res.send('ok'));
app.get('/users/:id', async (req, res) => {
  await new Promise((resolve) => setTimeout(resolve, 10));
  getActiveSpan()?.log('info', 'user loaded', { id: req.params.id });
  res.json({ id: req.params.id, traceId: req.traceId });
});
app.get('/fail', () => {
  throw new Error('boom');
});
app.use(auditTracingErrorHandler()); // after the routes: records thrown errors with their stack

const server = app.listen(Number(process.env.PORT ?? 0), () => {
  console.log(`express example on http://localhost:${server.address().port}/users/42`);
});
