// Registering and changing sites as the office and the inspectors' phones do.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { DEMO, haversineM, wgs84ToGcj02 } from './support/geo.mjs';
import { useServer } from './support/server.mjs';

const run = `${process.pid}-${Date.now().toString(36)}`;
const units = {};  // demo code → unit
const srv = useServer({
  setup: async (client) => {
    const list = await client.get('/api/v1/units?limit=200');
    assert.equal(list.status, 200);
    for (const u of list.body.items) units[u.code] = u;
    for (const d of [DEMO.qibaijian, DEMO.jiaobei]) {
      assert.ok(units[d.code], `demo unit ${d.code} is missing after seed-demo`);
    }
  },
});
const api = srv.api;

function newSite(overrides = {}) {
  return {
    kind: 'restaurant',
    name: `老焦作烩面馆（测试${run}）`,
    address: '焦作市解放区塔南路88号',
    location: { ...DEMO.qibaijian.point },
    responsible_party: { name: '焦作市老焦作餐饮有限公司', contact_name: '王建国', phone: '13903910001' },
    attributes: { has_purifier: true, seats: 40 },
    ...overrides,
  };
}

async function count(q) {
  const r = await api.get(`/api/v1/sites?q=${encodeURIComponent(q)}&limit=200`);
  assert.equal(r.status, 200);
  return r.body.items.length;
}

describe('creating a site', () => {
  test('POST answers 201 with Location, ETag "v1" and the site as stored; GET returns the same', async () => {
    const body = newSite({ name: `怀府羊肉汤馆${run}` });
    const r = await api.post('/api/v1/sites', body);
    assert.equal(r.status, 201, r.text);
    const site = r.body;
    assert.equal(r.headers.get('location'), `/api/v1/sites/${site.id}`);
    assert.equal(r.headers.get('etag'), '"v1"');
    assert.equal(site.version, 1);
    assert.equal(site.name, body.name);
    assert.equal(site.address, body.address);
    assert.equal(site.kind, 'restaurant');
    assert.equal(site.kind_label, '餐饮门店');
    assert.equal(site.status, 'active');
    assert.equal(site.status_label, '在用');
    assert.deepEqual(site.responsible_party, body.responsible_party);
    assert.deepEqual(site.attributes, body.attributes);
    assert.ok(Math.abs(site.location.lat - body.location.lat) < 1e-9);
    assert.ok(Math.abs(site.location.lon - body.location.lon) < 1e-9);
    assert.match(site.created_at, /\+08:00$/, 'times are shown in Asia/Shanghai');
    assert.ok(Math.abs(Date.parse(site.created_at) - Date.now()) < 5 * 60_000, 'created_at is now');
    assert.equal(site.distance_m, undefined, 'distance_m only on near lists');

    const g = await api.get(r.headers.get('location'));
    assert.equal(g.status, 200);
    assert.equal(g.headers.get('etag'), '"v1"');
    // GET alone adds the state of the site's ledger: a new site has no issue and no inspection.
    const { open_issue_count: open, last_inspection_at: lastInspection, ...stored } = g.body;
    assert.deepEqual(stored, site);
    assert.equal(open, 0);
    assert.equal(lastInspection, null);
  });

  test('the subdistrict is derived from the location', async () => {
    for (const d of [DEMO.qibaijian, DEMO.jiaobei]) {
      const r = await api.post('/api/v1/sites', newSite({ name: `定位测试${d.name}${run}`, location: d.point }));
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.subdistrict_id, units[d.code].id,
        `a site at ${JSON.stringify(d.point)} lies in ${d.name} (unit ${units[d.code].id})`);
    }
  });

  test('a given subdistrict_id is kept; one naming a department is refused with 422', async () => {
    const park = units['JF-PK-CYJJQ'];
    const r = await api.post('/api/v1/sites', newSite({ name: `指定园区${run}`, subdistrict_id: park.id }));
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.subdistrict_id, park.id);

    const dept = units['JF-DEPT-CHENGGUAN'];
    const bad = await api.post('/api/v1/sites', newSite({ name: `指定部门${run}`, subdistrict_id: dept.id }));
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.errors.map((e) => e.field), ['subdistrict_id']);
  });

  test('a location outside every subdistrict is refused with 422 naming location, and nothing is stored', async () => {
    const name = `域外点位${run}`;
    const r = await api.post('/api/v1/sites', newSite({ name, location: DEMO.outside }));
    assert.equal(r.status, 422);
    assert.equal(r.body.code, 'validation_failed');
    assert.ok(r.body.errors.some((e) => e.field === 'location'), JSON.stringify(r.body.errors));
    assert.equal(await count(name), 0);
  });

  test('GCJ-02 input is converted: the stored WGS-84 point lies ~0.5–0.7 km west of the same numbers sent as WGS-84', async () => {
    const point = DEMO.qibaijian.point;
    const asWgs = await api.post('/api/v1/sites', newSite({ name: `坐标WGS${run}`, location: point, crs: 'wgs84' }));
    const asGcj = await api.post('/api/v1/sites', newSite({ name: `坐标GCJ${run}`, location: point, crs: 'gcj02' }));
    assert.equal(asWgs.status, 201, asWgs.text);
    assert.equal(asGcj.status, 201, asGcj.text);
    const w = asWgs.body.location;
    const g = asGcj.body.location;
    assert.ok(Math.abs(w.lat - point.lat) < 1e-9 && Math.abs(w.lon - point.lon) < 1e-9, 'wgs84 is stored as sent');
    const shift = haversineM(w, g);
    assert.ok(shift > 450 && shift < 750, `GCJ-02 shift here is ~600 m, got ${shift.toFixed(1)} m`);
    assert.ok(w.lon - g.lon > 0.005, `the true position is ~0.006° west of the GCJ-02 numbers, got ${(w.lon - g.lon).toFixed(5)}°`);
    assert.ok(Math.abs(w.lat - g.lat) < 0.002, 'and nearly at the same latitude');
    // Shifting the stored point forward again gives back what the phone sent.
    const back = wgs84ToGcj02(g);
    assert.ok(haversineM(back, point) < 0.5, `round trip off by ${haversineM(back, point).toFixed(3)} m`);
  });
});

