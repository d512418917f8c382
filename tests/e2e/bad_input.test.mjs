// Bodies that must be refused cleanly (never a 500, never a partial write): oversized, malformed,
// too deep, ambiguous, with NUL or broken UTF-8, or of the wrong media type.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { DEMO } from './support/geo.mjs';
import { RawConnection, validateRaw } from './support/raw.mjs';
import { useServer } from './support/server.mjs';

const srv = useServer();
const api = srv.api;
const run = `${process.pid}-${Date.now().toString(36)}`;


function siteJson(name, extra = '') {
  return `{"kind":"restaurant","name":${JSON.stringify(name)},"address":"焦作市解放区塔南路1号",`
    + `"location":{"lat":${DEMO.qibaijian.point.lat},"lon":${DEMO.qibaijian.point.lon}}${extra}}`;
}

async function postRaw(body, headers = { 'content-type': 'application/json' }) {
  return api.request('POST', '/api/v1/sites', { body, headers });
}

async function stored(name) {
  const r = await api.get(`/api/v1/sites?q=${encodeURIComponent(name)}&limit=10`);
  return r.body.items.length;
}

describe('body size', () => {
  test('a site body over 32 KiB is 413 and stores nothing', async () => {
    const name = `超大请求${run}`;
    const body = siteJson(name, `,"attributes":{"note":"${'x'.repeat(33 * 1024)}"}`);
    const r = await postRaw(body);
    assert.equal(r.status, 413);
    assert.equal(r.body.code, 'payload_too_large');
    assert.equal(await stored(name), 0);
  });

  test('a declared Content-Length over the limit is refused before the body is sent', async () => {
    const conn = await RawConnection.open(srv.port);
    try {
      await conn.write('POST /api/v1/sites HTTP/1.1\r\nHost: e2e\r\nContent-Type: application/json\r\n'
        + `Content-Length: ${10 * 1024 * 1024}\r\n\r\n`);
      const res = await conn.readResponse({ timeoutMs: 3_000 });
      assert.equal(res.status, 413);
      assert.ok(await conn.waitClosed(3_000), 'the connection is closed after a 413');
      assert.equal(validateRaw('POST', '/api/v1/sites', res).code, 'payload_too_large');
    } finally {
      conn.destroy();
    }
  });

  test('a chunked body growing past the limit is 413', async () => {
    const conn = await RawConnection.open(srv.port);
    try {
      const chunk = 'x'.repeat(8 * 1024);
      let req = 'POST /api/v1/sites HTTP/1.1\r\nHost: e2e\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
      for (let i = 0; i < 5; i++) req += `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
      req += '0\r\n\r\n';
      await conn.write(req);
      const res = await conn.readResponse({ timeoutMs: 3_000 });
      assert.equal(res.status, 413);
      assert.equal(validateRaw('POST', '/api/v1/sites', res).code, 'payload_too_large');
    } finally {
      conn.destroy();
    }
  });

  test('a body just under the limit is accepted', async () => {
    const name = `接近上限${run}`;
    const padded = siteJson(name).padEnd(31 * 1024, ' ');
    const r = await postRaw(padded);
    assert.equal(r.status, 201, r.text);
  });
});

describe('malformed JSON', () => {
  const cases = [
    ['truncated', siteJson('截断').slice(0, -5), 'malformed_json'],
    ['trailing comma', '{"kind":"restaurant",}', 'malformed_json'],
    ['not an object', '["restaurant"]', 'malformed_json'],
    ['empty body', '', 'malformed_json'],
    ['comments', '{/* c */"kind":"restaurant"}', 'malformed_json'],
    ['two documents', `${siteJson('两个')} {}`, 'malformed_json'],
  ];
  for (const [what, body, code] of cases) {
    test(`${what} is 400 ${code}`, async () => {
      const r = await postRaw(body);
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.code, code);
    });
  }
});

describe('nesting depth', () => {
  const nested = (depth) => '['.repeat(depth) + ']'.repeat(depth);

  test('JSON nested 33 deep is 400 json_too_deep, and 3000 deep does not crash the server', async () => {
    // object(1) + attributes(2) + 31 arrays = 33 levels.
    const r = await postRaw(siteJson(`过深${run}`, `,"attributes":{"a":${nested(31)}}`));
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.code, 'json_too_deep');
    const deep = await postRaw(`{"a":${nested(3000)}}`);
    assert.equal(deep.status, 400);
    assert.equal(deep.body.code, 'json_too_deep');
    assert.equal((await api.get('/healthz')).status, 200);
  });

  test('JSON nested exactly 32 deep is accepted and stored as sent', async () => {
    const name = `深度三十二${run}`;
    const r = await postRaw(siteJson(name, `,"attributes":{"a":${nested(30)}}`));
    assert.equal(r.status, 201, r.text);
    let node = r.body.attributes.a;
    let depth = 0;
    while (Array.isArray(node)) { depth++; node = node[0]; }
    assert.equal(depth, 30);
  });
});

describe('ambiguous or unsafe strings', () => {
  test('a duplicate key is 400 duplicate_key naming the key, at the top level and nested', async () => {
    const name = `重复键${run}`;
    const top = await postRaw(`{"name":"甲","kind":"restaurant","name":${JSON.stringify(name)},"address":"焦作市解放区塔南路1号","location":{"lat":35.215,"lon":113.22}}`);
    assert.equal(top.status, 400, top.text);
    assert.equal(top.body.code, 'duplicate_key');
    assert.ok(top.body.errors?.some((e) => e.field === 'name'), top.text);
    const nested = await postRaw(siteJson(name).replace('"lat":', '"lat":1,"lat":'));
    assert.equal(nested.status, 400, nested.text);
    assert.equal(nested.body.code, 'duplicate_key');
    assert.equal(await stored(name), 0);
  });

  test('\\u0000 in a string value or a key is 400 nul_character', async () => {
    const inValue = await postRaw(siteJson(`坏\u0000名字${run}`));  // JSON.stringify writes \u0000
    assert.equal(inValue.status, 400, inValue.text);
    assert.equal(inValue.body.code, 'nul_character');
    assert.equal(await stored(`名字${run}`), 0);
    const inKey = await postRaw(siteJson(`键${run}`, ',"attributes":{"a\\u0000b":1}'));
    assert.equal(inKey.status, 400, inKey.text);
    assert.equal(inKey.body.code, 'nul_character');
  });

  test('invalid UTF-8 bytes in the body are 400 invalid_utf8 and store nothing', async () => {
    const name = `坏编码${run}`;
    const json = Buffer.from(siteJson(name), 'utf8');
    // Replace the first byte of "坏" (E5 9D 8F) with a lone continuation byte, and add an
    // overlong encoding of "/" elsewhere.
    const at = json.indexOf(Buffer.from('坏', 'utf8'));
    const broken = Buffer.concat([json.subarray(0, at), Buffer.from([0x80, 0xc0, 0xaf]), json.subarray(at + 3)]);
    const r = await postRaw(broken);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.code, 'invalid_utf8');
    assert.equal(await stored(name.slice(1)), 0);
  });

  test('invalid UTF-8 in the URL is 400 invalid_utf8', async () => {
    const r = await api.get('/api/v1/sites?q=%E5%9D');
    assert.equal(r.status, 400);
    assert.equal(r.body.code, 'invalid_utf8');
  });
});

describe('media type', () => {
  test('a JSON body sent as text/plain is 415', async () => {
    const r = await postRaw(siteJson(`文本类型${run}`), { 'content-type': 'text/plain' });
    assert.equal(r.status, 415);
    assert.equal(r.body.code, 'unsupported_media_type');
  });

  test('a body without Content-Type is 415', async () => {
    const r = await api.request('POST', '/api/v1/sites', { body: Buffer.from(siteJson(`无类型${run}`)) });
    assert.equal(r.status, 415);
    assert.equal(r.body.code, 'unsupported_media_type');
  });

  test('application/json; charset=utf-8 in any case is accepted', async () => {
    const r = await postRaw(siteJson(`字符集${run}`), { 'content-type': 'Application/JSON; charset=UTF-8' });
    assert.equal(r.status, 201, r.text);
  });
});

test('after all of this the server is still healthy and wrote no 500', async () => {
  assert.equal((await api.get('/healthz')).status, 200);
  const errors = srv.server.logs.filter((l) => l.status >= 500 || l.level === 'error' || l.level === 'critical');
  assert.deepEqual(errors, []);
});
