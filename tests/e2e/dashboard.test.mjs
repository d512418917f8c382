// The supervision dashboard (督办看板) in a real browser (Debian's Chromium through playwright-core),
// against a real server: its static files are public, everything else is the JSON API with a
// bearer token. A district leader signs in through the form and sees the day's figures, the
// period's rates, the ranking of subdistricts, trends, breakdowns, the map of open issues and
// the latest escalations, each equal to what the report API answers the same leader.
//
// The scenario needs issues that are overdue and escalated, so it runs a back-dated dispatch
// (`lantian dispatch --now`) and the day's dispatch: like the dispatch tests, this file has a
// database of its own (support/dispatch.mjs) and a server without a scheduler.
//
// The browser runs in America/Los_Angeles: the page must reckon days in Asia/Shanghai whatever
// the browser's zone. A full-page screenshot goes to $LANTIAN_TEST_OUTPUT_DIR (default
// tests/e2e/var/) as dashboard.png.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import { Client } from './support/client.mjs';
import {
  addDays, awayFromMidnight, createUserIn, districtDay, freshDatabase, signInDispatchPeople,
  siteOf, startServerOn,
} from './support/dispatch.mjs';
import { repo } from './support/env.mjs';
import { rectifyWithPhoto, sha256, workflowStep } from './support/ledger.mjs';
import { signIn } from './support/server.mjs';

const CHROMIUM = process.env.LANTIAN_CHROMIUM || '/usr/bin/chromium';
const outputDir = process.env.LANTIAN_TEST_OUTPUT_DIR || path.join(repo, 'tests', 'e2e', 'var');
const dashboardDir = path.join(repo, 'services', 'dashboard');
const run = `${process.pid}-${Date.now().toString(36)}`;
const WAIT_MS = 30_000;

let db;
let server;
let people;
let units;
let today;
let leaderCreds;
let leader;         // the leader's API client (validated against proto/openapi.yaml)
let browser;
const api = new Client(() => server.baseUrl);
const scenario = { created: [], overdue: [], closed: [], submittedToday: [], assignedToday: [] };

// --- the scenario ---------------------------------------------------------------------------

// Workflow steps read the issue's version as the office, which sees every issue.
const step = (client, id, action, body) => workflowStep(people.office, client, id, action, body);
const rectify = (handler, id, description) => rectifyWithPhoto(people.office, handler, id, description);

async function userClient(role, unitCode, displayName) {
  const creds = await createUserIn(db, { role, unitId: unitCode && units[unitCode].id, displayName });
  return Object.assign(new Client(() => api.baseUrl, await signIn(api, creds)), { creds });
}

before(async () => {
  await awayFromMidnight(3 * 60_000);
  today = districtDay();
  db = await freshDatabase('dashboard');
  server = await startServerOn(db);
  try {
    await buildScenario();
  } catch (e) {
    throw new Error(`${e.message}\n${server.output()}`, { cause: e });
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 60_000 });
}, { timeout: 480_000 });

