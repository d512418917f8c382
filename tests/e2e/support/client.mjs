// A small HTTP client over the global fetch whose every answer is checked against
// proto/openapi.yaml before the test sees it.
import { contract } from './contract.mjs';

export class Client {
  /// `baseUrl` is a string or a function returning one (for a server that may be restarted);
  /// `token`, likewise, the bearer token sent with every request unless `auth: false`.
  constructor(baseUrl, token) {
    this.base = baseUrl;
    this.tokenSource = token;
  }

  get baseUrl() {
    return typeof this.base === 'function' ? this.base() : this.base;
  }

  get token() {
    return typeof this.tokenSource === 'function' ? this.tokenSource() : this.tokenSource;
  }

  set token(value) {
    this.tokenSource = value;
  }

  /// `json` is serialised as application/json; `body` (string or Buffer) is sent as it is with
  /// the caller's headers. Resolves with {status, headers, text, body, ms}; `body` is the parsed
  /// JSON (validated against the spec) or the text.
  async request(method, path, { json, body, headers = {}, timeoutMs = 10_000, validate = true, auth = true } = {}) {
    const init = { method, headers: { ...headers }, signal: AbortSignal.timeout(timeoutMs) };
    const token = this.token;
    if (auth && token && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) {
      init.headers.authorization = `Bearer ${token}`;
    }
    if (json !== undefined) {
      init.body = JSON.stringify(json);
      init.headers['content-type'] ??= 'application/json';
    } else if (body !== undefined) {
      init.body = body;
    }
    const started = performance.now();
    const response = await fetch(this.baseUrl + path, init);
    const text = await response.text();
    const ms = performance.now() - started;
    let parsed = text;
    if (validate) {
      const checked = contract().validate({
        method, path, status: response.status, headers: response.headers, body: text,
      });
      if (checked !== undefined) parsed = checked;
    } else if (/json/.test(response.headers.get('content-type') ?? '')) {
      try { parsed = JSON.parse(text); } catch { /* left as text */ }
    }
    return { status: response.status, headers: response.headers, text, body: parsed, ms };
  }

  get(path, opts) { return this.request('GET', path, opts); }
  post(path, json, opts = {}) { return this.request('POST', path, { ...opts, json }); }
  patch(path, json, opts = {}) { return this.request('PATCH', path, { ...opts, json }); }

  /// Every item of a list, following next_cursor; fails on a page loop.
  async walk(path, { limit = 7, maxPages = 500 } = {}) {
    const pages = [];
    const sep = path.includes('?') ? '&' : '?';
    let cursor = null;
    for (let i = 0; i < maxPages; i++) {
      const url = `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const r = await this.get(url);
      if (r.status !== 200) {
        throw new Error(`GET ${url} → ${r.status}: ${r.text}`);
      }
      pages.push(r.body.items);
      cursor = r.body.next_cursor;
      if (cursor === null) return pages;
    }
    throw new Error(`GET ${path}: still a next_cursor after ${maxPages} pages`);
  }
}
