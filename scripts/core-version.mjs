// Keeps packages/core/src/version.ts equal to core's package.json version. Run by core's `version` lifecycle
// script, which `lerna version` calls after bumping and before committing.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../packages/core/src/version.ts', import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('../packages/core/package.json', import.meta.url), 'utf8'));
writeFileSync(file, readFileSync(file, 'utf8').replace(/VERSION = '[^']*'/, `VERSION = '${version}'`));
