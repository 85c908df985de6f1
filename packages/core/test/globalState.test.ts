import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { VERSION } from '../src/version';

const run = promisify(execFile);
const coreDir = join(__dirname, '..');

// Two copies of the BUILT core, as npm installs them when two dependents resolve core to different folders,
// loaded in a fresh process (the mocha process already holds the state of the source copy).
const TWO_COPIES = `
const [a, b] = process.argv.slice(1).map((dir) => require(dir));
const warnings = [];
b.setDiagLogger({ warn: (m) => warnings.push(m), error: (m) => warnings.push(m) });
const tracer = new a.AuditTracer({ exporter: new a.InMemoryExporter(), processor: 'simple', serviceName: 'two-copies' });
a.setGlobalTracer(tracer);
const span = tracer.startSpan('outer');
const seenByB = a.withSpan(span, () => b.getActiveSpan() === span);
const seenByBAfterAwait = a.withSpan(span, () => new Promise((r) => setTimeout(() => r(b.getActiveSpan() === span), 1)));
seenByBAfterAwait.then((afterAwait) => {
  console.log(JSON.stringify({
    distinctModules: a.AuditTracer !== b.AuditTracer,
    seenByB,
    afterAwait,
    sameGlobalTracer: b.getGlobalTracer() === tracer,
    sameContextManager: a.getContextManager() === b.getContextManager(),
    warnings,
  }));
});
`;

describe('core state shared between copies of core (globalState)', function () {
  this.timeout(30_000);
  let temp: string;

  before(function () {
    if (!existsSync(join(coreDir, 'dist/index.js'))) throw new Error('core is not built: run `npm run build` (npm test does)');
    temp = mkdtempSync(join(tmpdir(), 'audit-tracing-two-cores-'));
  });
  after(() => rmSync(temp, { recursive: true, force: true }));

  function copyOfCore(name: string, version?: string): string {
    const dist = join(temp, name, 'dist');
    cpSync(join(coreDir, 'dist'), dist, { recursive: true });
    if (version !== undefined) {
      const file = join(dist, 'version.js');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/VERSION = '[^']*'/, `VERSION = '${version}'`));
    }
    return dist;
  }

  async function loadTwo(first: string, second: string) {
    const { stdout, stderr } = await run(process.execPath, ['-e', TWO_COPIES, first, second], { env: { ...process.env, NODE_OPTIONS: '' } });
    return { ...JSON.parse(stdout.trim().split('\n').pop() as string), stderr };
  }

  it('shares the active span, context manager and global tracer between two copies of one major', async () => {
    const result = await loadTwo(copyOfCore('a'), copyOfCore('b'));
    expect(result).to.deep.equal({ distinctModules: true, seenByB: true, afterAwait: true, sameGlobalTracer: true, sameContextManager: true, warnings: [], stderr: '' });
  });

  it('keeps its own state and warns once when the other copy is of another major', async () => {
    const result = await loadTwo(copyOfCore('c'), copyOfCore('d', '9.0.0'));
    expect(result.seenByB).to.equal(false);
    expect(result.sameGlobalTracer).to.equal(false);
    expect(result.sameContextManager).to.equal(false);
    // Warned once, at load, before the script could install a logger: through copy d's console logger.
    expect(result.warnings).to.deep.equal([]);
    const lines = (result.stderr as string).split('\n').filter((line) => line.includes('incompatible'));
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include('[audit-tracing] @audit-tracing/core 9.0.0 is loaded next to an incompatible 0.1.0');
  });

  it('has VERSION equal to package.json (scripts/core-version.mjs keeps them so on `lerna version`)', () => {
    expect(VERSION).to.equal(JSON.parse(readFileSync(join(coreDir, 'package.json'), 'utf8')).version);
  });
});
