// Finding sites: by kind, by Chinese text, by distance from where the inspector stands, page by page.
// Lists use kinds and places the other test files never create sites in, so they hold still.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { DEMO, haversineM } from './support/geo.mjs';
import { useServer } from './support/server.mjs';

const srv = useServer();
const api = srv.api;


function ids(items) {
  return items.map((s) => s.id);
}

/// Walks the list with limit=7 and compares it with the same list in one page.
async function walkMatchesOnePage(path) {
  const pages = await api.walk(path, { limit: 7 });
  for (const [i, page] of pages.entries()) {
    assert.ok(page.length <= 7, `page ${i} has ${page.length} items`);
    if (i < pages.length - 1) assert.equal(page.length, 7, `page ${i} is short but not last`);
  }
  const walked = pages.flat();
  const whole = await api.get(`${path}${path.includes('?') ? '&' : '?'}limit=200`);
  assert.equal(whole.status, 200);
  assert.equal(whole.body.next_cursor, null, 'the reference list fits in one page');
  const walkedIds = ids(walked);
  assert.equal(new Set(walkedIds).size, walkedIds.length, 'a site appears on two pages');
  assert.deepEqual(walkedIds, ids(whole.body.items), 'pages in order give the whole list, none missed');
  return walked;
}

describe('filters', () => {
  test('kind=open_air_bbq lists only open-air barbecues, labelled in Chinese, without distance_m', async () => {
    const r = await api.get('/api/v1/sites?kind=open_air_bbq&limit=200');
    assert.equal(r.status, 200);
    assert.ok(r.body.items.length >= 10, `the demo district has 30, got ${r.body.items.length}`);
    for (const s of r.body.items) {
      assert.equal(s.kind, 'open_air_bbq');
      assert.equal(s.kind_label, '露天烧烤');
      assert.equal(s.distance_m, undefined);
    }
    const sorted = [...ids(r.body.items)].sort((a, b) => a - b);
    assert.deepEqual(ids(r.body.items), sorted, 'plain lists are in id order');
  });

  test('q=烩面 finds the noodle houses by Chinese name, and nothing else', async () => {
    const r = await api.get(`/api/v1/sites?q=${encodeURIComponent('烩面')}&limit=200`);
    assert.equal(r.status, 200);
    assert.ok(r.body.items.length >= 1, 'the demo district has 烩面馆');
    for (const s of r.body.items) {
      assert.ok(s.name.includes('烩面') || s.address.includes('烩面'), `${s.name} / ${s.address}`);
    }
  });

  test('q matches the address too, and combines with kind', async () => {
    const any = await api.get('/api/v1/sites?kind=farmers_market&limit=1');
    const street = any.body.items[0].address.match(/^(?:焦作市)?(?:解放区)?(.{2,4}?[路街])/)?.[1];
    assert.ok(street, `could not take a street from ${any.body.items[0].address}`);
    const r = await api.get(`/api/v1/sites?kind=farmers_market&q=${encodeURIComponent(street)}&limit=200`);
    assert.equal(r.status, 200);
    assert.ok(ids(r.body.items).includes(any.body.items[0].id));
    for (const s of r.body.items) {
      assert.equal(s.kind, 'farmers_market');
      assert.ok(s.name.includes(street) || s.address.includes(street));
    }
  });

  test('q takes % and _ literally instead of as wildcards', async () => {
    for (const q of ['%', '_', '%%']) {
      const r = await api.get(`/api/v1/sites?q=${encodeURIComponent(q)}&limit=200`);
      assert.equal(r.status, 200);
      for (const s of r.body.items) assert.ok(s.name.includes(q) || s.address.includes(q), `q=${q} matched ${s.name}`);
    }
  });

  test('status and subdistrict_id filter', async () => {
    const all = await api.get('/api/v1/units?kind=subdistrict&limit=200');
    const unit = all.body.items.find((u) => u.code === DEMO.minsheng.code);
    assert.ok(unit, 'demo subdistrict 民生街道');
    const r = await api.get(`/api/v1/sites?subdistrict_id=${unit.id}&status=active&limit=200`);
    assert.equal(r.status, 200);
    assert.ok(r.body.items.length > 0);
    for (const s of r.body.items) {
      assert.equal(s.subdistrict_id, unit.id);
      assert.equal(s.status, 'active');
    }
  });
});

