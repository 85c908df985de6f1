// docs/analysis.md shows examples/analysis.mjs: the two must not drift apart, and the example must run and find
// what the document says it finds.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

describe('docs/analysis.md and examples/analysis.mjs', () => {
  it('the document shows the example as it is', () => {
    const doc = readFileSync(path.join(root, 'docs/analysis.md'), 'utf8');
    const block = /```js\n([\s\S]*?)```/.exec(doc)![1];
    const example = readFileSync(path.join(root, 'examples/analysis.mjs'), 'utf8');
    // the first line of each says how to run it, in its own words
    expect(block.split('\n').slice(1).join('\n')).to.equal(example.split('\n').slice(1).join('\n'));
  });

  it('the example writes a file, reads it back, and prints the N+1, the sequential calls and the critical path', async function () {
    if (!existsSync(path.join(root, 'packages/core/dist/index.mjs'))) this.skip();
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [path.join(root, 'examples/analysis.mjs')], { cwd: root, timeout: 20_000 }, (error, out) => (error ? reject(error) : resolve(out)));
    });
    expect(stdout).to.match(/^severity\s+service\s+operation/m);
    expect(stdout).to.match(/^\S+\s+shop\s+SELECT item\s+15\s/m);
    expect(stdout).to.contain('calls "SELECT item" [shop] up to 8 times in sequence (in 2 of 3 spans): an N+1 pattern');
    expect(stdout).to.contain('"POST /charge" [shop] one after another (in 3 of 3 spans)');
    const critical = stdout.slice(stdout.indexOf('critical path of trace')).trim().split('\n').slice(1);
    expect(critical[0]).to.match(/^POST \/checkout /);
    expect(critical.filter((line) => line.startsWith('  SELECT item'))).to.have.length(8);
    expect(critical[critical.length - 1]).to.match(/^ {2}POST \/charge /);
  });
});
