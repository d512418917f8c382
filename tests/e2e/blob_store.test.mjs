// The photo store failing (issue "Hardening"): a blob directory that cannot be written answers
// 503 with Retry-After, stores no attachment, and the service stays up; commands that store no
// photo leave no blob directory behind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { env } from './support/env.mjs';
import { makePng, putPhoto, sha256 } from './support/ledger.mjs';
import { Client } from './support/client.mjs';
import { createUser, signIn, useServer } from './support/server.mjs';

// A file where the directory should be: as unwritable as a read-only or full disk, also for
// root (which ignores permission bits).
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lantian-blobs-'));
const blobDir = path.join(scratch, 'blobs');
fs.writeFileSync(blobDir, 'not a directory');

const srv = useServer({ extraEnv: { LANTIAN_BLOB_DIR: blobDir } });

test('an upload into an unwritable photo store is 503 with Retry-After and stores nothing', async () => {
  const inspector = new Client(() => srv.api.baseUrl,
    await signIn(srv.api, await createUser({ role: 'inspector', displayName: '巡查员 存储测试' })));
  const bytes = makePng(5, 4);
  const r = await putPhoto(inspector, bytes);
  assert.equal(r.status, 503, r.text);
  assert.equal(r.body.code, 'storage_unavailable');
  assert.ok(Number(r.headers.get('retry-after')) > 0, 'Retry-After is set');
  const again = await inspector.get(`/api/v1/attachments/${sha256(bytes)}`);
  assert.equal(again.status, 404, 'no attachment row points at missing bytes');
  assert.equal((await srv.api.get('/healthz')).status, 200, 'the service is still up');
});

test('migrate stores no photo and creates no blob directory in the working directory', () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'lantian-cwd-'));
  try {
    const r = spawnSync(env.bin, ['migrate'], {
      cwd, env: { ...process.env, LANTIAN_DATABASE_URL: env.databaseUrl }, encoding: 'utf8', timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(fs.readdirSync(cwd), [], 'nothing created in the working directory');
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});
