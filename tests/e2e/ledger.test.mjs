// The issue ledger over real HTTP, as the district's people use it: an inspector records an
// inspection on the phone (retrying on weak data), the office confirms and assigns, the
// subdistrict rectifies, the supervision bureau returns it once and then closes it; every step is
// checked, concurrency-safe and written to the audit trail.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { before, describe, test } from 'node:test';

import {
  HOUR, loadUnits, makeJpeg, makePng, newJiaoxiSite, putPhoto, sha256, shanghai, signInPeople,
} from './support/ledger.mjs';
import { useServer } from './support/server.mjs';

const run = `${process.pid}-${Date.now().toString(36)}`;
let units;
let people;
let site;
useServer({
  setup: async (admin) => {
    units = await loadUnits(admin);
    people = await signInPeople(admin, units);
    site = await newJiaoxiSite(people.inspector, `台账测试烧烤店${run}`);
    assert.equal(site.subdistrict_id, units['JF-SD-JIAOXI'].id, 'the test site lies in 焦西街道');
  },
});

const rid = (step) => `e2e-${run}-${step}`;

/// A workflow step as `client`, with the If-Match and X-Request-Id given.
function step(client, issueId, action, body, { etag, requestId } = {}) {
  const headers = {};
  if (etag !== undefined) headers['if-match'] = etag;
  if (requestId !== undefined) headers['x-request-id'] = requestId;
  return client.post(`/api/v1/issues/${issueId}/${action}`, body, { headers });
}

