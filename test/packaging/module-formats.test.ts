import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');

// These run the BUILT packages (dist/) in fresh processes, exactly as an app installed from npm would.
describe('built packages load from ESM and CommonJS apps', function () {
  this.timeout(30_000);

  before(function () {
    if (!existsSync(join(root, 'packages/core/dist/index.mjs'))) throw new Error('packages are not built: run `npm run build` (npm test does)');
  });

  for (const [format, file] of [
    ['esm', 'test/fixtures/esm-app/app.mjs'],
    ['cjs', 'test/fixtures/cjs-app/app.cjs'],
  ] as const) {
    it(`runs a ${format === 'esm' ? 'pure ESM' : 'CommonJS'} app with no loader flags`, async () => {
      const { stdout } = await run(process.execPath, [file], { cwd: root, env: { ...process.env, NODE_OPTIONS: '' } });
      const result = JSON.parse(stdout.trim().split('\n').pop() as string);
      expect(result.format).to.equal(format);
      expect(result.exported).to.deep.equal([`${format}-work`]);
      expect(result.contextKept).to.equal(true);
      expect(result.sameInstance).to.equal(true);
      expect(result.adapters.express).to.include('auditTracing');
      expect(result.adapters.koa).to.include('auditTracing');
      expect(result.adapters.fastify).to.include('auditTracing');
      expect(result.adapters.fetch).to.include('instrumentFetch');
      expect(result.adapters.metrics).to.include('MetricsSpanProcessor');
    });
  }
});
