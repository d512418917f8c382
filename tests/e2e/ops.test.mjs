// What an operator sees: health, readiness, request ids in answers and logs, and metrics.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { useServer } from './support/server.mjs';

const srv = useServer();
const api = srv.api;


describe('health and readiness', () => {
  test('/healthz answers alive', async () => {
    const r = await api.get('/healthz');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { status: 'alive' });
  });

  test('/readyz reports the database up and no migration pending or edited', async () => {
    const r = await api.get('/readyz');
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'ready');
    assert.equal(r.body.database, 'up');
    assert.ok(r.body.migrations_applied >= 1, 'at least the first migration is applied');
    assert.equal(r.body.migrations_pending, 0);
    assert.deepEqual(r.body.migrations_edited, []);
  });

  test('an unknown path is a 404 problem and a wrong method a 405 naming the allowed ones', async () => {
    const missing = await api.get('/api/v1/no-such-thing');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'not_found');
    assert.match(missing.headers.get('content-type'), /^application\/problem\+json/);

    const wrong = await api.request('DELETE', '/api/v1/sites');
    assert.equal(wrong.status, 405);
    assert.equal(wrong.body.code, 'method_not_allowed');
    const allow = wrong.headers.get('allow').split(',').map((s) => s.trim()).sort();
    assert.deepEqual(allow, ['GET', 'POST']);
  });
});

describe('request ids', () => {
  test('a well-formed X-Request-Id is echoed in the header, the problem body and the access log', async () => {
    const id = `e2e-${Date.now()}.abc:XYZ_1`;
    const r = await api.get('/api/v1/sites/999999999', { headers: { 'x-request-id': id } });
    assert.equal(r.status, 404);
    assert.equal(r.headers.get('x-request-id'), id);
    assert.equal(r.body.request_id, id);
    const line = await srv.server.waitFor(() => srv.server.findLogs({ request_id: id })[0],
      { timeoutMs: 3_000, what: `an access log line with request_id ${id}` });
    assert.equal(line.status, 404);
    assert.equal(line.route, '/api/v1/sites/{id}');
    assert.equal(line.method, 'GET');
  });

  test('without X-Request-Id, each response gets a fresh id that also appears in the log', async () => {
    const a = await api.get('/healthz');
    const b = await api.get('/healthz');
    const idA = a.headers.get('x-request-id');
    const idB = b.headers.get('x-request-id');
    assert.match(idA, /^[0-9a-f]{16}$/);
    assert.match(idB, /^[0-9a-f]{16}$/);
    assert.notEqual(idA, idB);
    await srv.server.waitFor(() => srv.server.findLogs({ request_id: idB })[0],
      { timeoutMs: 3_000, what: `an access log line with request_id ${idB}` });
  });

  test('an X-Request-Id with characters that could forge log lines is replaced, not echoed', async () => {
    const bad = 'abc" injected="1';
    const r = await api.get('/healthz', { headers: { 'x-request-id': bad } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('x-request-id'), /^[0-9a-f]{16}$/);
    const tooLong = 'a'.repeat(129);
    const r2 = await api.get('/healthz', { headers: { 'x-request-id': tooLong } });
    assert.match(r2.headers.get('x-request-id'), /^[0-9a-f]{16}$/);
  });

  test('every stdout line of the server is one JSON object', () => {
    const broken = srv.server.logs.filter((l) => 'unparsed' in l);
    assert.deepEqual(broken, [], 'stdout lines that are not JSON');
  });
});

describe('metrics', () => {
  function requestCount(text, labels) {
    // lantian_http_requests_total{method="GET",route="/api/v1/sites/{id}",status="200"} 3
    for (const line of text.split('\n')) {
      if (!line.startsWith('lantian_http_requests_total{')) continue;
      const m = /^lantian_http_requests_total\{(.*)\}\s+(\S+)$/.exec(line);
      if (!m) continue;
      const got = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[2]);
    }
    return 0;
  }

  test('/metrics counts requests by route template, never by raw path', async () => {
    const first = await api.get('/api/v1/sites?limit=1');
    assert.equal(first.status, 200);
    const id = first.body.items[0].id;
    const labels = { method: 'GET', route: '/api/v1/sites/{id}', status: '200' };
    const before = requestCount((await api.get('/metrics')).text, labels);
    assert.equal((await api.get(`/api/v1/sites/${id}`)).status, 200);
    assert.equal((await api.get(`/api/v1/sites/${id}`)).status, 200);
    const m = await api.get('/metrics');
    assert.equal(m.status, 200);
    assert.match(m.headers.get('content-type'), /^text\/plain/);
    assert.equal(requestCount(m.text, labels), before + 2,
      'two GETs of one site add two to the {id} template series');
    assert.doesNotMatch(m.text, /route="\/api\/v1\/sites\/\d+"/, 'a raw path leaked into a label');
    assert.match(m.text, /^lantian_http_request_duration_seconds_bucket\{/m);
    assert.match(m.text, /^lantian_database_up 1/m);
  });

  test('unknown paths are counted under one "unmatched" label, so scanners cannot explode the series', async () => {
    await api.get(`/scan-${Date.now()}-a`);
    await api.get(`/scan-${Date.now()}-b`);
    await sleep(10);
    const m = await api.get('/metrics');
    assert.doesNotMatch(m.text, /route="\/scan-/);
    assert.ok(requestCount(m.text, { route: 'unmatched', status: '404' }) >= 2);
  });
});
