// Secrets never reach the log: after sign-ins (right, wrong, unknown), password changes, tokens
// used, a token sent in a query string and sign-outs, the server's whole output — at debug
// level, the most it ever says — holds no password, no token and no token hash.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';

import { Client } from './support/client.mjs';
import { signIn, startServer } from './support/server.mjs';

const sha256 = (text) => crypto.createHash('sha256').update(text).digest('hex');

test('no password, token or token hash ever appears in the log', async () => {
  const server = await startServer({ extraEnv: { LANTIAN_LOG_LEVEL: 'debug' } });
  const secrets = [];
  try {
    const admin = server.client;
    const run = crypto.randomBytes(3).toString('hex');
    const people = [];
    for (const role of ['inspector', 'office', 'supervisor', 'leader']) {
      const username = `scan-${role}-${run}`;
      const password = `Pw-${crypto.randomBytes(9).toString('base64url')}`;
      const r = await admin.post('/api/v1/users', { username, display_name: `扫描${role}`, role, password });
      assert.equal(r.status, 201, r.text);
      people.push({ username, password, id: r.body.id, etag: r.headers.get('etag') });
      secrets.push(password);
    }
    for (const p of people) {
      const client = new Client(server.baseUrl);
      client.token = await signIn(client, p);
      secrets.push(client.token, sha256(client.token));
      assert.equal((await client.get('/api/v1/me')).status, 200);
      // A token in the URL is refused, and must not be logged either.
      const inQuery = await client.get(`/api/v1/units?access_token=${client.token}`, { auth: false });
      assert.equal(inQuery.status, 400);
      const wrong = `Wrong-${crypto.randomBytes(9).toString('base64url')}`;
      secrets.push(wrong);
      const bad = await client.post('/api/v1/sessions', { username: p.username, password: wrong }, { auth: false });
      assert.equal(bad.status, 401);
      assert.equal((await client.request('DELETE', '/api/v1/sessions/current')).status, 204);
    }
    const unknown = `Unknown-${crypto.randomBytes(9).toString('base64url')}`;
    secrets.push(unknown);
    const r = await admin.post('/api/v1/sessions', { username: `nobody-${run}`, password: unknown }, { auth: false });
    assert.equal(r.status, 401);
    // An administrator sets a new password.
    const fresh = `New-${crypto.randomBytes(9).toString('base64url')}`;
    secrets.push(fresh);
    const patch = await admin.patch(`/api/v1/users/${people[0].id}`, { password: fresh },
      { headers: { 'if-match': people[0].etag } });
    assert.equal(patch.status, 200, patch.text);
    secrets.push(admin.token, sha256(admin.token));
  } finally {
    const result = await server.stop();
    assert.equal(result.code, 0, server.output());
  }
  const everything = server.rawStdout + server.stderr;
  assert.ok(server.logs.length > 20, 'the server logged its requests');
  for (const secret of secrets) {
    assert.ok(!everything.includes(secret), `a secret (${secret.slice(0, 4)}…) appears in the log`);
  }
});
