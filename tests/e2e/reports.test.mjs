// The reports for leaders (统计报表) over real HTTP: the summary by every grouping, the ranking of
// subdistricts, the issues behind every figure, the CSV and xlsx exports read back byte by byte
// (a CSV parser of RFC 4180 and a zip reader of our own, over node:zlib), the printable bulletin
// (printed to PDF in Chromium when playwright-core is installed), bad input, and what a handler
// sees of it all.
//
// The scenario needs overdue, escalated, returned and closed issues, so it runs a back-dated
// dispatch (`lantian dispatch --now`) and the day's dispatch: like the dispatch tests, this file
// has a database of its own (support/dispatch.mjs) and a server without a scheduler, and the
// figures are exactly the scenario's. A site and a unit have names with a comma, double quotes
// and Chinese, so that the exports must quote them.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';

import { Client } from './support/client.mjs';
import { contract } from './support/contract.mjs';
import {
  addDays, awayFromMidnight, createUserIn, districtDay, freshDatabase, signInDispatchPeople, siteOf,
  startServerOn,
} from './support/dispatch.mjs';
import { repo } from './support/env.mjs';
import { makePng, putPhoto, rectifyWithPhoto, sha256, workflowStep } from './support/ledger.mjs';
import { signIn } from './support/server.mjs';

const CHROMIUM = process.env.LANTIAN_CHROMIUM || '/usr/bin/chromium';
const outputDir = process.env.LANTIAN_TEST_OUTPUT_DIR || path.join(repo, 'tests', 'e2e', 'var');
const run = `${process.pid}-${Date.now().toString(36)}`;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const COUNTS = ['found', 'confirmed', 'assigned', 'closed_of_assigned', 'submitted', 'closed', 'reworked',
  'due', 'on_time', 'overdue', 'rectified'];
const GROUPINGS = ['unit', 'category', 'site_kind', 'subdistrict', 'day'];
/// The summary export's columns after the group's: [heading, field, kind].
const SUMMARY_COLUMNS = [
  ['发现问题', 'found', 'count'], ['确认', 'confirmed', 'count'], ['交办', 'assigned', 'count'],
  ['提交整改', 'submitted', 'count'], ['销号', 'closed', 'count'], ['到期', 'due', 'count'],
  ['按期整改', 'on_time', 'count'], ['按期整改率', 'on_time_rate', 'rate'], ['销号率', 'closure_rate', 'rate'],
  ['返工率', 'rework_rate', 'rate'], ['期末超期', 'overdue', 'count'],
  ['平均整改时长（小时）', 'mean_hours_to_rectify', 'decimal'],
];
const GROUP_HEADINGS = { unit: '责任单位', category: '问题类别', site_kind: '点位类型', subdistrict: '街道（园区）', day: '日期' };
const GROUP_TITLES = { unit: '按责任单位', category: '按问题类别', site_kind: '按点位类型', subdistrict: '按街道', day: '按日' };
const RANKING_HEADINGS = ['名次', '街道（园区）', '到期', '按期整改', '按期整改率', '期末超期', '督办', '约谈', '问责'];

let db;
let server;
let people;       // office, handler (焦西), chengguan, supervisor, leader, inspector
let admin;
let units;
let today;
let FROM;
let TO;
let PERIOD;
const api = new Client(() => server.baseUrl);
const s = {};     // the scenario: issues, sites, units by name

// --- the scenario ---------------------------------------------------------------------------

// Workflow steps read the issue's version as the office, which sees every issue.
const step = (client, id, action, body) => workflowStep(people.office, client, id, action, body);
const rectify = (handler, id, description) => rectifyWithPhoto(people.office, handler, id, description);

