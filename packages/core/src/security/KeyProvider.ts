/**
 * A data key for envelope encryption: values are encrypted with `plaintext` (AES-256-GCM), and `wrapped` (the same
 * key encrypted under the master key `keyId`) travels with them, so a reader holding the master key can unwrap it.
 */
export interface DataKey {
  /** 32 bytes. Kept in memory only; never exported, logged or written into an error. */
  readonly plaintext: Buffer;
  /** The data key encrypted under the master key: what goes into every value it encrypts. */
  readonly wrapped: Buffer;
  /** The master key that wrapped it (a local key id, a KMS key id or ARN). */
  readonly keyId: string;
}

/**
 * Where data keys come from and how readers unwrap them: the local master keys (`LocalKeyProvider`) or a KMS
 * (`@audit-tracing/kms-aws`). The tracer calls `generateDataKey` only in the background, never on the request
 * path; both methods may be slow or fail, and the tracer then fails closed.
 */
export interface KeyProvider {
  /** A fresh data key: plaintext for encrypting, wrapped for readers. */
  generateDataKey(): Promise<DataKey>;
  /** The plaintext of a wrapped data key; rejects when the master key is unknown or the wrapped key was altered. */
  decryptDataKey(wrapped: Buffer, keyId: string): Promise<Buffer>;
  /**
   * The same as `generateDataKey`, synchronously, for providers that need no network (the local one): a tracer
   * then has its first data key when it is made, not a moment later.
   */
  generateDataKeySync?(): DataKey;
  /** Decrypts a value of the old `enc:v1:` format (one local key, no envelope), for providers that can. */
  decryptV1Value?(value: string): string;
}
