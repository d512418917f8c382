// The daily dispatch runs exactly once per day (RELIABILITY.md promise 5), with real processes:
// three `lantian serve` replicas against one database, whose schedulers all fire at start while
// the office hammers POST /api/v1/dispatches on every replica for the same day → one run row,
// every confirmed issue assigned once; and `lantian dispatch` killed with SIGKILL in the middle
// of its transaction → the day is absent (never partial), and a rerun completes it.
//
// Both act on the whole ledger, so the file has a database of its own (support/dispatch.mjs).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { Client } from './support/client.mjs';
import {
  addDays, awayFromMidnight, confirmedIssue, districtDay, freshDatabase, signInDispatchPeople, startServerOn,
  waitUntil,
} from './support/dispatch.mjs';
import { env } from './support/env.mjs';
import { FAST_HASH_ENV } from './support/server.mjs';

const REPLICAS = 3;
const ISSUES = 40;            // confirmed before the replicas start
const POSTS_PER_REPLICA = 10; // per round; two rounds
const HOLD_SECONDS = 1;       // how long the replicas' run stays open (under the 2 s pool wait)
const SLOW_SECONDS = 5;       // how long the SIGKILL test's transaction stays open

let db;
let helper;   // a server without a scheduler, for setting up and reading
let people;
const api = new Client(() => helper.baseUrl);
let sites;

before(async () => {
  db = await freshDatabase('once');
  helper = await startServerOn(db);
  ({ people } = await signInDispatchPeople(db, api));
  const r = await people.office.get('/api/v1/sites?status=active&limit=200');
  assert.equal(r.status, 200, r.text);
  sites = r.body.items;
  assert.ok(sites.length >= 20, 'the demo district has sites');
}, { timeout: 120_000 });

after(async () => {
  try {
    if (helper) {
      const result = await helper.stop();
      if (result.forced || result.code !== 0) {
        throw new Error(`lantian did not exit cleanly after SIGTERM (${JSON.stringify(result)})\n${helper.output()}`);
      }
    }
  } finally {
    await db?.drop();
  }
});

/// `count` confirmed issues at varied sites (so the routing varies), a few at a time.
async function confirmedIssues(count, label) {
  const out = [];
  for (let i = 0; i < count; i += 8) {
    const batch = await Promise.all(Array.from({ length: Math.min(8, count - i) }, (_, k) => {
      const n = i + k;
      const site = sites[(n * 7) % sites.length];
      return confirmedIssue(people.office, {
        siteId: site.id, category: 'other', severity: (n % 3) + 1, description: `${label} 第${n + 1}条`,
      });
    }));
    out.push(...batch.map((x) => x.id));
  }
  return out.sort((a, b) => a - b);
}

/// {status: count} of the issues with these ids, straight from the database.
async function statusesOf(ids) {
  const rows = await db.sql(`select status, count(*) from issues where id = any('{${ids.join(',')}}'::bigint[]) group by status`);
  return Object.fromEntries(rows ? rows.split('\n').map((l) => l.split('|')).map(([s, c]) => [s, Number(c)]) : []);
}

/// Makes every dispatch sleep `seconds` inside its transaction, after its assignments: when it
/// inserts the escalations (a statement trigger fires even when none are due). This database is
/// this file's own; `fastDispatch()` removes the trigger.
async function slowDispatch(seconds) {
  await db.sql(`
    create or replace function e2e_slow_dispatch() returns trigger language plpgsql as $$
    begin perform pg_sleep(${seconds}); return null; end $$;
    drop trigger if exists e2e_slow_dispatch on escalations;
    create trigger e2e_slow_dispatch after insert on escalations
      for each statement execute function e2e_slow_dispatch();`);
}

async function fastDispatch() {
  await db.sql('drop trigger if exists e2e_slow_dispatch on escalations; drop function if exists e2e_slow_dispatch()');
}

async function countSql(sql) {
  return Number(await db.sql(sql));
}

/// Every issue assigned once by the dispatch: status, version and exactly one dispatch_assign
/// event, read over HTTP.
async function assertAssignedOnce(ids) {
  for (const id of ids) {
    const issue = await people.office.get(`/api/v1/issues/${id}`);
    assert.equal(issue.status, 200, issue.text);
    assert.equal(issue.body.status, 'assigned', `issue ${id}`);
    assert.equal(issue.body.version, 3, `issue ${id}: reported, confirmed, assigned — nothing more`);
    const events = await people.office.get(`/api/v1/issues/${id}/events`);
    assert.equal(events.status, 200, events.text);
    const assigns = events.body.items.filter((e) => e.action === 'dispatch_assign');
    assert.equal(assigns.length, 1, `issue ${id}: ${JSON.stringify(events.body.items.map((e) => e.action))}`);
  }
}

