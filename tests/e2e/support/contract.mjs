// proto/openapi.yaml as a response validator: every JSON body a test receives is checked against
// the schema of the operation and status that produced it, and so are the declared headers.
import assert from 'node:assert/strict';
import fs from 'node:fs';

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

import { specPath } from './env.mjs';

const SCHEMA_BASE = 'https://lantian.invalid/openapi/';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export function loadSpecText() {
  return fs.readFileSync(specPath, 'utf8');
}

/// Resolves a local `#/a/b` reference in the document.
export function resolvePointer(doc, ref) {
  assert.ok(ref.startsWith('#/'), `only local references are used: ${ref}`);
  let node = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    assert.ok(node && typeof node === 'object' && key in node, `unresolved $ref ${ref}`);
    node = node[key];
  }
  return node;
}

/// Follows `$ref` on OpenAPI objects (responses, parameters, headers), not inside schemas.
function deref(doc, obj) {
  let seen = 0;
  while (obj && typeof obj === 'object' && typeof obj.$ref === 'string') {
    assert.ok(++seen < 20, `reference loop at ${obj.$ref}`);
    obj = resolvePointer(doc, obj.$ref);
  }
  return obj;
}

/// Every `$ref` anywhere in the document, with where it occurs.
export function allRefs(node, at = '#', out = []) {
  if (Array.isArray(node)) {
    node.forEach((v, i) => allRefs(v, `${at}/${i}`, out));
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push({ at, ref: v });
      else allRefs(v, `${at}/${k}`, out);
    }
  }
  return out;
}

// Schema references become absolute ids so that schemas compile one at a time.
function rewriteSchemaRefs(node) {
  if (Array.isArray(node)) return node.map(rewriteSchemaRefs);
  if (node && typeof node === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) {
        out[k] = SCHEMA_BASE + v.slice('#/components/schemas/'.length);
      } else {
        out[k] = rewriteSchemaRefs(v);
      }
    }
    return out;
  }
  return node;
}

