// PostgreSQL goes away and comes back: the service says so quickly (503 + Retry-After, /readyz not
// ready, /healthz alive), never crashes, and recovers by itself without a restart.
// This file stops the shared test cluster: it must not run alongside other files (the runner
// runs files one at a time on this machine's two cores).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { env } from './support/env.mjs';
import { runShell, seedDemo, startServer } from './support/server.mjs';

let server;
let api;
let siteId;
let pgStopped = false;

async function startPg() {
  await runShell(env.pgStart, { timeoutMs: 90_000 });
  pgStopped = false;
}

before(async () => {
  await seedDemo();
  server = await startServer({ extraEnv: { LANTIAN_WORKERS: '4' } });
  api = server.client;
  const r = await api.get('/api/v1/sites?limit=1');
  assert.equal(r.status, 200);
  siteId = r.body.items[0].id;
});

after(async () => {
  // Always bring the database back, whatever happened above.
  try {
    if (pgStopped) await startPg();
  } finally {
    await server?.stop();
  }
});

test('while PostgreSQL is down the service answers 503 quickly and stays alive; it recovers by itself', { timeout: 180_000 }, async () => {
  // Warm the pool so there are idle connections that will break.
  for (let i = 0; i < 4; i++) assert.equal((await api.get(`/api/v1/sites/${siteId}`)).status, 200);

  pgStopped = true;
  try {
    await runShell(env.pgStop, { timeoutMs: 90_000 });

    for (let round = 0; round < 3; round++) {
      const ready = await api.get('/readyz', { timeoutMs: 5_000 });
      assert.equal(ready.status, 503, `round ${round}: /readyz → ${ready.status} ${ready.text}`);
      assert.ok(ready.ms < 2_000, `/readyz took ${ready.ms.toFixed(0)} ms`);
      assert.equal(ready.body.status, 'not_ready');
      assert.equal(ready.body.database, 'unreachable');

      const site = await api.get(`/api/v1/sites/${siteId}`, { timeoutMs: 5_000 });
      assert.equal(site.status, 503, `round ${round}: GET site → ${site.status} ${site.text}`);
      assert.ok(site.ms < 2_000, `GET site took ${site.ms.toFixed(0)} ms`);
      assert.equal(site.body.code, 'database_unavailable');
      assert.ok(Number(site.headers.get('retry-after')) >= 1, 'Retry-After tells when to retry');

      const write = await api.post('/api/v1/sites', {
        kind: 'restaurant', name: '停库期间', address: '焦作市解放区塔南路1号', location: { lat: 35.215, lon: 113.22 },
      }, { timeoutMs: 5_000 });
      assert.equal(write.status, 503, `round ${round}: POST site → ${write.status} ${write.text}`);
      assert.ok(write.ms < 2_000, `POST site took ${write.ms.toFixed(0)} ms`);

      const health = await api.get('/healthz', { timeoutMs: 5_000 });
      assert.equal(health.status, 200);
      assert.ok(health.ms < 2_000);
    }
    const metrics = await api.get('/metrics');
    assert.match(metrics.text, /^lantian_database_up 0/m);
    assert.ok(server.running, 'the process is still running');
  } finally {
    await startPg();
  }

  // No restart: the same process must find its way back, within a bounded wait.
  const pid = server.pid;
  const deadline = Date.now() + 30_000;
  let last;
  while (Date.now() < deadline) {
    last = await api.get(`/api/v1/sites/${siteId}`, { timeoutMs: 5_000 });
    if (last.status === 200) break;
    await sleep(250);
  }
  assert.equal(last.status, 200, `still ${last.status} 30 s after PostgreSQL came back: ${last.text}`);
  const ready = await api.get('/readyz');
  assert.equal(ready.status, 200, ready.text);
  assert.equal(ready.body.database, 'up');
  // Every pooled connection works again, not just one.
  const all = await Promise.all(Array.from({ length: 8 }, () => api.get(`/api/v1/sites/${siteId}`)));
  assert.deepEqual(all.map((r) => r.status), Array(8).fill(200));
  assert.equal(server.pid, pid);
  assert.ok(server.running, 'recovered without a restart');
});