/// The issues of the scenario, made through the API (and one back-dated dispatch).
async function buildScenario() {
  ({ people, units } = await signInDispatchPeople(db, api));
  const minzhuHandler = await userClient('handler', 'JF-SD-MINZHU', '民主街道 看板测试');
  leaderCreds = await createUserIn(db, { role: 'leader', displayName: '区领导 看板测试' });
  leader = new Client(() => api.baseUrl, await signIn(api, leaderCreds));

  const id = (code) => units[code].id;
  const jiaoxi = id('JF-SD-JIAOXI');
  const minzhu = id('JF-SD-MINZHU');
  const site = async (kind, unit) => siteOf(people.office, kind, unit);
  // Reported by the office where the complaint placed it (the site's point) and confirmed.
  const confirmed = async (kind, unit, category, severity, name) => {
    const s = await site(kind, unit);
    const r = await people.office.post('/api/v1/issues', {
      client_id: crypto.randomUUID(), site_id: s.id, category, severity, description: `看板测试 ${name} ${run}`,
      source: 'hotline', location: s.location,
    });
    assert.equal(r.status, 201, r.text);
    const c = await step(people.office, r.body.id, 'triage', { decision: 'confirm' });
    assert.equal(c.status, 'confirmed');
    scenario.created.push(c.id);
    return c;
  };

  // Three days ago: severe issues (24-hour deadlines) of 焦西 and 民主, assigned by a
  // back-dated dispatch, so they are overdue now and today's dispatch escalates them (督办).
  const pastDay = addDays(today, -3);
  const a1 = await confirmed('bare_soil', jiaoxi, 'dust_uncovered', 3, '焦西裸土');
  const a2 = await confirmed('back_alley', minzhu, 'other', 3, '民主背街');
  const a3 = await confirmed('bare_soil', minzhu, 'dust_uncovered', 3, '民主裸土');
  const out = await db.run(['dispatch', '--date', pastDay, '--now', `${pastDay}T09:00:00+08:00`]);
  assert.match(out, new RegExp(`^ran the dispatch for ${pastDay}: 3 assigned, 0 escalations$`, 'm'));

  // Today: issues across subdistricts, categories and kinds, assigned by today's dispatch.
  const b1 = await confirmed('restaurant', jiaoxi, 'fume_direct_emission', 2, '焦西油烟');
  // A back alley has no routing rule: its subdistrict (属地) leads and rectifies.
  const b2 = await confirmed('back_alley', jiaoxi, 'no_dust_suppression', 1, '焦西背街');
  const b3 = await confirmed('bare_soil', jiaoxi, 'dust_uncovered', 1, '焦西裸土二');
  const b4 = await confirmed('industrial_enterprise', jiaoxi, 'emission_exceeded', 2, '焦西企业');
  const b5 = await confirmed('open_air_bbq', id('JF-SD-MINSHENG'), 'open_air_bbq', 1, '民生烧烤');
  const b6 = await confirmed('shop_front', id('JF-SD-QIBAIJIAN'), 'shop_front_duty', 1, '七百间门前');
  const d = await people.office.post('/api/v1/dispatches', { date: today });
  assert.equal(d.status, 201, d.text);
  assert.deepEqual(d.body.assigned, [b1, b2, b3, b4, b5, b6].map((i) => i.id).sort((x, y) => x - y));
  assert.equal(d.body.escalation_count, 3, 'the three overdue issues are escalated (督办)');
  scenario.assignedToday = d.body.assigned;

  // Reported only (waits for the office), without a location of its own: found today, open,
  // on the map at its site.
  const s = await site('restaurant', id('JF-SD-JIAOBEI'));
  const reported = await people.office.post('/api/v1/issues', {
    client_id: crypto.randomUUID(), site_id: s.id, category: 'purifier_not_running', severity: 1,
    description: `看板测试 焦北净化器 ${run}`, source: 'hotline',
  });
  assert.equal(reported.status, 201, reported.text);
  scenario.created.push(reported.body.id);

  // 焦西 rectifies b3, the supervisor returns it once, then accepts: closed today, reworked.
  await rectify(people.handler, b3.id, '已苫盖防尘网');
  await step(people.supervisor, b3.id, 'verifications', { decision: 'return', comment: '苫盖不完整' });
  await rectify(people.handler, b3.id, '已全部苫盖并洒水');
  await step(people.supervisor, b3.id, 'verifications', { decision: 'accept', comment: '现场核查合格' });
  // 民主 rectifies a3 late; accepted: closed today, not on time.
  await rectify(minzhuHandler, a3.id, '裸土已覆盖');
  await step(people.supervisor, a3.id, 'verifications', { decision: 'accept', comment: '合格' });
  // 焦西 submits b2: waiting for verification (open, submitted today).
  await rectify(people.handler, b2.id, '已落实洒水降尘');

  scenario.closed = [b3.id, a3.id];
  scenario.submittedToday = [b3.id, a3.id, b2.id];
  scenario.overdue = [a1.id, a2.id];
}

after(async () => {
  try {
    await browser?.close();
  } finally {
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
  }
});

// --- the browser ----------------------------------------------------------------------------

