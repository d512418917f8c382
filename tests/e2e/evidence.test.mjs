// Evidence photos as the phones upload them and as the units and supervisors see them: stored
// under their SHA-256, checked, typed from their bytes, bounded in size, and shown only to those
// who may see an issue that uses them.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, test } from 'node:test';

import {
  HOUR, getPhoto, loadUnits, makeJpeg, makePng, newJiaoxiSite, putPhoto, sha256, shanghai, signInPeople,
} from './support/ledger.mjs';
import { RawConnection, validateRaw } from './support/raw.mjs';
import { useServer } from './support/server.mjs';

const MAX_PHOTO = 10 * 1024 * 1024;
const run = `${process.pid}-${Date.now().toString(36)}`;
let units;
let people;
let site;
const srv = useServer({
  setup: async (admin) => {
    units = await loadUnits(admin);
    people = await signInPeople(admin, units);
    site = await newJiaoxiSite(people.inspector, `证据测试餐馆${run}`);
    assert.equal(site.subdistrict_id, units['JF-SD-JIAOXI'].id, 'the test site lies in 焦西街道');
  },
});

describe('uploading a photo', () => {
  test('a new PNG is 201 with its facts and Location; the same bytes again are 200 and change nothing', async () => {
    const png = makePng(6, 4);
    const hash = sha256(png);
    const first = await putPhoto(people.inspector, png);
    assert.equal(first.status, 201, first.text);
    assert.equal(first.headers.get('location'), `/api/v1/attachments/${hash}`);
    assert.deepEqual(
      { sha256: first.body.sha256, content_type: first.body.content_type, size_bytes: first.body.size_bytes },
      { sha256: hash, content_type: 'image/png', size_bytes: png.length });
    assert.match(first.body.uploaded_at, /\+08:00$/);
    assert.ok(Math.abs(Date.parse(first.body.uploaded_at) - Date.now()) < 5 * 60_000, 'uploaded_at is now');

    // The phone did not hear the answer and sends the photo again.
    const again = await putPhoto(people.inspector, png);
    assert.equal(again.status, 200, again.text);
    assert.equal(again.headers.get('location'), `/api/v1/attachments/${hash}`);
    assert.deepEqual(again.body, first.body, 'the stored facts, uploaded_at included, stay as they were');

    const got = await getPhoto(people.inspector, hash);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'image/png');
    assert.ok(got.bytes.equals(png), 'the uploader gets back exactly the bytes sent');
  });

  test('a JPEG is stored as image/jpeg, also when sent as application/octet-stream', async () => {
    const jpeg = makeJpeg();
    const r = await putPhoto(people.handler, jpeg, { type: 'application/octet-stream' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.content_type, 'image/jpeg', 'the type comes from the bytes');
    const got = await getPhoto(people.handler, sha256(jpeg));
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'image/jpeg');
    assert.ok(got.bytes.equals(jpeg));
  });

  test('bytes that do not hash to the path (a damaged upload) are 422 hash_mismatch and nothing is stored', async () => {
    const png = makePng();
    const damaged = Buffer.from(png);
    damaged[damaged.length - 5] ^= 0xff;
    const r = await putPhoto(people.inspector, damaged, { hash: sha256(png) });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.body.code, 'hash_mismatch');
    assert.deepEqual(r.body.errors.map((e) => e.field), ['sha256']);
    assert.equal((await getPhoto(people.inspector, sha256(png))).status, 404, 'nothing under the claimed hash');
    assert.equal((await getPhoto(people.inspector, sha256(damaged))).status, 404, 'nor under the damaged one');
  });

  test('text is not a photo: 415 even when it claims to be image/png, and nothing is stored', async () => {
    const text = Buffer.from(`这不是照片 ${run}`);
    for (const type of ['text/plain', 'image/png']) {
      const r = await putPhoto(people.inspector, text, { type });
      assert.equal(r.status, 415, `${type}: ${r.text}`);
      assert.equal(r.body.code, 'unsupported_media_type');
    }
    assert.equal((await getPhoto(people.inspector, sha256(text))).status, 404);
  });

  test('a PNG sent as image/jpeg is 415: the declared type must match the bytes', async () => {
    const r = await putPhoto(people.inspector, makePng(), { type: 'image/jpeg' });
    assert.equal(r.status, 415, r.text);
    assert.equal(r.body.code, 'unsupported_media_type');
  });

  test('a path that is not a lower-case SHA-256 is 400 invalid_hash', async () => {
    const png = makePng();
    for (const bad of [sha256(png).toUpperCase(), sha256(png).slice(0, 63), 'photo.png']) {
      const r = await putPhoto(people.inspector, png, { hash: bad });
      assert.equal(r.status, 400, `${bad}: ${r.text}`);
      assert.equal(r.body.code, 'invalid_hash');
    }
  });

  test('an empty body is 422 naming body', async () => {
    const r = await putPhoto(people.inspector, Buffer.alloc(0), { hash: sha256(Buffer.alloc(0)) });
    assert.equal(r.status, 422, r.text);
    assert.deepEqual(r.body.errors.map((e) => e.field), ['body']);
  });

  test('leaders and administrators do not upload evidence (403); without a token it is 401', async () => {
    const png = makePng();
    const leader = await putPhoto(people.leader, png);
    assert.equal(leader.status, 403, leader.text);
    assert.equal(leader.body.code, 'forbidden');
    const admin = await putPhoto(srv.api, png);
    assert.equal(admin.status, 403, admin.text);
    const anonymous = await srv.api.request('PUT', `/api/v1/attachments/${sha256(png)}`,
      { body: png, headers: { 'content-type': 'image/png' }, auth: false });
    assert.equal(anonymous.status, 401);
    assert.equal((await getPhoto(people.inspector, sha256(png))).status, 404, 'nothing was stored');
  });
});