describe('three replicas, their schedulers and the office all run the same day at once', () => {
  test('one run row; every confirmed issue assigned exactly once; every answer 200/201 with the same run', { timeout: 180_000 }, async (t) => {
    const ids = await confirmedIssues(ISSUES, '多副本调度测试');
    // Hold the run's transaction open for a moment (after its assignments, see slowDispatch),
    // so that the other replicas' schedulers and the office's requests arrive while it is in
    // progress: they must wait for it and answer its run, not run again.
    await slowDispatch(HOLD_SECONDS);
    await awayFromMidnight();
    const today = districtDay();
    const token = people.office.token;
    const replicas = [];
    const answers = [];
    const post = async (replica) => {
      const client = new Client(replica.baseUrl, token);
      const r = await client.post('/api/v1/dispatches', { date: today }, { timeoutMs: 30_000 });
      answers.push({ port: replica.port, status: r.status, text: r.text, body: r.body, ms: r.ms });
    };
    try {
      // The replicas start together; each fires its scheduler on start (dispatch time 00:00,
      // a check every second), and the office hammers each one as soon as it listens.
      await Promise.all(Array.from({ length: REPLICAS }, async () => {
        const replica = await startServerOn(db, {
          waitReady: false,
          extraEnv: { LANTIAN_SCHEDULER: 'true', LANTIAN_DISPATCH_TIME: '00:00', LANTIAN_SCHEDULER_CHECK_SECONDS: '1' },
        });
        replicas.push(replica);
        await Promise.all(Array.from({ length: POSTS_PER_REPLICA }, () => post(replica)));
      }));
      // A second round on all of them at once, while their schedulers keep checking.
      await Promise.all(replicas.flatMap((replica) => Array.from({ length: POSTS_PER_REPLICA }, () => post(replica))));
      // Let every scheduler tick a few more times (it checks each second).
      await sleep(2_500);
      await fastDispatch();
      for (const replica of replicas) assert.ok(replica.running, `replica on port ${replica.port} died\n${replica.output()}`);

      assert.equal(answers.length, REPLICAS * POSTS_PER_REPLICA * 2);
      const statuses = answers.map((a) => a.status);
      assert.ok(statuses.every((s) => s === 200 || s === 201), `statuses: ${JSON.stringify(statuses)}\n${answers.find((a) => a.status >= 300)?.text}`);
      const bodies = new Set(answers.map((a) => a.text));
      assert.equal(bodies.size, 1, 'every answer is the same run, byte for byte');
      const run = answers[0].body;
      assert.equal(run.date, today);
      assert.deepEqual(run.assigned, ids, 'the run assigned every confirmed issue');
      assert.equal(run.assigned_count, ISSUES);

      // Exactly one of all those triggers made the run: a 201 or a scheduler's "dispatch ran".
      const waited = answers.filter((a) => a.ms >= HOLD_SECONDS * 500).length;
      assert.ok(waited > 0, `no request arrived while the run was in progress (${answers.map((a) => Math.round(a.ms)).join(',')} ms)`);
      t.diagnostic(`${waited} of ${answers.length} requests waited for the run in progress`);
      const created = statuses.filter((s) => s === 201).length;
      const ranLogs = replicas.flatMap((r) => r.findLogs({ msg: 'dispatch ran', day: today }));
      assert.equal(created + ranLogs.length, 1,
        `one run: ${created} answers 201, ${ranLogs.length} scheduler runs ${JSON.stringify(ranLogs)}`);
      t.diagnostic(created ? 'a POST made the run' : 'a scheduler made the run');
      const failures = replicas.flatMap((r) => r.findLogs({ msg: 'dispatch check failed' }));
      assert.deepEqual(failures, [], 'no scheduler tick failed');
      const errors = replicas.flatMap((r) => r.logs.filter((l) => l.level === 'error'));
      assert.deepEqual(errors, [], 'no replica logged an error');

      assert.equal(await countSql('select count(*) from dispatch_runs'), 1, 'one run row');
      assert.equal(await db.sql('select day::text from dispatch_runs'), today);
      const list = await people.office.get('/api/v1/dispatches');
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(list.body.items.map((x) => x.date), [today]);

      await assertAssignedOnce(ids);
      assert.deepEqual(await statusesOf(ids), { assigned: ISSUES });
      assert.equal(await countSql('select count(*) from issue_assignments'), ISSUES, 'one assignment row per issue');
      assert.equal(await countSql(`select count(*) from issue_events where action = 'dispatch_assign'`), ISSUES);
      assert.equal(await countSql(`select count(distinct request_id) from issue_events where action = 'dispatch_assign'`), 1,
        'all assigned by one transaction');
    } finally {
      await fastDispatch();
      const results = await Promise.all(replicas.map((r) => r.stop()));
      for (const [n, result] of results.entries()) {
        assert.ok(!result.forced && result.code === 0,
          `replica ${n} did not exit cleanly after SIGTERM (${JSON.stringify(result)})\n${replicas[n].output()}`);
      }
    }
  });
});