async function etagOf(client, issueId) {
  const r = await client.get(`/api/v1/issues/${issueId}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), `"v${r.body.version}"`);
  return r.headers.get('etag');
}

/// An issue reported by the office (a hotline complaint) at the test site, confirmed: ready to assign.
async function confirmedIssue(overrides = {}) {
  const r = await people.office.post('/api/v1/issues', {
    client_id: crypto.randomUUID(), site_id: site.id, category: 'shop_front_duty', severity: 1,
    description: '群众来电：店门前油污未清理', source: 'hotline', ...overrides,
  });
  assert.equal(r.status, 201, r.text);
  const c = await step(people.office, r.body.id, 'triage', { decision: 'confirm' }, { etag: '"v1"' });
  assert.equal(c.status, 200, c.text);
  return c.body;
}

const hoursBetween = (a, b) => (Date.parse(b) - Date.parse(a)) / HOUR;

describe('the life of an issue', () => {
  const startedAt = shanghai(Date.now() - 2 * HOUR);
  let photo;
  let proof;
  let inspectionBody;
  let recorded;       // the 201 answer
  let issue;          // the first finding's issue, followed through its life
  let secondIssue;    // the second finding's, left open
  const key = `inspection-${run}`;

  before(async () => {
    photo = makePng(6, 6);
    proof = makeJpeg();
    assert.equal((await putPhoto(people.inspector, photo)).status, 201);
    assert.equal((await putPhoto(people.handler, proof, { type: 'image/jpeg' })).status, 201);
    inspectionBody = {
      client_id: crypto.randomUUID(),
      site_id: site.id,
      started_at: startedAt,
      location: { lat: 35.2201, lon: 113.1991 },
      notes: '秋冬季大气污染防治专项巡查',
      findings: [
        {
          client_id: crypto.randomUUID(),
          category: 'fume_direct_emission',
          severity: 2,
          description: '烧烤炉油烟未经净化直接排放，现场浓烟明显',
          location: { lat: 35.2201, lon: 113.1991 },
          photo_ids: [sha256(photo)],
          found_at: shanghai(Date.now() - 2 * HOUR + 10 * 60_000),
        },
        {
          client_id: crypto.randomUUID(),
          category: 'garbage_accumulation',
          severity: 1,
          description: '店后巷道生活垃圾堆积未清运',
        },
      ],
    };
  });

  test('an inspection with two findings is recorded as two reported issues (201, no Location: read through its issues)', async () => {
    const r = await people.inspector.post('/api/v1/inspections', inspectionBody,
      { headers: { 'idempotency-key': key, 'x-request-id': rid('report') } });
    assert.equal(r.status, 201, r.text);
    recorded = r;
    assert.equal(r.headers.get('location'), null, 'there is no inspection resource to follow');
    assert.equal(r.headers.get('idempotent-replayed'), null, 'a first answer is not a replay');
    assert.equal(r.body.client_id, inspectionBody.client_id);
    assert.equal(r.body.inspector_id, people.inspector.user.id);
    assert.equal(Date.parse(r.body.started_at), Date.parse(startedAt));
    assert.equal(r.body.issues.length, 2);
    const [a, b] = r.body.issues;
    assert.deepEqual([a.client_id, b.client_id], inspectionBody.findings.map((f) => f.client_id));
    for (const i of r.body.issues) {
      assert.equal(i.status, 'reported');
      assert.equal(i.status_label, '已上报');
      assert.equal(i.source, 'patrol');
      assert.equal(i.inspection_id, r.body.id);
      assert.equal(i.site_id, site.id);
      assert.equal(i.subdistrict_id, units['JF-SD-JIAOXI'].id);
      assert.equal(i.site_kind, 'restaurant');
      assert.equal(i.reported_by, people.inspector.user.id);
      assert.equal(i.version, 1);
      assert.equal(i.lead_unit_id, null);
      assert.equal(i.due_at, null);
    }
    assert.equal(a.category_label, '油烟直排');
    assert.equal(a.severity_label, '较重');
    assert.equal(a.description, inspectionBody.findings[0].description);
    assert.deepEqual(a.photo_ids, [sha256(photo)]);
    assert.equal(Date.parse(a.reported_at), Date.parse(inspectionBody.findings[0].found_at));
    assert.deepEqual(a.location, inspectionBody.findings[0].location);
    assert.equal(b.category_label, '垃圾堆积');
    assert.equal(Date.parse(b.reported_at), Date.parse(startedAt), 'found_at defaults to started_at');
    [issue, secondIssue] = r.body.issues;
  });

  test('the phone retries with the same Idempotency-Key: the same answer byte for byte, marked as a replay, and nothing new', async () => {
    const again = await people.inspector.post('/api/v1/inspections', inspectionBody,
      { headers: { 'idempotency-key': key } });
    assert.equal(again.status, 201, again.text);
    assert.equal(again.text, recorded.text, 'byte-identical body');
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.headers.get('location'), recorded.headers.get('location'));
    const list = await people.office.get(`/api/v1/issues?site_id=${site.id}&limit=200`);
    assert.equal(list.body.items.filter((i) => i.inspection_id === recorded.body.id).length, 2,
      'still two issues of this inspection');
  });

  test('the same key with another body is 422 idempotency_key_reused; the same client_id without a key is 409', async () => {
    const changed = { ...inspectionBody, notes: '改过的备注' };
    const r = await people.inspector.post('/api/v1/inspections', changed, { headers: { 'idempotency-key': key } });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.body.code, 'idempotency_key_reused');
    const dup = await people.inspector.post('/api/v1/inspections', inspectionBody);
    assert.equal(dup.status, 409, dup.text);
    assert.equal(dup.body.code, 'duplicate_client_id');
    assert.ok(dup.body.errors.some((e) => e.field === 'client_id'));
  });

  test('the site now shows its open issues and the last inspection', async () => {
    const r = await people.office.get(`/api/v1/sites/${site.id}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.open_issue_count, 2);
    assert.ok(r.body.last_inspection_at, 'last_inspection_at is set');
    assert.equal(Date.parse(r.body.last_inspection_at), Date.parse(startedAt));
    assert.match(r.body.last_inspection_at, /\+08:00$/);
  });

  test('a step without If-Match is 428 and with a stale one 412; the issue is unchanged', async () => {
    const none = await step(people.office, issue.id, 'triage', { decision: 'confirm' });
    assert.equal(none.status, 428, none.text);
    assert.equal(none.body.code, 'precondition_required');
    const stale = await step(people.office, issue.id, 'triage', { decision: 'confirm' }, { etag: '"v7"' });
    assert.equal(stale.status, 412, stale.text);
    assert.equal(stale.body.code, 'precondition_failed');
    const g = await people.office.get(`/api/v1/issues/${issue.id}`);
    assert.equal(g.body.status, 'reported');
    assert.equal(g.headers.get('etag'), '"v1"');
  });

  test('the office confirms (v2) and assigns it to 焦西街道 with the default 3-day deadline for a serious issue', async () => {
    const c = await step(people.office, issue.id, 'triage', { decision: 'confirm' },
      { etag: '"v1"', requestId: rid('confirm') });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.body.status, 'confirmed');
    assert.equal(c.body.status_label, '已确认');
    assert.equal(c.headers.get('etag'), '"v2"');

    const a = await step(people.office, issue.id, 'assignments', { lead_unit_id: units['JF-SD-JIAOXI'].id },
      { etag: '"v2"', requestId: rid('assign') });
    assert.equal(a.status, 200, a.text);
    assert.equal(a.body.status, 'assigned');
    assert.equal(a.body.status_label, '已交办');
    assert.equal(a.body.lead_unit_id, units['JF-SD-JIAOXI'].id);
    assert.deepEqual(a.body.co_unit_ids, []);
    assert.equal(a.body.overdue, false);
    assert.equal(hoursBetween(a.body.assigned_at, a.body.due_at), 72, 'severity 2 (较重): 3 days');
    assert.ok(Math.abs(Date.parse(a.body.assigned_at) - Date.now()) < 5 * 60_000);
    assert.equal(a.headers.get('etag'), '"v3"');
    issue = a.body;
  });

  test('民主街道\'s handler cannot see or touch it: 404 on read, events and rectification, and it is not in their list', async () => {
    const other = people.otherHandler;
    assert.equal((await other.get(`/api/v1/issues/${issue.id}`)).status, 404);
    assert.equal((await other.get(`/api/v1/issues/${issue.id}/events`)).status, 404);
    const r = await step(other, issue.id, 'rectifications', { description: '越权提交', photo_ids: [sha256(proof)] },
      { etag: '"v3"' });
    assert.equal(r.status, 404, r.text);
    assert.equal(r.body.code, 'not_found');
    const list = await other.get('/api/v1/issues?limit=200');
    assert.equal(list.status, 200);
    assert.ok(!list.body.items.some((i) => i.id === issue.id));
    assert.equal((await people.office.get(`/api/v1/issues/${issue.id}`)).body.version, 3, 'nothing changed');
  });

  test('焦西街道\'s handler sees it in their list and submits the rectification with a photo', async () => {
    const list = await people.handler.get(`/api/v1/issues?status=assigned&limit=200`);
    assert.equal(list.status, 200);
    assert.ok(list.body.items.some((i) => i.id === issue.id), 'the lead unit sees its assignment');
    const r = await step(people.handler, issue.id, 'rectifications',
      { description: '已安装油烟净化器并接入专用烟道', photo_ids: [sha256(proof)] },
      { etag: '"v3"', requestId: rid('submit-1') });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'submitted');
    assert.equal(r.body.status_label, '待核查');
    assert.deepEqual(r.body.rectification, { description: '已安装油烟净化器并接入专用烟道', photo_ids: [sha256(proof)] });
    assert.ok(r.body.submitted_at);
    issue = r.body;
  });

  test('the supervisor returns it: assigned again, return_count 1, a new deadline from now', async () => {
    const r = await step(people.supervisor, issue.id, 'verifications',
      { decision: 'return', comment: '复查时仍有油烟外溢，净化器未通电' },
      { etag: '"v4"', requestId: rid('return') });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'assigned');
    assert.equal(r.body.return_count, 1);
    assert.equal(r.body.verification_comment, '复查时仍有油烟外溢，净化器未通电');
    assert.equal(r.body.submitted_at, null);
    assert.ok(Date.parse(r.body.assigned_at) > Date.parse(issue.assigned_at), 'assigned anew');
    assert.ok(Date.parse(r.body.due_at) > Date.parse(issue.due_at), 'a later deadline');
    assert.equal(hoursBetween(r.body.assigned_at, r.body.due_at), 72);
    issue = r.body;
  });

  test('the handler resubmits and the supervisor accepts: closed (已销号)', async () => {
    const s = await step(people.handler, issue.id, 'rectifications',
      { description: '净化器已通电运行，排放达标', photo_ids: [sha256(proof)] },
      { etag: '"v5"', requestId: rid('submit-2') });
    assert.equal(s.status, 200, s.text);
    assert.equal(s.body.status, 'submitted');
    const a = await step(people.supervisor, issue.id, 'verifications',
      { decision: 'accept', comment: '现场核查合格' },
      { etag: '"v6"', requestId: rid('accept') });
    assert.equal(a.status, 200, a.text);
    assert.equal(a.body.status, 'closed');
    assert.equal(a.body.status_label, '已销号');
    assert.ok(a.body.closed_at);
    assert.equal(a.body.return_count, 1);
    assert.equal(a.body.overdue, false);
    assert.equal(a.headers.get('etag'), '"v7"');
    issue = a.body;
  });

  test('a closed issue takes no further step: 409 invalid_transition naming closed', async () => {
    const attempts = [
      [people.supervisor, 'verifications', { decision: 'return', comment: '再退回' }],
      [people.handler, 'rectifications', { description: '再提交', photo_ids: [sha256(proof)] }],
      [people.office, 'assignments', { lead_unit_id: units['JF-SD-JIAOXI'].id }],
      [people.office, 'triage', { decision: 'reject', reason: '重复' }],
    ];
    for (const [client, action, body] of attempts) {
      const r = await step(client, issue.id, action, body, { etag: '"v7"' });
      assert.equal(r.status, 409, `${action}: ${r.text}`);
      assert.equal(r.body.code, 'invalid_transition');
      assert.match(r.body.detail, /closed/);
      assert.deepEqual(r.body.errors, [{ field: 'status', message: 'is closed' }]);
    }
    assert.equal((await people.office.get(`/api/v1/issues/${issue.id}`)).body.version, 7);
  });

  test('the audit trail lists report, confirm, assign, submit, return, submit, accept with who did it and the request ids sent', async () => {
    const r = await people.office.get(`/api/v1/issues/${issue.id}/events`);
    assert.equal(r.status, 200, r.text);
    const events = r.body.items;
    assert.deepEqual(events.map((e) => e.action),
      ['report', 'confirm', 'assign', 'submit', 'return', 'submit', 'accept']);
    assert.deepEqual(events.map((e) => e.request_id),
      ['report', 'confirm', 'assign', 'submit-1', 'return', 'submit-2', 'accept'].map(rid));
    assert.deepEqual(events.map((e) => e.actor_role),
      ['inspector', 'office', 'office', 'handler', 'supervisor', 'handler', 'supervisor']);
    assert.deepEqual(events.map((e) => e.actor_id), [
      people.inspector.user.id, people.office.user.id, people.office.user.id, people.handler.user.id,
      people.supervisor.user.id, people.handler.user.id, people.supervisor.user.id]);
    assert.equal(events[0].before, null);
    assert.deepEqual(events.map((e) => e.after.status),
      ['reported', 'confirmed', 'assigned', 'submitted', 'assigned', 'submitted', 'closed']);
    for (let i = 1; i < events.length; i++) {
      assert.ok(events[i].seq > events[i - 1].seq, 'in order');
      assert.deepEqual(events[i].before, events[i - 1].after, `event ${i} starts where event ${i - 1} ended`);
    }
    assert.equal(events[4].after.return_count, 1);
    assert.equal(events[4].after.verification_comment, '复查时仍有油烟外溢，净化器未通电');
    for (const e of events) assert.equal(e.issue_id, issue.id);
  });

  test('the site counts one open issue now (the closed one no longer)', async () => {
    const r = await people.office.get(`/api/v1/sites/${site.id}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.open_issue_count, 1);
    assert.equal(Date.parse(r.body.last_inspection_at), Date.parse(startedAt));
    const list = await people.office.get(`/api/v1/sites?q=${encodeURIComponent(site.name)}`);
    assert.equal(list.body.items.length, 1);
    assert.equal(list.body.items[0].open_issue_count, undefined, 'lists leave the ledger fields out');
  });

  test('the second finding is still reported and is the one the inspector sees as open', async () => {
    const r = await people.inspector.get(`/api/v1/issues/${secondIssue.id}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'reported');
  });
});