describe('the 10 MiB limit', () => {
  test('a photo of exactly 10 MiB is accepted', async () => {
    // Deterministic bytes: the store keeps one copy per hash, however often the suite runs.
    const big = Buffer.alloc(MAX_PHOTO, 0x5a);
    makePng().copy(big, 0, 0, 8);
    const r = await putPhoto(people.inspector, big);
    assert.ok([200, 201].includes(r.status), r.text);
    assert.equal(r.body.size_bytes, MAX_PHOTO);
  });

  test('a declared Content-Length of 10 MiB + 1 is refused with 413 before the body, and the connection is closed', async () => {
    const conn = await RawConnection.open(srv.port);
    const path = `/api/v1/attachments/${'ab'.repeat(32)}`;
    try {
      await conn.write(`PUT ${path} HTTP/1.1\r\nHost: e2e\r\nAuthorization: Bearer ${people.inspector.token}\r\n`
        + `Content-Type: image/jpeg\r\nContent-Length: ${MAX_PHOTO + 1}\r\n\r\n`);
      const res = await conn.readResponse({ timeoutMs: 3_000 });
      assert.equal(res.status, 413);
      assert.equal(validateRaw('PUT', path, res).code, 'payload_too_large');
      assert.equal(res.headers.connection, 'close');
      assert.ok(await conn.waitClosed(3_000), 'the connection is closed after the 413');
    } finally {
      conn.destroy();
    }
  });

  test('a phone that sends all 10 MiB + 1 bytes hears 413 (not a reset), nothing is stored, and the server keeps serving', async () => {
    const big = Buffer.alloc(MAX_PHOTO + 1, 0x33);
    makePng().copy(big, 0, 0, 8);
    const hash = sha256(big);
    const outcomes = [];
    for (let i = 0; i < 3; i++) {
      try {
        const r = await putPhoto(people.inspector, big);
        outcomes.push(r.status === 413 ? r.body.code : `HTTP ${r.status}`);
      } catch (e) {
        outcomes.push(`network error: ${e.cause?.code ?? e.message}`);
      }
    }
    assert.equal((await getPhoto(people.inspector, hash)).status, 404, 'the oversized photo was not stored');
    const health = await srv.api.get('/healthz');
    assert.equal(health.status, 200, 'the server is still serving');
    assert.deepEqual(outcomes, ['payload_too_large', 'payload_too_large', 'payload_too_large'],
      'every upload must get the 413 answer; a reset leaves the phone retrying forever');
  });
});

