// The daily dispatch (每日调度) over real HTTP, as the environmental office uses it: the office
// runs the day, which assigns every confirmed issue by the routing rules with its deadline and
// freezes the bulletin; running it again changes nothing; handlers see their unit's part; the
// office publishes; leaders read. A later day's run (the clock moved forward with
// `lantian dispatch --now`) raises the escalations that came due, each once. Pollution alerts
// tighten deadlines.
//
// The dispatch acts on the whole ledger, so this file has a database of its own
// (support/dispatch.mjs) and a server without a scheduler: every run here is one the test made.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { Client } from './support/client.mjs';
import {
  DAY_MS, addDays, awayFromMidnight, confirmedIssue, districtDay, freshDatabase, signInDispatchPeople,
  siteOf, startServerOn,
} from './support/dispatch.mjs';
import { HOUR, shanghai } from './support/ledger.mjs';

const run = `${process.pid}-${Date.now().toString(36)}`;
let db;
let server;
let people;
let units;
let today;
const api = new Client(() => server.baseUrl);

// The issues of the day, each with the routing and deadline the demo defaults give it.
const cases = {};
let reportedOnly;   // reported, never confirmed: the dispatch leaves it alone
let first;          // the 201 answer of the day's run

before(async () => {
  await awayFromMidnight();
  today = districtDay();
  db = await freshDatabase('dispatch');
  server = await startServerOn(db);
  ({ people, units } = await signInDispatchPeople(db, api));
  const jiaoxi = units['JF-SD-JIAOXI'].id;
  const site = {};
  for (const kind of ['restaurant', 'construction_site', 'bare_soil', 'industrial_enterprise', 'back_alley']) {
    site[kind] = await siteOf(people.office, kind, jiaoxi);
  }
  const u = (code) => units[code].id;
  const plan = {
    // restaurants → 城管 with the subdistrict
    fume: { kind: 'restaurant', category: 'fume_direct_emission', severity: 2, lead: u('JF-DEPT-CHENGGUAN'), co: [jiaoxi], hours: 72 },
    // construction sites → 住建 with the subdistrict
    dust: { kind: 'construction_site', category: 'no_dust_suppression', severity: 3, lead: u('JF-DEPT-ZHUJIAN'), co: [jiaoxi], hours: 24 },
    // bare soil → the subdistrict with 住建
    soil: { kind: 'bare_soil', category: 'dust_uncovered', severity: 1, lead: jiaoxi, co: [u('JF-DEPT-ZHUJIAN')], hours: 168 },
    // industrial enterprises → 生态环境分局 with 工信 and the subdistrict
    factory: { kind: 'industrial_enterprise', category: 'emission_exceeded', severity: 2, lead: u('JF-DEPT-SHENGTAI'), co: [jiaoxi, u('JF-DEPT-GONGXIN')], hours: 72 },
    // a category rule beats a kind rule: refuse at a restaurant → 环卫 with the subdistrict
    garbage: { kind: 'restaurant', category: 'garbage_accumulation', severity: 1, lead: u('JF-DEPT-HUANWEI'), co: [jiaoxi], hours: 168 },
    // no rule covers a back alley: its subdistrict (属地), alone
    alley: { kind: 'back_alley', category: 'other', severity: 1, lead: jiaoxi, co: [], hours: 168 },
  };
  for (const [name, p] of Object.entries(plan)) {
    const issue = await confirmedIssue(people.office, {
      siteId: site[p.kind].id, category: p.category, severity: p.severity, description: `调度测试 ${name} ${run}`,
    });
    cases[name] = { ...p, co: [...p.co].sort((a, b) => a - b), id: issue.id };
  }
  const r = await people.office.post('/api/v1/issues', {
    client_id: crypto.randomUUID(), site_id: site.restaurant.id, category: 'other', severity: 1,
    description: `未确认的问题 ${run}`, source: 'hotline',
  });
  assert.equal(r.status, 201, r.text);
  reportedOnly = r.body;
}, { timeout: 180_000 });

after(async () => {
  try {
    if (server) {
      const result = await server.stop();
      if (result.forced || result.code !== 0) {
        throw new Error(`lantian did not exit cleanly after SIGTERM (${JSON.stringify(result)})\n${server.output()}`);
      }
    }
  } finally {
    await db?.drop();
  }
});

