// Support for the browser and API end-to-end tests: the real `sportello` binary on a free port with
// a fresh database (SQLite in a temp dir, or a fresh PostgreSQL database on the CTest fixture's
// server), Debian's chromium driven by playwright-core, and axe-core run inside a page.
//
// Environment (set by tests/CMakeLists.txt; set by hand when running a file directly):
//   SPORTELLO_BINARY            the server binary (default: build/sportello under the source dir)
//   SPORTELLO_SOURCE_DIR        the repository root (default: the current directory)
//   SPORTELLO_TEST_PG_URL_FILE  file holding postgresql://user@host:port/db of a running server
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, readFile, access, statfs, stat, cp, rename } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { randomBytes, createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const execFileP = promisify(execFile);
const require = createRequire(import.meta.url);

export const sourceDir = path.resolve(process.env.SPORTELLO_SOURCE_DIR ?? process.cwd());
export const binary = path.resolve(process.env.SPORTELLO_BINARY ?? path.join(sourceDir, 'build', 'sportello'));

// A bound, not a wait: a sanitized server migrating and seeding PostgreSQL took over 20 s on a machine with
// a load average of 20 (e2e.postgres timed out there); the usual start is 2-7 s.
const STARTUP_DEADLINE_MS = 60_000;
// Also a bound: a sanitized server draining and closing its database took over 10 s at a load average
// of 18-20 (three stops failed there), usually well under a second.
const STOP_DEADLINE_MS = 30_000;

/** A TCP port that was free a moment ago on 127.0.0.1. */
// A free loopback port, drawn at random below the kernel's ephemeral range (where sockets bound to port 0
// by tests running at the same time land) and apart from the C++ tests' range (20000-32000).
export async function freePort() {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 10000 + Math.floor(Math.random() * 10000);
    const free = await new Promise((resolve) => {
      const srv = createServer();
      srv.unref();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port found');
}

async function exists(p) {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

/** Environment for the binary: everything explicit, nothing from the developer's config. */
async function baseEnv(extra) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('SPORTELLO_')) delete env[k];
  env.SPORTELLO_SHARE_DIR = sourceDir;
  const staticDir = path.join(path.dirname(binary), 'static');
  if (await exists(staticDir)) env.SPORTELLO_STATIC_DIR = staticDir;
  env.SPORTELLO_ACCESS_LOG = 'false';
  env.SPORTELLO_LOG_LEVEL = 'warn';
  env.SPORTELLO_THREADS = '2';
  return { ...env, ...extra };
}

// ---------------------------------------------------------------- PostgreSQL

const PG_BIN = '/usr/lib/postgresql/15/bin';

async function psqlBinary() {
  const p = path.join(PG_BIN, 'psql');
  return (await exists(p)) ? p : 'psql';
}

/** The fixture server's URL (postgresql://user@host:port/postgres). */
export async function pgServerUrl() {
  const file = process.env.SPORTELLO_TEST_PG_URL_FILE;
  if (!file) throw new Error('SPORTELLO_TEST_PG_URL_FILE is not set (start one: scripts/pg-test-server start DIR)');
  const url = (await readFile(file, 'utf8')).trim();
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`${file} does not hold a PostgreSQL URL: ${url}`);
  return url;
}

async function psql(serverUrl, sql) {
  await execFileP(await psqlBinary(), ['--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-q', '-d', serverUrl, '-c', sql], {
    timeout: 15_000,
  });
}

/** Creates an empty database on the fixture server; returns its URL and a drop() function. */
export async function createPgDatabase() {
  const serverUrl = await pgServerUrl();
  const name = `sportello_e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
  await psql(serverUrl, `CREATE DATABASE ${name}`);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return {
    name,
    url: u.toString(),
    drop: () => psql(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

// ---------------------------------------------------------------- the server

/**
 * Where test databases go: SPORTELLO_TEST_TMPDIR when set; else /dev/shm when it is a writable tmpfs
 * with 2 GiB free (seeding commits hundreds of times and every fsync on a shared CI disk is slow; the
 * server's code paths are the same); else the system's temporary directory. As tests/support/testing.cpp.
 */
async function testTempRoot() {
  if (process.env.SPORTELLO_TEST_TMPDIR) return process.env.SPORTELLO_TEST_TMPDIR;
  try {
    await access('/dev/shm', fsConstants.W_OK);
    const st = await statfs('/dev/shm');
    if (st.bavail * st.bsize >= 2 ** 31) return '/dev/shm';
  } catch {
    // no usable /dev/shm
  }
  return tmpdir();
}

/**
 * Starts `sportello serve [--demo]` on a free port with a fresh database and waits for /healthz.
 * options: { database: 'sqlite' | 'postgres', demo: true, env: {} }
 * Returns { baseUrl, port, databaseUrl, output(), stop() }; stop() sends SIGTERM and rejects unless
 * the process exits with code 0 within the deadline, then removes the database.
 */
export async function startServer({ database = 'sqlite', demo = true, env = {} } = {}) {
  if (!(await exists(binary))) throw new Error(`server binary not found: ${binary} (set SPORTELLO_BINARY)`);
  const dir = await mkdtemp(path.join(await testTempRoot(), 'sportello-e2e-'));
  let pg = null;
  let databaseUrl;
  try {
    if (database === 'postgres') {
      pg = await createPgDatabase();
      databaseUrl = pg.url;
    } else {
      databaseUrl = `sqlite:${path.join(dir, 'sportello.db')}`;
      // A demo on SQLite starts from the seeded copy (the file and var/: keys, audit key and anchor)
      // unless the test's own environment could change what seeding makes.
      if (demo && Object.keys(env).length === 0) await cp(await demoSeed(), dir, { recursive: true });
    }
    // The server picks free ports itself (SPORTELLO_PORT=0) and writes them to its port file.
    return await launch({ databaseUrl, demo, env, dir, pg });
  } catch (e) {
    await pg?.drop().catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * A demo hub seeded once per binary and day, shared by the SQLite demo servers of every test file:
 * a server started and stopped cleanly in a folder of its own (its sportello.db and var/), renamed into
 * place when complete (two files racing both build one; the first rename wins). Seeding the demo and
 * making its keys (an RSA certificate per body) cost seconds under the sanitizers on every start; a
 * copy costs milliseconds, and the server that starts on it does what `serve --demo` does on a restart.
 * Keyed by the day too: the demo's dates (due dates, deadlines) are relative to the day it was seeded.
 */
async function demoSeed() {
  const st = await stat(binary);
  const key = createHash('sha256')
    .update(`${binary}|${st.size}|${st.mtimeMs}|${new Date().toISOString().slice(0, 10)}`)
    .digest('hex')
    .slice(0, 16);
  const seed = path.join(await testTempRoot(), `sportello-e2e-seed-${key}`);
  if (await exists(path.join(seed, 'sportello.db'))) return seed;
  const work = await mkdtemp(path.join(await testTempRoot(), 'sportello-e2e-seeding-'));
  try {
    const server = await launch({ databaseUrl: `sqlite:${path.join(work, 'sportello.db')}`, demo: true, env: {}, dir: work, pg: null, keep: true });
    await server.stop();
    await rm(path.join(work, 'ports.json'), { force: true });
    await rename(work, seed).catch(() => {});  // another file's seed got there first: use that one
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return seed;
}

async function launch({ databaseUrl, demo, env, dir, pg, keep = false }) {
  const args = ['serve'];
  if (demo) args.push('--demo');
  const portFile = path.join(dir, 'ports.json');
  const childEnv = await baseEnv({
    SPORTELLO_DATABASE: databaseUrl,
    SPORTELLO_PORT: '0',
    SPORTELLO_PORT_FILE: portFile,
    SPORTELLO_ADDRESS: '127.0.0.1',
    SPORTELLO_PUBLIC_URL: 'http://127.0.0.1:{port}',
    // The demo's SPID/CIE simulator listens on a port of its own, free too.
    SPORTELLO_SIM_IDP_PORT: '0',
    // And so does the pagoPA simulator.
    SPORTELLO_SIM_PAGOPA_PORT: '0',
    // And the ANPR simulator.
    SPORTELLO_SIM_ANPR_PORT: '0',
    ...env,
  });
  const child = spawn(binary, args, { cwd: dir, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let exitInfo = null;
  exited.then((x) => (exitInfo = x));

  let port = 0;
  let baseUrl = '';
  const deadline = Date.now() + STARTUP_DEADLINE_MS;
  for (;;) {
    if (exitInfo) {
      throw new Error(`sportello exited during startup (${JSON.stringify(exitInfo)}):\n${out}`);
    }
    try {
      if (!port) {
        port = JSON.parse(await readFile(portFile, 'utf8')).http ?? 0;
        baseUrl = `http://127.0.0.1:${port}`;
      }
      const r = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (r.status === 200) break;
    } catch {
      /* no port file yet, or not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sportello did not answer /healthz within ${STARTUP_DEADLINE_MS} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  let stopped = false;
  return {
    baseUrl,
    port,
    databaseUrl,
    dir,  // the server's working directory: its var/ holds the audit key and anchor files
    output: () => out,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        if (!exitInfo) child.kill('SIGTERM');
        const timer = new Promise((resolve) => setTimeout(() => resolve(null), STOP_DEADLINE_MS).unref());
        const result = await Promise.race([exited, timer]);
        if (!result) {
          child.kill('SIGKILL');
          throw new Error(`sportello did not exit within ${STOP_DEADLINE_MS} ms of SIGTERM:\n${out}`);
        }
        if (result.code !== 0) {
          throw new Error(`sportello exited with ${JSON.stringify(result)} after SIGTERM:\n${out}`);
        }
      } finally {
        await pg?.drop().catch(() => {});
        if (!keep) await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Runs a one-shot subcommand (e.g. `routes`) with a throwaway SQLite database; returns stdout. */
export async function runCommand(args) {
  const dir = await mkdtemp(path.join(await testTempRoot(), 'sportello-cmd-'));
  try {
    const env = await baseEnv({ SPORTELLO_DATABASE: `sqlite:${path.join(dir, 'sportello.db')}` });
    const { stdout } = await execFileP(binary, args, { cwd: dir, env, timeout: 20_000 });
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- the browser

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
}


/**
 * Records what goes wrong while a page is used: console errors, uncaught exceptions, failed
 * requests, and responses >= 400 for anything but the document itself (whose status the test checks).
 */
export function watchPage(page) {
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()} (${msg.location()?.url ?? ''})`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.message}`));
  page.on('requestfailed', (req) => {
    // A font or image still loading when the test clicks on to the next page is cancelled by chromium
    // (net::ERR_ABORTED): the navigation's doing, not the server's. Under a loaded CI machine it happens.
    if (req.failure()?.errorText === 'net::ERR_ABORTED' && ['font', 'image'].includes(req.resourceType())) return;
    problems.push(`request failed: ${req.resourceType()} ${req.url()} (${req.failure()?.errorText})`);
  });
  page.on('response', (res) => {
    const type = res.request().resourceType();
    if (res.status() >= 400 && type !== 'document') {
      problems.push(`HTTP ${res.status()} for ${type} ${res.url()}`);
    }
  });
  return problems;
}