describe('refusing bad sites', () => {
  test('every field at fault is named at once', async () => {
    const r = await api.post('/api/v1/sites', {
      kind: 'spaceship',
      name: '   ',
      address: '',
      location: { lat: 95, lon: 200 },
      status: 'demolished',
    });
    assert.equal(r.status, 422);
    assert.equal(r.body.code, 'validation_failed');
    const fields = new Set(r.body.errors.map((e) => e.field));
    for (const f of ['kind', 'name', 'address', 'location.lat', 'location.lon', 'status']) {
      assert.ok(fields.has(f), `errors should name ${f}: ${JSON.stringify(r.body.errors)}`);
    }
    for (const e of r.body.errors) assert.ok(e.message.length > 0);
  });

  test('missing required fields and wrong types are named', async () => {
    const r = await api.post('/api/v1/sites', { name: 42, location: { lat: '35.2' } });
    assert.equal(r.status, 422);
    const fields = new Set(r.body.errors.map((e) => e.field));
    for (const f of ['kind', 'name', 'address', 'location.lat', 'location.lon']) {
      assert.ok(fields.has(f), `errors should name ${f}: ${JSON.stringify(r.body.errors)}`);
    }
  });

  test('id, version and created_at in the body are refused as unknown fields and nothing is created', async () => {
    const name = `越权字段${run}`;
    const r = await api.post('/api/v1/sites', { ...newSite({ name }), id: 1, version: 99, created_at: '2020-01-01T00:00:00+08:00' });
    assert.equal(r.status, 400);
    assert.equal(r.body.code, 'unknown_field');
    assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['created_at', 'id', 'version']);
    assert.equal(await count(name), 0);
  });

  test('unknown fields inside location and responsible_party are named with their path', async () => {
    const r = await api.post('/api/v1/sites', newSite({ location: { ...DEMO.qibaijian.point, alt: 80 } }));
    assert.equal(r.status, 400);
    assert.equal(r.body.code, 'unknown_field');
    assert.deepEqual(r.body.errors.map((e) => e.field), ['location.alt']);
  });

  test('a missing site is 404, and so is a non-numeric id', async () => {
    for (const path of ['/api/v1/sites/999999999', '/api/v1/sites/abc', '/api/v1/sites/0']) {
      const r = await api.get(path);
      assert.equal(r.status, 404, path);
      assert.equal(r.body.code, 'not_found');
    }
  });
});

