import { DecryptCommand, GenerateDataKeyCommand, KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { invalidOption, type DataKey, type KeyProvider } from '@audit-tracing/core';

/** How long one KMS call may take (connecting, then the whole request) before it is abandoned, in ms. */
export const DEFAULT_KMS_TIMEOUT_MS = 5000;
/** The encryption context key that names the service: KMS binds every data key to it, and logs it in CloudTrail. */
export const SERVICE_CONTEXT_KEY = 'audit-tracing:service';

export interface AwsKmsKeyProviderOptions {
  /** The KMS key: id, ARN, alias name (`alias/traces`) or alias ARN. */
  keyId: string;
  /** The service whose traces the keys protect: the encryption context, required again to decrypt. */
  serviceName: string;
  /** A client of your own (its region, credentials, retries). Default: one made from `clientConfig`. */
  client?: KMSClient;
  /** Settings for the client made when `client` is not given (`region`, `endpoint`, `credentials`…). */
  clientConfig?: KMSClientConfig;
  /** Per call: connection and request timeouts of the HTTP handler, and an abort signal. Default 5000. */
  timeoutMs?: number;
}

function nonEmpty(options: AwsKmsKeyProviderOptions, option: 'keyId' | 'serviceName'): string {
  const value = options[option];
  if (typeof value !== 'string' || value.trim() === '') throw invalidOption('AwsKmsKeyProvider', option, 'a non-empty string', value);
  return value;
}

/** A copy of the SDK's plaintext, whose own bytes are then wiped. */
function takePlaintext(bytes: Uint8Array | undefined, what: string): Buffer {
  if (!bytes || bytes.length !== 32) throw new Error(`KMS ${what} returned no 32-byte plaintext`);
  const copy = Buffer.from(bytes);
  bytes.fill(0);
  return copy;
}

/**
 * Data keys from AWS KMS: `GenerateDataKey` (AES_256) under `keyId` for the tracer, `Decrypt` for readers, both
 * with the encryption context `{ "audit-tracing:service": serviceName }`. The tracer calls it in the background
 * only; a slow, throttled or unreachable KMS makes sensitive values drop, never a request wait.
 */
export class AwsKmsKeyProvider implements KeyProvider {
  readonly keyId: string;
  readonly encryptionContext: Readonly<Record<string, string>>;
  private readonly client: KMSClient;
  private readonly timeoutMs: number;
  private readonly ownsClient: boolean;

  constructor(options: AwsKmsKeyProviderOptions) {
    if (options === null || typeof options !== 'object') throw invalidOption('AwsKmsKeyProvider', '', 'an options object', options);
    this.keyId = nonEmpty(options, 'keyId');
    this.encryptionContext = Object.freeze({ [SERVICE_CONTEXT_KEY]: nonEmpty(options, 'serviceName') });
    const timeoutMs = options.timeoutMs ?? DEFAULT_KMS_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw invalidOption('AwsKmsKeyProvider', 'timeoutMs', 'a whole number > 0', timeoutMs);
    this.timeoutMs = timeoutMs;
    if (options.client !== undefined && !(options.client instanceof KMSClient)) throw invalidOption('AwsKmsKeyProvider', 'client', 'a KMSClient', options.client);
    this.ownsClient = options.client === undefined;
    this.client =
      options.client ??
      new KMSClient({ requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs }, ...options.clientConfig });
  }

  async generateDataKey(): Promise<DataKey> {
    const out = await this.client.send(
      new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: { ...this.encryptionContext } }),
      { abortSignal: AbortSignal.timeout(this.timeoutMs) },
    );
    if (!out.CiphertextBlob) throw new Error('KMS GenerateDataKey returned no CiphertextBlob');
    return { plaintext: takePlaintext(out.Plaintext, 'GenerateDataKey'), wrapped: Buffer.from(out.CiphertextBlob), keyId: out.KeyId ?? this.keyId };
  }

  async decryptDataKey(wrapped: Buffer, keyId: string): Promise<Buffer> {
    const out = await this.client.send(
      new DecryptCommand({ CiphertextBlob: wrapped, KeyId: keyId, EncryptionContext: { ...this.encryptionContext } }),
      { abortSignal: AbortSignal.timeout(this.timeoutMs) },
    );
    return takePlaintext(out.Plaintext, 'Decrypt');
  }

  /** Closes the client's connections (a client given in the options is left to its owner). */
  destroy(): void {
    if (this.ownsClient) this.client.destroy();
  }
}
