// The "done when": a real PostgreSQL, queried through `pg` traced by OpenTelemetry's published pg
// instrumentation, inside an Express handler traced by our adapter, exported by our OTLP exporter to a loopback
// collector.
import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { AuditTracer } from '@audit-tracing/core';
import { auditTracing } from '@audit-tracing/express';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import type { Client as PgClient } from 'pg';
import { TestCollector } from '../../core/test/helpers/collector.js';
import { registerOpenTelemetry } from '../src/index.js';
import { startPostgres, type Postgres } from './helpers/postgres.js';

type Json = Record<string, any>;

describe('pg through @opentelemetry/instrumentation-pg, inside an Express request traced by our adapter', function () {
  this.timeout(60_000);
  let postgres: Postgres;
  let collector: TestCollector;
  let tracer: AuditTracer;
  let unregister: () => void;
  let instrumentation: PgInstrumentation;
  let client: PgClient;

  before(async () => {
    [postgres, collector] = await Promise.all([startPostgres(), TestCollector.start()]);
    tracer = new AuditTracer({ serviceName: 'orders', exporterType: 'otlp', exporterEndpoint: collector.url, protocol: 'http/json', compression: 'none' });
    unregister = registerOpenTelemetry({ tracer });
    // The instrumentation patches `pg` when it is loaded: it is enabled first, and `pg` required after.
    instrumentation = new PgInstrumentation();
    instrumentation.enable();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pg = require('pg') as typeof import('pg');
    client = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.user, database: postgres.database });
    await client.connect();
    await client.query('CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL)');
    await tracer.forceFlush();
    collector.requests.length = 0;
  });

  after(async () => {
    await client?.end();
    instrumentation?.disable();
    unregister?.();
    await tracer?.shutdown();
    await Promise.all([postgres?.stop(), collector?.close()]);
  });

  function exportedSpans(): { scope: Json; span: Json }[] {
    return collector.requests.flatMap((req) =>
      (JSON.parse(req.body.toString()).resourceSpans as Json[]).flatMap((resource) =>
        (resource.scopeSpans as Json[]).flatMap((scopeSpans) => (scopeSpans.spans as Json[]).map((span) => ({ scope: scopeSpans.scope, span }))),
      ),
    );
  }

  it('a query gives a pg client span, child of our server span, in its trace, exported once under the instrumentation scope', async () => {
    const app = express();
    app.use(auditTracing({ tracer }));
    app.post('/orders/:item', async (req, res) => {
      const { rows } = await client.query('INSERT INTO orders (item) VALUES ($1) RETURNING id', [req.params.item]);
      res.json({ id: rows[0].id, traceId: req.traceId });
    });
    const response = await request(app).post('/orders/book').expect(200);
    await tracer.forceFlush();

    const exported = exportedSpans();
    const server = exported.filter(({ span }) => span.kind === 2);
    const queries = exported.filter(({ scope }) => scope.name === '@opentelemetry/instrumentation-pg');
    expect(server, 'one server span').to.have.length(1);
    const serverSpan = server[0].span;
    expect(server[0].scope.name).to.equal('@audit-tracing/core');
    expect(serverSpan.traceId).to.equal(response.body.traceId);

    expect(queries, 'one pg span: the query').to.have.length(1);
    const query = queries.find(({ span }) => span.kind === 3);
    expect(query, `pg client span among ${JSON.stringify(exported.map(({ scope, span }) => [scope.name, span.name]))}`).to.exist;
    expect(query!.span.traceId).to.equal(serverSpan.traceId);
    expect(query!.span.parentSpanId).to.equal(serverSpan.spanId);
    expect(query!.scope.version).to.equal(instrumentation.instrumentationVersion);
    const attributes = Object.fromEntries((query!.span.attributes as Json[]).map((a) => [a.key, Object.values(a.value)[0]]));
    expect(JSON.stringify(attributes)).to.include('postgresql');
    expect(JSON.stringify(attributes)).to.include('INSERT INTO orders');

    const ids = exported.map(({ span }) => span.spanId);
    expect(new Set(ids).size, 'every span exported once').to.equal(ids.length);
    expect(exported.every(({ span }) => span.traceId === serverSpan.traceId), 'nothing else in the export').to.equal(true);
  });

  it('a failed query marks the pg span as an error, and the request still answers', async () => {
    collector.requests.length = 0;
    const app = express();
    app.use(auditTracing({ tracer }));
    app.get('/broken', async (_req, res) => {
      try {
        await client.query('SELECT * FROM no_such_table');
        res.sendStatus(200);
      } catch (error) {
        res.status(500).json({ error: (error as Error).message });
      }
    });
    await request(app).get('/broken').expect(500);
    await tracer.forceFlush();
    const exported = exportedSpans();
    const query = exported.find(({ scope, span }) => scope.name === '@opentelemetry/instrumentation-pg' && span.kind === 3);
    expect(query).to.exist;
    expect(query!.span.status.code).to.equal(2);
    expect(query!.span.status.message).to.match(/no_such_table/);
    const server = exported.find(({ span }) => span.kind === 2)!;
    expect(query!.span.parentSpanId).to.equal(server.span.spanId);
  });
});