function templateRegex(template) {
  const parts = template.split('/').map((seg) => {
    if (/^\{[^}]+\}$/.test(seg)) return '[^/]+';
    return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${parts.join('/')}$`);
}

function mediaType(contentType) {
  return (contentType || '').split(';')[0].trim().toLowerCase();
}

export class Contract {
  constructor(text = loadSpecText()) {
    this.text = text;
    this.doc = YAML.parse(text);
    this.ajv = new Ajv2020({ strict: true, strictTypes: false, allErrors: true, allowUnionTypes: true });
    addFormats(this.ajv);
    for (const [name, schema] of Object.entries(this.doc.components?.schemas ?? {})) {
      this.ajv.addSchema({ ...rewriteSchemaRefs(schema), $id: SCHEMA_BASE + name });
    }
    this.compiled = new Map();
    // Literal paths before templated ones, like the server's router.
    this.paths = Object.keys(this.doc.paths ?? {})
      .map((template) => ({
        template,
        regex: templateRegex(template),
        params: (template.match(/\{/g) || []).length,
      }))
      .sort((a, b) => a.params - b.params);
  }

  /// Compiles every schema in the document (components and inline), so a typo fails loudly.
  compileAll() {
    for (const name of Object.keys(this.doc.components?.schemas ?? {})) {
      this.ajv.getSchema(SCHEMA_BASE + name) || assert.fail(`schema ${name} did not compile`);
    }
    for (const { template, method, op } of this.operations()) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const r = deref(this.doc, response);
        for (const [type, media] of Object.entries(r.content ?? {})) {
          if (media.schema) this.schemaFor(`${method} ${template} ${status} ${type}`, media.schema);
        }
        for (const [name, header] of Object.entries(r.headers ?? {})) {
          const h = deref(this.doc, header);
          if (h.schema) this.schemaFor(`${method} ${template} ${status} header ${name}`, h.schema);
        }
      }
    }
  }

  *operations() {
    for (const [template, item] of Object.entries(this.doc.paths ?? {})) {
      for (const method of METHODS) {
        if (item[method]) yield { template, method: method.toUpperCase(), op: item[method] };
      }
    }
  }

  schemaFor(key, schema) {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(rewriteSchemaRefs(schema));
      this.compiled.set(key, validate);
    }
    return validate;
  }

  /// The path template of the spec that matches a concrete path, or undefined.
  matchPath(pathname) {
    return this.paths.find((p) => p.regex.test(pathname))?.template;
  }

  /// The documented response for a method, path and status, with how it was found.
  findResponse(method, pathname, status) {
    const template = this.matchPath(pathname);
    if (!template) return { template: undefined };
    const item = this.doc.paths[template];
    const op = item[method.toLowerCase()] ?? (method === 'HEAD' ? item.get : undefined);
    if (!op) return { template, op: undefined };
    const responses = op.responses ?? {};
    const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => k in responses);
    return { template, op, key, response: key ? deref(this.doc, responses[key]) : undefined };
  }

  /// Validates one response. `body` is the text; `headers` a Headers object or a plain
  /// object with lower-case names. Throws an AssertionError that says what did not match.
  validate({ method, path: rawPath, status, headers, body }) {
    const pathname = rawPath.split('?')[0];
    const get = (name) => (typeof headers.get === 'function'
      ? headers.get(name)
      : headers[name.toLowerCase()]) ?? null;
    const where = `${method} ${rawPath} → ${status}`;
    const found = this.findResponse(method, pathname, status);
    let response = found.response;
    if (!found.template || !found.op) {
      // Paths and methods the spec does not have can only be refusals.
      assert.ok([404, 405, 400, 414, 431].includes(status),
        `${where}: the spec has no operation ${method} for this path, yet the server answered ${status}`);
      response = deref(this.doc, this.doc.components.responses.Problem);
      if (status === 405) assert.ok(get('allow'), `${where}: 405 without an Allow header`);
    }
    assert.ok(response, `${where}: status ${status} is not documented for ${method} ${found.template}`);

    for (const [name, header] of Object.entries(response.headers ?? {})) {
      const h = deref(this.doc, header);
      const value = get(name);
      if (h.required) assert.ok(value !== null, `${where}: documented header ${name} is missing`);
      if (value !== null && h.schema) {
        // Keyed by operation and status too: one header name may have different schemas
        // (Location of an issue vs. of a photo).
        const v = this.schemaFor(`${method} ${found.template ?? '(unmatched)'} ${found.key ?? status} header ${name}`, h.schema);
        const isNumeric = h.schema.type === 'integer' || h.schema.type === 'number';
        const typed = isNumeric && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
        assert.ok(v(typed), `${where}: header ${name}: ${JSON.stringify(value)} does not match the spec: ${this.ajv.errorsText(v.errors)}`);
      }
    }

    const content = response.content ?? {};
    const types = Object.keys(content);
    if (types.length === 0) return undefined;
    const type = mediaType(get('content-type'));
    assert.ok(types.includes(type),
      `${where}: Content-Type ${JSON.stringify(get('content-type'))} is not one the spec documents (${types.join(', ')})`);
    if (method === 'HEAD') return undefined;
    const schema = content[type].schema;
    if (!type.endsWith('json')) {
      return body;
    }
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      assert.fail(`${where}: body is not JSON (${e.message}): ${String(body).slice(0, 200)}`);
    }
    if (schema) {
      const key = `${method} ${found.template ?? '(unmatched)'} ${found.key ?? status} ${type}`;
      const v = this.schemaFor(key, schema);
      if (!v(parsed)) {
        assert.fail(`${where}: body does not match the spec (${key}): ${this.ajv.errorsText(v.errors, { separator: '; ' })}\nbody: ${JSON.stringify(parsed).slice(0, 2000)}`);
      }
    }
    if (type === 'application/problem+json') {
      assert.equal(parsed.status, status, `${where}: problem "status" ${parsed.status} differs from the HTTP status`);
    }
    return parsed;
  }
}

let shared;
/// One Contract per test process.
export function contract() {
  shared ??= new Contract();
  return shared;
}
