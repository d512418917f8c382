// HTTP/1.1 at the socket: limits on the request line and header, request-smuggling shapes,
// slow clients, and keep-alive.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { RawConnection, validateRaw } from './support/raw.mjs';
import { useServer } from './support/server.mjs';

const srv = useServer({ extraEnv: { LANTIAN_HEADER_TIMEOUT_MS: '1000' } });
const api = srv.api;
const run = `${process.pid}-${Date.now().toString(36)}`;


/// Opens a connection, sends `request`, and returns the response and whether the server then
/// closed the connection (within closeWithinMs).
async function exchange(request, { closeWithinMs = 2_000 } = {}) {
  const conn = await RawConnection.open(srv.port);
  try {
    await conn.write(request);
    const response = await conn.readResponse({ timeoutMs: 5_000 });
    const closed = await conn.waitClosed(closeWithinMs);
    return { response, closed };
  } finally {
    conn.destroy();
  }
}

async function siteCount(name) {
  const r = await api.get(`/api/v1/sites?q=${encodeURIComponent(name)}&limit=10`);
  return r.body.items.length;
}

describe('limits', () => {
  test('a request line over 8 KiB is 414 uri_too_long, and the connection is closed', async () => {
    const { response, closed } = await exchange(`GET /api/v1/sites?q=${'a'.repeat(9 * 1024)} HTTP/1.1\r\nHost: e2e\r\n\r\n`);
    assert.equal(response.status, 414);
    assert.ok(closed, 'connection closed');
    assert.equal(validateRaw('GET', '/api/v1/sites', response).code, 'uri_too_long');
  });

  test('a header over 16 KiB is 431 header_too_large, and the connection is closed', async () => {
    const { response, closed } = await exchange(`GET /healthz HTTP/1.1\r\nHost: e2e\r\nX-Big: ${'b'.repeat(17 * 1024)}\r\n\r\n`);
    assert.equal(response.status, 431);
    assert.ok(closed, 'connection closed');
    assert.equal(validateRaw('GET', '/healthz', response).code, 'header_too_large');
  });

  test('a header of many small fields adding up past 16 KiB is 431 too', async () => {
    let fields = '';
    for (let i = 0; i < 400; i++) fields += `X-F${i}: ${'c'.repeat(60)}\r\n`;
    const { response } = await exchange(`GET /healthz HTTP/1.1\r\nHost: e2e\r\n${fields}\r\n`);
    assert.equal(response.status, 431);
  });

  test('just under the limits, the request is routed normally', async () => {
    const longPath = `/api/v1/${'p'.repeat(7 * 1024)}`;
    const a = await exchange(`GET ${longPath} HTTP/1.1\r\nHost: e2e\r\n\r\n`, { closeWithinMs: 10 });
    assert.equal(a.response.status, 404, 'a 7 KiB path is looked up (404), not refused as too long');
    const b = await exchange(`GET /healthz HTTP/1.1\r\nHost: e2e\r\nX-Pad: ${'x'.repeat(15 * 1024)}\r\n\r\n`, { closeWithinMs: 10 });
    assert.equal(b.response.status, 200, 'a 15 KiB header is served');
  });
});

