// Who may do what: sign-in and sign-out, roles, and the handler's territory.
// Failed sign-ins also count against the client address (127.0.0.1 for every test) for 15
// minutes; the servers here allow many per address and lock for seconds only, so that
// repeated runs on one database never lock the other test files out of signing in.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { Client } from './support/client.mjs';
import { DEMO } from './support/geo.mjs';
import { signIn, startServer, useServer } from './support/server.mjs';

const run = `${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
const units = {};
const srv = useServer({
  extraEnv: { LANTIAN_SIGNIN_MAX_FAILURES: '1000', LANTIAN_SIGNIN_LOCKOUT_SECONDS: '2' },
  setup: async (client) => {
    const list = await client.get('/api/v1/units?limit=200');
    for (const u of list.body.items) units[u.code] = u;
  },
});
const api = srv.api;

/// Creates a user through the API as the administrator; returns {user, username, password}.
async function newUser(role, unitCode) {
  const username = `u-${role}-${run}-${crypto.randomBytes(2).toString('hex')}`;
  const password = crypto.randomBytes(12).toString('base64url');
  const body = { username, display_name: `测试${role}`, role, password };
  if (unitCode) body.unit_id = units[unitCode].id;
  const r = await api.post('/api/v1/users', body);
  assert.equal(r.status, 201, r.text);
  return { user: r.body, username, password, etag: r.headers.get('etag') };
}

/// A client signed in as a new user of the role.
async function clientAs(role, unitCode) {
  const u = await newUser(role, unitCode);
  const client = new Client(api.baseUrl);
  client.token = await signIn(client, u);
  return { client, ...u };
}

function site(name, point = DEMO.qibaijian.point) {
  return { kind: 'shop_front', name, address: '焦作市解放区塔南路3号门前', location: point };
}

describe('authentication', () => {
  test('without a token, or with a made-up one, the API answers 401; health, readiness and metrics stay open', async () => {
    const none = await api.get('/api/v1/sites?limit=1', { auth: false });
    assert.equal(none.status, 401);
    assert.equal(none.body.code, 'unauthenticated');
    const fake = await api.get('/api/v1/sites?limit=1', { headers: { authorization: `Bearer ${'x'.repeat(43)}` } });
    assert.equal(fake.status, 401);
    const basic = await api.get('/api/v1/units', { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } });
    assert.equal(basic.status, 401);
    for (const path of ['/healthz', '/readyz', '/metrics', '/api/v1/openapi.yaml']) {
      assert.equal((await api.get(path, { auth: false })).status, 200, path);
    }
  });

  test('sign-in answers a token (not cacheable) that /api/v1/me resolves to the user; usernames ignore case', async () => {
    const u = await newUser('leader');
    const r = await api.post('/api/v1/sessions', { username: u.username.toUpperCase(), password: u.password }, { auth: false });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.equal(r.body.token_type, 'Bearer');
    assert.equal(r.body.user.id, u.user.id);
    assert.ok(Date.parse(r.body.expires_at) > Date.now());
    const me = await api.get('/api/v1/me', { headers: { authorization: `Bearer ${r.body.token}` } });
    assert.equal(me.status, 200);
    assert.equal(me.body.username, u.username);
    assert.equal(me.body.role_label, '领导');
  });

  test('a wrong password and an unknown user get the same 401', async () => {
    const u = await newUser('leader');
    const wrong = await api.post('/api/v1/sessions', { username: u.username, password: `${u.password}x` }, { auth: false });
    const unknown = await api.post('/api/v1/sessions', { username: `nobody-${run}`, password: u.password }, { auth: false });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal(wrong.body.code, 'invalid_credentials');
    assert.equal(unknown.body.code, wrong.body.code);
    assert.equal(unknown.body.detail, wrong.body.detail, 'nothing tells an attacker which usernames exist');
  });

  test('after sign-out the token no longer works', async () => {
    const { client } = await clientAs('leader');
    assert.equal((await client.get('/api/v1/me')).status, 200);
    const out = await client.request('DELETE', '/api/v1/sessions/current');
    assert.equal(out.status, 204);
    assert.equal((await client.get('/api/v1/me')).status, 401);
  });

  test('a disabled user is refused on the next request, with the token already held', async () => {
    const { client, user, etag } = await clientAs('inspector', 'JF-SD-JIAOXI');
    assert.equal((await client.get('/api/v1/me')).status, 200);
    const none = await api.patch(`/api/v1/users/${user.id}`, { disabled: true });
    assert.equal(none.status, 428);
    const r = await api.patch(`/api/v1/users/${user.id}`, { disabled: true }, { headers: { 'if-match': etag } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.disabled, true);
    assert.equal(r.body.version, 2);
    assert.equal((await client.get('/api/v1/me')).status, 401);
  });

  test('repeated failures lock the account for a while (429 + Retry-After), then it opens again', { timeout: 60_000 }, async () => {
    const locked = await startServer({
      extraEnv: { LANTIAN_SIGNIN_MAX_FAILURES: '2', LANTIAN_SIGNIN_LOCKOUT_SECONDS: '2' },
    });
    try {
      const u = await newUser('leader');
      const client = locked.client;
      for (let i = 0; i < 2; i++) {
        const r = await client.post('/api/v1/sessions', { username: u.username, password: 'wrong-password-1' }, { auth: false });
        assert.equal(r.status, 401);
      }
      const r = await client.post('/api/v1/sessions', { username: u.username, password: u.password }, { auth: false });
      assert.equal(r.status, 429, 'even the right password waits out the lockout');
      assert.equal(r.body.code, 'too_many_attempts');
      const retry = Number(r.headers.get('retry-after'));
      assert.ok(retry >= 1 && retry <= 2, `Retry-After ${retry}`);
      await sleep(retry * 1000 + 500);
      const again = await client.post('/api/v1/sessions', { username: u.username, password: u.password }, { auth: false });
      assert.equal(again.status, 201, again.text);
    } finally {
      await locked.stop();
    }
  });
});

describe('sign-in hardening', () => {
  test('re-enabling a disabled user does not revive the sessions the disabling ended', async () => {
    const { client, user, etag } = await clientAs('inspector', 'JF-SD-JIAOXI');
    const off = await api.patch(`/api/v1/users/${user.id}`, { disabled: true }, { headers: { 'if-match': etag } });
    assert.equal(off.status, 200, off.text);
    const on = await api.patch(`/api/v1/users/${user.id}`, { disabled: false }, { headers: { 'if-match': off.headers.get('etag') } });
    assert.equal(on.status, 200, on.text);
    assert.equal(on.body.disabled, false);
    assert.equal((await client.get('/api/v1/me')).status, 401, 'the old token must stay dead');
  });

  test('behind a trusted proxy, failures count against the forwarded client, not everyone behind the proxy', { timeout: 60_000 }, async () => {
    const proxied = await startServer({
      extraEnv: { LANTIAN_SIGNIN_MAX_FAILURES: '2', LANTIAN_SIGNIN_LOCKOUT_SECONDS: '30', LANTIAN_TRUSTED_PROXIES: '127.0.0.1, ::1' },
    });
    try {
      const u = await newUser('leader');
      const client = proxied.client;
      const attempt = (password, from) => client.post('/api/v1/sessions', { username: u.username, password },
        { auth: false, headers: { 'x-forwarded-for': `198.51.100.1, ${from}` } });
      for (let i = 0; i < 2; i++) assert.equal((await attempt('wrong-password-1', '203.0.113.5')).status, 401);
      const locked = await attempt(u.password, '203.0.113.5');
      assert.equal(locked.status, 429, locked.text);
      assert.ok(Number(locked.headers.get('retry-after')) >= 1);
      const owner = await attempt(u.password, '203.0.113.6');
      assert.equal(owner.status, 201, 'another client behind the same proxy signs in: ' + owner.text);
    } finally {
      await proxied.stop();
    }
  });

  test('without trusted proxies, X-Forwarded-For is ignored', { timeout: 60_000 }, async () => {
    const direct = await startServer({ extraEnv: { LANTIAN_SIGNIN_MAX_FAILURES: '2', LANTIAN_SIGNIN_LOCKOUT_SECONDS: '30' } });
    try {
      const u = await newUser('leader');
      const attempt = (password, from) => direct.client.post('/api/v1/sessions', { username: u.username, password },
        { auth: false, headers: { 'x-forwarded-for': from } });
      for (let i = 0; i < 2; i++) assert.equal((await attempt('wrong-password-1', '203.0.113.5')).status, 401);
      assert.equal((await attempt(u.password, '203.0.113.6')).status, 429, 'a client cannot pick its own address');
    } finally {
      await direct.stop();
    }
  });

  test('the most common passwords and the username are refused (422) on creation and change', async () => {
    const username = `u-common-${run}`;
    for (const password of ['1234567890', 'Password123', username.toUpperCase()]) {
      const r = await api.post('/api/v1/users', { username, display_name: '测试', role: 'leader', password });
      assert.equal(r.status, 422, r.text);
      assert.equal(r.body.errors[0].field, 'password');
    }
    const { user, etag } = await newUser('leader');
    const r = await api.patch(`/api/v1/users/${user.id}`, { password: 'QWERTYUIOP' }, { headers: { 'if-match': etag } });
    assert.equal(r.status, 422, r.text);
  });

  test('a burst of sign-ins does not hold the request workers: other requests stay fast, a full queue answers 503 at once', { timeout: 120_000 }, async () => {
    // One worker, one hash thread, two places in the queue, and a deliberately slow hash.
    const busy = await startServer({
      extraEnv: {
        LANTIAN_WORKERS: '1', LANTIAN_MAX_CONCURRENT_HASHES: '1', LANTIAN_SIGNIN_QUEUE: '2',
        LANTIAN_ARGON2_OPS_LIMIT: '3', LANTIAN_ARGON2_MEM_LIMIT_MIB: '256', LANTIAN_SIGNIN_MAX_FAILURES: '1000',
      },
    });
    try {
      const u = await newUser('leader');
      const client = busy.client;
      const signIn = () => client.post('/api/v1/sessions', { username: u.username, password: u.password }, { auth: false, timeoutMs: 60_000 });
      assert.equal((await signIn()).status, 201); // rehashed at this cost
      const one = await signIn();
      assert.equal(one.status, 201, one.text);
      const burst = Array.from({ length: 8 }, signIn);
      await sleep(50);
      const probes = [];
      for (let i = 0; i < 5; i++) probes.push((await client.get('/healthz', { auth: false })).ms);
      const answers = await Promise.all(burst);
      const refused = answers.filter((r) => r.status === 503);
      assert.ok(refused.length >= 1, `statuses ${answers.map((r) => r.status)}`);
      for (const r of refused) {
        assert.equal(r.body.code, 'signin_busy');
        assert.equal(r.headers.get('retry-after'), '1');
        assert.ok(r.ms < one.ms, `a refusal took ${r.ms} ms, a sign-in ${one.ms} ms`);
      }
      assert.ok(answers.filter((r) => r.status === 201).length >= 1);
      const slowest = Math.max(...probes);
      assert.ok(slowest < one.ms / 2, `/healthz took up to ${slowest} ms during the burst; one sign-in takes ${one.ms} ms`);
    } finally {
      await busy.stop();
    }
  });
});

describe('roles and scope', () => {
  test('an inspector registers sites but may not change them or the units (403)', async () => {
    const { client } = await clientAs('inspector', 'JF-SD-JIAOXI');
    const created = await client.post('/api/v1/sites', site(`巡查发现${run}`));
    assert.equal(created.status, 201, created.text);
    const patch = await client.patch(`/api/v1/sites/${created.body.id}`, { name: '改' }, { headers: { 'if-match': '"v1"' } });
    assert.equal(patch.status, 403);
    assert.equal(patch.body.code, 'forbidden');
    const unit = await client.post('/api/v1/units', { code: `X-${run}`, name: '越权', kind: 'office' });
    assert.equal(unit.status, 403);
    assert.equal((await client.get('/api/v1/users')).status, 403);
  });

  test('a leader reads but does not write', async () => {
    const { client } = await clientAs('leader');
    assert.equal((await client.get('/api/v1/sites?limit=1')).status, 200);
    assert.equal((await client.post('/api/v1/sites', site(`领导${run}`))).status, 403);
  });

  test('a subdistrict handler sees only the sites of its territory; others are 404 as if missing', async () => {
    const { client } = await clientAs('handler', 'JF-SD-JIAOXI');
    const own = units['JF-SD-JIAOXI'].id;
    const pages = await client.walk('/api/v1/sites', { limit: 200 });
    const seen = pages.flat();
    assert.ok(seen.length > 0, 'the handler sees its own sites');
    assert.deepEqual([...new Set(seen.map((s) => s.subdistrict_id))], [own]);

    const elsewhere = await api.get(`/api/v1/sites?subdistrict_id=${units[DEMO.minsheng.code].id}&limit=1`);
    const foreignId = elsewhere.body.items[0].id;
    const foreign = await client.get(`/api/v1/sites/${foreignId}`);
    const missing = await client.get('/api/v1/sites/999999999');
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.code, missing.body.code);
    assert.equal(foreign.body.detail, missing.body.detail, 'out of scope reads exactly like missing');

    const near = await client.get(`/api/v1/sites?near=${DEMO.minsheng.point.lat},${DEMO.minsheng.point.lon}&radius_m=1000`);
    assert.equal(near.status, 200);
    assert.deepEqual(near.body.items, [], 'near lists are filtered by territory too');
  });
});

describe('users (administrator)', () => {
  test('a username already taken is 409; a handler without a unit and a short password are 422', async () => {
    const u = await newUser('office', 'JF-OFF-HUANWEIBAN');
    const dup = await api.post('/api/v1/users', { username: u.username, display_name: '重名', role: 'leader', password: 'long-enough-pw' });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.code, 'already_exists');
    const bad = await api.post('/api/v1/users', { username: `h-${run}`, display_name: '处理', role: 'handler', password: 'short' });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.errors.map((e) => e.field).sort(), ['password', 'unit_id']);
  });

  test('users list pages and never shows a password or its hash', async () => {
    const pages = await api.walk('/api/v1/users', { limit: 5 });
    const all = pages.flat();
    assert.ok(all.length >= 2);
    assert.equal(new Set(all.map((u) => u.id)).size, all.length);
    const text = JSON.stringify(all);
    assert.doesNotMatch(text, /password|argon2/i);
  });
});