async function getIssue(id) {
  const r = await people.office.get(`/api/v1/issues/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

async function eventsOf(id) {
  const r = await people.office.get(`/api/v1/issues/${id}/events`);
  assert.equal(r.status, 200, r.text);
  return r.body.items;
}

const ids = () => Object.values(cases).map((c) => c.id).sort((a, b) => a - b);
const hoursBetween = (a, b) => (Date.parse(b) - Date.parse(a)) / HOUR;

async function runCount() {
  return Number(await db.sql('select count(*) from dispatch_runs'));
}

describe('the day\'s dispatch', () => {
  const requestId = `e2e-dispatch-${run}`;

  test('the office runs the day: 201 with every confirmed issue assigned by the routing defaults, with its deadline', async () => {
    const started = Date.now();
    const r = await people.office.post('/api/v1/dispatches', { date: today }, { headers: { 'x-request-id': requestId } });
    assert.equal(r.status, 201, r.text);
    first = r;
    assert.equal(r.headers.get('location'), `/api/v1/dispatches/${today}`);
    assert.equal(r.body.date, today);
    assert.deepEqual(r.body.assigned, ids(), 'exactly the confirmed issues, ascending');
    assert.equal(r.body.assigned_count, ids().length);
    assert.equal(r.body.escalation_count, 0, 'nothing was overdue');
    assert.equal(r.body.published_at, null);
    assert.equal(r.body.published_by, null);
    const runAt = Date.parse(r.body.run_at);
    assert.ok(runAt >= started - 5_000 && runAt <= Date.now() + 5_000, `run_at ${r.body.run_at} is now`);
    assert.match(r.body.run_at, /\+08:00$/);

    for (const [name, c] of Object.entries(cases)) {
      const issue = await getIssue(c.id);
      assert.equal(issue.status, 'assigned', name);
      assert.equal(issue.lead_unit_id, c.lead, `${name}: lead unit`);
      assert.deepEqual(issue.co_unit_ids, c.co, `${name}: co-units`);
      assert.equal(Date.parse(issue.assigned_at), runAt, `${name}: assigned at the run's time`);
      assert.equal(hoursBetween(issue.assigned_at, issue.due_at), c.hours, `${name}: deadline`);
      assert.equal(issue.version, 3, `${name}: reported, confirmed, assigned`);
      const events = await eventsOf(c.id);
      const assigns = events.filter((e) => e.action === 'dispatch_assign');
      assert.equal(assigns.length, 1, `${name}: one dispatch_assign event`);
      const [e] = assigns;
      assert.equal(e.actor_id, null);
      assert.equal(e.actor_role, 'system');
      assert.equal(e.request_id, requestId, 'the event names the request that ran the dispatch');
      assert.equal(e.before.status, 'confirmed');
      assert.equal(e.after.status, 'assigned');
      assert.equal(e.after.lead_unit_id, c.lead);
    }
    const untouched = await getIssue(reportedOnly.id);
    assert.equal(untouched.status, 'reported', 'a reported issue waits for the office');
    assert.equal(untouched.version, 1);
  });

  test('the bulletin counts per unit at run time: the issues\' lead units, the territory before assignment', async () => {
    const b = first.body.bulletin;
    assert.equal(b.day, today);
    assert.equal(Date.parse(b.period.from), Date.parse(`${addDays(today, -1)}T00:00:00+08:00`));
    assert.equal(Date.parse(b.period.to), Date.parse(`${today}T00:00:00+08:00`));
    assert.equal(Date.parse(b.rate_window.from), Date.parse(`${addDays(today, -30)}T00:00:00+08:00`));
    const expectedUnits = Object.values(units).filter((u) => ['subdistrict', 'park', 'department'].includes(u.kind));
    assert.deepEqual(b.units.map((x) => x.unit_id).sort((x, y) => x - y), expectedUnits.map((u) => u.id).sort((x, y) => x - y),
      'every subdistrict, park and department, once');
    const open = {};
    for (const c of Object.values(cases)) open[c.lead] = (open[c.lead] ?? 0) + 1;
    const jiaoxi = units['JF-SD-JIAOXI'].id;
    open[jiaoxi] = (open[jiaoxi] ?? 0) + 1; // the unconfirmed one counts for its territory
    for (const row of b.units) {
      assert.equal(row.open, open[row.unit_id] ?? 0, `open issues of ${row.unit_name}`);
      assert.equal(row.new, 0, 'nothing was received the day before (a fresh database)');
      assert.equal(row.overdue, 0);
      assert.equal(row.on_time_rate, null, 'nothing fell due: no rate');
    }
    assert.equal(b.totals.open, ids().length + 1);
    assert.deepEqual(b.overdue, []);
    assert.equal(b.ranking.length, Object.values(units).filter((u) => ['subdistrict', 'park'].includes(u.kind)).length,
      'the ranking is of subdistricts and parks');
  });

  test('running the day again (another replica, a retry, the default date) is 200 with the same run, and nothing changes', async () => {
    const versions = await Promise.all(ids().map(async (id) => (await getIssue(id)).version));
    const again = await people.office.post('/api/v1/dispatches', { date: today });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.text, first.text, 'the same run, byte for byte');
    assert.equal(again.headers.get('location'), `/api/v1/dispatches/${today}`);
    const byDefault = await people.office.post('/api/v1/dispatches', {});
    assert.equal(byDefault.status, 200, `no date means today (${today}): ${byDefault.text}`);
    assert.equal(byDefault.text, first.text);
    const concurrent = await Promise.all([1, 2, 3].map(() => people.office.post('/api/v1/dispatches', { date: today })));
    for (const c of concurrent) {
      assert.equal(c.status, 200, c.text);
      assert.equal(c.text, first.text);
    }
    assert.deepEqual(await Promise.all(ids().map(async (id) => (await getIssue(id)).version)), versions,
      'no issue changed');
    for (const id of ids()) {
      assert.equal((await eventsOf(id)).filter((e) => e.action === 'dispatch_assign').length, 1);
    }
    assert.equal(await runCount(), 1);
    const got = await people.office.get(`/api/v1/dispatches/${today}`);
    assert.equal(got.status, 200);
    assert.equal(got.text, first.text, 'GET answers the run as it was made');
  });

  test('the bulletin is frozen: a later issue does not change it', async () => {
    const site = await siteOf(people.office, 'restaurant', units['JF-SD-JIAOXI'].id);
    const later = await confirmedIssue(people.office, { siteId: site.id, category: 'purifier_not_running', description: `晚到的问题 ${run}` });
    cases.late = { lead: units['JF-DEPT-CHENGGUAN'].id, co: [units['JF-SD-JIAOXI'].id], hours: 168, id: later.id, arrivedLate: true };
    const got = await people.office.get(`/api/v1/dispatches/${today}`);
    assert.deepEqual(got.body.bulletin, first.body.bulletin);
    assert.equal(got.body.assigned.includes(later.id), false);
    assert.equal((await getIssue(later.id)).status, 'confirmed', 'it waits for the next run');
  });

  test('a handler sees only their own unit\'s part of the run: its row of the bulletin, its assigned issues', async () => {
    const jiaoxi = units['JF-SD-JIAOXI'].id;
    const chengguan = units['JF-DEPT-CHENGGUAN'].id;
    const office = first.body.bulletin.units;
    for (const [client, unitId] of [[people.handler, jiaoxi], [people.chengguan, chengguan]]) {
      const r = await client.get(`/api/v1/dispatches/${today}`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.bulletin.units, office.filter((x) => x.unit_id === unitId),
        `${client.user.display_name}: their unit's row only`);
      const theirs = Object.values(cases).filter((c) => !c.arrivedLate && (c.lead === unitId || c.co.includes(unitId)))
        .map((c) => c.id).sort((a, b) => a - b);
      assert.ok(theirs.length > 0);
      assert.deepEqual(r.body.assigned, theirs, 'the issues their unit leads or helps with');
      for (const o of r.body.bulletin.overdue) assert.equal(o.lead_unit_id, unitId);
      const list = await client.get(`/api/v1/dispatches?from=${today}&to=${today}`);
      assert.equal(list.status, 200, list.text);
      assert.equal(list.body.items.length, 1);
      assert.deepEqual(list.body.items[0].bulletin.units, r.body.bulletin.units);
    }
  });

  test('bad dates are refused: 422 naming date, 404 for a day that is not one, 400 for a bad filter', async () => {
    const bad = await people.office.post('/api/v1/dispatches', { date: '2026-02-30' });
    assert.equal(bad.status, 422, bad.text);
    assert.equal(bad.body.code, 'validation_failed');
    assert.deepEqual(bad.body.errors.map((e) => e.field), ['date']);
    const ahead = await people.office.post('/api/v1/dispatches', { date: addDays(today, 1) });
    assert.equal(ahead.status, 422, ahead.text);
    assert.equal(ahead.body.code, 'day_not_started', 'a day that has not begun cannot be run');
    assert.deepEqual(ahead.body.errors.map((e) => e.field), ['date']);
    await assert.rejects(db.run(['dispatch', '--date', addDays(today, 1)]), /cannot run before that day has begun/,
      'nor from the command line');
    const unknown = await people.office.post('/api/v1/dispatches', { date: today, force: true });
    assert.equal(unknown.status, 400, unknown.text);
    assert.equal(unknown.body.code, 'unknown_field');
    assert.equal((await people.office.get('/api/v1/dispatches/2026-02-30')).status, 404);
    assert.equal((await people.office.get('/api/v1/dispatches/yesterday')).status, 404);
    assert.equal((await people.office.get(`/api/v1/dispatches/${addDays(today, -400)}`)).status, 404, 'a day that never ran');
    const filter = await people.office.get('/api/v1/dispatches?from=27.11.2026');
    assert.equal(filter.status, 400, filter.text);
    assert.ok(filter.body.errors.some((e) => e.field === 'from'));
    assert.equal(await runCount(), 1, 'no refused request ran anything');
  });

  test('a day of year 0000 is refused like any other impossible day, not a 500', async () => {
    assert.equal((await people.office.get('/api/v1/dispatches/0000-01-01')).status, 404);
    assert.equal((await people.office.get('/api/v1/dispatches?from=0000-01-01')).status, 400);
    assert.equal((await people.office.post('/api/v1/dispatches', { date: '0000-01-01' })).status, 422);
  });
});