/// An issue the office types in (a hotline complaint) at `site`, where the site is.
async function report(site, { category = 'other', severity = 1, name }) {
  const r = await people.office.post('/api/v1/issues', {
    client_id: crypto.randomUUID(), site_id: site.id, category, severity, source: 'hotline',
    description: `报表测试 ${name} ${run}`, location: site.location,
  });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

async function confirmed(site, opts) {
  const issue = await report(site, opts);
  return step(people.office, issue.id, 'triage', { decision: 'confirm' });
}

before(async () => {
  await awayFromMidnight(5 * 60_000);
  today = districtDay();
  FROM = addDays(today, -5);
  TO = addDays(today, 10);  // the deadlines of today's assignments fall in the period
  PERIOD = `from=${FROM}&to=${TO}`;
  db = await freshDatabase('reports');
  server = await startServerOn(db);
  try {
    await buildScenario();
  } catch (e) {
    throw new Error(`${e.message}\n${server.output()}`, { cause: e });
  }
}, { timeout: 300_000 });

async function buildScenario() {
  ({ people, units } = await signInDispatchPeople(db, api));
  admin = new Client(() => api.baseUrl,
    await signIn(api, await createUserIn(db, { role: 'admin', displayName: '管理员 报表测试' })));
  const jiaoxi = units['JF-SD-JIAOXI'];
  const minzhu = units['JF-SD-MINZHU'];

  // A department and a back alley whose names need quoting in CSV and escaping in HTML.
  s.unitName = `环境"质量",监测站（${run}）`;
  const u = await admin.post('/api/v1/units', { code: `T-RPT-${run}`, name: s.unitName, kind: 'department' });
  assert.equal(u.status, 201, u.text);
  s.unit = u.body;
  s.siteName = `"老街"小吃巷, 焦西路东段（报表测试${run}）`;
  const site = await people.office.post('/api/v1/sites', {
    kind: 'back_alley', name: s.siteName, address: '焦作市解放区焦西路东段', location: { lat: 35.2200, lon: 113.1990 },
    responsible_party: { name: '焦西路东段商户联合会', contact_name: '李"大"明', phone: '13903910077' },
  });
  assert.equal(site.status, 201, site.text);
  assert.equal(site.body.subdistrict_id, jiaoxi.id);
  s.site = site.body;

  // Three days ago: two severe issues (24-hour deadlines) assigned by a back-dated dispatch, so
  // that they are overdue now (焦西 leads the one in the back alley, 民主 the other).
  const pastDay = addDays(today, -3);
  s.a1 = await confirmed(s.site, { severity: 3, name: '背街小巷 超期' });
  s.a2 = await confirmed(await siteOf(people.office, 'back_alley', minzhu.id), { severity: 3, name: '民主 超期' });
  const out = await db.run(['dispatch', '--date', pastDay, '--now', `${pastDay}T09:00:00+08:00`]);
  assert.match(out, new RegExp(`^ran the dispatch for ${pastDay}: 2 assigned, 0 escalations$`, 'm'));

  // Today: one assigned by hand to the quoted department; two assigned by the day's dispatch
  // (bare soil and the back alley: 焦西 leads), one of them returned once, both closed in time;
  // one only reported (its territory's), one rejected, one fixed on the spot and closed.
  s.b1 = await confirmed(await siteOf(people.office, 'restaurant', jiaoxi.id),
    { category: 'fume_direct_emission', severity: 2, name: '油烟 交办监测站' });
  s.b1 = await step(people.office, s.b1.id, 'assignments', { lead_unit_id: s.unit.id, co_unit_ids: [jiaoxi.id] });
  s.b2 = await confirmed(await siteOf(people.office, 'bare_soil', jiaoxi.id), { category: 'dust_uncovered', name: '裸土 返工' });
  s.b3 = await confirmed(s.site, { name: '背街小巷 按期' });
  const d = await people.office.post('/api/v1/dispatches', { date: today });
  assert.equal(d.status, 201, d.text);
  assert.deepEqual(d.body.assigned, [s.b2.id, s.b3.id]);
  assert.equal(d.body.escalation_count, 2, 'the two overdue issues are escalated (督办)');
  await rectify(people.handler, s.b2.id, '已苫盖防尘网');
  await step(people.supervisor, s.b2.id, 'verifications', { decision: 'return', comment: '苫盖不完整' });
  await rectify(people.handler, s.b2.id, '已全部苫盖并洒水');
  await step(people.supervisor, s.b2.id, 'verifications', { decision: 'accept', comment: '现场核查合格' });
  await rectify(people.handler, s.b3.id, '已清理');
  await step(people.supervisor, s.b3.id, 'verifications', { decision: 'accept', comment: '合格' });
  s.b4 = await report(s.site, { name: '背街小巷 待确认' });
  s.b5 = await report(await siteOf(people.office, 'restaurant', minzhu.id), { name: '民主 驳回' });
  await step(people.office, s.b5.id, 'triage', { decision: 'reject', reason: '现场核实不属实' });
  const evidence = makePng();
  assert.equal((await putPhoto(people.inspector, evidence)).status, 201);
  const fixed = await people.inspector.post('/api/v1/issues', {
    client_id: crypto.randomUUID(), site_id: s.site.id, category: 'garbage_accumulation', severity: 1,
    description: `报表测试 当场整改 ${run}`, location: s.site.location, fixed_on_spot: true,
    evidence: { description: '已当场清运', photo_ids: [sha256(evidence)] },
  });
  assert.equal(fixed.status, 201, fixed.text);
  s.b6 = await step(people.supervisor, fixed.body.id, 'verifications', { decision: 'accept', comment: '合格' });
}

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

// --- reading exports ------------------------------------------------------------------------

/// GET with the bytes of the body (fetch's text() would drop a BOM and mangle a zip), checked
/// against the contract like every other answer.
async function getBytes(client, target, { auth = true } = {}) {
  const headers = auth ? { authorization: `Bearer ${client.token}` } : {};
  const response = await fetch(client.baseUrl + target, { headers, signal: AbortSignal.timeout(10_000) });
  const bytes = Buffer.from(await response.arrayBuffer());
  contract().validate({ method: 'GET', path: target, status: response.status, headers: response.headers,
    body: bytes.toString('utf8') });
  return { status: response.status, headers: response.headers, bytes };
}

/// RFC 4180: CRLF-terminated records; a field with a comma, a quote or a line break is quoted
/// and its quotes doubled. Strict: a bare quote or line break outside quotes is an error.
function parseCsv(text) {
  const records = [];
  let record = [];
  let field = '';
  let i = 0;
  const endField = () => { record.push(field); field = ''; };
  while (i < text.length) {
    if (text[i] === '"' && field === '') {
      i++;
      for (;;) {
        assert.ok(i < text.length, 'an unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
          i++;
          break;
        }
        field += text[i++];
      }
      assert.ok(i === text.length || text[i] === ',' || text.startsWith('\r\n', i),
        `a quoted field ends in ${JSON.stringify(text.slice(i, i + 10))}`);
      // An empty quoted field ("") is a field too: push it here unless a separator follows.
      if (field === '' && text[i] !== ',' && !text.startsWith('\r\n', i)) endField();
      continue;
    }
    if (text[i] === ',') { endField(); i++; continue; }
    if (text.startsWith('\r\n', i)) { endField(); records.push(record); record = []; i += 2; continue; }
    assert.ok(text[i] !== '"' && text[i] !== '\r' && text[i] !== '\n',
      `a bare ${JSON.stringify(text[i])} at ${i}: ${JSON.stringify(text.slice(Math.max(0, i - 20), i + 20))}`);
    field += text[i++];
  }
  if (field !== '' || record.length > 0) { endField(); records.push(record); }
  return records;
}

/// The entries of a zip archive (central directory, stored or deflated), checked by size and
/// CRC-32.
function readZip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  assert.ok(eocd >= 0, 'no end-of-central-directory record: not a zip archive');
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const files = new Map();
  for (let n = 0; n < count; n++) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50, `central directory entry ${n}`);
    const method = buf.readUInt16LE(at + 10);
    const crc = buf.readUInt32LE(at + 16);
    const compressed = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLength);
    assert.equal(buf.readUInt32LE(local), 0x04034b50, `local header of ${name}`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + compressed);
    assert.ok(method === 0 || method === 8, `${name}: compression method ${method}`);
    const data = method === 8 ? zlib.inflateRawSync(raw) : raw;
    assert.equal(data.length, size, `${name}: size`);
    if (typeof zlib.crc32 === 'function') assert.equal(zlib.crc32(data), crc, `${name}: CRC-32`);
    files.set(name, data);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}