describe('a dispatch killed with SIGKILL in the middle of its run', () => {
  test('leaves the day absent, never partial, and a rerun completes it', { timeout: 180_000 }, async () => {
    const ids = await confirmedIssues(60, '中断调度测试');
    // Yesterday: a day that has begun (a missed day being caught up) and that nothing ran yet.
    const day = addDays(districtDay(), -1);
    // Slow the run down inside its transaction (dropped below whatever happens).
    await slowDispatch(SLOW_SECONDS);
    let child;
    let exited;
    try {
      child = spawn(env.bin, ['dispatch', '--date', day], {
        env: { ...process.env, ...FAST_HASH_ENV, ...db.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d) => { output += d; });
      child.stderr.on('data', (d) => { output += d; });
      exited = once(child, 'exit');

      // Its transaction is open and has written (the run row, the assignments), and it sleeps.
      const backend = await waitUntil(async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`lantian dispatch ended before it was killed:\n${output}`);
        }
        return db.sql(`select pid from pg_stat_activity
                       where datname = current_database() and state = 'active'
                         and wait_event = 'PgSleep' and backend_xid is not null`);
      }, { timeoutMs: 30_000, everyMs: 50, what: 'the dispatch transaction to be open and asleep' });
      assert.equal(await countSql(`select count(*) from dispatch_runs where day = '${day}'`), 0,
        'nothing of it is visible outside its transaction');

      child.kill('SIGKILL');
      const [code, signal] = await Promise.race([exited, sleep(10_000).then(() => [null, 'timeout'])]);
      assert.equal(signal, 'SIGKILL', `exit ${code} ${signal}:\n${output}`);

      // The server ends the orphaned transaction once the statement returns to a dead client.
      await waitUntil(async () => (await db.sql(`select count(*) from pg_stat_activity where pid = ${Number(backend)}`)) === '0',
        { timeoutMs: SLOW_SECONDS * 1000 + 30_000, what: `backend ${backend} to go away` });
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await Promise.race([exited, sleep(5_000)]);
      }
      await fastDispatch();
    }

    // Complete or absent, never partial; killed before COMMIT, so absent.
    const runs = await countSql(`select count(*) from dispatch_runs where day = '${day}'`);
    const statuses = await statusesOf(ids);
    const assignRows = await countSql(`select count(*) from issue_assignments where issue_id = any('{${ids.join(',')}}'::bigint[])`);
    const assignEvents = await countSql(`select count(*) from issue_events where action = 'dispatch_assign' and issue_id = any('{${ids.join(',')}}'::bigint[])`);
    const state = JSON.stringify({ runs, statuses, assignRows, assignEvents });
    const complete = runs === 1 && statuses.assigned === ids.length && assignRows === ids.length && assignEvents === ids.length;
    const absent = runs === 0 && statuses.confirmed === ids.length && assignRows === 0 && assignEvents === 0;
    assert.ok(complete || absent, `partial day: ${state}`);
    assert.ok(absent, `killed before COMMIT, yet the day is not absent: ${state}`);
    assert.equal(await countSql(`select count(*) from escalations where dispatch_day = '${day}'`), 0);

    const out = await db.run(['dispatch', '--date', day]);
    assert.match(out, new RegExp(`^ran the dispatch for ${day}: ${ids.length} assigned, 0 escalations$`, 'm'));
    const got = await people.office.get(`/api/v1/dispatches/${day}`);
    assert.equal(got.status, 200, got.text);
    assert.deepEqual(got.body.assigned, ids);
    await assertAssignedOnce(ids);
    assert.equal(await countSql(`select count(*) from dispatch_runs where day = '${day}'`), 1);

    const again = await db.run(['dispatch', '--date', day]);
    assert.match(again, new RegExp(`^already ran the dispatch for ${day}: ${ids.length} assigned, 0 escalations$`, 'm'));
    await assertAssignedOnce(ids);
  });
});
