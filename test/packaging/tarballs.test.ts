import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const root = join(__dirname, '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'installed-app');
const PACKAGES = ['core', 'express', 'koa', 'fastify', 'fetch', 'opentelemetry', 'logging', 'kms-aws', 'metrics', 'viewer'];
// Installed next to the tarballs at the versions the repository has, from the npm cache only.
const THIRD_PARTY = ['express', 'koa', 'fastify', 'typescript', '@types/node', '@opentelemetry/api'];
const INSTALL_TIMEOUT_MS = 120_000;

interface PackedFile { path: string; size: number }
interface Packed { name: string; filename: string; integrity: string; size: number; unpackedSize: number; files: PackedFile[] }

const npm = (args: string[], cwd: string, timeout = INSTALL_TIMEOUT_MS) =>
  exec('npm', args, { cwd, timeout, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });

type LockEntry = { version: string; resolved?: string; integrity?: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; [key: string]: unknown };

/**
 * A package-lock for the fresh project: our tarballs, and the third-party packages with everything they need
 * copied from the repository's own lock (same versions, same integrity), so `npm ci --offline` installs from
 * the npm cache by integrity without asking the registry for any package's metadata.
 */
function lockFor(tarballs: Packed[], topLevel: string[]): { lock: object; dependencies: Record<string, string> } {
  const repoLock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const packages: Record<string, LockEntry> = {};
  // Where npm would find `name` for the package at lock path `from`: its own node_modules, then each parent's.
  const locate = (from: string, name: string): string | undefined => {
    for (let dir = from; ; dir = dir.includes('/node_modules/') ? dir.slice(0, dir.lastIndexOf('/node_modules/')) : '') {
      const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (repoLock.packages[candidate]) return candidate;
      if (dir === '') return undefined;
    }
  };
  const visit = (path: string): void => {
    if (packages[path]) return;
    const { dev, devOptional, peer, ...entry } = repoLock.packages[path];
    void [dev, devOptional, peer];
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    entry.resolved ??= `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`;
    packages[path] = entry;
    for (const dependency of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      const found = locate(path, dependency);
      if (found) visit(found);
    }
  };
  const dependencies: Record<string, string> = {};
  for (const name of topLevel) {
    visit(`node_modules/${name}`);
    dependencies[name] = packages[`node_modules/${name}`].version;
  }
  for (const tarball of tarballs) {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', tarball.name.split('/')[1], 'package.json'), 'utf8'));
    dependencies[tarball.name] = `file:../tarballs/${tarball.filename}`;
    packages[`node_modules/${tarball.name}`] = {
      version: manifest.version,
      resolved: `file:../tarballs/${tarball.filename}`,
      integrity: tarball.integrity,
      license: manifest.license,
      dependencies: manifest.dependencies,
      peerDependencies: manifest.peerDependencies,
      peerDependenciesMeta: manifest.peerDependenciesMeta,
      bin: manifest.bin,
    };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      if (!dependency.startsWith('@audit-tracing/')) visit(locate('', dependency) as string);
    }
  }
  const lock = { name: 'installed-app', lockfileVersion: 3, requires: true, packages: { '': { name: 'installed-app', dependencies }, ...packages } };
  return { lock, dependencies };
}

/** Runs `npm ci --offline`; resolves false (the caller skips) when the npm cache lacks a package. */
async function installOffline(cwd: string): Promise<boolean> {
  try {
    await npm(['ci', '--offline', '--ignore-scripts'], cwd);
    return true;
  } catch (error) {
    const text = `${(error as { stderr?: string }).stderr ?? ''} ${String(error)}`;
    const reason = text.split('\n').find((line) => /ENOTCACHED|only-if-cached|integrity/i.test(line));
    if (reason !== undefined || (error as { killed?: boolean }).killed) {
      console.warn(`      SKIPPED: the npm cache cannot install the packed packages offline: ${reason ?? 'npm ci timed out'}`);
      return false;
    }
    throw error;
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)) : [join(dir, name)]));
}

