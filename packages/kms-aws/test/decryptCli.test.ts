import { AuditTracer, ENCRYPTED_PREFIX, InMemoryExporter, type ReadableSpan } from '@audit-tracing/core';
import { AwsKmsKeyProvider, SERVICE_CONTEXT_KEY } from '@audit-tracing/kms-aws';
import { expect } from 'chai';
import { runCli } from '../../core/test/helpers/runCli.js';
import { FakeKms, TEST_CREDENTIALS } from './helpers/fakeKms.js';

describe('audit-tracing decrypt --kms-aws', function () {
  this.timeout(30_000);
  let kms: FakeKms;
  beforeEach(async () => (kms = await FakeKms.start({ [SERVICE_CONTEXT_KEY]: 'ledger' })));
  afterEach(() => kms.close());

  it('unwraps data keys through KMS Decrypt (endpoint and credentials from the AWS environment) and writes plaintext', async () => {
    const provider = new AwsKmsKeyProvider({ keyId: 'alias/traces', serviceName: 'ledger', clientConfig: { endpoint: kms.url, region: 'eu-west-1', credentials: TEST_CREDENTIALS } });
    const exporter = new InMemoryExporter();
    const tracer = new AuditTracer({ serviceName: 'ledger', exporter, processor: 'simple', encryption: { sensitiveTags: ['account.iban'], provider } });
    while (tracer.getStats().encryption?.dataKeysGenerated !== 1) await new Promise((resolve) => setTimeout(resolve, 10));
    tracer.startSpan('transfer', null, { tags: { 'account.iban': 'DE89370400440532013000' } }).finish();
    await tracer.shutdown();
    provider.destroy();
    const [span] = exporter.getFinishedSpans();
    expect(String(span.tags['account.iban']).startsWith(ENCRYPTED_PREFIX)).to.equal(true);

    const env = {
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_KMS: kms.url,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    };
    const result = await runCli(['decrypt', '--kms-aws', 'alias/traces'], { stdin: `${JSON.stringify(span)}\n`, env });
    expect(result.status, result.stderr).to.equal(0);
    expect((JSON.parse(result.stdout) as ReadableSpan).tags['account.iban']).to.equal('DE89370400440532013000');
    expect(kms.count('Decrypt')).to.equal(1);

    // Another service's context is refused by KMS: reported, not decrypted, exit 1.
    const denied = await runCli(['decrypt', '--kms-aws', 'alias/traces', '--service', 'other'], { stdin: `${JSON.stringify(span)}\n`, env });
    expect(denied.status).to.equal(1);
    expect(denied.stderr).to.include('cannot unwrap the data key').and.include('InvalidCiphertextException').and.not.include('DE89370400440532013000');
  });
});
