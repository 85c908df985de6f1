import { AuditTracer, decryptSpan, ENCRYPTED_PREFIX, ENCRYPTION_UNAVAILABLE, ERR_DECRYPT, InMemoryExporter, setDiagLogger } from '@audit-tracing/core';
import { AwsKmsKeyProvider, SERVICE_CONTEXT_KEY } from '@audit-tracing/kms-aws';
import { expect } from 'chai';
import { createServer } from 'node:net';
import { FakeKms, TEST_CREDENTIALS, TEST_KEY_ARN, type KmsMode } from './helpers/fakeKms.js';

const SERVICE = 'payments';

function providerFor(endpoint: string, options: { timeoutMs?: number; serviceName?: string; maxAttempts?: number } = {}) {
  return new AwsKmsKeyProvider({
    keyId: 'alias/traces',
    serviceName: options.serviceName ?? SERVICE,
    timeoutMs: options.timeoutMs ?? 2000,
    clientConfig: { endpoint, region: 'eu-west-1', credentials: TEST_CREDENTIALS, maxAttempts: options.maxAttempts ?? 1 },
  });
}

/** A loopback port with nothing listening: connections are refused. */
async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('AwsKmsKeyProvider against a loopback KMS', () => {
  let kms: FakeKms;
  const providers: AwsKmsKeyProvider[] = [];
  const make = (...args: Parameters<typeof providerFor>) => {
    const provider = providerFor(...args);
    providers.push(provider);
    return provider;
  };

  beforeEach(async () => {
    kms = await FakeKms.start({ [SERVICE_CONTEXT_KEY]: SERVICE });
    setDiagLogger({ warn: () => {}, error: () => {} });
  });
  afterEach(async () => {
    setDiagLogger(undefined);
    for (const provider of providers.splice(0)) provider.destroy();
    await kms.close();
  });

  it('generates an AES-256 data key with the service as encryption context, signed, and unwraps it with Decrypt', async () => {
    const provider = make(kms.url);
    const dataKey = await provider.generateDataKey();
    expect(dataKey.plaintext).to.have.length(32);
    expect(dataKey.keyId).to.equal(TEST_KEY_ARN);
    const [call] = kms.calls;
    expect(call.target).to.equal('TrentService.GenerateDataKey');
    expect(call.body).to.deep.include({ KeyId: 'alias/traces', KeySpec: 'AES_256', EncryptionContext: { [SERVICE_CONTEXT_KEY]: SERVICE } });
    expect(call.authorization).to.match(/^AWS4-HMAC-SHA256 Credential=AKIDFAKEKMSTEST\//);
    expect((await provider.decryptDataKey(dataKey.wrapped, dataKey.keyId)).equals(dataKey.plaintext)).to.equal(true);
  });

  it('rejects a tampered wrapped key and a reader with another service context (KMS says InvalidCiphertextException)', async () => {
    const provider = make(kms.url);
    const dataKey = await provider.generateDataKey();
    const tampered = Buffer.from(dataKey.wrapped);
    tampered[30] ^= 1;
    await expectRejection(provider.decryptDataKey(tampered, dataKey.keyId), 'InvalidCiphertextException');
    kms.mode = 'ok';
    const otherService = make(kms.url, { serviceName: 'orders' });
    await expectRejection(otherService.decryptDataKey(dataKey.wrapped, dataKey.keyId), 'InvalidCiphertextException');
  });

  for (const [mode, name] of [
    ['throttle', 'ThrottlingException'],
    ['deny', 'AccessDeniedException'],
  ] as const) {
    it(`surfaces ${name} as a rejection`, async () => {
      kms.mode = mode;
      await expectRejection(make(kms.url).generateDataKey(), name);
    });
  }

  it('gives up on a KMS that does not answer within timeoutMs', async () => {
    kms.mode = 'hang';
    const started = performance.now();
    await expectRejection(make(kms.url, { timeoutMs: 300 }).generateDataKey());
    expect(performance.now() - started).to.be.below(2000);
  });

  it('rejects at once when KMS is down (connection refused)', async () => {
    const started = performance.now();
    await expectRejection(make(await refusedUrl()).generateDataKey());
    expect(performance.now() - started).to.be.below(2000);
  });

  it('round-trips span values: a tracer encrypts with KMS data keys, a reader decrypts with Decrypt', async () => {
    const exporter = new InMemoryExporter();
    const tracer = new AuditTracer({ serviceName: SERVICE, exporter, processor: 'simple', encryption: { sensitiveTags: ['user.email'], provider: make(kms.url) } });
    await until(() => tracer.getStats().encryption?.dataKeysGenerated === 1);
    const span = tracer.startSpan('charge', null, { tags: { 'user.email': 'ada@example.com' } });
    span.log('info', 'mail', { 'user.email': 'bob@example.com' });
    span.finish();
    await tracer.shutdown();
    const [exported] = exporter.getFinishedSpans();
    expect(String(exported.tags['user.email']).startsWith(`${ENCRYPTED_PREFIX}${encodeURIComponent(TEST_KEY_ARN)}:`)).to.equal(true);

    const reader = make(kms.url);
    const plain = await decryptSpan(exported, reader);
    expect(plain.tags['user.email']).to.equal('ada@example.com');
    expect(plain.logs[0].fields?.['user.email']).to.equal('bob@example.com');
    expect(kms.count('Decrypt')).to.equal(1); // one unwrap per data key, not per value

    const tampered = { ...exported, tags: { ...exported.tags, 'user.email': String(exported.tags['user.email']).slice(0, -3) + 'AAA' } };
    await expectRejection(decryptSpan(tampered, reader), undefined, ERR_DECRYPT);
  });

  for (const mode of ['throttle', 'deny', 'hang'] as const) {
    it(`fails closed while KMS is ${mode === 'hang' ? 'hanging' : mode === 'deny' ? 'denying access' : 'throttling'}: values dropped and counted, then encrypted once it recovers`, async () => {
      kms.mode = mode as KmsMode;
      const exporter = new InMemoryExporter();
      const tracer = new AuditTracer({
        serviceName: SERVICE,
        exporter,
        processor: 'simple',
        encryption: { sensitiveTags: ['user.email'], provider: make(kms.url, { timeoutMs: 200 }), dataKeyTimeoutMs: 400 },
      });
      tracer.startSpan('a', null, { tags: { 'user.email': 'ada@example.com' } }).finish();
      await until(() => kms.calls.length >= 1);
      tracer.startSpan('b', null, { tags: { 'user.email': 'ada@example.com' } }).finish();
      kms.mode = 'ok';
      // The cache retries after a second; values encrypt again once a key arrives.
      await until(() => tracer.getStats().encryption?.dataKeysGenerated === 1, 8000);
      tracer.startSpan('c', null, { tags: { 'user.email': 'ada@example.com' } }).finish();
      await tracer.shutdown();
      const values = exporter.getFinishedSpans().map((span) => String(span.tags['user.email']));
      expect(values.slice(0, 2)).to.deep.equal([ENCRYPTION_UNAVAILABLE, ENCRYPTION_UNAVAILABLE]);
      expect(values[2].startsWith(ENCRYPTED_PREFIX)).to.equal(true);
      const stats = tracer.getStats().encryption!;
      expect(stats).to.include({ valuesUnavailable: 2, valuesEncrypted: 1, dataKeysGenerated: 1 });
      expect(stats.dataKeyFailures).to.be.at.least(1);
    });
  }
});

async function expectRejection(promise: Promise<unknown>, name?: string, code?: string): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected a rejection').to.be.instanceOf(Error);
  if (name) expect((caught as Error).name).to.equal(name);
  if (code) expect((caught as { code?: string }).code).to.equal(code);
}