/// A fresh browser context and page (in a zone far from Shanghai, without animations), recording every console
/// error, page error, failed request and HTTP error answer.
async function openPage() {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'America/Los_Angeles',
    reducedMotion: 'reduce', // the charts draw at once: the screenshot shows them whole
  });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.method()} ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`); });
  return { context, page, problems };
}

async function signInThroughForm(page, { username, password }) {
  await page.goto(`${server.baseUrl}/dashboard/`, { waitUntil: 'load', timeout: WAIT_MS });
  await page.waitForSelector('body[data-state="signed-out"]', { timeout: WAIT_MS });
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('#signin-submit').click();
}

/// What the page shows: figures, chart hooks, ranking rows, the period and the escalations.
function readBoard(page) {
  return page.evaluate(() => {
    const kpis = {};
    for (const n of document.querySelectorAll('[data-kpi]')) kpis[n.dataset.kpi] = n.textContent.trim();
    const charts = {};
    for (const n of document.querySelectorAll('[data-chart]')) {
      charts[n.dataset.chart] = { ...n.dataset, hasCanvas: !!n.querySelector('canvas') };
    }
    const ranking = Array.from(document.querySelectorAll('#ranking-table tbody tr')).map((tr) => ({
      unitId: Number(tr.dataset.unitId),
      rank: Number(tr.dataset.rank),
      cells: Array.from(tr.cells).map((c) => c.textContent.trim()),
    }));
    const period = document.querySelector('#period-text').dataset;
    const escalations = Array.from(document.querySelectorAll('[data-list="escalations"] li'))
      .map((li) => ({ id: Number(li.dataset.escalationId), text: li.textContent }));
    return {
      state: document.body.dataset.state,
      loads: Number(document.body.dataset.loads || 0),
      title: document.title,
      lang: document.documentElement.lang,
      updated: document.querySelector('#updated').textContent,
      kpis, charts, ranking, escalations, period: { from: period.from, to: period.to },
    };
  });
}

const rate = (r) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);

/// GET a report as `client` (the leader's API session unless given), 200 expected.
async function report(path, client = leader) {
  const r = await client.get(path);
  assert.equal(r.status, 200, `${path}: ${r.text}`);
  return r.body;
}

// --- tests ----------------------------------------------------------------------------------

describe('the dashboard', () => {
  test('its page and assets are public static files; the report API needs a token', async () => {
    const files = {
      '/dashboard/': ['index.html', /^text\/html/],
      '/dashboard/app.js': ['app.js', /^(text|application)\/javascript/],
      '/dashboard/app.css': ['app.css', /^text\/css/],
      '/dashboard/echarts.min.js': ['node_modules/echarts/dist/echarts.min.js', /^(text|application)\/javascript/],
    };
    for (const [url, [file, type]] of Object.entries(files)) {
      const r = await fetch(server.baseUrl + url, { signal: AbortSignal.timeout(10_000) });
      const bytes = Buffer.from(await r.arrayBuffer());
      assert.equal(r.status, 200, `${url} without a token`);
      assert.match(r.headers.get('content-type') ?? '', type, `${url}: Content-Type`);
      assert.equal(sha256(bytes), sha256(fs.readFileSync(path.join(dashboardDir, file))),
        `${url} serves services/dashboard/${file} as it is`);
    }
    const page = await fetch(`${server.baseUrl}/dashboard/`, { signal: AbortSignal.timeout(10_000) });
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/,
      'nothing from elsewhere: no CDN, no map tiles');
    const bare = await fetch(`${server.baseUrl}/dashboard`, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get('location'), '/dashboard/');
    const missing = await fetch(`${server.baseUrl}/dashboard/config.js`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(missing.status, 404, 'only the dashboard\'s own files are served');
    const html = fs.readFileSync(path.join(dashboardDir, 'index.html'), 'utf8');
    for (const asset of ['app.css', 'echarts.min.js', 'app.js']) {
      assert.match(html, new RegExp(`(href|src)="${asset.replace('.', '\\.')}"`), `index.html refers to ${asset} relatively`);
    }
    const anonymous = new Client(server.baseUrl);
    for (const p of [`/api/v1/reports/summary?from=${today}&to=${today}&group_by=unit`, '/api/v1/reports/summary',
      '/api/v1/reports/ranking', '/api/v1/reports/map']) {
      const r = await anonymous.get(p, { auth: false });
      assert.equal(r.status, 401, `${p} without a token: ${r.text}`);
    }
  });

  test('the report API\'s figures are those of the scenario', async () => {
    const day = await report(`/api/v1/reports/summary?from=${today}&to=${today}&group_by=unit`);
    assert.equal(day.totals.found, scenario.created.length, 'found today: every issue of the scenario');
    assert.equal(day.totals.assigned, scenario.assignedToday.length, 'first assigned today: today\'s dispatch only');
    assert.equal(day.totals.submitted, scenario.submittedToday.length);
    assert.equal(day.totals.closed, scenario.closed.length);
    assert.equal(day.totals.reworked, 1);
    assert.equal(day.totals.rework_rate, 0.5);
    assert.equal(day.totals.overdue, scenario.overdue.length, 'overdue now: the two escalated issues still open');
    const map = await report('/api/v1/reports/map');
    const open = scenario.created.filter((id) => !scenario.closed.includes(id));
    assert.deepEqual(map.issues.map((i) => i.id).sort((a, b) => a - b), open.sort((a, b) => a - b),
      'every open issue is a point (one without a location of its own at its site)');
    assert.equal(map.subdistricts.features.reduce((n, f) => n + f.properties.open, 0), open.length,
      'the areas count the same open issues');
    assert.deepEqual(map.issues.filter((i) => i.overdue).map((i) => i.id).sort((a, b) => a - b),
      [...scenario.overdue].sort((a, b) => a - b), 'the overdue ones');
    assert.equal(map.truncated, false);
  });

  test('a leader signs in through the form and sees every figure as the API gives it', async () => {
    const { context, page, problems } = await openPage();
    try {
      await page.clock.install(); // real time that flows, which the test can move on
      await signInThroughForm(page, leaderCreds);
      await page.waitForSelector('body[data-state="ready"]', { timeout: WAIT_MS });
      const board = await readBoard(page);

      assert.equal(board.lang, 'zh-CN');
      assert.match(board.title, /蓝天/);
      assert.match(board.updated, /^更新于 \d{2}:\d{2}:\d{2}$/);
      // The period (本月 by default) in Asia/Shanghai days, though the browser is in Los Angeles.
      assert.deepEqual(board.period, { from: `${today.slice(0, 8)}01`, to: today });

      // Every chart drew something.
      for (const name of ['ranking', 'trend', 'category', 'site_kind', 'map']) {
        const c = board.charts[name];
        assert.ok(c, `a [data-chart=${name}] container`);
        assert.ok(c.hasCanvas, `${name} is drawn`);
        assert.ok(Number(c.points) > 0, `${name}: data-points ${c.points}`);
      }

      // Today's figures and the period's rates, as the API answers the page's own token.
      const token = await page.evaluate(() => sessionStorage.getItem('lantian.dashboard.token'));
      assert.ok(token, 'the token is kept in sessionStorage');
      const asPage = new Client(server.baseUrl, token);
      const get = (p) => report(p, asPage);
      const { from, to } = board.period;
      const day = await get(`/api/v1/reports/summary?from=${today}&to=${today}&group_by=unit`);
      const period = await get(`/api/v1/reports/summary?from=${from}&to=${to}&group_by=unit`);
      for (const k of ['found', 'assigned', 'submitted', 'closed', 'overdue']) {
        assert.equal(board.kpis[k], String(day.totals[k]), `today's ${k}`);
      }
      for (const k of ['on_time_rate', 'closure_rate', 'rework_rate']) {
        assert.equal(board.kpis[k], rate(period.totals[k]), `the period's ${k}`);
      }
      assert.equal(board.kpis.found, String(scenario.created.length));

      // The ranking, in the API's order, with its figures.
      const ranking = await get(`/api/v1/reports/ranking?from=${from}&to=${to}`);
      assert.deepEqual(board.ranking.map((r) => r.unitId), ranking.rows.map((r) => r.unit_id), 'the ranking order');
      assert.deepEqual(board.ranking.map((r) => r.rank), ranking.rows.map((r) => r.rank));
      board.ranking.forEach((row, i) => {
        const r = ranking.rows[i];
        assert.deepEqual(row.cells, [String(r.rank), r.unit_name, rate(r.on_time_rate), String(r.overdue),
          String(r.escalations.level1), String(r.escalations.level2), String(r.escalations.level3)], `row of ${r.unit_name}`);
      });
      assert.equal(Number(board.charts.ranking.points), ranking.rows.length);
      assert.ok(ranking.rows.some((r) => r.escalations.level1 > 0), 'the escalated units show 督办');

      // Trend: the last 30 days, ending today.
      const trend = await get(`/api/v1/reports/summary?from=${addDays(today, -29)}&to=${today}&group_by=day`);
      assert.equal(trend.rows.length, 30);
      assert.equal(Number(board.charts.trend.points), trend.rows.length);

      // Breakdowns: the categories and site kinds with issues found in the period.
      for (const g of ['category', 'site_kind']) {
        const s = await get(`/api/v1/reports/summary?from=${from}&to=${to}&group_by=${g}`);
        assert.equal(Number(board.charts[g].points), s.rows.filter((r) => r.found > 0).length, `${g} bars/slices`);
      }

      // The map: every open issue, the overdue ones apart, over every subdistrict's outline.
      const map = await get('/api/v1/reports/map');
      assert.equal(Number(board.charts.map.points), map.issues.length);
      assert.equal(Number(board.charts.map.overdue), map.issues.filter((i) => i.overdue).length);
      assert.equal(Number(board.charts.map.regions), map.subdistricts.features.length);
      assert.ok(Number(board.charts.map.overdue) > 0, 'overdue points drawn');

      // The latest escalations (three 督办 raised by today's dispatch).
      const all = (await asPage.walk('/api/v1/escalations', { limit: 200 })).flat();
      assert.equal(board.escalations.length, Math.min(10, all.length));
      assert.deepEqual(board.escalations.map((e) => e.id).sort((a, b) => a - b),
        all.map((e) => e.id).sort((a, b) => a - b).slice(-10));
      assert.ok(board.escalations.every((e) => e.text.includes('督办')));

      fs.mkdirSync(outputDir, { recursive: true });
      await page.screenshot({ path: path.join(outputDir, 'dashboard.png'), fullPage: true, timeout: WAIT_MS });

      // Another period reloads the period's charts and rates.
      await page.locator('[data-period="last30"]').click();
      await page.waitForFunction((n) => document.body.dataset.state === 'ready' && Number(document.body.dataset.loads) > n,
        board.loads, { timeout: WAIT_MS });
      const last30 = await readBoard(page);
      assert.deepEqual(last30.period, { from: addDays(today, -29), to: today });
      const p30 = await get(`/api/v1/reports/summary?from=${addDays(today, -29)}&to=${today}&group_by=unit`);
      for (const k of ['on_time_rate', 'closure_rate', 'rework_rate']) {
        assert.equal(last30.kpis[k], rate(p30.totals[k]), `近30天 ${k}`);
      }

      // A custom period ending before any issue: the breakdowns are empty, the rates "—".
      await page.locator('[data-period="custom"]').click();
      await page.locator('#period-from').fill(addDays(today, -60));
      await page.locator('#period-to').fill(addDays(today, -40));
      await page.locator('#period-apply').click();
      await page.waitForFunction((n) => document.body.dataset.state === 'ready' && Number(document.body.dataset.loads) > n,
        last30.loads, { timeout: WAIT_MS });
      const custom = await readBoard(page);
      assert.deepEqual(custom.period, { from: addDays(today, -60), to: addDays(today, -40) });
      assert.equal(custom.charts.category.points, '0');
      assert.equal(custom.charts.site_kind.points, '0');
      assert.equal(custom.kpis.on_time_rate, '—');
      assert.equal(custom.kpis.found, board.kpis.found, 'today\'s figures stay today\'s');

      // A minute on, the page reloads by itself (the same period).
      await page.clock.fastForward(61_000);
      await page.waitForFunction((n) => document.body.dataset.state === 'ready' && Number(document.body.dataset.loads) > n,
        custom.loads, { timeout: WAIT_MS });
      assert.deepEqual((await readBoard(page)).period, custom.period);

      // 退出 ends the session on the server too.
      const signedOut = page.waitForResponse((r) => r.url().endsWith('/api/v1/sessions/current') && r.request().method() === 'DELETE',
        { timeout: WAIT_MS });
      await page.locator('#sign-out').click();
      assert.equal((await signedOut).status(), 204);
      await page.waitForSelector('body[data-state="signed-out"]', { timeout: WAIT_MS });
      assert.ok(await page.locator('#signin-form').isVisible());
      assert.equal(await page.evaluate(() => sessionStorage.getItem('lantian.dashboard.token')), null);
      const stale = await new Client(server.baseUrl, token).get('/api/v1/me');
      assert.equal(stale.status, 401, 'the token no longer works');

      assert.deepEqual(problems, [], 'no console errors, page errors, failed requests or HTTP errors');
    } finally {
      await context.close();
    }
  });

  test('a wrong password and a dead token bring back the sign-in form with a message', async () => {
    const { context, page, problems } = await openPage();
    try {
      await signInThroughForm(page, { username: leaderCreds.username, password: `${leaderCreds.password}-wrong` });
      await page.waitForFunction(() => document.querySelector('#signin-message').textContent.includes('用户名或密码错误'),
        null, { timeout: WAIT_MS });
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'signed-out');

      // A token the server does not know (expired, signed out elsewhere): 401 → the form.
      await page.evaluate(() => sessionStorage.setItem('lantian.dashboard.token', 'x'.repeat(43)));
      await page.reload({ waitUntil: 'load', timeout: WAIT_MS });
      await page.waitForFunction(() => document.body.dataset.state === 'signed-out'
        && document.querySelector('#signin-message').textContent.includes('登录已失效'), null, { timeout: WAIT_MS });
      assert.ok(await page.locator('#signin-form').isVisible());
      assert.ok(!(await page.locator('#board').isVisible()));
      assert.equal(await page.evaluate(() => sessionStorage.getItem('lantian.dashboard.token')), null);
      // The only errors are the refusals themselves (Chromium logs each 401 answer).
      assert.ok(problems.every((p) => /401/.test(p)), problems.join('\n'));
      assert.ok(!problems.some((p) => /page error|request failed/.test(p)));
    } finally {
      await context.close();
    }
  });
});
