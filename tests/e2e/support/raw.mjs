// Raw HTTP/1.1 over node:net, for what fetch will not send: oversized request lines, framing
// attacks, half-sent headers, several requests on one connection.
import net from 'node:net';
import { once } from 'node:events';

import { contract } from './contract.mjs';

/// Parses one response at the start of `buf` (Content-Length framing, which the server always
/// uses). Returns {response, rest} or null while incomplete.
export function parseResponse(buf) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = buf.subarray(0, end).toString('latin1');
  const [statusLine, ...lines] = head.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine);
  if (!m) throw new Error(`not an HTTP status line: ${JSON.stringify(statusLine)}`);
  const headers = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const length = Number(headers['content-length'] ?? 0);
  const bodyStart = end + 4;
  if (buf.length < bodyStart + length) return null;
  return {
    response: {
      status: Number(m[1]),
      headers,
      body: buf.subarray(bodyStart, bodyStart + length).toString('utf8'),
    },
    rest: buf.subarray(bodyStart + length),
  };
}

export class RawConnection {
  /// `localAddress` (e.g. 127.0.0.2) makes the connection come from another loopback address,
  /// as another client would.
  static async open(port, { host = '127.0.0.1', localAddress, timeoutMs = 5_000 } = {}) {
    const socket = net.connect({ port, host, ...(localAddress ? { localAddress } : {}) });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('connect timed out')));
    await once(socket, 'connect');
    socket.setTimeout(0);
    return new RawConnection(socket);
  }

  constructor(socket) {
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    this.closed = false;
    this.error = null;
    this.waiters = new Set();
    socket.on('data', (d) => { this.buffer = Buffer.concat([this.buffer, d]); this.notify(); });
    socket.on('end', () => { this.closed = true; this.notify(); });
    socket.on('close', () => { this.closed = true; this.notify(); });
    // A reset after the server closed is still "closed"; keep the error for messages.
    socket.on('error', (e) => { this.error = e; this.closed = true; this.notify(); });
  }

  notify() {
    for (const w of this.waiters) w();
  }

  /// Resolves when `check()` returns a value, or with undefined after timeoutMs.
  waitUntil(check, timeoutMs) {
    return new Promise((resolve) => {
      const finish = (value) => {
        clearTimeout(timer);
        this.waiters.delete(poll);
        resolve(value);
      };
      const poll = () => {
        const v = check();
        if (v !== undefined) finish(v);
      };
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      this.waiters.add(poll);
      poll();
    });
  }

  write(data) {
    return new Promise((resolve) => {
      if (this.closed) { resolve(false); return; }
      this.socket.write(data, (err) => resolve(!err));
    });
  }

  /// The next complete response, or throws after timeoutMs / when the peer closed first.
  async readResponse({ timeoutMs = 5_000 } = {}) {
    const result = await this.waitUntil(() => {
      const parsed = parseResponse(this.buffer);
      if (parsed) return parsed;
      if (this.closed) return null;
      return undefined;
    }, timeoutMs);
    if (result === undefined) {
      throw new Error(`no complete response within ${timeoutMs} ms; got ${JSON.stringify(this.buffer.toString('latin1').slice(0, 300))}`);
    }
    if (result === null) {
      throw new Error(`connection closed before a complete response${this.error ? ` (${this.error.code})` : ''}; got ${JSON.stringify(this.buffer.toString('latin1').slice(0, 300))}`);
    }
    this.buffer = result.rest;
    return result.response;
  }

  /// True when the server closed the connection within timeoutMs.
  async waitClosed(timeoutMs) {
    const r = await this.waitUntil(() => (this.closed ? true : undefined), timeoutMs);
    return r === true;
  }

  destroy() {
    this.socket.destroy();
  }
}

/// Checks a raw response against the spec like the fetch client does; returns the parsed body.
export function validateRaw(method, path, response) {
  return contract().validate({ method, path, ...response });
}
