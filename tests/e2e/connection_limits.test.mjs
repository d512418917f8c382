// One client cannot shut everyone else out by holding connections open (issue "Hardening", 5):
// each address has a cap of its own, and at the global cap an idle keep-alive connection is
// closed to admit a newcomer. Small caps keep the test light; loopback addresses 127.0.0.x act
// as different clients.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { RawConnection } from './support/raw.mjs';
import { useServer } from './support/server.mjs';

const srv = useServer({
  seed: false,
  extraEnv: { LANTIAN_MAX_CONNECTIONS: '8', LANTIAN_MAX_CONNECTIONS_PER_ADDRESS: '3' },
});

const opened = [];
after(() => { for (const c of opened) c.destroy(); });

async function hold(count, localAddress) {
  const conns = [];
  for (let i = 0; i < count; i++) {
    const c = await RawConnection.open(srv.port, { localAddress });
    opened.push(c);
    conns.push(c);
    await sleep(20); // accepted in order
  }
  return conns;
}

/// A request from a fresh connection of 127.0.0.1, as an ordinary client would send it.
async function ordinaryRequest() {
  const c = await RawConnection.open(srv.port);
  try {
    await c.write('GET /healthz HTTP/1.1\r\nHost: e2e\r\n\r\n');
    return await c.readResponse({ timeoutMs: 3_000 });
  } finally {
    c.destroy();
  }
}

function release(conns) {
  for (const c of conns) c.destroy();
}

test('an address holding connections open gets its cap, and everyone else is still served', async () => {
  const conns = await hold(8, '127.0.0.2');
  try {
    // The five beyond the cap are answered 503 too_many_connections and closed.
    const deadline = Date.now() + 5_000;
    while (conns.filter((c) => c.closed).length < 5 && Date.now() < deadline) await sleep(20);
    const refused = conns.filter((c) => c.closed);
    assert.equal(refused.length, 5, `${refused.length} of 8 connections of one address were closed`);
    assert.deepEqual(conns.slice(0, 3).map((c) => c.closed), [false, false, false], 'the first three stay open');
    const answer = await refused[0].readResponse({ timeoutMs: 1_000 });
    assert.equal(answer.status, 503);
    assert.ok(Number(answer.headers['retry-after']) >= 1);
    assert.match(answer.headers['content-type'], /^application\/problem\+json/);
    const body = JSON.parse(answer.body);
    assert.equal(body.code, 'too_many_connections');
    assert.equal(body.status, 503);

    const started = performance.now();
    const r = await ordinaryRequest();
    assert.equal(r.status, 200, r.body);
    assert.ok(performance.now() - started < 1_000, 'served at once');
    // The held connections still work.
    await conns[0].write('GET /healthz HTTP/1.1\r\nHost: e2e\r\n\r\n');
    assert.equal((await conns[0].readResponse()).status, 200);
  } finally {
    release(conns);
  }
});

test('at the global cap an idle connection is closed to admit a newcomer', async () => {
  await sleep(200); // the previous test's connections are gone
  const a = await hold(3, '127.0.0.2');
  const b = await hold(3, '127.0.0.3');
  const c = await hold(2, '127.0.0.4');
  const all = [...a, ...b, ...c];
  try {
    await sleep(100);
    // Eight idle connections: the global cap (the harness's own client may hold one more).
    const r = await ordinaryRequest();
    assert.equal(r.status, 200, r.body);
    // An idle one of an address with the most connections made the room.
    const deadline = Date.now() + 3_000;
    while (!all.some((x) => x.closed) && Date.now() < deadline) await sleep(20);
    const closed = all.filter((x) => x.closed);
    assert.ok(closed.length >= 1, 'an idle connection was closed');
    assert.ok(closed.every((x) => a.includes(x) || b.includes(x)), 'from an address holding three');
  } finally {
    release(all);
  }
});

test('a connection serving a request is not closed to make room', async () => {
  await sleep(200);
  // Seven, so that with the harness's own keep-alive connection the cap is not passed yet.
  const held = [...await hold(3, '127.0.0.2'), ...await hold(2, '127.0.0.3'), ...await hold(2, '127.0.0.4')];
  try {
    // Every held connection starts a request (an unfinished header): all busy.
    for (const h of held) await h.write('GET /healthz HTTP/1.1\r\nHost: e2e\r\n');
    await sleep(100);
    const newcomers = await hold(2, '127.0.0.5');
    // Room is made from idle connections only (the harness's, a newcomer that sent nothing):
    // a newcomer is closed, never a busy connection.
    const deadline = Date.now() + 3_000;
    while (!newcomers.some((x) => x.closed) && Date.now() < deadline) await sleep(20);
    assert.ok(newcomers.some((x) => x.closed), 'a newcomer is refused at the cap');
    assert.ok(held.every((h) => !h.closed), 'no busy connection was closed');
    for (const h of held) await h.write('\r\n');
    for (const h of held) assert.equal((await h.readResponse()).status, 200);
    release(newcomers);
  } finally {
    release(held);
  }
});