function unescapeXml(text) {
  return text.replace(/&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-fA-F]+));/g, (_, name, dec, hex) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' }[name];
  });
}

const BUILTIN_FORMATS = { 0: 'General', 1: '0', 2: '0.00', 9: '0%', 10: '0.00%' };

/// The first worksheet of an xlsx workbook: rows of cells {value, format}, the column widths,
/// whether the header is frozen, and the sheet's name.
function readWorkbook(bytes) {
  assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PK\x03\x04', 'an xlsx file is a zip archive');
  const files = readZip(bytes);
  const xml = (name) => {
    assert.ok(files.has(name), `the workbook has no ${name} (has ${[...files.keys()].join(', ')})`);
    return files.get(name).toString('utf8');
  };
  const shared = [...xml('xl/sharedStrings.xml').matchAll(/<si>([\s\S]*?)<\/si>/g)]
    .map((m) => [...m[1].matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((t) => unescapeXml(t[1])).join(''));
  const styles = xml('xl/styles.xml');
  const custom = new Map([...styles.matchAll(/<numFmt\s+numFmtId="(\d+)"\s+formatCode="([^"]*)"/g)]
    .map((m) => [Number(m[1]), unescapeXml(m[2])]));
  const cellXfs = /<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/.exec(styles);
  assert.ok(cellXfs, 'styles.xml has cellXfs');
  const xfFormats = [...cellXfs[1].matchAll(/<xf\b([^>]*)>/g)].map((m) => Number(/numFmtId="(\d+)"/.exec(m[1])?.[1] ?? 0));
  const sheet = xml('xl/worksheets/sheet1.xml');
  const rows = [];
  for (const m of sheet.matchAll(/<c r="([A-Z]+)(\d+)"([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
    const col = [...m[1]].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
    const row = Number(m[2]) - 1;
    const type = /\bt="(\w+)"/.exec(m[3])?.[1];
    const style = Number(/\bs="(\d+)"/.exec(m[3])?.[1] ?? 0);
    const v = /<v>([\s\S]*?)<\/v>/.exec(m[4] ?? '')?.[1];
    let value = null;
    if (v !== undefined) value = type === 's' ? shared[Number(v)] : type === 'str' ? unescapeXml(v) : Number(v);
    const fmtId = xfFormats[style] ?? 0;
    (rows[row] ??= [])[col] = { value, format: custom.get(fmtId) ?? BUILTIN_FORMATS[fmtId] ?? `#${fmtId}` };
  }
  const widths = [];
  for (const m of sheet.matchAll(/<col\b([^>]*?)\/?>/g)) {
    const attr = (name) => Number(new RegExp(`\\b${name}="([^"]*)"`).exec(m[1])?.[1]);
    for (let c = attr('min'); c <= attr('max'); c++) widths[c - 1] = attr('width');
  }
  const frozen = /<pane\b[^>]*ySplit="1"[^>]*state="frozen"/.test(sheet);
  const sheetName = unescapeXml(/<sheet\b[^>]*name="([^"]*)"/.exec(xml('xl/workbook.xml'))?.[1] ?? '');
  return { rows, widths, frozen, sheetName };
}

/// `filename*=UTF-8''...` of a Content-Disposition, decoded; and the ASCII `filename`.
function fileNames(disposition) {
  assert.ok(disposition, 'a Content-Disposition header');
  assert.match(disposition, /^attachment; /);
  const star = /filename\*=UTF-8''([^;\s]+)/.exec(disposition);
  assert.ok(star, `filename*=UTF-8'' in ${disposition}`);
  return { utf8: decodeURIComponent(star[1]), ascii: /filename="([^"]+)"/.exec(disposition)?.[1] };
}

/// A CSV cell of a figure as the JSON has it: a count, a rate as "12.34%", hours as "1.5",
/// nothing for null.
function assertCsvFigure(cell, value, kind, what) {
  if (value === null) {
    assert.equal(cell, '', `${what}: no figure`);
  } else if (kind === 'rate') {
    assert.match(cell, /^\d+\.\d\d%$/, what);
    assert.ok(Math.abs(Number(cell.slice(0, -1)) / 100 - value) < 5e-5, `${what}: ${cell} vs ${value}`);
  } else if (kind === 'decimal') {
    assert.match(cell, /^\d+\.\d$/, what);
    assert.ok(Math.abs(Number(cell) - value) < 0.051, `${what}: ${cell} vs ${value}`);
  } else {
    assert.equal(cell, String(value), what);
  }
}

/// An xlsx cell of a figure: a number (a rate as a fraction in a percentage format), none for null.
function assertXlsxFigure(cell, value, kind, what) {
  if (value === null) {
    assert.ok(!cell || cell.value === null, `${what}: no figure, got ${JSON.stringify(cell)}`);
    return;
  }
  assert.ok(cell && typeof cell.value === 'number', `${what}: a number, got ${JSON.stringify(cell)}`);
  assert.ok(Math.abs(cell.value - value) < 1e-9, `${what}: ${cell.value} vs ${value}`);
  if (kind === 'rate') assert.match(cell.format, /%/, `${what}: a percentage format, not ${cell.format}`);
}

// --- the tests ------------------------------------------------------------------------------

async function summary(client, groupBy = 'unit', query = PERIOD) {
  const r = await client.get(`/api/v1/reports/summary?group_by=${groupBy}&${query}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

describe('the summary', () => {
  test('the scenario\'s figures, by the definitions of the reports (JSON checked against the contract)', async () => {
    const r = await summary(people.office);
    assert.equal(r.from, FROM);
    assert.equal(r.to, TO);
    assert.equal(r.group_by, 'unit');
    assert.ok(Math.abs(Date.parse(r.as_of) - Date.now()) < 60_000, 'as_of: now, the period ends later');
    const t = r.totals;
    const want = {
      found: 8, confirmed: 5, assigned: 5, closed_of_assigned: 2, submitted: 3, closed: 3, reworked: 1,
      due: 5, on_time: 2, overdue: 2, rectified: 2,
    };
    for (const [k, v] of Object.entries(want)) assert.equal(t[k], v, `totals.${k}`);
    assert.equal(t.on_time_rate, 0.4);
    assert.equal(t.closure_rate, 0.4);
    assert.equal(t.rework_rate, 0.3333, 'one of three closed was returned (4 decimals)');
    assert.ok(t.mean_hours_to_rectify !== null && t.mean_hours_to_rectify >= 0);
    for (const k of COUNTS) {
      assert.equal(r.rows.reduce((n, row) => n + row[k], 0), t[k], `the rows add up to totals.${k}`);
    }
    const byKey = Object.fromEntries(r.rows.map((row) => [row.key, row]));
    const kinds = ['subdistrict', 'park', 'department'];
    for (const u of [...Object.values(units), s.unit].filter((x) => kinds.includes(x.kind))) {
      assert.ok(byKey[String(u.id)], `a row for ${u.name}, zeros included`);
      assert.equal(byKey[String(u.id)].label, u.name);
    }
    const jiaoxi = byKey[String(units['JF-SD-JIAOXI'].id)];
    assert.equal(jiaoxi.found, 5, '焦西: a1, b2, b3 it leads, b4 its territory\'s, b6 fixed on the spot');
    assert.equal(jiaoxi.overdue, 1);
    assert.equal(byKey[String(units['JF-SD-MINZHU'].id)].found, 2, '民主: a2 and the rejected b5');
    assert.equal(byKey[String(units['JF-SD-MINZHU'].id)].overdue, 1);
    const quoted = byKey[String(s.unit.id)];
    assert.equal(quoted.label, s.unitName);
    assert.deepEqual([quoted.found, quoted.confirmed, quoted.assigned, quoted.due, quoted.closed], [1, 1, 1, 1, 0]);
  });

  test('every grouping lists its groups (zeros included) and adds up to the same totals', async () => {
    const byUnit = await summary(people.office);
    const strip = ({ drill, ...figures }) => figures;
    for (const g of GROUPINGS) {
      const r = await summary(people.office, g);
      assert.equal(r.group_by, g);
      if (g === 'day') {
        const days = [];
        for (let d = FROM; d <= TO; d = addDays(d, 1)) days.push(d);
        assert.deepEqual(r.rows.map((x) => x.key), days, 'every day of the period');
      }
      // Overdue is a stock, counted at as_of (the end of `to`, or now): the same in every grouping.
      assert.deepEqual(strip(r.totals), strip(byUnit.totals), `totals by ${g}`);
      if (g === 'category') assert.equal(r.rows.length, 13, 'every category');
      if (g === 'site_kind') assert.equal(r.rows.length, 10, 'every site kind');
      if (g === 'subdistrict') {
        assert.deepEqual(r.rows.map((x) => Number(x.key)).sort((a, b) => a - b),
          Object.values(units).filter((u) => ['subdistrict', 'park'].includes(u.kind)).map((u) => u.id).sort((a, b) => a - b));
      }
    }
    const byDay = await summary(people.office, 'day');
    const overdueOn = Object.fromEntries(byDay.rows.map((x) => [x.key, x.overdue]));
    assert.equal(overdueOn[addDays(today, -3)], 0, 'assigned that day, due the next');
    assert.equal(overdueOn[addDays(today, -2)], 2, 'overdue from the deadline on');
    assert.equal(overdueOn[today], 2, 'today: as of now');
    assert.equal(overdueOn[addDays(today, 1)], 0, 'days to come: no figure yet');
  });

  test('the default period is the month so far', async () => {
    const r = await people.office.get('/api/v1/reports/summary');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.to, today);
    assert.equal(r.body.from, `${today.slice(0, 8)}01`);
  });
});

describe('the exports', () => {
  for (const groupBy of ['unit', 'day']) {
    test(`the summary by ${groupBy} as CSV: UTF-8 with a BOM, Chinese headings, RFC 4180 quoting, the JSON's figures`, async () => {
      const json = await summary(people.office, groupBy);
      const r = await getBytes(people.office, `/api/v1/reports/summary?group_by=${groupBy}&${PERIOD}&format=csv`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
      assert.deepEqual([...r.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with the UTF-8 byte order mark');
      const names = fileNames(r.headers.get('content-disposition'));
      assert.equal(names.utf8, `问题整改汇总表（${GROUP_TITLES[groupBy]}）${FROM}至${TO}.csv`);
      assert.equal(names.ascii, `lantian-summary-${groupBy}-${FROM}-${TO}.csv`);
      const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(r.bytes.subarray(3));
      assert.ok(text.endsWith('\r\n'), 'the last record ends with CRLF');
      const records = parseCsv(text);
      assert.deepEqual(records[0], [GROUP_HEADINGS[groupBy], ...SUMMARY_COLUMNS.map(([h]) => h)]);
      assert.equal(records.length, json.rows.length + 2, 'the header, a record per row, 合计');
      const rows = [...json.rows, { ...json.totals, label: '合计' }];
      rows.forEach((row, i) => {
        const record = records[i + 1];
        assert.equal(record.length, 13, `record ${i + 1} has every column`);
        assert.equal(record[0], row.label);
        SUMMARY_COLUMNS.forEach(([heading, field, kind], c) => {
          assertCsvFigure(record[c + 1], row[field], kind, `${row.label} ${heading}`);
        });
      });
      if (groupBy === 'unit') {
        const quoted = records.find((x) => x[0] === s.unitName);
        assert.ok(quoted, 'the unit with a comma and quotes in its name reads back whole');
        assert.ok(text.includes(`"${s.unitName.replaceAll('"', '""')}",1,1,1,`), 'quoted, its quotes doubled');
      }
    });
  }

  test('the summary as xlsx: a workbook with the Chinese header, the JSON\'s numbers, rates in a percentage format, column widths', async () => {
    const json = await summary(people.office);
    const r = await getBytes(people.office, `/api/v1/reports/summary?${PERIOD}&format=xlsx`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), XLSX);
    const names = fileNames(r.headers.get('content-disposition'));
    assert.equal(names.utf8, `问题整改汇总表（按责任单位）${FROM}至${TO}.xlsx`);
    assert.equal(names.ascii, `lantian-summary-unit-${FROM}-${TO}.xlsx`);
    const book = readWorkbook(r.bytes);
    assert.equal(book.sheetName, '汇总表');
    assert.ok(book.frozen, 'the header row is frozen');
    assert.deepEqual(book.rows[0].map((c) => c.value), ['责任单位', ...SUMMARY_COLUMNS.map(([h]) => h)]);
    assert.equal(book.rows.length, json.rows.length + 2);
    const rows = [...json.rows, { ...json.totals, label: '合计' }];
    rows.forEach((row, i) => {
      const cells = book.rows[i + 1];
      assert.equal(cells[0].value, row.label);
      SUMMARY_COLUMNS.forEach(([heading, field, kind], c) => {
        assertXlsxFigure(cells[c + 1], row[field], kind, `${row.label} ${heading}`);
      });
    });
    assert.ok(rows.some((row) => row.on_time_rate !== null), 'some rate to see formatted');
    assert.equal(book.widths.length, 13, 'a width for every column');
    for (const w of book.widths) assert.ok(w > 5, `width ${w}`);
    assert.ok(book.widths[0] > book.widths[2], 'the name column is wider than a count\'s');
  });

  test('the ranking as CSV and xlsx: the JSON\'s places, rates and escalations', async () => {
    const json = (await people.office.get(`/api/v1/reports/ranking?${PERIOD}`)).body;
    const csv = await getBytes(people.office, `/api/v1/reports/ranking?${PERIOD}&format=csv`);
    assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.deepEqual([...csv.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.equal(fileNames(csv.headers.get('content-disposition')).utf8, `街道按期整改排名 ${FROM}至${TO}.csv`);
    const records = parseCsv(new TextDecoder('utf-8', { ignoreBOM: true }).decode(csv.bytes.subarray(3)));
    assert.deepEqual(records[0], RANKING_HEADINGS);
    assert.equal(records.length, json.rows.length + 1);
    const xlsx = await getBytes(people.office, `/api/v1/reports/ranking?${PERIOD}&format=xlsx`);
    assert.equal(xlsx.headers.get('content-type'), XLSX);
    assert.equal(fileNames(xlsx.headers.get('content-disposition')).utf8, `街道按期整改排名 ${FROM}至${TO}.xlsx`);
    const book = readWorkbook(xlsx.bytes);
    assert.equal(book.sheetName, '排名');
    assert.deepEqual(book.rows[0].map((c) => c.value), RANKING_HEADINGS);
    assert.equal(book.widths.length, RANKING_HEADINGS.length);
    json.rows.forEach((row, i) => {
      const figures = [['rank', row.rank, 'count'], ['due', row.due, 'count'], ['on_time', row.on_time, 'count'],
        ['on_time_rate', row.on_time_rate, 'rate'], ['overdue', row.overdue, 'count'],
        ['level1', row.escalations.level1, 'count'], ['level2', row.escalations.level2, 'count'],
        ['level3', row.escalations.level3, 'count']];
      const columns = [0, 2, 3, 4, 5, 6, 7, 8];
      assert.equal(records[i + 1][1], row.unit_name);
      assert.equal(book.rows[i + 1][1].value, row.unit_name);
      figures.forEach(([name, value, kind], k) => {
        assertCsvFigure(records[i + 1][columns[k]], value, kind, `${row.unit_name} ${name} (CSV)`);
        assertXlsxFigure(book.rows[i + 1][columns[k]], value, kind, `${row.unit_name} ${name} (xlsx)`);
      });
    });
  });

  test('the CSV parser of this test reads quoted commas, quotes and line breaks', () => {
    assert.deepEqual(parseCsv('a,"b,""c""\r\nd",\r\n"",x\r\n'), [['a', 'b,"c"\r\nd', ''], ['', 'x']]);
    assert.throws(() => parseCsv('a"b\r\n'), /bare/);
  });
});

describe('the ranking', () => {
  test('subdistricts and parks by on-time rate, competition ranking, the period\'s escalations', async () => {
    const r = await people.office.get(`/api/v1/reports/ranking?${PERIOD}`);
    assert.equal(r.status, 200, r.text);
    const rows = r.body.rows;
    const territories = Object.values(units).filter((u) => ['subdistrict', 'park'].includes(u.kind));
    assert.deepEqual(rows.map((x) => x.unit_id).sort((a, b) => a - b), territories.map((u) => u.id).sort((a, b) => a - b));
    const jiaoxi = rows.find((x) => x.unit_id === units['JF-SD-JIAOXI'].id);
    assert.deepEqual([jiaoxi.due, jiaoxi.on_time, jiaoxi.on_time_rate, jiaoxi.overdue], [3, 2, 0.6667, 1]);
    assert.deepEqual(jiaoxi.escalations, { level1: 1, level2: 0, level3: 0, total: 1 });
    const minzhu = rows.find((x) => x.unit_id === units['JF-SD-MINZHU'].id);
    assert.deepEqual([minzhu.due, minzhu.on_time, minzhu.on_time_rate, minzhu.overdue], [1, 0, 0, 1]);
    assert.equal(jiaoxi.rank, 1, 'the only rate above zero');
    assert.equal(minzhu.rank, 2);
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1], rows[i]];
      if (a.on_time_rate === b.on_time_rate) assert.equal(b.rank, a.rank, 'a tie shares the place');
      else assert.equal(b.rank, i + 1, 'after a tie, places are skipped (1, 2, 2, 4)');
      if (b.on_time_rate !== null) assert.ok(a.on_time_rate !== null && a.on_time_rate >= b.on_time_rate);
    }
    assert.equal(rows.at(-1).on_time_rate, null, 'no rate ranks last');
  });
});

