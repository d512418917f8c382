// What the daily-dispatch tests share. A dispatch acts on the whole ledger (every confirmed issue,
// every overdue one, one run row per day), so these tests each get a database of their own,
// migrated and seeded with the demo district, instead of the suite's shared one: nothing another
// file left behind (or a scheduler of another file's server) can run "today" before them, and
// nothing they do reaches another file.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { Client } from './client.mjs';
import { env } from './env.mjs';
import { loadUnits } from './ledger.mjs';
import { runBin, signIn, startServer } from './server.mjs';

export const DAY_MS = 24 * 3600_000;

/// psql against `url`, bounded; resolves with the unaligned, tuples-only output (trimmed).
export function psql(url, sql, { timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], {
      timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024,
    }, (error, stdout, stderr) => {
      if (error) {
        error.message += `\nsql: ${sql}\nstderr:\n${stderr}`;
        reject(error);
      } else {
        resolve(stdout.trim());
      }
    });
  });
}

/// A new database in the test cluster, migrated and seeded with the demo district.
/// `drop()` removes it (even with connections still open).
export async function freshDatabase(tag) {
  const name = `lantian_${tag}_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const url = new URL(env.adminUrl);
  url.pathname = `/${name}`;
  await psql(env.adminUrl, `create database ${name}`);
  const db = {
    name,
    url: url.toString(),
    env: { LANTIAN_DATABASE_URL: url.toString() },
    sql: (text, opts) => psql(url.toString(), text, opts),
    run: (args, opts = {}) => runBin(args, { ...opts, extraEnv: { ...opts.extraEnv, LANTIAN_DATABASE_URL: url.toString() } }),
    drop: () => psql(env.adminUrl, `drop database if exists ${name} with (force)`),
  };
  try {
    await db.run(['migrate']);
    await db.run(['seed-demo', '--history-days', '0']);  // an empty ledger: the tests fill it
  } catch (e) {
    await db.drop().catch(() => {});
    throw e;
  }
  return db;
}

/// Creates a user in `db` with the admin CLI; returns its credentials.
export async function createUserIn(db, { role, unitId, displayName }) {
  const username = `e2e-${role}-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const password = crypto.randomBytes(15).toString('base64url');
  const args = ['admin', 'create-user', '--username', username, '--display-name', displayName, '--role', role];
  if (unitId !== undefined) args.push('--unit-id', String(unitId));
  await db.run(args, { extraEnv: { LANTIAN_NEW_USER_PASSWORD: password } });
  return { username, password };
}

/// `lantian serve` against `db` (scheduler off unless `extraEnv` says otherwise), ready.
export async function startServerOn(db, { extraEnv = {}, waitReady = true } = {}) {
  const server = await startServer({
    extraEnv: { LANTIAN_SCHEDULER: 'false', ...extraEnv, ...db.env }, waitReady: false,
  });
  if (waitReady) {
    try {
      await server.waitReady();
    } catch (e) {
      await server.stop({ signal: 'SIGKILL' });
      throw e;
    }
  }
  return server;
}

/// The people the dispatch concerns, each a fresh user of `db` signed in through `api` (whose
/// base URL may change when the server is replaced): the office (环委办), a handler of 焦西街道,
/// a handler of 城管局, a supervisor (督查局), a leader and an inspector (焦西).
export async function signInDispatchPeople(db, api) {
  const unitIds = Object.fromEntries((await db.sql('select code, id from units'))
    .split('\n').map((l) => l.split('|')).map(([code, id]) => [code, Number(id)]));
  const who = {
    office: { role: 'office', unit: 'JF-OFF-HUANWEIBAN', name: '环委办 调度测试' },
    handler: { role: 'handler', unit: 'JF-SD-JIAOXI', name: '焦西街道 调度测试' },
    chengguan: { role: 'handler', unit: 'JF-DEPT-CHENGGUAN', name: '城管局 调度测试' },
    supervisor: { role: 'supervisor', unit: 'JF-OFF-DUCHA', name: '督查局 调度测试' },
    leader: { role: 'leader', unit: undefined, name: '区领导 调度测试' },
    inspector: { role: 'inspector', unit: 'JF-SD-JIAOXI', name: '巡查员 调度测试' },
  };
  const people = {};
  await Promise.all(Object.entries(who).map(async ([key, p]) => {
    const creds = await createUserIn(db, { role: p.role, unitId: p.unit && unitIds[p.unit], displayName: p.name });
    const token = await signIn(api, creds);
    const client = new Client(() => api.baseUrl, token);
    const me = await client.get('/api/v1/me');
    assert.equal(me.status, 200, me.text);
    people[key] = Object.assign(client, { user: me.body });
  }));
  const units = await loadUnits(people.office);
  return { people, units };
}

/// An issue reported by the office (a hotline complaint) and confirmed: ready for the dispatch.
export async function confirmedIssue(office, { siteId, category = 'other', severity = 1, description = '调度测试问题' }) {
  const r = await office.post('/api/v1/issues', {
    client_id: crypto.randomUUID(), site_id: siteId, category, severity, description, source: 'hotline',
  });
  assert.equal(r.status, 201, r.text);
  const c = await office.post(`/api/v1/issues/${r.body.id}/triage`, { decision: 'confirm' },
    { headers: { 'if-match': '"v1"' } });
  assert.equal(c.status, 200, c.text);
  assert.equal(c.body.status, 'confirmed');
  return c.body;
}

/// The first active demo site of a kind in a subdistrict.
export async function siteOf(client, kind, subdistrictId) {
  const r = await client.get(`/api/v1/sites?kind=${kind}&subdistrict_id=${subdistrictId}&status=active&limit=1`);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.body.items.length > 0, `the demo district has no active ${kind} in unit ${subdistrictId}`);
  return r.body.items[0];
}

/// The Asia/Shanghai calendar day of `ms`, YYYY-MM-DD.
export function districtDay(ms = Date.now()) {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
}

/// `day` plus `n` days.
export function addDays(day, n) {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/// When district midnight is less than `marginMs` away, waits until just after it, so that a
/// test's "today" is the servers' "today" throughout (bounded by the margin).
export async function awayFromMidnight(marginMs = 90_000) {
  const sinceMidnight = (Date.now() + 8 * 3600_000) % DAY_MS;
  const left = DAY_MS - sinceMidnight;
  if (left < marginMs) await sleep(left + 5_000);
}

/// Polls `check()` (async, truthy when done) every `everyMs`, for at most `timeoutMs`.
export async function waitUntil(check, { timeoutMs, everyMs = 100, what }) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
