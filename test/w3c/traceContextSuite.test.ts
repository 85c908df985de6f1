// Runs the official W3C Trace Context test suite (Level 2, strict) against every framework adapter, with the
// fetch instrumentation writing the outgoing headers. The suite is not vendored: point W3C_TRACE_CONTEXT_DIR at a
// checkout of https://github.com/w3c/trace-context (the folder holding test/test.py). Its aiohttp harness is
// replaced by ./stdlib_harness.py, so python3 alone is enough. Results: docs/trace-context-conformance.md.
import { instrumentFetch } from '@audit-tracing/fetch';
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { services } from './services.js';
import { freePort } from '../helpers/freePort.js';

const SUITE_DIR = process.env.W3C_TRACE_CONTEXT_DIR ? path.join(process.env.W3C_TRACE_CONTEXT_DIR, 'test') : undefined;
const PYTHON = process.env.PYTHON ?? 'python3';

function skipReason(): string | undefined {
  if (spawnSync(PYTHON, ['--version']).status !== 0) return `${PYTHON} is not installed`;
  if (SUITE_DIR === undefined) return 'W3C_TRACE_CONTEXT_DIR is not set (a checkout of https://github.com/w3c/trace-context)';
  if (!existsSync(path.join(SUITE_DIR, 'test.py'))) return `${SUITE_DIR}/test.py does not exist`;
  return undefined;
}


/** Runs the suite; resolves with its exit code and output (unittest writes its report to stderr). */
async function runSuite(endpoint: string): Promise<{ code: number | null; output: string }> {
  const port = await freePort();
  const child = spawn(PYTHON, [path.join(__dirname, 'run_suite.py'), SUITE_DIR!, endpoint], {
    env: { ...process.env, STRICT_LEVEL: '2', SPEC_LEVEL: '2', HARNESS_PORT: String(port), HARNESS_TIMEOUT: '5' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, output };
}

describe('W3C Trace Context test suite, level 2 strict (python3 + the official test/)', function () {
  this.timeout(120_000);
  const reason = skipReason();
  let handle: { uninstall(): void } | undefined;

  before(function () {
    if (reason !== undefined) {
      console.log(`    skipped: ${reason}`);
      this.skip();
    }
    handle = instrumentFetch();
  });
  after(() => handle?.uninstall());

  for (const [name, start] of Object.entries(services)) {
    it(`${name} + fetch: every test of TraceContextTest, AdvancedTest and TraceContext2Test passes`, async () => {
      const service = await start();
      try {
        const { code, output } = await runSuite(service.endpoint);
        if (process.env.W3C_SUITE_VERBOSE) console.log(output);
        expect(output, output).to.match(/^Ran \d+ tests? in /m);
        expect(output, output).to.match(/^OK\b/m);
        expect(code, output).to.equal(0);
      } finally {
        await service.close();
      }
    });
  }
});
