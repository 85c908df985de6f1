// ONE run of traced services that captures every byte the tracing produces — export bodies at a loopback OTLP
// collector (protobuf and JSON), console exporter lines, diagnostic logs, the messages of set-up and decrypt
// errors, and the decrypt CLI's stderr — and looks in all of it for what must never appear: the OTLP API key and
// header secrets, the master key in any encoding, every plaintext data key, and the sensitive values themselves.
// To check more secrets (redacted values, say), add them to FORBIDDEN below.
import {
  AuditTracer,
  ConsoleExporter,
  decryptSpan,
  ENCRYPTION_KEY_ENV,
  getActiveSpan,
  LocalKeyProvider,
  readSpans,
  setDiagLogger,
  type DataKey,
  type KeyProvider,
  type TracingOptions,
} from '@audit-tracing/core';
import { auditTracing } from '@audit-tracing/express';
import { AwsKmsKeyProvider, SERVICE_CONTEXT_KEY } from '@audit-tracing/kms-aws';
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestCollector } from '../../packages/core/test/helpers/collector.js';
import { runCli } from '../../packages/core/test/helpers/runCli.js';
import { FakeKms, TEST_CREDENTIALS } from '../../packages/kms-aws/test/helpers/fakeKms.js';

const API_KEY = `otlp-api-key-${randomBytes(12).toString('hex')}`;
const HEADER_SECRET = `tenant-token-${randomBytes(12).toString('hex')}`;
const MASTER = randomBytes(32);
const SENSITIVE = {
  'user.email': `ada.${randomBytes(4).toString('hex')}@example.com`,
  'card.number': `4111${randomBytes(6).readUIntBE(0, 6)}`,
  'auth.password': `pw-${randomBytes(8).toString('hex')}`,
};

// Well-known secrets a handler sets by mistake, under names no one listed for encryption: redaction by default
// keeps them out (the value becomes REDACTED, the key stays). 'auth.password' above names a secret too, but is
// listed for encryption, so it is encrypted instead.
const URL_PASSWORD = `pw${randomBytes(8).toString('hex')}`;
const URL_CODE = `code${randomBytes(8).toString('hex')}`;
const QUERY_TOKEN = `tok${randomBytes(8).toString('hex')}`;
const TO_BE_REDACTED = {
  'http.request.header.authorization': `Bearer ${randomBytes(12).toString('hex')}`,
  'session.id': `sess-${randomBytes(12).toString('hex')}`,
  'callback.url': `https://ada:${URL_PASSWORD}@idp.example.com/cb?code=${URL_CODE}&state=x`,
};
/** The secret parts of the redacted values: what must not appear. */
const REDACTED_SECRETS = {
  authorization: TO_BE_REDACTED['http.request.header.authorization'],
  'session id': TO_BE_REDACTED['session.id'],
  'URL password': URL_PASSWORD,
  'URL query code': URL_CODE,
  'request query token': QUERY_TOKEN,
};

/** A byte string that must not appear anywhere, and what it is. */
interface Needle {
  what: string;
  bytes: Buffer;
}

/** A key in every encoding it could leak in: raw bytes, hex (both cases), base64, base64url, unpadded base64. */
function keyNeedles(what: string, key: Buffer): Needle[] {
  const texts = new Set([key.toString('hex'), key.toString('hex').toUpperCase(), key.toString('base64'), key.toString('base64url'), key.toString('base64').replace(/=+$/, '')]);
  return [{ what: `${what} (raw)`, bytes: key }, ...[...texts].map((text) => ({ what: `${what} (${text.slice(0, 6)}…)`, bytes: Buffer.from(text) }))];
}

/** Every plaintext data key a provider hands out, recorded for the search. */
class RecordingProvider implements KeyProvider {
  readonly plaintexts: Buffer[] = [];
  constructor(private readonly inner: KeyProvider) {}
  async generateDataKey(): Promise<DataKey> {
    const key = await this.inner.generateDataKey();
    this.plaintexts.push(Buffer.from(key.plaintext));
    return key;
  }
  decryptDataKey(wrapped: Buffer, keyId: string): Promise<Buffer> {
    return this.inner.decryptDataKey(wrapped, keyId);
  }
}

