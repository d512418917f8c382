// Keeping the list of responsible units (责任单位): create, change, list.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { useServer } from './support/server.mjs';

const srv = useServer();
const api = srv.api;
const run = `${process.pid}-${Date.now().toString(36)}`;


describe('units', () => {
  let unit;

  test('the demo district lists its subdistricts with Chinese names and territories', async () => {
    const r = await api.get('/api/v1/units?kind=subdistrict&limit=200');
    assert.equal(r.status, 200);
    const names = r.body.items.map((u) => u.name);
    for (const n of ['焦西街道', '焦南街道', '焦北街道', '七百间街道', '民生街道', '民主街道', '新华街道', '王褚街道', '上白作街道']) {
      assert.ok(names.includes(n), `${n} is listed`);
    }
    for (const u of r.body.items) {
      assert.equal(u.kind, 'subdistrict');
      assert.equal(u.kind_label, '街道');
    }
    const demo = r.body.items.filter((u) => u.code.startsWith('JF-SD-'));
    assert.ok(demo.every((u) => u.has_boundary), 'demo subdistricts carry a boundary');
  });

  test('POST creates a unit: 201, Location, ETag "v1", no territory', async () => {
    const r = await api.post('/api/v1/units', { code: `E2E-DEPT-${run}`, name: '解放区测试局', kind: 'department' });
    assert.equal(r.status, 201, r.text);
    unit = r.body;
    assert.equal(r.headers.get('location'), `/api/v1/units/${unit.id}`);
    assert.equal(r.headers.get('etag'), '"v1"');
    assert.equal(unit.kind_label, '部门');
    assert.equal(unit.parent_id, null);
    assert.equal(unit.has_boundary, false);
    assert.equal(unit.version, 1);
    const g = await api.get(`/api/v1/units/${unit.id}`);
    assert.equal(g.status, 200);
    assert.deepEqual(g.body, unit);
    assert.equal(g.headers.get('etag'), '"v1"');
  });

  test('a unit code already taken is 409 already_exists naming code', async () => {
    const r = await api.post('/api/v1/units', { code: `E2E-DEPT-${run}`, name: '重复', kind: 'department' });
    assert.equal(r.status, 409);
    assert.equal(r.body.code, 'already_exists');
    assert.deepEqual(r.body.errors.map((e) => e.field), ['code']);
  });

  test('bad values name every field at fault; unknown fields are refused', async () => {
    const r = await api.post('/api/v1/units', { code: 'has space', name: ' ', kind: 'ministry', parent_id: 999999999 });
    assert.equal(r.status, 422);
    const fields = r.body.errors.map((e) => e.field).sort();
    assert.deepEqual(fields, ['code', 'kind', 'name', 'parent_id']);

    const u = await api.post('/api/v1/units', { code: `E2E-X-${run}`, name: '多余', kind: 'office', id: 5, has_boundary: true });
    assert.equal(u.status, 400);
    assert.equal(u.body.code, 'unknown_field');
    assert.deepEqual(u.body.errors.map((e) => e.field).sort(), ['has_boundary', 'id']);
  });

  test('PATCH needs If-Match (428), refuses a stale one (412) and applies the right one (200, version + 1)', async () => {
    const parent = (await api.get('/api/v1/units?kind=office&limit=1')).body.items[0];
    const path = `/api/v1/units/${unit.id}`;
    const none = await api.patch(path, { name: '改名' });
    assert.equal(none.status, 428);
    assert.equal(none.body.code, 'precondition_required');

    const ok = await api.patch(path, { name: '解放区测试局（改）', parent_id: parent.id }, { headers: { 'if-match': '"v1"' } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.version, 2);
    assert.equal(ok.headers.get('etag'), '"v2"');
    assert.equal(ok.body.name, '解放区测试局（改）');
    assert.equal(ok.body.parent_id, parent.id);
    assert.equal(ok.body.code, unit.code, 'absent fields stay');

    const stale = await api.patch(path, { name: '旧' }, { headers: { 'if-match': '"v1"' } });
    assert.equal(stale.status, 412);
    assert.equal(stale.body.code, 'precondition_failed');

    const cleared = await api.patch(path, { parent_id: null }, { headers: { 'if-match': '"v2"' } });
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal(cleared.body.parent_id, null);
    assert.equal(cleared.body.version, 3);
    assert.equal(cleared.body.name, '解放区测试局（改）');
  });

  test('a unit cannot be its own parent; a subdistrict with a territory cannot become a department', async () => {
    const self = await api.patch(`/api/v1/units/${unit.id}`, { parent_id: unit.id }, { headers: { 'if-match': '"v3"' } });
    assert.equal(self.status, 422);
    assert.deepEqual(self.body.errors.map((e) => e.field), ['parent_id']);

    const sd = (await api.get('/api/v1/units?kind=subdistrict&limit=1')).body.items[0];
    const r = await api.patch(`/api/v1/units/${sd.id}`, { kind: 'department' }, { headers: { 'if-match': `"v${sd.version}"` } });
    assert.equal(r.status, 422);
    assert.deepEqual(r.body.errors.map((e) => e.field), ['kind']);
    assert.equal((await api.get(`/api/v1/units/${sd.id}`)).body.kind, 'subdistrict');
  });

  test('PATCH with id or version in the body is 400 unknown_field and changes nothing', async () => {
    const before = (await api.get(`/api/v1/units/${unit.id}`)).body;
    const r = await api.patch(`/api/v1/units/${unit.id}`, { id: 1, version: 9, name: '篡改' },
      { headers: { 'if-match': `"v${before.version}"` } });
    assert.equal(r.status, 400);
    assert.equal(r.body.code, 'unknown_field');
    assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['id', 'version']);
    assert.deepEqual((await api.get(`/api/v1/units/${unit.id}`)).body, before);
  });

  test('the kind filter lists the new department and no other kind', async () => {
    const pages = await api.walk('/api/v1/units?kind=department', { limit: 3 });
    const all = pages.flat();
    assert.ok(all.some((u) => u.id === unit.id));
    assert.ok(all.every((u) => u.kind === 'department'));
    const bad = await api.get('/api/v1/units?kind=ministry');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'invalid_parameter');
  });

  test('a missing unit is 404', async () => {
    const r = await api.get('/api/v1/units/999999999');
    assert.equal(r.status, 404);
    assert.equal(r.body.code, 'not_found');
  });
});
