// Graceful shutdown: SIGTERM stops accepting, lets a request in flight finish, and exits 0.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { DEMO } from './support/geo.mjs';
import { RawConnection, validateRaw } from './support/raw.mjs';
import { seedDemo, startServer } from './support/server.mjs';

const started = [];
after(async () => {
  for (const s of started) await s.stop({ signal: 'SIGKILL' });
});

function refusesConnections(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const timer = setTimeout(() => { socket.destroy(); resolve(false); }, 2_000);
    socket.once('connect', () => { clearTimeout(timer); socket.destroy(); resolve(false); });
    socket.once('error', (e) => { clearTimeout(timer); resolve(e.code === 'ECONNREFUSED'); });
  });
}

test('SIGTERM during a slowly sent request lets it finish, refuses new connections and exits 0', { timeout: 60_000 }, async () => {
  await seedDemo();
  const server = await startServer();
  started.push(server);
  const run = `${process.pid}-${Date.now().toString(36)}`;
  const name = `优雅停机${run}`;
  const body = Buffer.from(JSON.stringify({
    kind: 'shop_front', name, address: '焦作市解放区塔南路2号门前', location: DEMO.qibaijian.point,
  }));
  const half = Math.floor(body.length / 2);

  const conn = await RawConnection.open(server.port);
  try {
    await conn.write(`POST /api/v1/sites HTTP/1.1\r\nHost: e2e\r\nContent-Type: application/json\r\n`
      + `Authorization: Bearer ${server.client.token}\r\n`
      + `Content-Length: ${body.length}\r\nX-Request-Id: shutdown-${run}\r\n\r\n`);
    await conn.write(body.subarray(0, half));
    await sleep(300);

    const exit = server.stop({ signal: 'SIGTERM', timeoutMs: 20_000 });
    await sleep(500);
    assert.ok(server.running, 'the server waits for the request in flight');
    assert.ok(await refusesConnections(server.port), 'new connections are refused while draining');

    await conn.write(body.subarray(half));
    const res = await conn.readResponse({ timeoutMs: 10_000 });
    assert.equal(res.status, 201, `the request in flight completes: ${res.body}`);
    assert.equal(validateRaw('POST', '/api/v1/sites', res).name, name);
    assert.equal(res.headers.connection?.toLowerCase(), 'close', 'a draining server closes the connection after answering');

    const result = await exit;
    assert.equal(result.forced, false, `the process did not exit after SIGTERM\n${server.output()}`);
    assert.equal(result.code, 0, `exit ${JSON.stringify(result)}\n${server.output()}`);
    assert.ok(server.findLogs({ msg: 'draining' }).length === 1, 'the drain is logged');
  } finally {
    conn.destroy();
  }
});

test('SIGTERM with idle keep-alive connections open exits promptly with 0', { timeout: 60_000 }, async () => {
  const server = await startServer();
  started.push(server);
  const idle = await RawConnection.open(server.port);
  try {
    await idle.write('GET /healthz HTTP/1.1\r\nHost: e2e\r\n\r\n');
    assert.equal((await idle.readResponse()).status, 200);
    const t0 = Date.now();
    const result = await server.stop({ signal: 'SIGTERM', timeoutMs: 10_000 });
    assert.equal(result.forced, false, 'exited without SIGKILL');
    assert.equal(result.code, 0);
    assert.ok(Date.now() - t0 < 5_000, `took ${Date.now() - t0} ms; idle connections must not hold the exit`);
    assert.ok(await idle.waitClosed(1_000), 'the idle connection was closed');
  } finally {
    idle.destroy();
  }
});