describe('publishing and reading', () => {
  test('only the office publishes; publishing sets published_at once, a second publish keeps it', async () => {
    for (const who of ['handler', 'supervisor', 'leader', 'inspector']) {
      const r = await people[who].post(`/api/v1/dispatches/${today}/publish`);
      assert.equal(r.status, 403, `${who}: ${r.text}`);
    }
    assert.equal((await people.office.get(`/api/v1/dispatches/${today}`)).body.published_at, null);
    const before = Date.now();
    const p = await people.office.post(`/api/v1/dispatches/${today}/publish`);
    assert.equal(p.status, 200, p.text);
    assert.ok(p.body.published_at, 'published_at is set');
    assert.ok(Date.parse(p.body.published_at) >= before - 5_000 && Date.parse(p.body.published_at) <= Date.now() + 5_000);
    assert.equal(p.body.published_by, people.office.user.id);
    assert.deepEqual(p.body.bulletin, first.body.bulletin, 'publishing does not recompute the bulletin');
    const again = await people.office.post(`/api/v1/dispatches/${today}/publish`);
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.published_at, p.body.published_at, 'the first publication stays');
    assert.equal(again.body.published_by, people.office.user.id);
    const seen = await people.handler.get(`/api/v1/dispatches/${today}`);
    assert.equal(seen.body.published_at, p.body.published_at);
    const never = await people.office.post(`/api/v1/dispatches/${addDays(today, -400)}/publish`);
    assert.equal(never.status, 404, never.text);
  });

  test('a leader reads the dispatch, the escalations and the alerts, but may not run or publish (403)', async () => {
    const leader = people.leader;
    const got = await leader.get(`/api/v1/dispatches/${today}`);
    assert.equal(got.status, 200, got.text);
    assert.deepEqual(got.body.bulletin.units, first.body.bulletin.units, 'the whole bulletin');
    assert.equal((await leader.get('/api/v1/dispatches')).status, 200);
    assert.equal((await leader.get('/api/v1/escalations')).status, 200);
    assert.equal((await leader.get('/api/v1/pollution-alerts')).status, 200);
    assert.equal((await leader.get('/api/v1/rules/routing')).status, 200);
    for (const date of [today, addDays(today, 1)]) {
      const r = await leader.post('/api/v1/dispatches', { date });
      assert.equal(r.status, 403, r.text);
      assert.equal(r.body.code, 'forbidden');
    }
    for (const who of ['handler', 'supervisor', 'inspector']) {
      assert.equal((await people[who].post('/api/v1/dispatches', { date: addDays(today, 1) })).status, 403, who);
    }
    assert.equal((await people.inspector.get(`/api/v1/dispatches/${today}`)).status, 403, 'inspectors do not read bulletins');
    assert.equal(await runCount(), 1, 'nobody but the office ran anything');
  });
});

