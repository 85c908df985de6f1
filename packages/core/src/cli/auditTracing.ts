#!/usr/bin/env node
// `audit-tracing decrypt`: an authorised reader's tool. Reads exported spans (JSON lines, OTLP/JSON or OTLP/protobuf), decrypts
// their `enc:v2:` values with the local master keys (AUDIT_TRACING_ENCRYPTION_KEY) or through AWS KMS
// (`--kms-aws <key id>`, with @audit-tracing/kms-aws installed), and writes decrypted JSON lines.
import { createReadStream, createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import type { KeyProvider } from '../security/KeyProvider.js';
import { LocalKeyProvider } from '../security/LocalKeyProvider.js';
import { ENCRYPTION_KEY_ENV } from '../security/masterKeys.js';
import type { ReadableSpan } from '../types.js';
import { runDecrypt } from './decryptCommand.js';

const USAGE = `usage: audit-tracing decrypt [--in <file>] [--out <file>] [--kms-aws <key id> [--service <name>]]

Reads spans (JSON lines, OTLP/JSON or OTLP/protobuf; stdin by default), writes them decrypted as JSON lines
(stdout by default).
Keys: ${ENCRYPTION_KEY_ENV} ("key" or "id1:key1,id2:key2"), or --kms-aws with @audit-tracing/kms-aws installed
(region, endpoint and credentials from the usual AWS environment; --service defaults to each span's service).
Exit status: 0 all decrypted, 1 some values did not decrypt, 2 usage or key error.`;

interface KmsAwsModule {
  AwsKmsKeyProvider: new (options: { keyId: string; serviceName: string }) => KeyProvider & { destroy(): void };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

function loadKmsAws(): KmsAwsModule {
  try {
    // An optional peer that depends on core: `require` (this file is CommonJS) rather than `import()`, so that
    // TypeScript does not pull the peer's declarations, and with them core's own build output, into core's build.
    return require('@audit-tracing/kms-aws') as KmsAwsModule;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') throw new Error('--kms-aws needs @audit-tracing/kms-aws: npm install @audit-tracing/kms-aws');
    throw error;
  }
}

/** Runs the command line; resolves with the exit status. Errors go to `stderr` without key material or values. */
export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  stderr: NodeJS.WritableStream = process.stderr,
  stdin: NodeJS.ReadableStream = process.stdin,
  stdout: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const fail = (message: string, status = 2) => {
    stderr.write(`audit-tracing: ${message}\n`);
    return status;
  };
  if (argv[0] !== 'decrypt') return fail(argv[0] === undefined || argv[0] === '--help' ? USAGE : `unknown command ${JSON.stringify(argv[0].slice(0, 40))}\n${USAGE}`);
  let values: { in?: string; out?: string; 'kms-aws'?: string; service?: string };
  try {
    ({ values } = parseArgs({ args: argv.slice(1), options: { in: { type: 'string' }, out: { type: 'string' }, 'kms-aws': { type: 'string' }, service: { type: 'string' } }, strict: true }));
  } catch (error) {
    return fail(`${(error as Error).message}\n${USAGE}`);
  }

  let providerFor: (span: ReadableSpan) => KeyProvider | Promise<KeyProvider>;
  const opened: { destroy(): void }[] = [];
  try {
    const kmsKeyId = values['kms-aws'];
    if (kmsKeyId !== undefined) {
      const { AwsKmsKeyProvider } = loadKmsAws();
      const byService = new Map<string, KeyProvider & { destroy(): void }>();
      providerFor = (span) => {
        const serviceName = values.service ?? span.resource?.serviceName ?? '';
        let provider = byService.get(serviceName);
        if (!provider) {
          provider = new AwsKmsKeyProvider({ keyId: kmsKeyId, serviceName });
          byService.set(serviceName, provider);
          opened.push(provider);
        }
        return provider;
      };
    } else {
      const local = LocalKeyProvider.fromEnv(env);
      if (!local) return fail(`no key: set ${ENCRYPTION_KEY_ENV} or pass --kms-aws <key id>`);
      providerFor = () => local;
    }
  } catch (error) {
    return fail((error as Error).message);
  }

  try {
    const input = await readAll(values.in ? createReadStream(values.in) : stdin);
    const out: NodeJS.WritableStream = values.out ? createWriteStream(values.out) : stdout;
    const outcome = await runDecrypt({ input, writeLine: (line) => void out.write(`${line}\n`), warn: (message) => void stderr.write(`audit-tracing: ${message}\n`), providerFor });
    if (out !== stdout) await new Promise<void>((resolve, reject) => out.on('error', reject).end(resolve));
    if (outcome.failed > 0) return fail(`${outcome.failed} of ${outcome.spans} spans kept values that did not decrypt`, 1);
    return 0;
  } catch (error) {
    return fail((error as Error).message);
  } finally {
    for (const provider of opened) provider.destroy();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (status) => (process.exitCode = status),
    () => (process.exitCode = 2),
  );
}