describe('retries on weak data', () => {
  test('the same report sent twice at once with one key is stored once; both answers are the same', async () => {
    const body = {
      client_id: crypto.randomUUID(), site_id: site.id, category: 'purifier_not_running', severity: 2,
      description: '净化设施未开启（弱网重发）', found_at: shanghai(Date.now() - HOUR),
    };
    const k = `issue-${run}-race`;
    const [x, y] = await Promise.all([0, 1].map(() => people.inspector.post('/api/v1/issues', body,
      { headers: { 'idempotency-key': k } })));
    assert.deepEqual([x.status, y.status], [201, 201], `${x.text}\n${y.text}`);
    assert.equal(x.text, y.text);
    assert.deepEqual([x.headers.get('idempotent-replayed'), y.headers.get('idempotent-replayed')].sort(), ['true', null].sort());
    assert.equal(x.headers.get('location'), `/api/v1/issues/${x.body.id}`);
    const list = await people.office.get(`/api/v1/issues?site_id=${site.id}&category=purifier_not_running&limit=200`);
    assert.equal(list.body.items.filter((i) => i.client_id === body.client_id).length, 1);
  });

  test('a report refused for a photo not yet uploaded goes through with the same key once the photo is there', async () => {
    const photo = makePng(3, 3);
    const body = {
      client_id: crypto.randomUUID(), site_id: site.id, category: 'open_air_bbq', severity: 2,
      description: '夜间露天烧烤（照片后传）', photo_ids: [sha256(photo)],
    };
    const k = `issue-${run}-photo-later`;
    const early = await people.inspector.post('/api/v1/issues', body, { headers: { 'idempotency-key': k } });
    assert.equal(early.status, 422, early.text);
    assert.equal(early.body.code, 'missing_attachments');
    assert.equal((await putPhoto(people.inspector, photo)).status, 201);
    const later = await people.inspector.post('/api/v1/issues', body, { headers: { 'idempotency-key': k } });
    assert.equal(later.status, 201, 'the refusal was not stored as the answer to the key');
    assert.equal(later.headers.get('idempotent-replayed'), null);
    assert.deepEqual(later.body.photo_ids, [sha256(photo)]);
  });

  test('an Idempotency-Key longer than 255 characters is 400 invalid_idempotency_key', async () => {
    const r = await people.inspector.post('/api/v1/issues', {
      client_id: crypto.randomUUID(), site_id: site.id, category: 'other', severity: 1, description: '超长幂等键',
    }, { headers: { 'idempotency-key': 'k'.repeat(256) } });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.code, 'invalid_idempotency_key');
  });
});