describe('changing a site', () => {
  let site;
  before(async () => {
    const r = await api.post('/api/v1/sites', newSite({ name: `修改测试饺子馆${run}` }));
    assert.equal(r.status, 201, r.text);
    site = r.body;
  });

  test('PATCH without If-Match is 428 and changes nothing', async () => {
    const r = await api.patch(`/api/v1/sites/${site.id}`, { name: '不应生效' });
    assert.equal(r.status, 428);
    assert.equal(r.body.code, 'precondition_required');
    const g = await api.get(`/api/v1/sites/${site.id}`);
    assert.equal(g.body.name, site.name);
    assert.equal(g.body.version, 1);
  });

  test('PATCH with the right If-Match answers 200 with version + 1 and a new ETag; the old ETag is then 412', async () => {
    const r = await api.patch(`/api/v1/sites/${site.id}`,
      { name: `修改后饺子馆${run}`, status: 'closed', attributes: { has_purifier: false } },
      { headers: { 'if-match': '"v1"' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.version, 2);
    assert.equal(r.headers.get('etag'), '"v2"');
    assert.equal(r.body.name, `修改后饺子馆${run}`);
    assert.equal(r.body.status, 'closed');
    assert.equal(r.body.status_label, '已关停');
    assert.deepEqual(r.body.attributes, { has_purifier: false });
    assert.equal(r.body.address, site.address, 'absent fields stay');
    assert.equal(r.body.created_at, site.created_at);
    assert.ok(Date.parse(r.body.updated_at) >= Date.parse(site.updated_at));

    const stale = await api.patch(`/api/v1/sites/${site.id}`, { name: '旧版本' }, { headers: { 'if-match': '"v1"' } });
    assert.equal(stale.status, 412);
    assert.equal(stale.body.code, 'precondition_failed');
    const g = await api.get(`/api/v1/sites/${site.id}`);
    assert.equal(g.body.name, `修改后饺子馆${run}`);
    assert.equal(g.headers.get('etag'), '"v2"');
  });

  test('moving a site re-derives its subdistrict', async () => {
    const g = await api.get(`/api/v1/sites/${site.id}`);
    const r = await api.patch(`/api/v1/sites/${site.id}`, { location: DEMO.jiaobei.point },
      { headers: { 'if-match': g.headers.get('etag') } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.subdistrict_id, units[DEMO.jiaobei.code].id);
  });

  test('PATCH with id, version or created_at is 400 unknown_field naming them, and nothing changes', async () => {
    const before = (await api.get(`/api/v1/sites/${site.id}`)).body;
    const r = await api.patch(`/api/v1/sites/${site.id}`,
      { id: 1, version: 100, created_at: '2020-01-01T00:00:00+08:00', name: '篡改' },
      { headers: { 'if-match': `"v${before.version}"` } });
    assert.equal(r.status, 400);
    assert.equal(r.body.code, 'unknown_field');
    assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['created_at', 'id', 'version']);
    const afterwards = (await api.get(`/api/v1/sites/${site.id}`)).body;
    assert.deepEqual(afterwards, before);
  });

  test('PATCH with several invalid values names them all (422) and changes nothing', async () => {
    const before = (await api.get(`/api/v1/sites/${site.id}`)).body;
    const r = await api.patch(`/api/v1/sites/${site.id}`, { name: ' ', kind: 'spaceship', status: 'gone' },
      { headers: { 'if-match': `"v${before.version}"` } });
    assert.equal(r.status, 422);
    assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['kind', 'name', 'status']);
    assert.deepEqual((await api.get(`/api/v1/sites/${site.id}`)).body, before);
  });

  test('PATCH with a null field and an invalid value names both in one answer', async () => {
    const before = (await api.get(`/api/v1/sites/${site.id}`)).body;
    const r = await api.patch(`/api/v1/sites/${site.id}`, { name: null, kind: 'spaceship' },
      { headers: { 'if-match': `"v${before.version}"` } });
    assert.equal(r.status, 422);
    const fields = r.body.errors.map((e) => e.field).sort();
    assert.deepEqual(fields, ['kind', 'name'], 'a client learns every field at fault from one round trip');
    assert.deepEqual((await api.get(`/api/v1/sites/${site.id}`)).body, before);
  });

  test('PATCH of a missing site is 404', async () => {
    const r = await api.patch('/api/v1/sites/999999999', { name: 'x' }, { headers: { 'if-match': '"v1"' } });
    assert.equal(r.status, 404);
  });
});
