// Where every benchmark writes its JSON: bench/results/<name>-<ISO date-time>.json, with the machine it ran on.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';

export function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    totalMemMb: Math.round(os.totalmem() / 1024 / 1024),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
    loadAverage: os.loadavg().map((value) => Number(value.toFixed(2))),
  };
}

export function describeMachine() {
  const info = machine();
  return `${info.cpus} × ${info.cpuModel ?? 'cpu'}, ${info.totalMemMb} MB, node ${info.node}, load average ${info.loadAverage.join(' ')}`;
}

/** Writes `data` (plus date and machine) and returns the file's path. */
export function writeResults(name, started, data) {
  const dir = new URL('../results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`${name}-${started.toISOString().replace(/[:.]/g, '-')}.json`, dir);
  writeFileSync(file, `${JSON.stringify({ benchmark: name, date: started.toISOString(), machine: machine(), ...data }, null, 2)}\n`);
  return file.pathname;
}