describe('escalations', () => {
  const laterDay = () => addDays(today, 9);
  const laterNow = () => `${laterDay()}T12:00:00+08:00`;
  const expected = [];  // {issue_id, unit_id, level, reason}
  let laterRun;

  test('a later day\'s run raises the escalations that came due: 督办 when overdue, 约谈 after 3 days, 问责 after 7', async () => {
    const out = await db.run(['dispatch', '--date', laterDay(), '--now', laterNow()]);
    const m = /^ran the dispatch for (\S+): (\d+) assigned, (\d+) escalations$/m.exec(out);
    assert.ok(m, `unexpected output: ${out}`);
    assert.equal(m[1], laterDay());
    assert.equal(Number(m[2]), 1, 'the issue confirmed after the first run');

    const now = Date.parse(laterNow());
    const reasons = { 1: '超期未整改', 2: '超期超过3天', 3: '超期超过7天' };
    for (const c of Object.values(cases)) {
      if (c.arrivedLate) continue;
      const issue = await getIssue(c.id);
      const late = now - Date.parse(issue.due_at);
      const levels = [late > 0 && 1, late > 3 * DAY_MS && 2, late > 7 * DAY_MS && 3].filter(Boolean);
      c.levels = levels;
      for (const level of levels) expected.push({ issue_id: c.id, unit_id: c.lead, level, reason: reasons[level] });
      assert.equal(issue.escalation_level, levels.length ? Math.max(...levels) : 0);
      assert.equal(issue.overdue, false, 'overdue is as of the real clock, which has not moved');
      const escalate = (await eventsOf(c.id)).filter((e) => e.action === 'escalate');
      assert.equal(escalate.length, levels.length ? 1 : 0, 'one escalate event when the level rose');
      if (levels.length) {
        assert.equal(escalate[0].actor_role, 'system');
        assert.equal(escalate[0].after.escalation_level, Math.max(...levels));
      }
    }
    assert.equal(Number(m[3]), expected.length);
    const maxLevels = Object.values(cases).filter((c) => c.levels).map((c) => Math.max(0, ...c.levels));
    for (const level of [1, 2, 3]) {
      assert.ok(maxLevels.includes(level), `some issue stops at level ${level} (deadlines of 7 d, 3 d, 1 d after 9 days)`);
    }
    const late = await getIssue(cases.late.id);
    assert.equal(late.status, 'assigned');
    assert.equal(Date.parse(late.assigned_at), now, 'assigned at the injected clock');
    assert.equal(hoursBetween(late.assigned_at, late.due_at), cases.late.hours);
    assert.equal(late.escalation_level, 0, 'just assigned: not overdue');

    const got = await people.office.get(`/api/v1/dispatches/${laterDay()}`);
    assert.equal(got.status, 200, got.text);
    laterRun = got.body;
    assert.equal(laterRun.escalation_count, expected.length);
    assert.deepEqual(laterRun.assigned, [cases.late.id]);
    assert.equal(Date.parse(laterRun.run_at), now);
  });

  test('GET /escalations lists each once, addressed to the lead unit, and filters by level, unit and issue', async () => {
    const key = (e) => `${e.issue_id}/${e.level}`;
    const all = (await people.office.walk('/api/v1/escalations', { limit: 2 })).flat();
    assert.deepEqual(all.map(key).sort(), expected.map(key).sort(), 'every due escalation, once');
    assert.deepEqual(all.map((e) => e.id), [...all.map((e) => e.id)].sort((a, b) => a - b), 'oldest first');
    const byKey = new Map(expected.map((e) => [key(e), e]));
    for (const e of all) {
      const want = byKey.get(key(e));
      assert.equal(e.unit_id, want.unit_id, 'addressed to the lead unit');
      assert.equal(e.reason, want.reason);
      assert.equal(e.level_label, { 1: '督办', 2: '约谈', 3: '问责' }[e.level]);
      assert.equal(Date.parse(e.raised_at), Date.parse(laterNow()));
      assert.equal(e.dispatch_date, laterDay());
    }

    const level3 = await people.office.get('/api/v1/escalations?level=3&limit=200');
    assert.equal(level3.status, 200, level3.text);
    assert.deepEqual(level3.body.items.map(key).sort(), expected.filter((e) => e.level === 3).map(key).sort());

    const chengguan = units['JF-DEPT-CHENGGUAN'].id;
    const cg = await people.office.get(`/api/v1/escalations?unit_id=${chengguan}&limit=200`);
    assert.equal(cg.status, 200, cg.text);
    assert.ok(cg.body.items.length > 0, '城管 has escalations');
    assert.deepEqual(cg.body.items.map(key).sort(), expected.filter((e) => e.unit_id === chengguan).map(key).sort());

    const jiaoxi = units['JF-SD-JIAOXI'].id;
    const both = await people.office.get(`/api/v1/escalations?unit_id=${jiaoxi}&level=1&limit=200`);
    assert.deepEqual(both.body.items.map(key).sort(),
      expected.filter((e) => e.unit_id === jiaoxi && e.level === 1).map(key).sort());

    const one = expected.find((e) => e.level === 3).issue_id;
    const perIssue = await people.office.get(`/api/v1/escalations?issue_id=${one}`);
    assert.deepEqual(perIssue.body.items.map((e) => e.level), [1, 2, 3], 'the whole ladder of one issue');

    const window = await people.office.get(`/api/v1/escalations?from=${laterDay()}&to=${addDays(laterDay(), 1)}&limit=200`);
    assert.equal(window.body.items.length, expected.length, 'raised on the later day');
    const before = await people.office.get(`/api/v1/escalations?to=${laterDay()}`);
    assert.deepEqual(before.body.items, [], 'nothing raised before it');

    const bad = await people.office.get('/api/v1/escalations?level=4');
    assert.equal(bad.status, 400, bad.text);
    assert.ok(bad.body.errors.some((e) => e.field === 'level'));
  });

  test('a handler reads only their own unit\'s escalations', async () => {
    const jiaoxi = units['JF-SD-JIAOXI'].id;
    const mine = await people.handler.get('/api/v1/escalations?limit=200');
    assert.equal(mine.status, 200, mine.text);
    assert.ok(mine.body.items.length > 0);
    assert.ok(mine.body.items.every((e) => e.unit_id === jiaoxi), JSON.stringify(mine.body.items));
    assert.equal(mine.body.items.length, expected.filter((e) => e.unit_id === jiaoxi).length);
    const other = await people.handler.get(`/api/v1/escalations?unit_id=${units['JF-DEPT-CHENGGUAN'].id}`);
    assert.equal(other.status, 200);
    assert.deepEqual(other.body.items, [], 'another unit\'s: nothing');
    const b = await people.handler.get(`/api/v1/dispatches/${laterDay()}`);
    assert.ok(b.body.bulletin.overdue.length > 0);
    assert.ok(b.body.bulletin.overdue.every((o) => o.lead_unit_id === jiaoxi));
  });

  test('the later bulletin lists the overdue issues with their units and days late', async () => {
    const overdue = laterRun.bulletin.overdue;
    const lateCases = Object.values(cases).filter((c) => c.levels?.length);
    assert.deepEqual(overdue.map((o) => o.issue_id).sort((a, b) => a - b), lateCases.map((c) => c.id).sort((a, b) => a - b));
    for (const o of overdue) {
      const c = lateCases.find((x) => x.id === o.issue_id);
      assert.equal(o.lead_unit_id, c.lead);
      assert.equal(o.escalation_level, Math.max(...c.levels));
      assert.equal(o.days_late, Math.floor((Date.parse(laterNow()) - Date.parse(o.due_at)) / DAY_MS));
    }
    assert.deepEqual(overdue.map((o) => o.days_late), [...overdue.map((o) => o.days_late)].sort((a, b) => b - a),
      'most days late first');
    for (const row of laterRun.bulletin.units) {
      assert.equal(row.overdue, lateCases.filter((c) => c.lead === row.unit_id).length, `overdue of ${row.unit_name}`);
    }
    const list = await people.office.get(`/api/v1/dispatches?from=${today}&to=${laterDay()}`);
    assert.deepEqual(list.body.items.map((x) => x.date), [laterDay(), today], 'newest first');
  });

  test('running the later day again changes nothing: each escalation is raised once', async () => {
    const out = await db.run(['dispatch', '--date', laterDay(), '--now', `${laterDay()}T23:00:00+08:00`]);
    assert.match(out, new RegExp(`^already ran the dispatch for ${laterDay()}: 1 assigned, ${expected.length} escalations$`, 'm'));
    const all = (await people.office.walk('/api/v1/escalations', { limit: 200 })).flat();
    assert.equal(all.length, expected.length);
    assert.equal(Number(await db.sql('select count(*) from escalations')), expected.length);
  });
});

