// What the ledger tests share: the people of the demo district signed in by role, a site of their
// own, evidence photos built byte by byte, and times as the phones send them.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import zlib from 'node:zlib';

import { Client } from './client.mjs';
import { contract } from './contract.mjs';
import { createUser, signIn } from './server.mjs';

// A point well inside 焦西街道 (JF-SD-JIAOXI, services/seed/demo_district.sql).
export const JIAOXI_POINT = { lat: 35.2200, lon: 113.1990 };

/// The demo units by code (GET /api/v1/units as the administrator).
export async function loadUnits(admin) {
  const r = await admin.get('/api/v1/units?limit=200');
  assert.equal(r.status, 200, r.text);
  const units = {};
  for (const u of r.body.items) units[u.code] = u;
  for (const code of ['JF-SD-JIAOXI', 'JF-SD-MINZHU', 'JF-OFF-HUANWEIBAN', 'JF-OFF-DUCHA']) {
    assert.ok(units[code], `demo unit ${code} is missing after seed-demo`);
  }
  return units;
}

/// One signed-in client per role of the ledger, each a fresh user made with the admin CLI:
/// inspector (焦西), office (环委办), handler (焦西), otherHandler (民主), supervisor (督查局),
/// leader. Each client follows the current server (`api.baseUrl`) across a restart.
export async function signInPeople(api, units) {
  const who = {
    inspector: { role: 'inspector', unit: 'JF-SD-JIAOXI', name: '巡查员 测试' },
    office: { role: 'office', unit: 'JF-OFF-HUANWEIBAN', name: '环委办 测试' },
    handler: { role: 'handler', unit: 'JF-SD-JIAOXI', name: '焦西街道 测试干事' },
    otherHandler: { role: 'handler', unit: 'JF-SD-MINZHU', name: '民主街道 测试干事' },
    supervisor: { role: 'supervisor', unit: 'JF-OFF-DUCHA', name: '督查局 测试科长' },
    leader: { role: 'leader', unit: undefined, name: '区领导 测试' },
  };
  const people = {};
  await Promise.all(Object.entries(who).map(async ([key, p]) => {
    const creds = await createUser({ role: p.role, unitId: p.unit && units[p.unit].id, displayName: p.name });
    const token = await signIn(api, creds);
    const me = await new Client(() => api.baseUrl, token).get('/api/v1/me');
    assert.equal(me.status, 200, me.text);
    people[key] = Object.assign(new Client(() => api.baseUrl, token), { user: me.body });
  }));
  return people;
}

/// A new restaurant in 焦西街道, registered by the inspector.
export async function newJiaoxiSite(inspector, name) {
  const r = await inspector.post('/api/v1/sites', {
    kind: 'restaurant',
    name,
    address: '焦作市解放区解放西路66号',
    location: JIAOXI_POINT,
    responsible_party: { name: '焦作市测试餐饮有限公司', contact_name: '刘建华', phone: '13903910066' },
  });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

/// `ms` (epoch milliseconds) as RFC 3339 in +08:00, the way the phones send times.
export function shanghai(ms = Date.now()) {
  return new Date(ms + 8 * 3600_000).toISOString().replace('Z', '+08:00');
}

export const HOUR = 3600_000;

export function sha256(bytes) {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/// A real PNG (8-bit RGB, `width`×`height`) of random pixels: every call is a new photo.
export function makePng(width = 4, height = 3) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const rows = [];
  for (let y = 0; y < height; y++) rows.push(Buffer.from([0]), crypto.randomBytes(width * 3));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function segment(marker, payload) {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/// A real baseline JPEG: one 8×8 grey block (DC difference 0, then end-of-block), with a
/// comment that makes every call a new photo.
export function makeJpeg() {
  const dqt = Buffer.concat([Buffer.from([0x00]), Buffer.alloc(64, 1)]);
  const sof = Buffer.from([8, 0, 8, 0, 8, 1, 1, 0x11, 0]);
  // One code of length 1 ("0") per table: DC category 0, AC end-of-block.
  const dht = (tableClass) => Buffer.concat([
    Buffer.from([tableClass << 4]), Buffer.from([1, ...new Array(15).fill(0)]), Buffer.from([0]),
  ]);
  const sos = Buffer.from([1, 1, 0x00, 0, 63, 0]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xfe, Buffer.from(`lantian e2e ${crypto.randomUUID()}`)),
    segment(0xdb, dqt),
    segment(0xc0, sof),
    segment(0xc4, dht(0)),
    segment(0xc4, dht(1)),
    segment(0xda, sos),
    Buffer.from([0x3f]), // DC "0", EOB "0", padded with ones
    Buffer.from([0xff, 0xd9]),
  ]);
}

/// PUT a photo under its hash (or `hash`) as `client`; resolves with the client's answer.
export function putPhoto(client, bytes, { type = 'image/png', hash = sha256(bytes), headers = {} } = {}) {
  return client.request('PUT', `/api/v1/attachments/${hash}`, {
    body: bytes, headers: { 'content-type': type, ...headers }, timeoutMs: 30_000,
  });
}

/// GET a photo's bytes as `client` (the fetch client reads text, which would mangle them);
/// the answer is checked against the spec like every other.
export async function getPhoto(client, hash) {
  const path = `/api/v1/attachments/${hash}`;
  const response = await fetch(client.baseUrl + path, {
    headers: { authorization: `Bearer ${client.token}` }, signal: AbortSignal.timeout(10_000),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const isImage = /^image\//.test(response.headers.get('content-type') ?? '');
  const body = contract().validate({
    method: 'GET', path, status: response.status, headers: response.headers, body: isImage ? '' : bytes.toString('utf8'),
  });
  return { status: response.status, headers: response.headers, bytes, body };
}

/// One workflow step on issue `id` as `client`, with the current version (read by
/// `reader`, who sees it) as If-Match; fails the test unless it answers 200. Returns the issue.
export async function workflowStep(reader, client, id, action, body) {
  const current = await reader.get(`/api/v1/issues/${id}`);
  assert.equal(current.status, 200, current.text);
  const r = await client.post(`/api/v1/issues/${id}/${action}`, body,
    { headers: { 'if-match': `"v${current.body.version}"` } });
  assert.equal(r.status, 200, `${action} of issue ${id}: ${r.text}`);
  return r.body;
}

/// The lead unit's handler submits a rectification with a fresh photo of the site.
export async function rectifyWithPhoto(reader, handler, id, description) {
  const proof = makePng();
  const put = await putPhoto(handler, proof);
  assert.ok([200, 201].includes(put.status), put.text);
  return workflowStep(reader, handler, id, 'rectifications',
    { description, photo_ids: [sha256(proof)] });
}
