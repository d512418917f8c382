// Starts and stops a real `lantian serve` process on a loopback port the kernel picks, captures
// its JSON-lines log, and makes sure no process outlives the test run.
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { once } from 'node:events';
import { after, afterEach, before } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { Client } from './client.mjs';
import { env } from './env.mjs';

const live = new Set();

// Password hashing at libsodium's lowest cost: the tests sign in and create users often, and
// the cost only changes how long a hash takes, not what the service answers.
export const FAST_HASH_ENV = { LANTIAN_ARGON2_OPS_LIMIT: '1', LANTIAN_ARGON2_MEM_LIMIT_MIB: '8' };

// Last resort when a test process ends without stopping what it started (a crash, a timeout).
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

/// Runs `lantian <args>` to completion (bounded); resolves with stdout, rejects with the output.
export function runBin(args, { timeoutMs = 120_000, extraEnv = {} } = {}) {
  return new Promise((resolve, reject) => {
    execFile(env.bin, args, {
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, LANTIAN_DATABASE_URL: env.databaseUrl, ...FAST_HASH_ENV, ...extraEnv },
    }, (error, stdout, stderr) => {
      if (error) {
        error.message += `\nstdout:\n${stdout}\nstderr:\n${stderr}`;
        reject(error);
      } else {
        resolve(stdout);
      }
    });
  });
}

/// Loads the demo district (idempotent) into the test database, without the demo history:
/// the tests make the issues they count.
export async function seedDemo() {
  await runBin(['seed-demo', '--history-days', '0']);
}

/// Creates a user with the admin CLI (random name and password) and returns its credentials.
export async function createUser({ role = 'admin', unitId, displayName = 'E2E 测试用户' } = {}) {
  const username = `e2e-${role}-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const password = crypto.randomBytes(15).toString('base64url');
  const args = ['admin', 'create-user', '--username', username, '--display-name', displayName, '--role', role];
  if (unitId !== undefined) args.push('--unit-id', String(unitId));
  await runBin(args, { extraEnv: { LANTIAN_NEW_USER_PASSWORD: password } });
  return { username, password };
}

let adminCredentials;
/// One administrator per test process, made on first use.
export function testAdmin() {
  adminCredentials ??= createUser({ role: 'admin', displayName: 'E2E 管理员' });
  return adminCredentials;
}

/// Signs in and returns the token (fails the test when sign-in does not answer 201).
export async function signIn(client, { username, password }) {
  const r = await client.post('/api/v1/sessions', { username, password }, { auth: false });
  if (r.status !== 201) throw new Error(`sign-in as ${username} → ${r.status}: ${r.text}`);
  return r.body.token;
}

/// Runs a shell command such as LANTIAN_TEST_PG_STOP, bounded.
export function runShell(command, { timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', command], { timeout: timeoutMs, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (error) {
          error.message += `\nstdout:\n${stdout}\nstderr:\n${stderr}`;
          reject(error);
        } else {
          resolve(stdout);
        }
      });
  });
}

export class Server {
  constructor(child) {
    this.child = child;
    this.pid = child.pid;
    this.logs = [];       // parsed JSON log lines, in order
    this.rawStdout = '';
    this.stderr = '';
    this.exit = null;     // {code, signal} once it exited
    this.port = undefined;
    this.exited = once(child, 'exit').then(([code, signal]) => {
      this.exit = { code, signal };
      live.delete(child);
      return this.exit;
    });
    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      this.rawStdout += chunk;
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (!line.trim()) continue;
        try {
          this.logs.push(JSON.parse(line));
        } catch {
          this.logs.push({ unparsed: line });
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => { this.stderr += chunk; });
  }

  get baseUrl() { return `http://127.0.0.1:${this.port}`; }
  get running() { return this.exit === null; }

  /// What the process said, for failure messages.
  output() {
    return `--- stdout (last 4000 chars) ---\n${this.rawStdout.slice(-4000)}\n--- stderr (last 4000 chars) ---\n${this.stderr.slice(-4000)}`;
  }

  /// Log lines whose fields all equal the given ones.
  findLogs(fields) {
    return this.logs.filter((l) => Object.entries(fields).every(([k, v]) => l[k] === v));
  }

  async waitFor(predicate, { timeoutMs, what }) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = predicate();
      if (found) return found;
      if (!this.running) {
        throw new Error(`lantian exited (${JSON.stringify(this.exit)}) while waiting for ${what}\n${this.output()}`);
      }
      await sleep(25);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.output()}`);
  }

  /// Polls /readyz until 200, bounded.
  async waitReady({ timeoutMs = 20_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`lantian exited before it was ready\n${this.output()}`);
      try {
        const r = await fetch(`${this.baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
        last = `${r.status} ${await r.text()}`;
        if (r.status === 200) return;
      } catch (e) {
        last = e.message;
      }
      await sleep(100);
    }
    throw new Error(`lantian not ready after ${timeoutMs} ms (last: ${last})\n${this.output()}`);
  }

  /// Sends a signal and waits (bounded) for the exit; SIGKILL when it does not come.
  async stop({ signal = 'SIGTERM', timeoutMs = 15_000 } = {}) {
    if (!this.running) return { ...this.exit, forced: false };
    this.child.kill(signal);
    const result = await Promise.race([this.exited, sleep(timeoutMs).then(() => null)]);
    if (result) return { ...result, forced: false };
    this.child.kill('SIGKILL');
    await Promise.race([this.exited, sleep(5_000)]);
    return { ...this.exit, forced: true };
  }
}

