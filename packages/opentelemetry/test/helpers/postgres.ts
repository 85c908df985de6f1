// A throwaway PostgreSQL server for one test file: initdb into a temporary folder, started on a free port of
// 127.0.0.1 (its unix socket in the same folder), stopped and removed afterwards. As root it runs as the
// unprivileged `postgres` user (PostgreSQL refuses to run as root), which is given the folder.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../../../test/helpers/freePort.js';

const run = promisify(execFile);
const RUN_AS = 'postgres';
const START_TIMEOUT_MS = 30_000;

export interface Postgres {
  host: string;
  port: number;
  user: string;
  database: string;
  stop(): Promise<void>;
}

/** The folder holding initdb, pg_ctl and postgres: `pg_config --bindir`, else Debian's /usr/lib/postgresql/<n>/bin. */
export function findPostgresBinaries(): string {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // pg_config comes with libpq-dev, not with the server
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    for (const version of readdirSync(debian).sort((a, b) => Number(b) - Number(a))) candidates.push(join(debian, version, 'bin'));
  }
  const found = candidates.find((dir) => ['initdb', 'pg_ctl', 'postgres'].every((bin) => existsSync(join(dir, bin))));
  if (found === undefined) throw new Error('PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: apt-get install postgresql');
  return found;
}


function ids(user: string): { uid: number; gid: number } {
  try {
    const field = (flag: string) => Number(execFileSync('id', [flag, user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid: field('-u'), gid: field('-g') };
  } catch {
    throw new Error(`no "${user}" user to run PostgreSQL as (it refuses root): apt-get install postgresql creates it`);
  }
}

export async function startPostgres(): Promise<Postgres> {
  const bin = findPostgresBinaries();
  const asRoot = process.getuid?.() === 0;
  const folder = mkdtempSync(join(tmpdir(), 'audit-tracing-pg-'));
  const data = join(folder, 'data');
  const user = 'tracing';
  // As root, every PostgreSQL command runs as the unprivileged user, who owns the folder.
  const pg = (command: string, args: string[]) => (asRoot ? run('runuser', ['-u', RUN_AS, '--', join(bin, command), ...args]) : run(join(bin, command), args));
  if (asRoot) {
    const { uid, gid } = ids(RUN_AS);
    chownSync(folder, uid, gid);
  }
  const port = await freePort();
  try {
    await pg('initdb', ['-D', data, '-U', user, '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    const serverOptions = `-p ${port} -h 127.0.0.1 -k ${folder} -c fsync=off -c full_page_writes=off`;
    await pg('pg_ctl', ['start', '-D', data, '-l', join(folder, 'server.log'), '-o', serverOptions, '-w', '-t', String(START_TIMEOUT_MS / 1000)]);
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${(error as { stderr?: string }).stderr || String(error)}`);
  }
  return {
    host: '127.0.0.1',
    port,
    user,
    database: 'postgres',
    async stop() {
      try {
        await pg('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w']);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
  };
}
