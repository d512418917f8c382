// The defects outside probes found (issue "Hardening"), each through the real server on a real
// socket: what an attacker or a careless client sends is refused with the contract's 4xx, never
// a 500, and nothing of it is stored.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, test } from 'node:test';

import { JIAOXI_POINT, loadUnits, newJiaoxiSite, shanghai, signInPeople } from './support/ledger.mjs';
import { useServer } from './support/server.mjs';

let people;
let site;
const srv = useServer({
  setup: async (admin) => {
    people = await signInPeople(admin, await loadUnits(admin));
    site = await newJiaoxiSite(people.inspector, `加固测试餐馆${process.pid}`);
  },
});
const api = srv.api;

function finding(extra = {}) {
  return {
    client_id: crypto.randomUUID(), site_id: site.id, category: 'fume_direct_emission', severity: 2,
    description: '油烟直排', location: JIAOXI_POINT, found_at: shanghai(), ...extra,
  };
}

describe('numbers beyond range', () => {
  for (const body of ['{"username":"x","password":1e400}', '{"username":"x","password":-1e400}',
    '{"username":"x","password":"p","extra":1e999999999}']) {
    test(`sign-in with ${body} is 400 malformed_json, no token needed`, async () => {
      const r = await api.request('POST', '/api/v1/sessions', {
        body, headers: { 'content-type': 'application/json' }, auth: false,
      });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.code, 'malformed_json');
    });
  }

  test('a huge number in a signed-in route is 400 as well', async () => {
    const r = await people.inspector.request('POST', '/api/v1/issues', {
      body: JSON.stringify(finding()).replace('"severity":2', '"severity":1e400'),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.code, 'malformed_json');
  });

  test('a severity of 2^32 + 3 is 422, not stored as 3', async () => {
    const f = finding();
    const r = await people.inspector.request('POST', '/api/v1/issues', {
      body: JSON.stringify(f).replace('"severity":2', '"severity":4294967299'),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(r.status, 422, r.text);
    assert.deepEqual(r.body.errors.map((e) => e.field), ['severity']);
    const stored = await people.office.get(`/api/v1/issues?site_id=${site.id}&limit=100`);
    assert.ok(!stored.body.items.some((i) => i.client_id === f.client_id), 'nothing stored');
  });

  test('deadline hours of 2^32 + 24 are 422, and the rules stay as they were', async () => {
    const before = await people.office.get('/api/v1/rules/deadlines');
    const rules = before.body.rules.map((r) => ({ ...r }));
    rules[0].hours = 4294967320;
    const r = await people.office.request('PUT', '/api/v1/rules/deadlines', {
      body: JSON.stringify({ rules }), headers: { 'content-type': 'application/json', 'if-match': before.headers.get('etag') ?? '*' },
    });
    assert.equal(r.status, 422, r.text);
    assert.deepEqual(r.body.errors.map((e) => e.field), ['rules[0].hours']);
    const after = await people.office.get('/api/v1/rules/deadlines');
    assert.deepEqual(after.body.rules, before.body.rules);
  });
});

describe('dates outside 2000–2099', () => {
  test('a finding found in year 0000 is 422 and not stored', async () => {
    const f = finding({ found_at: '0000-01-01T00:00:00Z' });
    const r = await people.inspector.post('/api/v1/issues', f);
    assert.equal(r.status, 422, r.text);
    assert.deepEqual(r.body.errors.map((e) => e.field), ['found_at']);
  });

  test('a summary from 9999-12-01 is refused rather than answered for 0999', async () => {
    const r = await people.leader.get('/api/v1/reports/summary?from=9999-12-01&to=9999-12-31');
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.code, 'invalid_parameter');
  });
});