describe('the issues behind each figure', () => {
  /// Every item behind a drill link, following next_cursor; the total of every page.
  async function drill(client, link) {
    const items = [];
    const totals = new Set();
    let cursor = null;
    for (let page = 0; page < 100; page++) {
      const r = await client.get(`${link}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(r.status, 200, `${link}: ${r.text}`);
      items.push(...r.body.items);
      totals.add(r.body.total);
      cursor = r.body.next_cursor;
      if (cursor === null) return { items, totals: [...totals] };
    }
    assert.fail(`${link}: still a next_cursor after 100 pages`);
  }

  test('for every grouping, every figure\'s drill link lists exactly that many issues (zeros too)', async () => {
    let checked = 0;
    let nonzero = 0;
    for (const g of GROUPINGS) {
      const r = await summary(people.office, g);
      for (const row of [...r.rows, { ...r.totals, label: '合计' }]) {
        for (const metric of COUNTS) {
          if (row[metric] > 0) nonzero++;
          const { items, totals } = await drill(people.office, row.drill[metric]);
          assert.deepEqual(totals, [row[metric]], `${g} ${row.label} ${metric}: total`);
          assert.equal(items.length, row[metric], `${g} ${row.label} ${metric}: items`);
          assert.equal(new Set(items.map((i) => i.id)).size, items.length, 'no issue twice');
          checked++;
        }
      }
    }
    assert.ok(nonzero > 50, `${nonzero} of ${checked} figures drilled are not zero`);
    const overdue = await drill(people.office, (await summary(people.office)).totals.drill.overdue);
    assert.deepEqual(overdue.items.map((i) => i.id).sort((a, b) => a - b), [s.a1.id, s.a2.id]);
    const reworked = await drill(people.office, (await summary(people.office)).totals.drill.reworked);
    assert.deepEqual(reworked.items.map((i) => i.id), [s.b2.id]);
  });

  test('a handler\'s figures drill to the same issues', async () => {
    const mine = await summary(people.handler);
    for (const metric of COUNTS) {
      const { items, totals } = await drill(people.handler, mine.rows[0].drill[metric]);
      assert.deepEqual([items.length, totals], [mine.rows[0][metric], [mine.rows[0][metric]]], metric);
    }
  });
});

describe('the bulletin', () => {
  let html;

  test('printable A4 HTML in Chinese: the totals, the ranking, the units and the overdue issues', async () => {
    const r = await people.leader.get(`/api/v1/reports/bulletin?${PERIOD}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    html = r.text;
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /<html lang="zh-CN">/);
    assert.match(html, /<meta charset="utf-8">/);
    assert.match(html, /@page\s*\{[^}]*size:\s*A4/);
    assert.match(html, /本期共发现问题 8 个/);
    const ranking = (await people.leader.get(`/api/v1/reports/ranking?${PERIOD}`)).body.rows;
    const rankingTable = /<table class="ranking">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    const places = [...rankingTable.matchAll(/<tr><td>(\d+)<\/td><td class="name">([^<]*)<\/td>/g)]
      .map((m) => [Number(m[1]), m[2]]);
    assert.deepEqual(places, ranking.map((x) => [x.rank, x.unit_name]), 'the ranking, in its order');
    const overdueTable = /<table class="overdue">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    const listed = [...overdueTable.matchAll(/<tr><td>(\d+)<\/td><td class="name">([^<]*)<\/td>/g)];
    assert.deepEqual(listed.map((m) => Number(m[1])).sort((a, b) => a - b), [s.a1.id, s.a2.id], 'the overdue issues');
    const escaped = s.siteName.replaceAll('&', '&amp;').replaceAll('"', '&quot;');
    assert.equal(listed.find((m) => Number(m[1]) === s.a1.id)[2], escaped, 'the site\'s name, HTML-escaped');
    assert.ok(!html.includes(s.siteName), 'never unescaped');
    const unitsTable = /<table class="units">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    assert.ok(unitsTable.includes(s.unitName.replaceAll('"', '&quot;')), 'the quoted unit in the units table');
  });

  test('printed to PDF by Chromium: A4 pages', async () => {
    let chromium;
    try {
      ({ chromium } = await import('playwright-core'));
    } catch (e) {
      // deploy/install-deps.sh installs both: their absence is a broken setup, not a pass.
      assert.fail(`playwright-core is not installed in tests/e2e/node_modules (run deploy/install-deps.sh): ${e.message}`);
    }
    assert.ok(fs.existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (run deploy/install-deps.sh)`);
    assert.ok(html, 'the bulletin was fetched');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 60_000 });
    try {
      const page = await browser.newPage();
      await page.setContent(html, { waitUntil: 'load' });
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
      const text = pdf.toString('latin1');
      const pages = text.match(/\/Type\s*\/Page(?![s\w])/g) ?? [];
      assert.ok(pages.length >= 1, 'at least one page');
      const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(text);
      if (box) {
        assert.ok(Math.abs(Number(box[1]) - 595.3) < 2 && Math.abs(Number(box[2]) - 841.9) < 2, `A4: ${box[0]}`);
      }
      fs.mkdirSync(outputDir, { recursive: true });
      fs.writeFileSync(path.join(outputDir, 'bulletin.pdf'), pdf);
    } finally {
      await browser.close();
    }
  });
});

describe('the map', () => {
  test('the open issues with a location, over the territories\' outlines', async () => {
    const r = await people.office.get('/api/v1/reports/map');
    assert.equal(r.status, 200, r.text);
    const open = [s.a1, s.a2, s.b1, s.b4].map((i) => i.id).sort((a, b) => b - a);
    assert.deepEqual(r.body.issues.map((i) => i.id), open, 'open ones, newest first');
    assert.deepEqual(r.body.issues.filter((i) => i.overdue).map((i) => i.id).sort((a, b) => a - b), [s.a1.id, s.a2.id]);
    assert.equal(r.body.truncated, false);
    const area = (code) => r.body.subdistricts.features.find((f) => f.properties.id === units[code].id).properties;
    assert.deepEqual([area('JF-SD-JIAOXI').open, area('JF-SD-JIAOXI').overdue], [3, 1], 'a1, b1, b4 in 焦西');
    assert.deepEqual([area('JF-SD-MINZHU').open, area('JF-SD-MINZHU').overdue], [1, 1]);
  });
});

describe('bad input', () => {
  const cases = [
    ['summary?format=pdf', 400, 'invalid_parameter', 'format'],
    ['summary?from=2026-13-01', 400, 'invalid_parameter', 'from'],
    ['summary?to=2026-02-30', 400, 'invalid_parameter', 'to'],
    ['summary?from=27.11.2026', 400, 'invalid_parameter', 'from'],
    ['summary?from=2026-11-20&to=2026-11-10', 422, 'validation_failed', 'to'],
    ['summary?group_by=district', 400, 'invalid_parameter', 'group_by'],
    ['summary?colour=red', 400, 'unknown_parameter', 'colour'],
    ['summary?format=csv&format=xlsx', 400, 'invalid_parameter', null],
    ['ranking?format=pdf', 400, 'invalid_parameter', 'format'],
    ['ranking?from=2026-11-20&to=2026-11-10', 422, 'validation_failed', 'to'],
    ['bulletin?format=csv', 400, 'unknown_parameter', 'format'],
    ['bulletin?from=2026-11-20&to=2026-11-10', 422, 'validation_failed', 'to'],
    ['map?from=2026-11-01', 400, 'unknown_parameter', 'from'],
    ['issues', 400, 'invalid_parameter', 'metric'],
    ['issues?metric=everything', 400, 'invalid_parameter', 'metric'],
    ['issues?metric=found&key=1', 422, 'validation_failed', 'group_by'],
    ['issues?metric=found&group_by=unit', 422, 'validation_failed', 'key'],
    ['issues?metric=found&limit=500', 400, 'invalid_parameter', 'limit'],
    ['issues?metric=found&cursor=bm90LW91cnM', 400, 'invalid_cursor', null],
  ];
  for (const [query, status, code, field] of cases) {
    test(`${query} → ${status} ${code}`, async () => {
      const r = await people.office.get(`/api/v1/reports/${query}`);
      assert.equal(r.status, status, r.text);
      assert.equal(r.headers.get('content-type'), 'application/problem+json');
      assert.equal(r.body.code, code);
      assert.equal(r.body.status, status);
      if (field) assert.ok(r.body.errors?.some((e) => e.field === field), JSON.stringify(r.body));
    });
  }
});

describe('who sees what', () => {
  test('a handler sees their own unit\'s figures, issues, bulletin and map, and the whole ranking', async () => {
    const jiaoxi = units['JF-SD-JIAOXI'].id;
    const office = await summary(people.office);
    const mine = await summary(people.handler);
    assert.deepEqual(mine.rows.map((x) => x.key), [String(jiaoxi)], 'their unit\'s row only');
    const { drill, ...figures } = mine.totals;
    const { drill: d2, key, label, ...rowFigures } = mine.rows[0];
    assert.deepEqual(figures, rowFigures, 'the totals are their unit\'s');
    const byCategory = await summary(people.handler, 'category');
    assert.equal(byCategory.totals.found, mine.totals.found, 'other groupings: their unit\'s issues');

    // The one scope of the issues: a handler's figures and lists hold exactly the issues it may
    // open, those its unit leads or co-handles — not its territory's issues no one leads yet,
    // which GET /api/v1/issues/{id} answers 404 for.
    const everyone = await people.office.get(`/api/v1/reports/issues?metric=found&${PERIOD}&limit=200`);
    const opens = [];
    for (const i of everyone.body.items) {
      const r = await people.handler.get(`/api/v1/issues/${i.id}`);
      assert.ok([200, 404].includes(r.status), r.text);
      if (r.status === 200) opens.push(i.id);
    }
    const found = await people.handler.get(`${mine.totals.drill.found}&limit=200`);
    assert.deepEqual(found.body.items.map((i) => i.id), opens, 'listed: what the handler may open');
    assert.equal(found.body.total, opens.length);
    assert.equal(mine.totals.found, opens.length, 'counted: what the handler may open');
    for (const i of found.body.items) {
      assert.ok(i.lead_unit_id === jiaoxi || i.co_unit_ids.includes(jiaoxi), `issue ${i.id}: led or co-handled by 焦西`);
    }
    const unled = everyone.body.items.filter((i) => i.lead_unit_id === null && i.subdistrict_id === jiaoxi);
    assert.ok(unled.length > 0, 'the fixture has an issue of 焦西\'s territory that no one leads yet');
    for (const i of unled) assert.ok(!opens.includes(i.id), `issue ${i.id}: not the handler's to see yet`);
    const other = await people.handler.get(`/api/v1/reports/issues?metric=found&group_by=unit&key=${s.unit.id}&${PERIOD}`);
    assert.equal(other.status, 200);
    assert.deepEqual([other.body.items, other.body.total], [[], 0], 'another unit\'s figure: nothing');

    const csv = await getBytes(people.handler, `/api/v1/reports/summary?${PERIOD}&format=csv`);
    const records = parseCsv(new TextDecoder('utf-8', { ignoreBOM: true }).decode(csv.bytes.subarray(3)));
    assert.deepEqual(records.map((x) => x[0]), ['责任单位', units['JF-SD-JIAOXI'].name, '合计']);

    const ranking = await people.handler.get(`/api/v1/reports/ranking?${PERIOD}`);
    assert.deepEqual(ranking.body.rows, (await people.office.get(`/api/v1/reports/ranking?${PERIOD}`)).body.rows,
      'the ranking is public');

    const bulletin = await people.handler.get(`/api/v1/reports/bulletin?${PERIOD}`);
    const unitsTable = /<table class="units">([\s\S]*?)<\/table>/.exec(bulletin.text)?.[1] ?? '';
    assert.deepEqual([...unitsTable.matchAll(/<td class="name">([^<]*)<\/td>/g)].map((m) => m[1]),
      [units['JF-SD-JIAOXI'].name, '合计']);
    const overdueTable = /<table class="overdue">([\s\S]*?)<\/table>/.exec(bulletin.text)?.[1] ?? '';
    assert.deepEqual([...overdueTable.matchAll(/<tr><td>(\d+)<\/td>/g)].map((m) => Number(m[1])), [s.a1.id]);

    const map = await people.handler.get('/api/v1/reports/map');
    // The open issues of the handler's own issue list (the same scope), and only those.
    const listed = await people.handler.get('/api/v1/issues?limit=200');
    const open = listed.body.items.filter((i) => ['reported', 'confirmed', 'assigned', 'submitted'].includes(i.status))
      .map((i) => i.id).sort((a, b) => b - a);
    assert.ok(open.includes(s.a1.id), 'a1, which 焦西 leads, is open');
    assert.ok(!open.includes(s.b4.id), 'b4 (reported, no lead yet) is not the handler\'s to see');
    assert.deepEqual(map.body.issues.map((i) => i.id), open, 'their open issues only');
    const areas = map.body.subdistricts.features.map((f) => f.properties);
    assert.equal(areas.reduce((n, a) => n + a.open, 0), open.length);
  });

  test('a department\'s handler sees their unit only', async () => {
    const chengguan = units['JF-DEPT-CHENGGUAN'].id;
    const r = await summary(people.chengguan);
    assert.deepEqual(r.rows.map((x) => x.key), [String(chengguan)]);
    assert.equal(r.totals.found, 0);
    const map = await people.chengguan.get('/api/v1/reports/map');
    assert.deepEqual(map.body.issues, []);
  });

  test('inspectors and administrators may not read reports (403); without a token, 401', async () => {
    for (const route of ['summary', 'ranking', 'issues?metric=found', 'bulletin', 'map']) {
      for (const client of [people.inspector, admin]) {
        const r = await client.get(`/api/v1/reports/${route}`);
        assert.equal(r.status, 403, `${route}: ${r.text}`);
        assert.equal(r.body.code, 'forbidden');
      }
      const anonymous = await api.get(`/api/v1/reports/${route}`, { auth: false });
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.body.code, 'unauthenticated');
    }
    for (const client of [people.supervisor, people.leader]) {
      assert.equal((await client.get(`/api/v1/reports/summary?${PERIOD}`)).status, 200);
    }
  });
});

describe('the dashboard\'s files', () => {
  test('are public: /dashboard redirects to the page, the page and its files need no token', async () => {
    const moved = await fetch(`${server.baseUrl}/dashboard`, { redirect: 'manual' });
    contract().validate({ method: 'GET', path: '/dashboard', status: moved.status, headers: moved.headers, body: await moved.text() });
    assert.equal(moved.status, 301);
    assert.equal(moved.headers.get('location'), '/dashboard/');
    for (const file of ['', 'index.html', 'app.js', 'app.css']) {
      const r = await getBytes(api, `/dashboard/${file}`, { auth: false });
      assert.equal(r.status, 200, file);
    }
    const missing = await api.get('/dashboard/secrets.txt', { auth: false });
    assert.equal(missing.status, 404);
  });
});
