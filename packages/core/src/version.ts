// Written by scripts/core-version.mjs on `lerna version` (the package's `version` lifecycle script); a test checks
// it against package.json.
/** The version of this copy of @audit-tracing/core. */
export const VERSION = '0.1.0';