describe('routing rules', () => {
  let original;
  before(async () => {
    const r = await people.handler.get('/api/v1/rules/routing');
    assert.equal(r.status, 200, r.text);
    original = r.body.rules;
  });

  test('everyone reads the district defaults; only the office and the administrator replace them', async () => {
    const chengguan = units['JF-DEPT-CHENGGUAN'].id;
    const restaurant = original.find((x) => x.site_kind === 'restaurant' && x.category === null);
    assert.deepEqual(restaurant, { site_kind: 'restaurant', category: null, lead_unit_id: chengguan, co_unit_ids: [], co_subdistrict: true });
    assert.equal(original.some((x) => x.site_kind === 'back_alley'), false, 'no rule for back alleys');
    for (const who of ['handler', 'leader', 'supervisor', 'inspector']) {
      const r = await people[who].request('PUT', '/api/v1/rules/routing', { json: { rules: original } });
      assert.equal(r.status, 403, who);
    }
  });

  test('an edited rule routes the next dispatch; bad rules are 422 and change nothing', async () => {
    const huanwei = units['JF-DEPT-HUANWEI'].id;
    const jiaoxi = units['JF-SD-JIAOXI'].id;
    const rules = [...original, { site_kind: 'back_alley', lead_unit_id: huanwei, co_subdistrict: true }];
    try {
      for (const bad of [
        [...original, { site_kind: 'back_alley', lead_unit_id: 99_999_999 }],
        [...original, { site_kind: 'spaceport' }],
        [...original, { site_kind: 'restaurant' }],
      ]) {
        const r = await people.office.request('PUT', '/api/v1/rules/routing', { json: { rules: bad } });
        assert.equal(r.status, 422, r.text);
        assert.equal(r.body.code, 'validation_failed');
      }
      assert.deepEqual((await people.office.get('/api/v1/rules/routing')).body.rules, original);

      const put = await people.office.request('PUT', '/api/v1/rules/routing', { json: { rules } });
      assert.equal(put.status, 200, put.text);
      assert.deepEqual(put.body.rules.find((x) => x.site_kind === 'back_alley'),
        { site_kind: 'back_alley', category: null, lead_unit_id: huanwei, co_unit_ids: [], co_subdistrict: true });
      assert.deepEqual((await people.handler.get('/api/v1/rules/routing')).body, put.body);

      const site = await siteOf(people.office, 'back_alley', jiaoxi);
      const issue = await confirmedIssue(people.office, { siteId: site.id, category: 'other', description: `背街小巷 ${run}` });
      const day = addDays(today, 1);
      const out = await db.run(['dispatch', '--date', day, '--now', `${day}T00:30:00+08:00`]);
      assert.match(out, new RegExp(`^ran the dispatch for ${day}: 1 assigned, \\d+ escalations$`, 'm'));
      const got = await getIssue(issue.id);
      assert.equal(got.lead_unit_id, huanwei, 'the edited rule');
      assert.deepEqual(got.co_unit_ids, [jiaoxi]);
      assert.equal((await getIssue(cases.alley.id)).lead_unit_id, jiaoxi, 'an assignment already made stays');
    } finally {
      const restore = await people.office.request('PUT', '/api/v1/rules/routing', { json: { rules: original } });
      assert.equal(restore.status, 200, restore.text);
    }
  });
});