describe('near', () => {
  const here = DEMO.minsheng.point;
  const nearPath = `/api/v1/sites?near=${here.lat},${here.lon}&radius_m=1500`;

  test('near + radius_m lists sites nearest first, each with a correct distance_m within the radius', async () => {
    const r = await api.get(`${nearPath}&limit=200`);
    assert.equal(r.status, 200);
    const items = r.body.items;
    assert.ok(items.length >= 5, `expected demo sites within 1.5 km of 民生, got ${items.length}`);
    let previous = -1;
    for (const s of items) {
      assert.equal(typeof s.distance_m, 'number', 'near lists carry distance_m');
      assert.ok(s.distance_m >= previous, `not ascending: ${previous} then ${s.distance_m}`);
      assert.ok(s.distance_m <= 1500);
      const mine = haversineM(here, s.location);
      assert.ok(Math.abs(mine - s.distance_m) <= mine * 0.006 + 1,
        `site ${s.id}: server says ${s.distance_m} m, great circle gives ${mine.toFixed(1)} m`);
      previous = s.distance_m;
    }
    // Nothing within the radius is left out: compare with the demo district's plain list.
    const everything = (await api.walk('/api/v1/sites?subdistrict_id=' + items[0].subdistrict_id, { limit: 200 })).flat();
    const inside = everything.filter((s) => haversineM(here, s.location) < 1400).map((s) => s.id);
    const listed = new Set(ids(items));
    for (const id of inside) assert.ok(listed.has(id), `site ${id} lies within 1.4 km yet is not listed`);
  });

  test('a smaller radius lists a prefix of the larger one', async () => {
    const big = await api.get(`${nearPath}&limit=200`);
    const small = await api.get(`/api/v1/sites?near=${here.lat},${here.lon}&radius_m=600&limit=200`);
    assert.equal(small.status, 200);
    assert.ok(small.body.items.length < big.body.items.length);
    assert.deepEqual(ids(small.body.items), ids(big.body.items).slice(0, small.body.items.length));
  });

  test('near combines with kind', async () => {
    const r = await api.get(`/api/v1/sites?near=${here.lat},${here.lon}&radius_m=5000&kind=restaurant&limit=200`);
    assert.equal(r.status, 200);
    assert.ok(r.body.items.length > 0);
    for (const s of r.body.items) assert.equal(s.kind, 'restaurant');
  });
});

describe('pagination', () => {
  test('walking kind=open_air_bbq with limit=7 gives every site exactly once, in order', async () => {
    const walked = await walkMatchesOnePage('/api/v1/sites?kind=open_air_bbq');
    assert.ok(walked.length > 7, 'more than one page');
  });

  test('walking a near list with limit=7 keeps the distance order across pages', async () => {
    const here = DEMO.minsheng.point;
    const walked = await walkMatchesOnePage(`/api/v1/sites?near=${here.lat},${here.lon}&radius_m=1500`);
    assert.ok(walked.length > 7, 'more than one page');
    for (let i = 1; i < walked.length; i++) {
      assert.ok(walked[i].distance_m >= walked[i - 1].distance_m);
    }
  });

  test('walking units with limit=7 gives every unit exactly once', async () => {
    const pages = await api.walk('/api/v1/units', { limit: 7 });
    const walked = pages.flat().map((u) => u.id);
    assert.equal(new Set(walked).size, walked.length);
    assert.ok(walked.length >= 18, 'the demo district has 18 units');
  });

  test('a cursor that was not issued by the server, or belongs to another list, is 400 invalid_cursor', async () => {
    for (const cursor of ['garbage', 'AAAA', '!!']) {
      const r = await api.get(`/api/v1/sites?cursor=${encodeURIComponent(cursor)}`);
      assert.equal(r.status, 400, cursor);
      assert.equal(r.body.code, 'invalid_cursor');
    }
    const plain = await api.get('/api/v1/sites?limit=2');
    const here = DEMO.minsheng.point;
    const r = await api.get(`/api/v1/sites?near=${here.lat},${here.lon}&cursor=${plain.body.next_cursor}`);
    assert.equal(r.status, 400);
    assert.equal(r.body.code, 'invalid_cursor');
  });
});

describe('refused parameters', () => {
  test('an unknown query parameter is 400 unknown_parameter naming it', async () => {
    const r = await api.get('/api/v1/sites?kind=restaurant&colour=red');
    assert.equal(r.status, 400);
    assert.equal(r.body.code, 'unknown_parameter');
    assert.deepEqual(r.body.errors.map((e) => e.field), ['colour']);
    const u = await api.get('/api/v1/units?sort=name');
    assert.equal(u.status, 400);
    assert.equal(u.body.code, 'unknown_parameter');
  });

  test('bad values are 400 invalid_parameter naming the parameter', async () => {
    const cases = {
      'limit=0': 'limit',
      'limit=201': 'limit',
      'limit=abc': 'limit',
      'kind=spaceship': 'kind',
      'status=open': 'status',
      'subdistrict_id=-1': 'subdistrict_id',
      'near=35.2': 'near',
      'near=95,113': 'near',
      'near=35.2,113.2&radius_m=0': 'radius_m',
      'near=35.2,113.2&radius_m=50001': 'radius_m',
      'radius_m=100': 'radius_m',
      'kind=restaurant&kind=bare_soil': 'kind',
    };
    for (const [query, field] of Object.entries(cases)) {
      const r = await api.get(`/api/v1/sites?${query}`);
      assert.equal(r.status, 400, `${query} → ${r.status} ${r.text}`);
      assert.equal(r.body.code, 'invalid_parameter', query);
      assert.ok(r.body.errors?.some((e) => e.field === field), `${query}: errors should name ${field}: ${r.text}`);
    }
  });
});
