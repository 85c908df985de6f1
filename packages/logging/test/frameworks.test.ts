import { expect } from 'chai';
import Fastify from 'fastify';
import Koa from 'koa';
import pino from 'pino';
import request from 'supertest';
import { setTimeout as sleep } from 'node:timers/promises';
import winston from 'winston';
import { auditTracing as fastifyTracing } from '@audit-tracing/fastify';
import { auditTracing as koaTracing } from '@audit-tracing/koa';
import { correlateWinston, pinoMixin } from '../src/index.js';
import { MemoryLog } from './helpers/memoryLog.js';
import { fieldsOf, listen, newTracer, serverSpan, traceFieldsIn, type Listening } from './helpers/servers.js';

// The Express suites cover the details; here each other adapter shows that its handlers log with their span.
function loggers(): { pinoLog: MemoryLog; winstonLog: MemoryLog; log(message: string): void } {
  const pinoLog = new MemoryLog();
  const winstonLog = new MemoryLog();
  const pinoLogger = pino({ mixin: pinoMixin(), base: undefined }, pinoLog);
  const winstonLogger = correlateWinston(winston.createLogger({ transports: [new winston.transports.Stream({ stream: winstonLog })] }));
  return {
    pinoLog,
    winstonLog,
    log(message) {
      pinoLogger.info(message);
      winstonLogger.info(message);
    },
  };
}

async function expectHandlerLinesInSpan(origin: string, exporter: ReturnType<typeof newTracer>['exporter'], logs: ReturnType<typeof loggers>): Promise<void> {
  await request(origin).get('/items/1').expect(200);
  const server = await serverSpan(exporter, '/items/1');
  for (const memory of [logs.pinoLog, logs.winstonLog]) {
    expect(traceFieldsIn(memory.record('before await'))).to.deep.equal(fieldsOf(server));
    expect(traceFieldsIn(memory.record('after await'))).to.deep.equal(fieldsOf(server));
    expect(memory.record('outside').trace_id).to.equal(undefined);
  }
}

describe('log lines carry the server span in Koa and Fastify handlers', () => {
  it('Koa', async () => {
    const { tracer, exporter } = newTracer('koa-shop');
    const logs = loggers();
    const app = new Koa();
    app.use(koaTracing({ tracer }));
    app.use(async (ctx) => {
      logs.log('before await');
      await sleep(5);
      logs.log('after await');
      ctx.body = 'ok';
    });
    const server: Listening = await listen(app.callback());
    try {
      logs.log('outside');
      await expectHandlerLinesInSpan(server.origin, exporter, logs);
    } finally {
      await server.close();
    }
  });

  it('Fastify', async () => {
    const { tracer, exporter } = newTracer('fastify-shop');
    const logs = loggers();
    const app = Fastify();
    await app.register(fastifyTracing, { tracer });
    app.get('/items/:id', async () => {
      logs.log('before await');
      await sleep(5);
      logs.log('after await');
      return 'ok';
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      logs.log('outside');
      const { port } = app.server.address() as { port: number };
      await expectHandlerLinesInSpan(`http://127.0.0.1:${port}`, exporter, logs);
    } finally {
      await app.close();
    }
  });
});
