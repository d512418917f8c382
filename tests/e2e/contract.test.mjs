// The contract in proto/openapi.yaml and the routes the binary registers are the same set, and the
// server serves the very document clients are told to build against.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { allRefs, contract, resolvePointer } from './support/contract.mjs';
import { runBin, startServer } from './support/server.mjs';

/// `lantian routes` → ["GET /api/v1/sites/{id}", ...]
async function registeredRoutes() {
  const out = await runBin(['routes'], { timeoutMs: 30_000 });
  const lines = out.split('\n').map((l) => l.trim()).filter(Boolean);
  assert.ok(lines.length > 0, 'lantian routes printed nothing');
  for (const line of lines) {
    assert.match(line, /^[A-Z]+ \/\S*$/, `unexpected line from lantian routes: ${JSON.stringify(line)}`);
  }
  return lines;
}

/// A route's operations in OpenAPI terms. The router's catch-all last segment `{*name}` (the
/// dashboard's files) has no OpenAPI form: it is documented as the empty remainder (`/prefix/`,
/// the page) and a named file (`/prefix/{name}`); deeper paths answer 404.
function asOperations(route) {
  const m = /^([A-Z]+ \/\S*\/)\{\*([a-z_]+)\}$/.exec(route);
  return m ? [m[1], `${m[1]}{${m[2]}}`] : [route];
}

async function registeredOperations() {
  return (await registeredRoutes()).flatMap(asOperations);
}

function documentedOperations() {
  return [...contract().operations()].map(({ method, template }) => `${method} ${template}`);
}

describe('the OpenAPI contract', () => {
  test('proto/openapi.yaml is OpenAPI 3.1 whose references all resolve and whose schemas compile', () => {
    const c = contract();
    assert.equal(c.doc.openapi, '3.1.0');
    for (const { at, ref } of allRefs(c.doc)) {
      assert.doesNotThrow(() => resolvePointer(c.doc, ref), `${at}: $ref ${ref} does not resolve`);
    }
    c.compileAll();
    const ids = new Set();
    for (const { method, template, op } of c.operations()) {
      assert.ok(op.operationId, `${method} ${template} has no operationId`);
      assert.ok(!ids.has(op.operationId), `operationId ${op.operationId} is used twice`);
      ids.add(op.operationId);
      assert.ok(op.responses && Object.keys(op.responses).length > 0, `${method} ${template} documents no response`);
    }
  });

  test('every route the server registers is documented in openapi.yaml', async () => {
    const documented = new Set(documentedOperations());
    const missing = (await registeredOperations()).filter((r) => !documented.has(r));
    assert.deepEqual(missing, [], `routes the spec lacks:\n  ${missing.join('\n  ')}`);
  });

  test('every operation in openapi.yaml is a route the server registers', async () => {
    const registered = new Set(await registeredOperations());
    const extra = documentedOperations().filter((o) => !registered.has(o));
    assert.deepEqual(extra, [], `operations the server does not have:\n  ${extra.join('\n  ')}`);
  });
});

describe('the served contract', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test('GET /api/v1/openapi.yaml serves the same document as proto/openapi.yaml', async () => {
    const r = await server.client.get('/api/v1/openapi.yaml');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/yaml/);
    assert.equal(r.text, contract().text,
      'the binary serves another openapi.yaml than the one in the repository (rebuild the binary?)');
  });
});
