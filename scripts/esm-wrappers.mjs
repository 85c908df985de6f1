// Writes dist/index.mjs (+ .d.mts) for every package: an ES module that re-exports the CommonJS build by name.
// One build serves both `import` and `require()`, so an app that mixes them still gets ONE copy of the
// tracer's state (one AsyncLocalStorage, one global tracer) — no dual-package hazard.
import { chmodSync, readdirSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const packagesDir = new URL('../packages/', import.meta.url).pathname;

for (const name of readdirSync(packagesDir)) {
  const dist = join(packagesDir, name, 'dist');
  const entry = join(dist, 'index.js');
  if (!existsSync(entry)) continue;
  const exports = require(entry);
  const names = Object.keys(exports).filter((key) => key !== '__esModule' && key !== 'default').sort();
  const body = names.length ? `export const {\n  ${names.join(',\n  ')},\n} = cjs;\n` : '';
  // A package whose source has `export default x` gets x as its ES default export too.
  const defaultExport = 'default' in exports ? 'cjs.default' : 'cjs';
  writeFileSync(join(dist, 'index.mjs'), `import cjs from './index.js';\n${body}export default ${defaultExport};\n`);
  // `export *` never re-exports a default, so the types of `import x from '@audit-tracing/<name>'` name it
  // apart. It is re-exported under the named export it is the same value as: an ES import of a CommonJS
  // file's `default` means `module.exports` under node16/nodenext but `exports.default` under bundler
  // resolution, while a named re-export means one thing everywhere.
  let defaultType = '';
  if ('default' in exports) {
    const alias = names.find((key) => exports[key] === exports.default);
    if (alias === undefined) throw new Error(`${name}: the default export must also be a named export, for index.d.mts`);
    defaultType = `export { ${alias} as default } from './index.js';\n`;
  }
  writeFileSync(join(dist, 'index.d.mts'), `export * from './index.js';\n${defaultType}`);
}

// A package's command (`bin`) must be executable in the repository too: npm makes it so when it installs a
// package, but here tsc writes it after `npm ci` linked it.
for (const name of readdirSync(packagesDir)) {
  const manifest = join(packagesDir, name, 'package.json');
  if (!existsSync(manifest)) continue;
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8'));
  for (const file of Object.values(typeof bin === 'string' ? { [name]: bin } : (bin ?? {}))) {
    const path = join(packagesDir, name, file);
    if (existsSync(path)) chmodSync(path, 0o755);
  }
}