async function serveTraced(tracer: AuditTracer, requests: number): Promise<void> {
  const app = express();
  app.use(auditTracing({ tracer }));
  app.post('/signup', (_req, res) => {
    const span = getActiveSpan();
    span?.setTags({ ...SENSITIVE, ...TO_BE_REDACTED, 'plan.name': 'pro' });
    span?.log('info', 'card charged', { 'card.number': SENSITIVE['card.number'], amount: 12 });
    span?.addLink({ context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' }, tags: { 'user.email': SENSITIVE['user.email'] } });
    res.status(201).json({ ok: true });
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  for (let i = 0; i < requests; i++) {
    const response = await fetch(`http://127.0.0.1:${port}/signup?token=${QUERY_TOKEN}&plan=pro`, { method: 'POST' });
    expect(response.status).to.equal(201);
  }
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await tracer.forceFlush();
}

describe('no secret leaves a traced run in clear', function () {
  this.timeout(60_000);

  it('finds no API key, header secret, master key, plaintext data key or sensitive value in anything the run produced', async () => {
    const captured: { where: string; bytes: Buffer }[] = [];
    const capture = (where: string, data: string | Buffer) => captured.push({ where, bytes: Buffer.from(data) });
    setDiagLogger({ warn: (m) => capture('diag', m), error: (m) => capture('diag', m), debug: (m) => capture('diag', m) });
    const collector = await TestCollector.start();
    const kms = await FakeKms.start({ [SERVICE_CONTEXT_KEY]: 'signup' });
    const localKeys = `main:${MASTER.toString('base64')}`;
    const local = new RecordingProvider(new LocalKeyProvider({ keys: localKeys }));
    const aws = new AwsKmsKeyProvider({ keyId: 'alias/traces', serviceName: 'signup', timeoutMs: 1000, clientConfig: { endpoint: kms.url, region: 'eu-west-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 } });
    const sensitiveTags = Object.keys(SENSITIVE);
    const errors: Error[] = [];
    try {
      const common: TracingOptions = { serviceName: 'signup', apiKey: API_KEY, headers: { 'x-tenant-token': HEADER_SECRET }, exporterEndpoint: collector.url };
      // 1. OTLP/protobuf, gzip, data keys from the local master key.
      const protobuf = new AuditTracer({ ...common, encryption: { provider: local, sensitiveTags } });
      await serveTraced(protobuf, 5);
      await protobuf.shutdown();
      // 2. OTLP/JSON, data keys from KMS.
      const json = new AuditTracer({ ...common, protocol: 'http/json', compression: 'none', encryption: { provider: aws, sensitiveTags } });
      while (json.getStats().encryption?.dataKeysGenerated !== 1) await new Promise((resolve) => setTimeout(resolve, 10));
      await serveTraced(json, 5);
      await json.shutdown();
      // 3. The console exporter.
      const console = new AuditTracer({ serviceName: 'signup', exporter: new ConsoleExporter({ write: (line) => capture('console', line) }), encryption: { provider: local, sensitiveTags } });
      await serveTraced(console, 3);
      await console.shutdown();
      // 4. KMS refusing: values drop, the diagnostic log says why.
      kms.mode = 'deny';
      const denied = new AuditTracer({ ...common, encryption: { provider: aws, sensitiveTags } });
      await serveTraced(denied, 3);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await denied.shutdown();

      // 5. Set-up errors around secrets, and a decrypt error.
      const attempts: (() => unknown)[] = [
        () => new AuditTracer({ serviceName: 'x', exporterType: 'none', encryption: { key: MASTER.toString('base64') + 'AA', sensitiveTags } }),
        () => new AuditTracer({ serviceName: 'x', exporterType: 'none', encryption: { key: `main:${MASTER.toString('hex')}0`, sensitiveTags } }),
        () => LocalKeyProvider.fromEnv({ [ENCRYPTION_KEY_ENV]: `${MASTER.toString('hex')}:${MASTER.toString('base64')}` }),
        () => new AuditTracer({ serviceName: 'x', exporterType: 'none', authHeader: `Authorization ${API_KEY}` }),
        () => new AuditTracer({ serviceName: 'x', exporterType: 'none', apiKey: [API_KEY] as never }),
      ];
      for (const attempt of attempts) {
        try {
          attempt();
        } catch (error) {
          errors.push(error as Error);
        }
      }
      const protobufBody = collector.requests.find((request) => request.headers['content-type'] === 'application/x-protobuf')!.body;
      const [exported] = readSpans(protobufBody);
      const tampered = { ...exported, tags: { ...exported.tags, 'user.email': exported.tags['card.number'] } };
      await decryptSpan(tampered, new LocalKeyProvider({ keys: localKeys })).catch((error: Error) => errors.push(error));
      await decryptSpan(exported, new LocalKeyProvider({ keys: `main:${randomBytes(32).toString('base64')}` })).catch((error: Error) => errors.push(error));
      for (const error of errors) capture('error', `${error.name}: ${error.message}\n${error.stack ?? ''}`);

      // 6. The decrypt CLI's stderr: a moved value, and the wrong key. Its stdout is the plaintext, by design.
      const jsonBody = collector.requests.find((request) => request.headers['content-type'] === 'application/json')!.body;
      const cliEnv = { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_KMS: kms.url, AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey };
      kms.mode = 'ok';
      const good = await runCli(['decrypt'], { stdin: protobufBody, env: { [ENCRYPTION_KEY_ENV]: localKeys } });
      const moved = await runCli(['decrypt'], { stdin: `${JSON.stringify(tampered)}\n`, env: { [ENCRYPTION_KEY_ENV]: localKeys } });
      const wrongKey = await runCli(['decrypt'], { stdin: `${JSON.stringify(exported)}\n`, env: { [ENCRYPTION_KEY_ENV]: randomBytes(32).toString('hex') } });
      const badKey = await runCli(['decrypt'], { stdin: '', env: { [ENCRYPTION_KEY_ENV]: `${MASTER.toString('base64')}xyz` } });
      const viaKms = await runCli(['decrypt', '--kms-aws', 'alias/traces', '--service', 'other'], { stdin: jsonBody.toString('utf8'), env: cliEnv });
      for (const [name, run] of Object.entries({ good, moved, wrongKey, badKey, viaKms })) capture(`cli ${name} stderr`, run.stderr);

      // The run really produced all of it, and the secrets were really in play.
      expect(collector.requests.length).to.be.at.least(3);
      expect(captured.filter((c) => c.where === 'console')).to.have.length(3);
      expect(captured.some((c) => c.where === 'diag' && c.bytes.includes('AccessDeniedException'))).to.equal(true);
      expect(errors).to.have.length(attempts.length + 2);
      expect([moved.status, wrongKey.status, badKey.status, viaKms.status]).to.deep.equal([1, 1, 2, 1]);
      expect(good.status, good.stderr).to.equal(0);
      expect(good.stdout).to.include(SENSITIVE['user.email']).and.include(SENSITIVE['card.number']); // the auditor's view
      expect(collector.requests.every((request) => request.headers.authorization === `Bearer ${API_KEY}`)).to.equal(true);
      expect(local.plaintexts.length).to.be.at.least(1);
      expect(kms.issuedPlaintexts.length).to.be.at.least(1);

      const FORBIDDEN: Needle[] = [
        { what: 'OTLP API key', bytes: Buffer.from(API_KEY) },
        { what: 'OTLP header secret', bytes: Buffer.from(HEADER_SECRET) },
        ...keyNeedles('master key', MASTER),
        ...local.plaintexts.flatMap((key, i) => keyNeedles(`local data key ${i}`, key)),
        ...kms.issuedPlaintexts.flatMap((key, i) => keyNeedles(`KMS data key ${i}`, Buffer.from(key, 'base64'))),
        ...Object.entries(SENSITIVE).map(([name, value]) => ({ what: `sensitive ${name}`, bytes: Buffer.from(value) })),
        ...Object.entries(REDACTED_SECRETS).map(([name, value]) => ({ what: `redacted ${name}`, bytes: Buffer.from(value) })),
      ];
      const haystacks = [
        ...collector.requests.flatMap((request, i) => [
          { where: `collector body ${i}`, bytes: request.body },
          { where: `collector raw body ${i}`, bytes: request.rawBody },
        ]),
        ...captured,
      ];
      const leaks = haystacks.flatMap((hay) => FORBIDDEN.filter((needle) => hay.bytes.includes(needle.bytes)).map((needle) => `${needle.what} in ${hay.where}`));
      expect(leaks).to.deep.equal([]);
      // Not found because redacted, not because missing: the keys arrive, their values say REDACTED, the rest stays.
      const bodies = collector.requests.map((request) => request.body.toString('latin1'));
      expect(bodies.length).to.be.at.least(2);
      for (const body of bodies) {
        expect(body).to.include('session.id').and.include('REDACTED').and.include('callback.url').and.include('state=x').and.include('plan=pro');
      }
    } finally {
      setDiagLogger(undefined);
      aws.destroy();
      await collector.close();
      await kms.close();
    }
  });
});