let axeSource;

/**
 * Runs axe-core in the page and returns the violations of impact serious or critical, each as
 * { id, impact, help, nodes: [{ target, html, summary }] }. The source is evaluated through the
 * DevTools protocol, which the page's Content-Security-Policy does not govern, so the pages are
 * tested with their real CSP in force.
 */
export async function axeViolations(page) {
  axeSource ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.evaluate(`${axeSource}\n;undefined`);
  }
  const violations = await page.evaluate(async () => {
    const res = await window.axe.run(document, { resultTypes: ['violations'] });
    return res.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html.slice(0, 200), summary: n.failureSummary })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * Asserts that the page has one h1 (unless `oneH1` is false) and no serious or critical axe violation;
 * `label` names the page in the failure.
 */
export async function axe(page, label, { oneH1 = true } = {}) {
  if (oneH1) assert.equal(await page.locator('h1').count(), 1, `${label}: one h1`);
  assert.equal(formatViolations(await axeViolations(page)), '', label);
}

/** A readable listing of axe violations for an assertion message. */
export function formatViolations(violations) {
  return violations
    .map(
      (v) =>
        `[${v.impact}] ${v.id}: ${v.help}\n` +
        v.nodes
          .slice(0, 5)
          .map((n) => `    at ${n.target}: ${n.html}\n      ${String(n.summary).replace(/\n/g, '\n      ')}`)
          .join('\n'),
    )
    .join('\n');
}
