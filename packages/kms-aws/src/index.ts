// The public surface of @audit-tracing/kms-aws: named exports only.
export type { AwsKmsKeyProviderOptions } from './AwsKmsKeyProvider.js';
export { AwsKmsKeyProvider, DEFAULT_KMS_TIMEOUT_MS, SERVICE_CONTEXT_KEY } from './AwsKmsKeyProvider.js';