describe('pollution alerts', () => {
  let alert;

  test('the office declares a red alert (201); others may not; a period that ends before it starts is 422', async () => {
    const body = { level: 'red', starts_at: shanghai(Date.now() - HOUR), ends_at: shanghai(Date.now() + 3 * DAY_MS) };
    for (const who of ['handler', 'leader', 'supervisor']) {
      const r = await people[who].post('/api/v1/pollution-alerts', body);
      assert.equal(r.status, 403, `${who}: ${r.text}`);
    }
    const backwards = await people.office.post('/api/v1/pollution-alerts', { ...body, ends_at: body.starts_at, starts_at: body.ends_at });
    assert.equal(backwards.status, 422, backwards.text);
    assert.deepEqual(backwards.body.errors.map((e) => e.field), ['ends_at']);
    const colour = await people.office.post('/api/v1/pollution-alerts', { ...body, level: 'purple' });
    assert.equal(colour.status, 422, colour.text);
    assert.deepEqual(colour.body.errors.map((e) => e.field), ['level']);

    const r = await people.office.post('/api/v1/pollution-alerts', body);
    assert.equal(r.status, 201, r.text);
    alert = r.body;
    assert.equal(r.headers.get('location'), null, 'no Location: alerts are read as a list');
    assert.equal(alert.level, 'red');
    assert.equal(alert.level_label, '红色预警');
    assert.equal(Date.parse(alert.starts_at), Date.parse(body.starts_at));
    assert.equal(Date.parse(alert.ends_at), Date.parse(body.ends_at));
    assert.equal(alert.created_by, people.office.user.id);

    const list = await people.handler.get('/api/v1/pollution-alerts');
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.body.items.find((a) => a.id === alert.id), alert);
    const after = await people.handler.get(`/api/v1/pollution-alerts?from=${encodeURIComponent(shanghai(Date.now() + 4 * DAY_MS))}`);
    assert.equal(after.body.items.some((a) => a.id === alert.id), false, 'over by then');
  });

  test('while the red alert is in force, an assignment by hand is due within 24 hours (not 7 days)', async () => {
    const site = await siteOf(people.office, 'restaurant', units['JF-SD-JIAOXI'].id);
    const issue = await confirmedIssue(people.office, { siteId: site.id, category: 'other', severity: 1, description: `红色预警期间 ${run}` });
    const a = await people.office.post(`/api/v1/issues/${issue.id}/assignments`,
      { lead_unit_id: units['JF-SD-JIAOXI'].id }, { headers: { 'if-match': '"v2"' } });
    assert.equal(a.status, 200, a.text);
    const hours = hoursBetween(a.body.assigned_at, a.body.due_at);
    assert.ok(hours <= 24, `due after ${hours} h`);
    assert.equal(hours, 24, 'red caps the 168 hours of a general issue at 24');
  });

  test('the dispatch tightens its deadlines the same way', async () => {
    const site = await siteOf(people.office, 'restaurant', units['JF-SD-JIAOXI'].id);
    const issue = await confirmedIssue(people.office, { siteId: site.id, category: 'other', severity: 1, description: `预警期间调度 ${run}` });
    // Two mornings on, the alert (three days long) still in force.
    const day = addDays(today, 2);
    const out = await db.run(['dispatch', '--date', day, '--now', `${day}T00:30:00+08:00`]);
    assert.match(out, new RegExp(`^ran the dispatch for ${day}: 1 assigned, \\d+ escalations$`, 'm'));
    const got = await getIssue(issue.id);
    assert.equal(got.status, 'assigned');
    assert.equal(hoursBetween(got.assigned_at, got.due_at), 24);
  });
});
