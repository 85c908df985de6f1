// KMS faults while a traced Express app serves real requests: no request waits for KMS or fails because of it,
// sensitive values are never exported in clear, and 1,000 concurrent requests cost one GenerateDataKey.
import { AuditTracer, ENCRYPTED_PREFIX, ENCRYPTION_UNAVAILABLE, getActiveSpan, InMemoryExporter, setDiagLogger } from '@audit-tracing/core';
import { auditTracing } from '@audit-tracing/express';
import { AwsKmsKeyProvider, SERVICE_CONTEXT_KEY } from '@audit-tracing/kms-aws';
import { expect } from 'chai';
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeKms, TEST_CREDENTIALS } from './helpers/fakeKms.js';

const SERVICE = 'signup';
const CONCURRENT = 1000;

async function tracedApp(provider: AwsKmsKeyProvider) {
  const exporter = new InMemoryExporter();
  const tracer = new AuditTracer({
    serviceName: SERVICE,
    exporter,
    processor: 'simple',
    maxFinishedSpans: 0,
    encryption: { sensitiveTags: ['user.email'], provider, dataKeyTtlMs: 60_000, dataKeyTimeoutMs: 1000 },
  });
  const app = express();
  app.use(auditTracing({ tracer }));
  app.get('/users/:id', (req, res) => {
    getActiveSpan()?.setTag('user.email', `user-${req.params.id}@example.com`);
    res.json({ id: req.params.id });
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  return {
    tracer,
    exporter,
    /** Every request's status and latency in ms. */
    async hit(count: number): Promise<{ status: number; ms: number }[]> {
      return Promise.all(
        Array.from({ length: count }, (_, i) => {
          const started = performance.now();
          return new Promise<{ status: number; ms: number }>((resolve, reject) => {
            http.get(`${url}/users/${i}`, { agent }, (res) => {
              res.resume();
              res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
            }).on('error', reject);
          });
        }),
      );
    },
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await tracer.shutdown();
    },
  };
}

function provider(endpoint: string, timeoutMs = 500) {
  return new AwsKmsKeyProvider({
    keyId: 'alias/traces',
    serviceName: SERVICE,
    timeoutMs,
    clientConfig: { endpoint, region: 'eu-west-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 },
  });
}

describe('KMS faults under real traffic (Express)', function () {
  this.timeout(60_000);
  let kms: FakeKms;
  beforeEach(async () => {
    kms = await FakeKms.start({ [SERVICE_CONTEXT_KEY]: SERVICE });
    setDiagLogger({ warn: () => {}, error: () => {} });
  });
  afterEach(async () => {
    setDiagLogger(undefined);
    await kms?.close();
  });

  it(`${CONCURRENT} concurrent traced requests cost one GenerateDataKey, and every value leaves encrypted once the key is there`, async () => {
    const app = await tracedApp(provider(kms.url));
    try {
      // The very first requests race the first key: they may fail closed, never wait, never leak.
      const first = await app.hit(CONCURRENT);
      expect(first.every((r) => r.status === 200)).to.equal(true);
      const second = await app.hit(CONCURRENT);
      expect(second.every((r) => r.status === 200)).to.equal(true);
      expect(kms.count('GenerateDataKey')).to.equal(1);
      const values = app.exporter.getFinishedSpans().map((span) => String(span.tags['user.email']));
      expect(values).to.have.length(2 * CONCURRENT);
      expect(values.filter((v) => !v.startsWith(ENCRYPTED_PREFIX) && v !== ENCRYPTION_UNAVAILABLE)).to.deep.equal([]);
      expect(values.slice(CONCURRENT).every((v) => v.startsWith(ENCRYPTED_PREFIX))).to.equal(true);
      const stats = app.tracer.getStats().encryption!;
      expect(stats.valuesEncrypted + stats.valuesUnavailable).to.equal(2 * CONCURRENT);
      expect(stats.dataKeysGenerated).to.equal(1);
    } finally {
      await app.close();
    }
  });

  for (const fault of ['down', 'hanging'] as const) {
    it(`answers every request promptly while KMS is ${fault}, dropping the sensitive values and counting them`, async () => {
      const endpoint = kms.url;
      if (fault === 'down') await kms.close().then(() => (kms = undefined as never));
      else kms.mode = 'hang';
      // The KMS client would wait 10 s: a request that waited on it could not answer within the bound below.
      const app = await tracedApp(provider(endpoint, 10_000));
      try {
        const results = await app.hit(200);
        expect(results.every((r) => r.status === 200)).to.equal(true);
        const slowest = Math.max(...results.map((r) => r.ms));
        expect(slowest, `slowest request ${slowest.toFixed(0)} ms`).to.be.below(3000);
        const values = app.exporter.getFinishedSpans().map((span) => span.tags['user.email']);
        expect(new Set(values)).to.deep.equal(new Set([ENCRYPTION_UNAVAILABLE]));
        expect(app.tracer.getStats().encryption).to.include({ valuesUnavailable: 200, valuesEncrypted: 0, dataKeysGenerated: 0 });
        if (fault === 'hanging') expect(kms.count('GenerateDataKey')).to.equal(1);
      } finally {
        await app.close();
      }
    });
  }
});
