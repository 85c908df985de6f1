// Writes a CPU profile of one bench server under load: `node bench/profile.mjs FRAMEWORK CONFIG [SECONDS]`.
// Open the .cpuprofile it names in Chrome DevTools, or summarise it with `node bench/profile.mjs --top FILE`.
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

function top(file, count = 30) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const self = new Map();
  const dt = profile.timeDeltas;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map();
  for (let i = 0; i < profile.samples.length; i++) hits.set(profile.samples[i], (hits.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0));
  let total = 0;
  for (const [id, time] of hits) {
    const node = byId.get(id);
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + time);
    total += time;
  }
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, count);
  for (const [key, time] of rows) console.log(`${((time / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
}

if (process.argv[2] === '--top') {
  top(process.argv[3], Number(process.argv[4] ?? 30));
} else {
  const [framework = 'express', config = 'ours-protobuf', seconds = '5'] = process.argv.slice(2);
  const dir = mkdtempSync(join(tmpdir(), 'audit-tracing-prof-'));
  const collector = fork(new URL('./http/collector.mjs', import.meta.url), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const collectorPort = await new Promise((resolve) => collector.on('message', (m) => m.type === 'ready' && resolve(m.port)));
  const server = fork(new URL('./http/server.mjs', import.meta.url), [framework, config], {
    execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    env: { ...process.env, COLLECTOR_URL: `http://127.0.0.1:${collectorPort}` },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise((resolve) => server.on('message', (m) => m.type === 'ready' && resolve(m.port)));
  const result = await autocannon({ url: `http://127.0.0.1:${port}/users/42`, connections: 50, duration: Number(seconds) });
  console.log(`${framework}/${config}: ${Math.round(result.requests.average)} req/s`);
  server.kill('SIGINT');
  await new Promise((resolve) => server.on('exit', resolve));
  collector.kill();
  const file = join(dir, readdirSync(dir)[0]);
  console.log(file);
  top(file);
}