describe('request smuggling shapes', () => {
  test('Transfer-Encoding: chunked together with Content-Length is 400 and closed, and the body is not processed', async () => {
    const name = `走私${run}`;
    const body = JSON.stringify({
      kind: 'restaurant', name, address: '焦作市解放区塔南路1号', location: { lat: 35.215, lon: 113.22 },
    });
    const len = Buffer.byteLength(body);
    const chunked = `${len.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    const { response, closed } = await exchange('POST /api/v1/sites HTTP/1.1\r\nHost: e2e\r\n'
      + `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(chunked)}\r\n`
      + `Transfer-Encoding: chunked\r\n\r\n${chunked}`);
    assert.equal(response.status, 400);
    assert.ok(closed, 'connection closed after the framing error');
    assert.equal(await siteCount(name), 0, 'the smuggled site was not created');
    assert.equal(validateRaw('POST', '/api/v1/sites', response).code, 'bad_request');
  });

  for (const te of ['identity', 'gzip', 'xchunked', 'chunked, identity']) {
    test(`Transfer-Encoding: ${te} is 400 and closed, and its body is never read as a request`, async () => {
      // The body is a complete GET: read as the next request it would be answered 200.
      const smuggled = 'GET /healthz HTTP/1.1\r\nHost: e2e\r\n\r\n';
      const conn = await RawConnection.open(srv.port);
      try {
        await conn.write('POST /api/v1/sites HTTP/1.1\r\nHost: e2e\r\nContent-Type: application/json\r\n'
          + `Transfer-Encoding: ${te}\r\n\r\n${smuggled}`);
        const response = await conn.readResponse({ timeoutMs: 5_000 });
        assert.equal(response.status, 400);
        assert.equal(validateRaw('POST', '/api/v1/sites', response).code, 'bad_request');
        assert.ok(await conn.waitClosed(2_000), 'connection closed after the framing error');
        assert.equal(conn.buffer.toString('latin1'), '', 'no second answer: the body was not a request');
      } finally {
        conn.destroy();
      }
    });
  }

  test('two different Content-Length headers are 400 and closed', async () => {
    const { response, closed } = await exchange('POST /api/v1/sites HTTP/1.1\r\nHost: e2e\r\n'
      + 'Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}xxx');
    assert.equal(response.status, 400);
    assert.ok(closed);
  });

  test('an obs-fold (header continued on the next line) is 400 and closed', async () => {
    const { response, closed } = await exchange('GET /healthz HTTP/1.1\r\nHost: e2e\r\nX-Folded: first\r\n  second\r\n\r\n');
    assert.equal(response.status, 400);
    assert.ok(closed, 'connection closed');
    assert.equal(validateRaw('GET', '/healthz', response).code, 'bad_request');
  });

  test('a tab-folded header is refused the same way', async () => {
    const { response, closed } = await exchange('GET /healthz HTTP/1.1\r\nHost: e2e\r\nX-Folded: first\r\n\tsecond\r\n\r\n');
    assert.equal(response.status, 400);
    assert.ok(closed);
  });

  test('garbage instead of a request line is 400', async () => {
    const { response, closed } = await exchange('HELLO THERE\r\n\r\n');
    assert.equal(response.status, 400);
    assert.ok(closed);
  });
});

describe('slow clients', () => {
  test('a client that sends half a header and then nothing is disconnected after the header timeout', async () => {
    const conn = await RawConnection.open(srv.port);
    try {
      const started = Date.now();
      await conn.write('GET /healthz HTTP/1.1\r\nHost: e2e\r\nX-Slow: ');
      const closed = await conn.waitClosed(4_000);
      const elapsed = Date.now() - started;
      assert.ok(closed, 'the server closed the connection within 4 s (header timeout 1 s)');
      assert.ok(elapsed >= 800, `closed after ${elapsed} ms, before the 1 s timeout`);
    } finally {
      conn.destroy();
    }
  });

  test('a client trickling its header byte by byte past the timeout is disconnected too', async () => {
    const conn = await RawConnection.open(srv.port);
    try {
      const started = Date.now();
      const header = `GET /healthz HTTP/1.1\r\nHost: e2e\r\nX-Trickle: ${'t'.repeat(100)}\r\n\r\n`;
      let i = 0;
      while (!conn.closed && i < header.length && Date.now() - started < 5_000) {
        await conn.write(header[i++]);
        await sleep(100);
      }
      assert.ok(await conn.waitClosed(2_000), 'closed while still trickling');
      assert.ok(Date.now() - started < 4_000, 'the timeout bounds the whole header, not each byte');
    } finally {
      conn.destroy();
    }
  });

  test('the server still answers others while slow clients hang', async () => {
    const slow = await Promise.all([1, 2, 3].map(() => RawConnection.open(srv.port)));
    try {
      await Promise.all(slow.map((c) => c.write('GET /healthz HTTP/1.1\r\n')));
      const r = await api.get('/healthz', { timeoutMs: 2_000 });
      assert.equal(r.status, 200);
    } finally {
      for (const c of slow) c.destroy();
    }
  });
});

describe('keep-alive', () => {
  test('two requests, one after the other, are answered on one connection', async () => {
    const conn = await RawConnection.open(srv.port);
    try {
      await conn.write('GET /healthz HTTP/1.1\r\nHost: e2e\r\nX-Request-Id: ka-1\r\n\r\n');
      const a = await conn.readResponse();
      assert.equal(a.status, 200);
      assert.equal(a.headers['x-request-id'], 'ka-1');
      assert.notEqual(a.headers.connection?.toLowerCase(), 'close');
      validateRaw('GET', '/healthz', a);
      await conn.write(`GET /api/v1/sites?limit=1 HTTP/1.1\r\nHost: e2e\r\nAuthorization: Bearer ${srv.token}\r\nX-Request-Id: ka-2\r\n\r\n`);
      const b = await conn.readResponse();
      assert.equal(b.status, 200);
      assert.equal(b.headers['x-request-id'], 'ka-2');
      assert.equal(validateRaw('GET', '/api/v1/sites?limit=1', b).items.length, 1);
      assert.equal(conn.closed, false);
    } finally {
      conn.destroy();
    }
  });

  test('pipelined requests sent in one write are answered in order', async () => {
    const conn = await RawConnection.open(srv.port);
    try {
      await conn.write('GET /healthz HTTP/1.1\r\nHost: e2e\r\nX-Request-Id: p-1\r\n\r\n'
        + 'GET /readyz HTTP/1.1\r\nHost: e2e\r\nX-Request-Id: p-2\r\n\r\n'
        + 'GET /healthz HTTP/1.1\r\nHost: e2e\r\nX-Request-Id: p-3\r\nConnection: close\r\n\r\n');
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await conn.readResponse()).headers['x-request-id']);
      assert.deepEqual(ids, ['p-1', 'p-2', 'p-3']);
      assert.ok(await conn.waitClosed(2_000), 'Connection: close is honoured');
    } finally {
      conn.destroy();
    }
  });

  test('an idle keep-alive connection is closed after the idle timeout', async () => {
    const conn = await RawConnection.open(srv.port);
    try {
      await conn.write('GET /healthz HTTP/1.1\r\nHost: e2e\r\n\r\n');
      assert.equal((await conn.readResponse()).status, 200);
      assert.ok(await conn.waitClosed(4_000), 'idle connection closed (timeout 1 s)');
    } finally {
      conn.destroy();
    }
  });
});
