// A KMS on the loopback interface speaking the AWS JSON 1.1 protocol (`X-Amz-Target: TrentService.<Op>`), enough of
// GenerateDataKey and Decrypt for the SDK. It really encrypts: a CiphertextBlob is the data key under the fake's own
// master key (AES-256-GCM) with the key ARN and the encryption context as associated data, so Decrypt of an altered
// blob, or with another context, fails as KMS does (InvalidCiphertextException).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const TEST_CREDENTIALS = { accessKeyId: 'AKIDFAKEKMSTEST', secretAccessKey: 'fake-kms-secret-not-real' };
export const TEST_KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** How the fake answers: normally, or with a fault. */
export type KmsMode = 'ok' | 'hang' | 'throttle' | 'deny' | { delayMs: number };

export interface KmsCall {
  target: string;
  body: Record<string, unknown>;
  authorization: string | undefined;
}

const canonicalContext = (context: unknown) =>
  JSON.stringify(Object.entries((context ?? {}) as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : 1)));

export class FakeKms {
  readonly calls: KmsCall[] = [];
  mode: KmsMode = 'ok';
  /** Every plaintext data key handed out, base64: the leak test looks for them. */
  readonly issuedPlaintexts: string[] = [];
  private readonly master = randomBytes(32);
  private readonly sockets = new Set<import('node:net').Socket>();

  private constructor(
    private readonly server: http.Server,
    /** The encryption context the fake insists on; a request with another is denied. */
    readonly expectedContext: Record<string, string>,
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req, res) => this.handle(req, res));
  }

  static async start(expectedContext: Record<string, string>): Promise<FakeKms> {
    const kms = new FakeKms(http.createServer(), expectedContext);
    await new Promise<void>((resolve) => kms.server.listen(0, '127.0.0.1', resolve));
    return kms;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  count(operation: 'GenerateDataKey' | 'Decrypt'): number {
    return this.calls.filter((call) => call.target === `TrentService.${operation}`).length;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        return this.fail(res, 'SerializationException', 'bad JSON');
      }
      this.calls.push({ target, body, authorization: req.headers.authorization });
      const mode = this.mode;
      if (mode === 'hang') return; // read the request, never answer
      const answer = () => this.answer(req, res, target, body);
      if (typeof mode === 'object') setTimeout(answer, mode.delayMs);
      else answer();
    });
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, target: string, body: Record<string, unknown>): void {
    if (this.mode === 'throttle') return this.fail(res, 'ThrottlingException', 'Rate exceeded');
    if (this.mode === 'deny') return this.fail(res, 'AccessDeniedException', 'User is not authorized to perform kms:GenerateDataKey');
    if (req.headers['content-type'] !== 'application/x-amz-json-1.1') return this.fail(res, 'UnsupportedMediaType', 'expected application/x-amz-json-1.1');
    if (!String(req.headers.authorization ?? '').includes(`Credential=${TEST_CREDENTIALS.accessKeyId}/`)) return this.fail(res, 'UnrecognizedClientException', 'unsigned', 400);
    if (canonicalContext(body.EncryptionContext) !== canonicalContext(this.expectedContext)) {
      return this.fail(res, target === 'TrentService.Decrypt' ? 'InvalidCiphertextException' : 'AccessDeniedException', 'encryption context mismatch');
    }
    if (target === 'TrentService.GenerateDataKey') {
      if (body.KeySpec !== 'AES_256') return this.fail(res, 'ValidationException', 'KeySpec must be AES_256');
      const plaintext = randomBytes(32);
      this.issuedPlaintexts.push(plaintext.toString('base64'));
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', this.master, iv);
      cipher.setAAD(Buffer.from(TEST_KEY_ARN + canonicalContext(body.EncryptionContext)));
      const blob = Buffer.concat([Buffer.from('FAKEKMS1'), iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      return this.ok(res, { CiphertextBlob: blob.toString('base64'), Plaintext: plaintext.toString('base64'), KeyId: TEST_KEY_ARN });
    }
    if (target === 'TrentService.Decrypt') {
      const blob = Buffer.from(String(body.CiphertextBlob ?? ''), 'base64');
      if (blob.length !== 8 + 12 + 32 + 16 || blob.subarray(0, 8).toString() !== 'FAKEKMS1') return this.fail(res, 'InvalidCiphertextException', 'bad blob');
      if (body.KeyId !== undefined && body.KeyId !== TEST_KEY_ARN) return this.fail(res, 'IncorrectKeyException', 'wrong key');
      try {
        const decipher = createDecipheriv('aes-256-gcm', this.master, blob.subarray(8, 20));
        decipher.setAAD(Buffer.from(TEST_KEY_ARN + canonicalContext(body.EncryptionContext)));
        decipher.setAuthTag(blob.subarray(52));
        const plaintext = Buffer.concat([decipher.update(blob.subarray(20, 52)), decipher.final()]);
        return this.ok(res, { Plaintext: plaintext.toString('base64'), KeyId: TEST_KEY_ARN, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
      } catch {
        return this.fail(res, 'InvalidCiphertextException', '');
      }
    }
    this.fail(res, 'UnknownOperationException', target);
  }

  private ok(res: http.ServerResponse, payload: object): void {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(payload));
  }

  private fail(res: http.ServerResponse, type: string, message: string, status = 400): void {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type }).end(JSON.stringify({ __type: type, message }));
  }
}
