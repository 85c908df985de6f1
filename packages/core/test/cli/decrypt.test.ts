import { AuditTracer, encodeOtlpJson, encodeOtlpProtobuf, ENCRYPTED_PREFIX, ENCRYPTION_KEY_ENV, InMemoryExporter, type ReadableSpan } from '@audit-tracing/core';
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/runCli.js';

const KEY = randomBytes(32).toString('base64');

async function exportedSpans(key: string): Promise<ReadableSpan[]> {
  const exporter = new InMemoryExporter();
  const tracer = new AuditTracer({ serviceName: 'audit', exporter, processor: 'simple', encryption: { key, sensitiveTags: ['user.email'] } });
  for (const email of ['ada@example.com', 'bob@example.com']) {
    const span = tracer.startSpan('signup', null, { tags: { 'user.email': email, plan: 'pro' } });
    span.log('info', 'mailed', { 'user.email': email });
    span.finish();
  }
  await tracer.shutdown();
  return exporter.getFinishedSpans();
}

const jsonLines = (spans: readonly ReadableSpan[]) => spans.map((span) => JSON.stringify(span)).join('\n') + '\n';

describe('audit-tracing decrypt', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(tmpdir(), 'audit-tracing-cli-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('decrypts JSON lines from --in to --out with the key from AUDIT_TRACING_ENCRYPTION_KEY', async () => {
    const spans = await exportedSpans(`main:${KEY}`);
    expect(String(spans[0].tags['user.email']).startsWith(ENCRYPTED_PREFIX)).to.equal(true);
    const input = path.join(dir, 'spans.jsonl');
    const output = path.join(dir, 'plain.jsonl');
    writeFileSync(input, jsonLines(spans));
    const result = await runCli(['decrypt', '--in', input, '--out', output], { env: { [ENCRYPTION_KEY_ENV]: `main:${KEY}` } });
    expect(result).to.include({ status: 0, stderr: '', stdout: '' });
    const plain = readFileSync(output, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as ReadableSpan);
    expect(plain.map((span) => span.tags['user.email'])).to.deep.equal(['ada@example.com', 'bob@example.com']);
    expect(plain.map((span) => span.logs[0].fields?.['user.email'])).to.deep.equal(['ada@example.com', 'bob@example.com']);
    expect(plain[0]).to.include({ traceId: spans[0].traceId, spanId: spans[0].spanId, operationName: 'signup' });
  });

  it('reads stdin and writes stdout; a tampered or moved value is reported by span and attribute, exit 1, the rest decrypted', async () => {
    const spans = await exportedSpans(KEY);
    const moved = { ...spans[1], tags: { ...spans[1].tags, 'user.email': spans[0].tags['user.email'] } };
    const result = await runCli(['decrypt'], { stdin: jsonLines([spans[0], moved]), env: { [ENCRYPTION_KEY_ENV]: KEY } });
    expect(result.status).to.equal(1);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as ReadableSpan);
    expect(lines[0].tags['user.email']).to.equal('ada@example.com');
    expect(lines[1].tags['user.email']).to.equal(spans[0].tags['user.email']); // left as it was
    expect(result.stderr).to.include(`span ${spans[1].spanId} span attribute "user.email": does not authenticate`);
    expect(result.stderr).to.include('1 of 2 spans');
    expect(result.stderr).to.not.include('ada@example.com').and.not.include('bob@example.com').and.not.include(KEY);
  });

  for (const [format, encode] of [
    ['OTLP/JSON', encodeOtlpJson],
    ['OTLP/protobuf', encodeOtlpProtobuf],
  ] as const) {
    it(`reads ${format} as an exporter sent it`, async () => {
      const spans = await exportedSpans(KEY);
      const input = path.join(dir, `spans-${format.replace('/', '-')}`);
      writeFileSync(input, encode(spans));
      const result = await runCli(['decrypt', '--in', input], { env: { [ENCRYPTION_KEY_ENV]: KEY } });
      expect(result.status, result.stderr).to.equal(0);
      const plain = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as ReadableSpan);
      expect(plain.map((span) => span.tags['user.email'])).to.deep.equal(['ada@example.com', 'bob@example.com']);
      expect(plain.map((span) => span.logs[0].fields?.['user.email'])).to.deep.equal(['ada@example.com', 'bob@example.com']);
    });
  }

  it('exits 2 with a plain message without a key, with a malformed key, and for an unknown command; input lines are never echoed', async () => {
    const noKey = await runCli(['decrypt'], { stdin: '{}' });
    expect(noKey.status).to.equal(2);
    expect(noKey.stderr).to.include(`no key: set ${ENCRYPTION_KEY_ENV}`);
    const badKey = 'short-secret-key-value';
    const malformed = await runCli(['decrypt'], { stdin: '{}', env: { [ENCRYPTION_KEY_ENV]: badKey } });
    expect(malformed.status).to.equal(2);
    expect(malformed.stderr).to.include('expected 32 bytes').and.not.include(badKey);
    expect((await runCli(['encrypt'])).status).to.equal(2);
    const junk = await runCli(['decrypt'], { stdin: '{"secret-plaintext-line": 1\n', env: { [ENCRYPTION_KEY_ENV]: KEY } });
    expect(junk.status).to.equal(2);
    expect(junk.stderr).to.match(/line 1/).and.not.include('secret-plaintext-line');
  });
});