// The packages as a user gets them: packed, installed into a fresh project outside the repository (no
// workspace links, no hoisted dev dependencies), then run and type-checked there.
describe('packed packages installed into a fresh project', function () {
  this.timeout(180_000);
  let temp: string;
  let app: string;
  let packed: Packed[] = [];
  let installed = false;

  before(async function () {
    if (!existsSync(join(root, 'packages/core/dist/index.mjs'))) throw new Error('packages are not built: run `npm run build` (npm test does)');
    temp = mkdtempSync(join(tmpdir(), 'audit-tracing-packed-'));
    const tarballs = join(temp, 'tarballs');
    mkdirSync(tarballs);
    const { stdout } = await npm(['pack', '--json', '--pack-destination', tarballs, ...PACKAGES.flatMap((name) => ['--workspace', `packages/${name}`])], root);
    packed = JSON.parse(stdout);
    app = join(temp, 'app');
    mkdirSync(app);
    const { lock, dependencies } = lockFor(packed, THIRD_PARTY);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'installed-app', private: true, type: 'module', dependencies }));
    writeFileSync(join(app, 'package-lock.json'), JSON.stringify(lock));
    const started = Date.now();
    installed = await installOffline(app);
    if (installed) console.log(`      installed ${packed.length} tarballs + ${THIRD_PARTY.join(', ')} offline in ${Date.now() - started} ms`);
    for (const file of readdirSync(fixtures)) cpSync(join(fixtures, file), join(app, file));
  });
  after(() => temp && rmSync(temp, { recursive: true, force: true }));

  beforeEach(function () {
    if (!installed) this.skip();
  });

  describe('tarball contents', () => {
    it('ship README.md, LICENSE and CHANGELOG.md, and no tests or build info', () => {
      const sizes: string[] = [];
      for (const { name, files, size, unpackedSize } of packed) {
        const paths = files.map((f) => f.path);
        const required = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.mjs', 'dist/index.d.ts', 'dist/index.d.mts'];
        expect(required.filter((file) => !paths.includes(file)), `${name} lacks`).to.deep.equal([]);
        expect(paths.filter((p) => /(^|\/)test\/|\.test\.|\.spec\.|tsbuildinfo$/.test(p)), name).to.deep.equal([]);
        expect(readFileSync(join(app, 'node_modules', name, 'LICENSE'), 'utf8'), name).to.match(/Apache License\s+Version 2\.0/);
        sizes.push(`${name} ${(size / 1024).toFixed(1)} kB packed, ${(unpackedSize / 1024).toFixed(1)} kB unpacked, ${files.length} files`);
      }
      console.log(`      ${sizes.join('\n      ')}`);
    });

    it('resolve every source map and declaration map to a shipped file', () => {
      for (const name of packed.map((p) => p.name)) {
        const maps = filesUnder(join(app, 'node_modules', name, 'dist')).filter((f) => f.endsWith('.map'));
        expect(maps.length, name).to.be.greaterThan(0);
        const missing = maps.flatMap((map) => {
          const { sources, sourceRoot } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[]; sourceRoot?: string };
          return sources.map((source) => resolve(dirname(map), sourceRoot ?? '', source)).filter((file) => !existsSync(file));
        });
        const unique = [...new Set(missing)];
        expect(unique.slice(0, 3), `${name}: maps point at ${unique.length} files the package does not ship`).to.deep.equal([]);
      }
    });

    it('have publish metadata, caret ranges between themselves, and README links that work on npm', () => {
      const problems: string[] = [];
      const check = (ok: boolean, problem: string) => void (ok || problems.push(problem));
      for (const name of packed.map((p) => p.name)) {
        const dir = join(app, 'node_modules', name);
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
        check(pkg.publishConfig?.access === 'public', `${name}: publishConfig.access is not 'public'`);
        check(pkg.license === 'Apache-2.0', `${name}: license is ${pkg.license}`);
        check(pkg.repository?.directory === `packages/${name.split('/')[1]}`, `${name}: repository.directory is ${pkg.repository?.directory}`);
        check(/^git\+https:\/\/github\.com\/.+\.git$/.test(pkg.repository?.url ?? ''), `${name}: repository.url is ${pkg.repository?.url}`);
        check(/^https:\/\//.test(pkg.homepage ?? ''), `${name}: homepage is ${pkg.homepage}`);
        check(/^https:\/\//.test(pkg.bugs?.url ?? ''), `${name}: bugs.url is ${pkg.bugs?.url}`);
        for (const [dependency, range] of Object.entries<string>(pkg.dependencies ?? {})) {
          if (dependency.startsWith('@audit-tracing/')) check(/^\^\d/.test(range), `${name}: depends on ${dependency} by ${range}, not a caret range`);
        }
        const readme = readFileSync(join(dir, 'README.md'), 'utf8');
        // Relative links and repository commands mean nothing on npmjs.com or in node_modules.
        for (const link of readme.match(/\]\((?!https?:|#)[^)]*\)/g) ?? []) problems.push(`${name}: README links ${link}`);
        for (const command of readme.match(/(?<!from a clone: [^`]*)`npm (start|run [^`]*)`|(?<!&& )node examples\//g) ?? []) problems.push(`${name}: README says ${command}`);
      }
      expect(problems).to.deep.equal([]);
    });
  });

  describe('apps', () => {
    it('runs an ES module app with core, the Express adapter and fetch', async () => {
      const { stdout } = await exec(process.execPath, ['app.mjs'], { cwd: app, timeout: 30_000, env: { ...process.env, NODE_OPTIONS: '' } });
      expect(JSON.parse(stdout.trim().split('\n').pop() as string)).to.deep.equal({ format: 'esm', spans: 3, traces: 1 });
    });

    it('runs a CommonJS app with them, where a second copy of core shares the active span', async () => {
      // npm puts a second copy of core in another folder when two dependents resolve it apart.
      cpSync(join(app, 'node_modules/@audit-tracing/core'), join(app, 'second-core'), { recursive: true });
      const { stdout } = await exec(process.execPath, ['app.cjs'], { cwd: app, timeout: 30_000, env: { ...process.env, NODE_OPTIONS: '' } });
      expect(JSON.parse(stdout.trim().split('\n').pop() as string)).to.deep.equal({ format: 'cjs', spans: 3, traces: 1, sharedContext: true, secondCopy: true });
    });
    it('starts the viewer from its tarball: its bin, and the pages it ships in static/', async () => {
      const dir = join(app, 'node_modules', '@audit-tracing', 'viewer');
      const bin = join(dir, JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).bin['audit-tracing-viewer']);
      expect(readFileSync(bin, 'utf8')).to.match(/^#!\/usr\/bin\/env node\n/);
      const { stdout } = await exec(process.execPath, [bin, '--help'], { cwd: app, timeout: 30_000, env: { ...process.env, NODE_OPTIONS: '' } });
      expect(stdout).to.include('--port');
      const script = [
        "import { startViewer } from '@audit-tracing/viewer';",
        'const running = await startViewer({ port: 0 });',
        "const page = await fetch(running.url + '/trace.html');",
        'console.log(JSON.stringify({ status: page.status, csp: page.headers.has("content-security-policy"), page: (await page.text()).includes("trace.js") }));',
        'await running.close();',
      ].join('\n');
      const run = await exec(process.execPath, ['--input-type=module', '-e', script], { cwd: app, timeout: 30_000, env: { ...process.env, NODE_OPTIONS: '' } });
      expect(JSON.parse(run.stdout.trim())).to.deep.equal({ status: 200, csp: true, page: true });
    });
  });

  describe('the audit-tracing bin', () => {
    it('decrypts what the installed core encrypted, and finds the installed kms-aws for --kms-aws', async () => {
      const key = Buffer.alloc(32, 7).toString('base64');
      writeFileSync(
        join(app, 'encrypt.mjs'),
        `import { AuditTracer, InMemoryExporter } from '@audit-tracing/core';
const exporter = new InMemoryExporter();
const tracer = new AuditTracer({ serviceName: 'packed', exporter, processor: 'simple', encryption: { key: process.env.KEY, sensitiveTags: ['user.email'] } });
tracer.startSpan('signup', null, { tags: { 'user.email': 'ada@example.com' } }).finish();
await tracer.shutdown();
console.log(JSON.stringify(exporter.getFinishedSpans()[0]));
`,
      );
      const env = { ...process.env, NODE_OPTIONS: '', KEY: key };
      const { stdout: encrypted } = await exec(process.execPath, ['encrypt.mjs'], { cwd: app, timeout: 30_000, env });
      expect(encrypted).to.include('enc:v2:').and.not.include('ada@example.com');
      writeFileSync(join(app, 'spans.jsonl'), encrypted);
      const bin = join(app, 'node_modules', '.bin', 'audit-tracing');
      const { stdout } = await exec(bin, ['decrypt', '--in', 'spans.jsonl'], { cwd: app, timeout: 30_000, env: { ...env, AUDIT_TRACING_ENCRYPTION_KEY: key } });
      expect(JSON.parse(stdout).tags['user.email']).to.equal('ada@example.com');
      // --kms-aws loads the installed package (its KMS here refuses connections: the value stays encrypted, exit 1).
      const kms = { ...env, AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test', AWS_MAX_ATTEMPTS: '1' };
      const failed = await exec(bin, ['decrypt', '--kms-aws', 'alias/x', '--in', 'spans.jsonl'], { cwd: app, timeout: 30_000, env: kms }).catch((error: { code: number; stderr: string }) => error);
      expect((failed as { code: number }).code).to.equal(1);
      expect((failed as { stderr: string }).stderr).to.include('cannot unwrap the data key').and.not.include('needs @audit-tracing/kms-aws');
    });
  });

  describe('types (tsc --noEmit --strict, library .d.ts checked too)', () => {
    const CONFIGS = {
      nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
      bundler: { module: 'esnext', moduleResolution: 'bundler' },
    };

    async function typecheck(config: keyof typeof CONFIGS, files: string[]): Promise<string> {
      const tsconfig = `tsconfig.${config}.json`;
      const compilerOptions = { ...CONFIGS[config], target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] };
      writeFileSync(join(app, tsconfig), JSON.stringify({ compilerOptions, files }));
      try {
        await exec(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', tsconfig], { cwd: app, timeout: 60_000 });
        return '';
      } catch (error) {
        return (error as { stdout?: string }).stdout || String(error);
      }
    }

    for (const config of ['nodenext', 'bundler'] as const) {
      it(`type-checks under ${config} without undici installed`, async () => {
        expect(existsSync(join(app, 'node_modules/undici')), 'undici must not be installed yet').to.equal(false);
        expect(await typecheck(config, ['types.ts'])).to.equal('');
      });
    }

    it('type-checks under both with undici installed, and the interceptor composes onto an Agent', async function () {
      // undici has no dependencies: the repository's copy is what `npm install undici` would put there.
      cpSync(join(root, 'node_modules/undici'), join(app, 'node_modules/undici'), { recursive: true });
      for (const config of ['nodenext', 'bundler'] as const) {
        expect(await typecheck(config, ['types.ts', 'undici-types.ts']), config).to.equal('');
      }
    });
  });
});
