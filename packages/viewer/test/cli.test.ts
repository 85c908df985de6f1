import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { parseCommandLine } from '../src/cli.js';
import { checkoutTrace, postOtlp } from './helpers/spans.js';

describe('audit-tracing-viewer command line', () => {
  it('reads its options, with the token from the environment when not given', () => {
    expect(parseCommandLine(['--port', '0', '--host', '::1', '--file', 'a.jsonl', '--file', 'b.jsonl', '--persist', 's.jsonl', '--max-spans', '500'], {})).to.deep.equal({
      port: 0,
      host: '::1',
      files: ['a.jsonl', 'b.jsonl'],
      persistFile: 's.jsonl',
      maxSpans: 500,
    });
    expect(parseCommandLine([], { AUDIT_TRACING_VIEWER_TOKEN: 'from-the-env-1' })).to.deep.equal({ token: 'from-the-env-1' });
    expect(parseCommandLine(['--help'], {})).to.equal('help');
    expect(() => parseCommandLine(['--port', 'eighty'], {})).to.throw('--port: expected a whole number');
    expect(() => parseCommandLine(['--colour'], {})).to.throw(/Unknown option/);
  });

  it('starts a viewer on 127.0.0.1 that takes spans, and stops on SIGTERM', async function () {
    this.timeout(30_000);
    const cli = path.join(__dirname, '..', 'src', 'cli.ts');
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', cli, '--port', '0'], { cwd: path.join(__dirname, '..', '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk;
          const match = /viewer on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
          if (match) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
      });
      const spans = checkoutTrace(1_700_000_000_000);
      expect((await postOtlp(url, spans)).status).to.equal(200);
      const list = (await (await fetch(`${url}/api/traces`)).json()) as any;
      expect(list.traces[0].traceId).to.equal(spans[0].traceId);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