/// Starts `lantian serve` on 127.0.0.1 with a kernel-chosen port, waits until /readyz says
/// ready and signs `server.client` in as the test administrator (unless waitReady is false).
/// `extraEnv` adds LANTIAN_* settings.
export async function startServer({ extraEnv = {}, waitReady = true, startTimeoutMs = 20_000 } = {}) {
  const child = spawn(env.bin, ['serve', '--listen', '127.0.0.1:0'], {
    env: { ...process.env, LANTIAN_DATABASE_URL: env.databaseUrl, ...FAST_HASH_ENV, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const server = new Server(child);
  try {
    await Promise.race([
      once(child, 'spawn'),
      once(child, 'error').then(([e]) => { throw e; }),
    ]);
    const line = await server.waitFor(
      () => server.logs.find((l) => l.msg === 'listening' && Number.isInteger(l.port)),
      { timeoutMs: startTimeoutMs, what: 'the "listening" log line' });
    server.port = line.port;
    server.client = new Client(server.baseUrl);
    if (waitReady) {
      await server.waitReady({ timeoutMs: startTimeoutMs });
      server.client.token = await signIn(server.client, await testAdmin());
    }
  } catch (e) {
    await server.stop({ signal: 'SIGKILL' });
    throw e;
  }
  return server;
}

/// The usual setup of a test file: load the demo district, start one server for the whole file,
/// and stop it at the end, requiring a clean exit (status 0 after SIGTERM). When a test leaves
/// the server dead (a crash), that test fails with the server's output and a fresh server
/// takes over, so one crash does not fail every later test of the file. `setup(api)` runs
/// once the server is ready: use it instead of another top-level before(), because Node 20
/// starts a file's top-level before() hooks without waiting for one another.
export function useServer({ extraEnv = {}, seed = true, setup } = {}) {
  const holder = {
    server: undefined,
    // Follows the current server (and its sign-in) across a restart.
    api: new Client(() => holder.server.baseUrl, () => holder.server.client.token),
    get port() { return holder.server.port; },
    get token() { return holder.server.client.token; },
  };
  before(async () => {
    if (seed) await seedDemo();
    holder.server = await startServer({ extraEnv });
    if (setup) await setup(holder.api);
  });
  afterEach(async () => {
    const s = holder.server;
    if (!s) return;
    await Promise.race([s.exited, sleep(30)]);
    if (!s.running) {
      holder.server = await startServer({ extraEnv });
      throw new Error(`lantian died during this test (exit ${JSON.stringify(s.exit)})\n${s.output()}`);
    }
  });
  after(async () => {
    const s = holder.server;
    if (!s) return;
    const result = await s.stop();
    if (result.forced || result.code !== 0) {
      throw new Error(`lantian did not exit cleanly after SIGTERM (${JSON.stringify(result)})\n${s.output()}`);
    }
  });
  return holder;
}