describe('finding issues in the ledger', () => {
  const made = [];
  before(async () => {
    // Five hotline complaints at the test site: two of them assigned to 焦西街道.
    for (let n = 0; n < 5; n++) {
      const r = await people.office.post('/api/v1/issues', {
        client_id: crypto.randomUUID(), site_id: site.id,
        category: n % 2 === 0 ? 'open_burning' : 'muddy_vehicles', severity: 1 + (n % 3),
        description: `热线投诉第${n + 1}件：现场情况待核实`, source: 'hotline',
      });
      assert.equal(r.status, 201, r.text);
      made.push(r.body);
    }
    for (const i of made.slice(0, 2)) {
      const c = await step(people.office, i.id, 'triage', { decision: 'confirm' }, { etag: '"v1"' });
      const a = await step(people.office, i.id, 'assignments', { lead_unit_id: units['JF-SD-JIAOXI'].id },
        { etag: c.headers.get('etag') });
      assert.equal(a.status, 200, a.text);
      made[made.indexOf(i)] = a.body;
    }
  });

  test('status filters: each answer holds only that status', async () => {
    for (const status of ['reported', 'assigned', 'closed']) {
      const r = await people.office.get(`/api/v1/issues?site_id=${site.id}&status=${status}&limit=200`);
      assert.equal(r.status, 200);
      assert.ok(r.body.items.length > 0, `some ${status} issue at the site`);
      for (const i of r.body.items) assert.equal(i.status, status);
    }
    const assigned = await people.office.get(`/api/v1/issues?site_id=${site.id}&status=assigned&limit=200`);
    for (const i of made.slice(0, 2)) assert.ok(assigned.body.items.some((x) => x.id === i.id));
  });

  test('unit_id lists what a unit leads; overdue=false holds the fresh assignments and overdue=true not', async () => {
    const jiaoxi = units['JF-SD-JIAOXI'].id;
    const r = await people.office.get(`/api/v1/issues?unit_id=${jiaoxi}&site_id=${site.id}&limit=200`);
    assert.equal(r.status, 200);
    for (const i of r.body.items) assert.ok(i.lead_unit_id === jiaoxi || i.co_unit_ids.includes(jiaoxi));
    for (const i of made.slice(0, 2)) assert.ok(r.body.items.some((x) => x.id === i.id));
    assert.ok(!r.body.items.some((x) => x.id === made[4].id), 'an unassigned issue has no unit');

    const fresh = await people.office.get(`/api/v1/issues?site_id=${site.id}&overdue=false&limit=200`);
    for (const i of fresh.body.items) assert.equal(i.overdue, false);
    for (const i of made) assert.ok(fresh.body.items.some((x) => x.id === i.id));
    const late = await people.office.get(`/api/v1/issues?site_id=${site.id}&overdue=true&limit=200`);
    assert.equal(late.status, 200);
    assert.deepEqual(late.body.items, [], 'nothing here is past its deadline');
  });

  test('category and severity filters', async () => {
    const r = await people.office.get(`/api/v1/issues?site_id=${site.id}&category=muddy_vehicles&limit=200`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.items.map((i) => i.id).sort(), made.filter((i) => i.category === 'muddy_vehicles').map((i) => i.id).sort());
    for (const i of r.body.items) assert.equal(i.category_label, '车辆带泥上路');
    const s = await people.office.get(`/api/v1/issues?site_id=${site.id}&severity=3&limit=200`);
    assert.equal(s.status, 200);
    assert.ok(s.body.items.some((i) => i.id === made[2].id), 'the severe complaint is listed');
    for (const i of s.body.items) assert.equal(i.severity_label, '严重');
  });

  test('reported_from/reported_to bound reported_at', async () => {
    const from = shanghai(Date.parse(made[0].reported_at) - 1000);
    const r = await people.office.get(`/api/v1/issues?site_id=${site.id}&reported_from=${encodeURIComponent(from)}&limit=200`);
    assert.equal(r.status, 200);
    for (const i of made) assert.ok(r.body.items.some((x) => x.id === i.id));
    for (const i of r.body.items) assert.ok(Date.parse(i.reported_at) >= Date.parse(from));
    const to = await people.office.get(`/api/v1/issues?site_id=${site.id}&reported_to=${encodeURIComponent(from)}&limit=200`);
    assert.ok(!to.body.items.some((x) => made.some((m) => m.id === x.id)));
  });

  test('cursor paging walks every issue of the site once, newest first', async () => {
    const all = await people.office.get(`/api/v1/issues?site_id=${site.id}&limit=200`);
    const pages = await people.office.walk(`/api/v1/issues?site_id=${site.id}`, { limit: 2 });
    const walked = pages.flat().map((i) => i.id);
    assert.ok(walked.length >= 7, `the site has the inspection's 2 issues and 5 complaints, got ${walked.length}`);
    assert.equal(pages.length, Math.ceil(walked.length / 2), 'full pages of 2 until the last');
    assert.deepEqual(walked, all.body.items.map((i) => i.id));
    assert.equal(new Set(walked).size, walked.length, 'no issue twice');
    assert.deepEqual(walked, [...walked].sort((a, b) => b - a), 'newest first');
  });

  test('bad filters are 400 naming the parameter', async () => {
    for (const [q, name] of [['status=open', 'status'], ['category=smoke', 'category'], ['severity=4', 'severity'],
      ['overdue=yes', 'overdue'], ['reported_from=2026-11-01T00:00:00', 'reported_from'], ['colour=red', 'colour']]) {
      const r = await people.office.get(`/api/v1/issues?${q}`);
      assert.equal(r.status, 400, `${q}: ${r.text}`);
      assert.ok(r.body.errors?.some((e) => e.field === name), `${q}: ${JSON.stringify(r.body)}`);
    }
  });
});