describe('who sees a photo', () => {
  let png;
  let hash;
  let issue;

  test('an inspector reports an issue with the photo; before it is assigned, handlers do not see the photo', async () => {
    png = makePng(8, 8);
    hash = sha256(png);
    assert.equal((await putPhoto(people.inspector, png)).status, 201);
    const r = await people.inspector.post('/api/v1/issues', {
      client_id: crypto.randomUUID(),
      site_id: site.id,
      category: 'dust_uncovered',
      severity: 1,
      description: '门前堆放沙土未苫盖',
      photo_ids: [hash],
      found_at: shanghai(Date.now() - HOUR),
    });
    assert.equal(r.status, 201, r.text);
    issue = r.body;
    assert.deepEqual(issue.photo_ids, [hash]);
    for (const who of ['handler', 'otherHandler']) {
      assert.equal((await getPhoto(people[who], hash)).status, 404, `${who} sees no unassigned issue's photo`);
    }
    for (const who of ['office', 'supervisor', 'leader']) {
      const got = await getPhoto(people[who], hash);
      assert.equal(got.status, 200, `${who} sees every issue's photo`);
      assert.ok(got.bytes.equals(png));
    }
  });

  test('once assigned to 焦西街道, its handler gets the image bytes; 民主街道\'s handler still gets 404', async () => {
    const office = people.office;
    const confirmed = await office.post(`/api/v1/issues/${issue.id}/triage`, { decision: 'confirm' },
      { headers: { 'if-match': '"v1"' } });
    assert.equal(confirmed.status, 200, confirmed.text);
    const assigned = await office.post(`/api/v1/issues/${issue.id}/assignments`,
      { lead_unit_id: units['JF-SD-JIAOXI'].id }, { headers: { 'if-match': confirmed.headers.get('etag') } });
    assert.equal(assigned.status, 200, assigned.text);

    const lead = await getPhoto(people.handler, hash);
    assert.equal(lead.status, 200);
    assert.equal(lead.headers.get('content-type'), 'image/png');
    assert.ok(lead.bytes.equals(png), 'exactly the bytes the inspector took');
    assert.match(lead.headers.get('cache-control'), /immutable/);
    assert.equal(lead.headers.get('x-content-type-options'), 'nosniff');

    const other = await getPhoto(people.otherHandler, hash);
    assert.equal(other.status, 404);
    assert.equal(other.body.code, 'not_found', 'indistinguishable from a photo that does not exist');
  });

  test('the lead handler\'s rectification photo is seen by the supervisor, not by another subdistrict', async () => {
    const proof = makePng(5, 5);
    assert.equal((await putPhoto(people.handler, proof)).status, 201);
    const current = await people.handler.get(`/api/v1/issues/${issue.id}`);
    const r = await people.handler.post(`/api/v1/issues/${issue.id}/rectifications`,
      { description: '已用防尘网全部苫盖', photo_ids: [sha256(proof)] },
      { headers: { 'if-match': current.headers.get('etag') } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.rectification, { description: '已用防尘网全部苫盖', photo_ids: [sha256(proof)] });
    const seen = await getPhoto(people.supervisor, sha256(proof));
    assert.equal(seen.status, 200);
    assert.ok(seen.bytes.equals(proof));
    assert.equal((await getPhoto(people.otherHandler, sha256(proof))).status, 404);
  });

  test('a photo that was never uploaded cannot be cited: 422 missing_attachments naming it, and no issue is made', async () => {
    const ghost = sha256(Buffer.from(`never uploaded ${run}`));
    const before = await people.office.get(`/api/v1/issues?site_id=${site.id}&limit=200`);
    const r = await people.inspector.post('/api/v1/issues', {
      client_id: crypto.randomUUID(), site_id: site.id, category: 'open_burning', severity: 2,
      description: '露天焚烧落叶', photo_ids: [ghost],
    });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.body.code, 'missing_attachments');
    assert.ok(r.body.errors.some((e) => e.message.includes(ghost)), JSON.stringify(r.body.errors));
    const after = await people.office.get(`/api/v1/issues?site_id=${site.id}&limit=200`);
    assert.equal(after.body.items.length, before.body.items.length);
  });

  test('an unknown hash is 404, and so is asking without a token 401', async () => {
    assert.equal((await getPhoto(people.office, sha256(Buffer.from(`nothing ${run}`)))).status, 404);
    const r = await srv.api.get(`/api/v1/attachments/${sha256(Buffer.from('x'))}`, { auth: false });
    assert.equal(r.status, 401);
  });
});