describe('who may do what', () => {
  let target;
  before(async () => { target = await confirmedIssue(); });

  test('a leader reads the ledger but every change is 403', async () => {
    const leader = people.leader;
    assert.equal((await leader.get('/api/v1/issues?limit=5')).status, 200);
    assert.equal((await leader.get(`/api/v1/issues/${target.id}`)).status, 200);
    assert.equal((await leader.get(`/api/v1/issues/${target.id}/events`)).status, 200);
    assert.equal((await leader.get('/api/v1/rules/deadlines')).status, 200);
    const attempts = [
      ['/api/v1/inspections', { client_id: crypto.randomUUID(), site_id: site.id, started_at: shanghai(), findings: [] }],
      ['/api/v1/issues', { client_id: crypto.randomUUID(), site_id: site.id, category: 'other', severity: 1, description: '领导交办' }],
      [`/api/v1/issues/${target.id}/triage`, { decision: 'confirm' }],
      [`/api/v1/issues/${target.id}/assignments`, { lead_unit_id: units['JF-SD-JIAOXI'].id }],
      [`/api/v1/issues/${target.id}/rectifications`, { description: '代为整改', photo_ids: [] }],
      [`/api/v1/issues/${target.id}/verifications`, { decision: 'accept' }],
    ];
    for (const [path, body] of attempts) {
      const r = await leader.post(path, body, { headers: { 'if-match': '"v2"' } });
      assert.equal(r.status, 403, `POST ${path}: ${r.text}`);
      assert.equal(r.body.code, 'forbidden');
    }
    const rules = await leader.request('PUT', '/api/v1/rules/deadlines', { json: { rules: [] } });
    assert.equal(rules.status, 403);
    assert.equal((await people.office.get(`/api/v1/issues/${target.id}`)).body.version, 2, 'nothing changed');
  });

  test('each step belongs to one role: others get 403', async () => {
    const cases = [
      [people.inspector, 'assignments', { lead_unit_id: units['JF-SD-JIAOXI'].id }],
      [people.handler, 'assignments', { lead_unit_id: units['JF-SD-JIAOXI'].id }],
      [people.supervisor, 'triage', { decision: 'reject', reason: '无效' }],
      [people.office, 'verifications', { decision: 'accept' }],
      [people.office, 'rectifications', { description: '代办', photo_ids: [] }],
    ];
    for (const [client, action, body] of cases) {
      const r = await step(client, target.id, action, body, { etag: '"v2"' });
      assert.equal(r.status, 403, `${client.user.role} ${action}: ${r.text}`);
    }
    const handlerReport = await people.handler.post('/api/v1/inspections', { client_id: crypto.randomUUID(), site_id: site.id, started_at: shanghai(), findings: [] });
    assert.equal(handlerReport.status, 403);
    assert.equal((await people.office.get(`/api/v1/issues/${target.id}`)).body.version, 2);
  });

  test('a co-unit\'s handler sees the issue but may not submit for the lead unit (403 not_lead_unit)', async () => {
    const i = await confirmedIssue({ description: '门前五包责任未落实，需两街道配合' });
    const a = await step(people.office, i.id, 'assignments',
      { lead_unit_id: units['JF-SD-JIAOXI'].id, co_unit_ids: [units['JF-SD-MINZHU'].id] }, { etag: '"v2"' });
    assert.equal(a.status, 200, a.text);
    const seen = await people.otherHandler.get(`/api/v1/issues/${i.id}`);
    assert.equal(seen.status, 200, 'a co-unit sees what it helps with');
    const proof = makePng();
    assert.equal((await putPhoto(people.otherHandler, proof)).status, 201);
    const r = await step(people.otherHandler, i.id, 'rectifications',
      { description: '配合单位代为提交', photo_ids: [sha256(proof)] }, { etag: '"v3"' });
    assert.equal(r.status, 403, r.text);
    assert.equal(r.body.code, 'not_lead_unit');
    assert.equal((await people.office.get(`/api/v1/issues/${i.id}`)).body.status, 'assigned');
  });

  test('two supervisors verify the same submission at once: one wins, the other is told (412)', async () => {
    const i = await confirmedIssue({ description: '两名督查同时核查' });
    await step(people.office, i.id, 'assignments', { lead_unit_id: units['JF-SD-JIAOXI'].id }, { etag: '"v2"' });
    const proof = makePng();
    assert.equal((await putPhoto(people.handler, proof)).status, 201);
    const sub = await step(people.handler, i.id, 'rectifications', { description: '已清理', photo_ids: [sha256(proof)] },
      { etag: '"v3"' });
    assert.equal(sub.status, 200, sub.text);
    const [x, y] = await Promise.all([
      step(people.supervisor, i.id, 'verifications', { decision: 'accept' }, { etag: '"v4"' }),
      step(people.supervisor, i.id, 'verifications', { decision: 'return', comment: '仍不合格' }, { etag: '"v4"' }),
    ]);
    assert.deepEqual([x.status, y.status].sort(), [200, 412], `${x.text}\n${y.text}`);
    const winner = x.status === 200 ? x.body : y.body;
    const now = await people.office.get(`/api/v1/issues/${i.id}`);
    assert.equal(now.body.status, winner.status);
    assert.equal(now.body.version, 5);
    const events = await people.office.get(`/api/v1/issues/${i.id}/events`);
    assert.equal(events.body.items.filter((e) => ['accept', 'return'].includes(e.action)).length, 1,
      'only the winner is in the audit trail');
  });

  test('the office rejects a duplicate, naming the original; a rejected issue cannot be assigned (409)', async () => {
    const dup = await people.office.post('/api/v1/issues', {
      client_id: crypto.randomUUID(), site_id: site.id, category: 'shop_front_duty', severity: 1,
      description: '同一问题再次来电', source: 'hotline',
    });
    const r = await step(people.office, dup.body.id, 'triage',
      { decision: 'reject', reason: '与已登记问题重复', duplicate_of: target.id }, { etag: '"v1"' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'rejected');
    assert.equal(r.body.rejection_kind, 'duplicate');
    assert.equal(r.body.duplicate_of, target.id);
    const a = await step(people.office, dup.body.id, 'assignments', { lead_unit_id: units['JF-SD-JIAOXI'].id },
      { etag: '"v2"' });
    assert.equal(a.status, 409);
    assert.equal(a.body.code, 'invalid_transition');
    assert.match(a.body.detail, /rejected/);
  });
});

describe('refusing bad reports', () => {
  async function issuesAtSite() {
    const r = await people.office.get(`/api/v1/issues?site_id=${site.id}&limit=200`);
    return r.body.items.length;
  }

  test('a finding dated in the future is 422 and nothing is stored', async () => {
    const before = await issuesAtSite();
    const r = await people.inspector.post('/api/v1/issues', {
      client_id: crypto.randomUUID(), site_id: site.id, category: 'open_burning', severity: 3,
      description: '露天焚烧秸秆', found_at: shanghai(Date.now() + 2 * HOUR),
    });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.body.code, 'validation_failed');
    assert.equal(await issuesAtSite(), before);
  });

  test('the 422 for a future found_at names found_at, the field the phone sent', async () => {
    const single = await people.inspector.post('/api/v1/issues', {
      client_id: crypto.randomUUID(), site_id: site.id, category: 'open_burning', severity: 3,
      description: '露天焚烧秸秆', found_at: shanghai(Date.now() + 2 * HOUR),
    });
    assert.equal(single.status, 422);
    assert.deepEqual(single.body.errors.map((e) => e.field), ['found_at']);
    const inInspection = await people.inspector.post('/api/v1/inspections', {
      client_id: crypto.randomUUID(), site_id: site.id, started_at: shanghai(Date.now() - HOUR),
      findings: [{ client_id: crypto.randomUUID(), category: 'other', severity: 1, description: '未来时间',
        found_at: shanghai(Date.now() + 2 * HOUR) }],
    });
    assert.equal(inInspection.status, 422);
    assert.deepEqual(inInspection.body.errors.map((e) => e.field), ['findings[0].found_at']);
  });

  test('a zone-less started_at is 422 naming started_at, and nothing is stored', async () => {
    const before = await issuesAtSite();
    const lastBefore = (await people.office.get(`/api/v1/sites/${site.id}`)).body.last_inspection_at;
    const r = await people.inspector.post('/api/v1/inspections', {
      client_id: crypto.randomUUID(), site_id: site.id, started_at: '2026-11-27T09:30:00',
      findings: [{ client_id: crypto.randomUUID(), category: 'other', severity: 1, description: '无时区时间' }],
    });
    assert.equal(r.status, 422, r.text);
    assert.ok(r.body.errors.some((e) => e.field === 'started_at'), JSON.stringify(r.body.errors));
    assert.equal(await issuesAtSite(), before);
    assert.equal((await people.office.get(`/api/v1/sites/${site.id}`)).body.last_inspection_at, lastBefore);
  });

  test('every bad field of a finding is named at once, with its path', async () => {
    const r = await people.inspector.post('/api/v1/inspections', {
      client_id: 'not-a-uuid', site_id: site.id, started_at: shanghai(Date.now() - HOUR),
      findings: [{ client_id: crypto.randomUUID(), category: 'spaceship', severity: 5, description: '  ' }],
    });
    assert.equal(r.status, 422, r.text);
    const fields = new Set(r.body.errors.map((e) => e.field));
    for (const f of ['client_id', 'findings[0].category', 'findings[0].severity', 'findings[0].description']) {
      assert.ok(fields.has(f), `${f} in ${JSON.stringify(r.body.errors)}`);
    }
  });

  test('a finding fixed on the spot arrives submitted with its evidence, owned by the subdistrict', async () => {
    const evidence = makePng();
    assert.equal((await putPhoto(people.inspector, evidence)).status, 201);
    const r = await people.inspector.post('/api/v1/issues', {
      client_id: crypto.randomUUID(), site_id: site.id, category: 'dust_uncovered', severity: 1,
      description: '门前沙堆未苫盖', fixed_on_spot: true,
      evidence: { description: '已督促店主当场苫盖', photo_ids: [sha256(evidence)] },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.status, 'submitted');
    assert.equal(r.body.fixed_on_spot, true);
    assert.equal(r.body.lead_unit_id, units['JF-SD-JIAOXI'].id);
    assert.deepEqual(r.body.rectification, { description: '已督促店主当场苫盖', photo_ids: [sha256(evidence)] });
    const ev = await people.office.get(`/api/v1/issues/${r.body.id}/events`);
    assert.deepEqual(ev.body.items.map((e) => e.action), ['report_fixed']);
  });
});

describe('deadline rules', () => {
  let original;
  before(async () => {
    const r = await people.office.get('/api/v1/rules/deadlines');
    assert.equal(r.status, 200);
    original = r.body.rules;
  });

  test('everyone reads the rules: a default for each severity (7 days, 3 days, 24 hours)', async () => {
    const r = await people.handler.get('/api/v1/rules/deadlines');
    assert.equal(r.status, 200);
    const defaults = Object.fromEntries(r.body.rules.filter((x) => x.category === null).map((x) => [x.severity, x.hours]));
    assert.deepEqual(defaults, { 1: 168, 2: 72, 3: 24 });
  });

  test('the office sets 6 hours for muddy vehicles; the next assignment of one is due 6 hours later', async () => {
    const rules = [...original.filter((x) => !(x.category === 'muddy_vehicles' && x.severity === 1)),
      { category: 'muddy_vehicles', severity: 1, hours: 6 }];
    try {
      const put = await people.office.request('PUT', '/api/v1/rules/deadlines', { json: { rules } });
      assert.equal(put.status, 200, put.text);
      assert.ok(put.body.rules.some((x) => x.category === 'muddy_vehicles' && x.severity === 1 && x.hours === 6));
      const got = await people.inspector.get('/api/v1/rules/deadlines');
      assert.deepEqual(got.body, put.body, 'what was stored is what everyone reads');

      const muddy = await confirmedIssue({ category: 'muddy_vehicles', severity: 1, description: '工地车辆带泥驶出' });
      const a = await step(people.office, muddy.id, 'assignments', { lead_unit_id: units['JF-SD-JIAOXI'].id },
        { etag: '"v2"' });
      assert.equal(a.status, 200, a.text);
      assert.equal(hoursBetween(a.body.assigned_at, a.body.due_at), 6);

      const other = await confirmedIssue({ category: 'garbage_accumulation', severity: 1, description: '垃圾未清运' });
      const b = await step(people.office, other.id, 'assignments', { lead_unit_id: units['JF-SD-JIAOXI'].id },
        { etag: '"v2"' });
      assert.equal(hoursBetween(b.body.assigned_at, b.body.due_at), 168, 'other categories keep the default');
    } finally {
      const restore = await people.office.request('PUT', '/api/v1/rules/deadlines', { json: { rules: original } });
      assert.equal(restore.status, 200, restore.text);
    }
  });

  test('an explicit due_at wins over the rules; one in the past is 422', async () => {
    const i = await confirmedIssue();
    const past = await step(people.office, i.id, 'assignments',
      { lead_unit_id: units['JF-SD-JIAOXI'].id, due_at: shanghai(Date.now() - HOUR) }, { etag: '"v2"' });
    assert.equal(past.status, 422, past.text);
    assert.deepEqual(past.body.errors.map((e) => e.field), ['due_at']);
    const due = shanghai(Date.now() + 48 * HOUR);
    const ok = await step(people.office, i.id, 'assignments',
      { lead_unit_id: units['JF-SD-JIAOXI'].id, co_unit_ids: [units['JF-DEPT-CHENGGUAN'].id], due_at: due },
      { etag: '"v2"' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(Date.parse(ok.body.due_at), Date.parse(due));
    assert.deepEqual(ok.body.co_unit_ids, [units['JF-DEPT-CHENGGUAN'].id]);
  });

  test('rules without a default for every severity are 422 and change nothing; handlers may not set rules', async () => {
    const bad = await people.office.request('PUT', '/api/v1/rules/deadlines',
      { json: { rules: [{ category: null, severity: 1, hours: 10 }] } });
    assert.equal(bad.status, 422, bad.text);
    assert.ok(bad.body.errors.some((e) => e.field === 'rules'));
    const handler = await people.handler.request('PUT', '/api/v1/rules/deadlines', { json: { rules: original } });
    assert.equal(handler.status, 403);
    const now = await people.office.get('/api/v1/rules/deadlines');
    assert.deepEqual(now.body.rules, original);
  });
});
