// Hostile input, generated with fast-check, for every route of the API (the route table the
// server itself is built from): wrong types, huge and unsafe numbers, unicode and control
// characters, __proto__ / constructor keys, deep nesting, oversized and malformed bodies, odd
// path parameters, query strings and headers. Requests go over a raw socket, so nothing is
// cleaned up by an HTTP client on the way. Every answer is a 4xx (never a 5xx), nothing is
// written (the log's head does not move), and the server still serves afterwards.
// CI: 600 requests; LEDGER_STRESS=1: 20,000.
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoggerService } from '@nestjs/common';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, type ServerConfig } from '../../src/app/config.js';
import type { RouteSpec } from '../../src/app/http/route.js';
import { allRoutes } from '../../src/app/openapi/all-routes.js';
import { runCli } from '../../src/cli/run-cli.js';
import type { NewEvent } from '../../src/store/event-store.js';
import { sqliteFileFor } from '../../src/store/open-store.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { captureOutput } from '../support/capture-output.js';
import { api, type DataDir, command, type InProcessServer, newDataDir, startInProcess, tokens } from './support/ledger-server.js';
import { contestedTaxId, writeSmallProgramme } from './support/small-programme.js';

const STRESS = process.env.LEDGER_STRESS === '1';
const RUNS = STRESS ? 20_000 : 600;
const BODY_LIMIT_BYTES = 64 * 1024;
const ANSWER_TIMEOUT_MS = 10_000;

let dir: DataDir;
let server: InProcessServer;
let port = 0;

beforeAll(async () => {
  dir = newDataDir('ledger-hostile-');
  server = await startInProcess(dir);
  port = Number(new URL(server.url).port);
  await writeSmallProgramme(server.url);
});
afterAll(async () => {
  await server?.close();
  dir?.remove();
});

const head = (): Promise<bigint> => server.running.ledger.store.headPosition();

/** A token that may call the route, so the request reaches validation (401s are tested elsewhere). */
function tokenFor(spec: RouteSpec): string | null {
  if (spec.roles === 'anyone') return null;
  for (const role of ['manager', 'finance', 'auditor', 'partner'] as const) {
    if (spec.roles.includes(role)) return role === 'partner' ? tokens.partner1 : tokens[role];
  }
  throw new Error(`${spec.id}: no role`);
}

// ---- generators --------------------------------------------------------------------------------

/** Percent-encodes the UTF-8 bytes of any string (lone surrogates included, as U+FFFD). */
function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9._~-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const controlChar = fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c));
const oddUnicode = fc.constantFrom('\u0000', '\u202e', '\ufeff', '\ud800', '\udfff', '𝕏', '名', 'Ω', '\u0085', '\u2028', 'ﾃｽﾄ', 'e\u0301', '..', '/', '\\', '%00', '%2e%2e%2f');
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.oneof(controlChar, oddUnicode), maxLength: 20 }),
  fc.constantFrom('', ' ', 'null', 'undefined', 'NaN', '__proto__', 'constructor', 'prototype', '<script>alert(1)</script>', "' OR 1=1 --", '${7*7}', '../../etc/passwd'),
  fc.integer({ min: 200, max: 5_000 }).map((n) => 'x'.repeat(n)),
);
const hostileNumber = fc.oneof(
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 1, 2 ** 64, -(2 ** 63), 1e308, -0, 0.1, 1e-320, -1, 0),
  fc.double(),
  fc.integer(),
);
/** Numbers as JSON text, including the ones JSON.stringify cannot write. */
const hostileNumberText = fc.oneof(
  hostileNumber.map((n) => (Number.isFinite(n) ? JSON.stringify(n) : '1e999')),
  fc.constantFrom('1e999', '-1e999', '123456789012345678901234567890', '0.30000000000000004', '1E+2', '-0.0', '9007199254740993'),
);
const hostileKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' amount', 'amount ', 'AMOUNT', 'amount\u0000'), hostileString);

/** JSON text of a value built from hostile leaves, keys and nesting. */
const hostileJsonValue: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileNumberText,
    hostileString.map((s) => JSON.stringify(s)),
    fc.constantFrom('true', 'false', 'null'),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    fc.array(fc.tuple(hostileKey, tie('value')), { maxLength: 4 }).map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).value;

/** A body for a POST: JSON text that no route can accept, and which is sometimes not JSON at all. */
const hostileBody = fc.oneof(
  // An object with at least one key no route knows (every body schema is strict), with hostile values.
  fc
    .tuple(hostileKey.filter((k) => !/^[a-z][A-Za-z]*$/.test(k)), hostileJsonValue, fc.array(fc.tuple(fc.constantFrom('amount', 'partnerId', 'dealId', 'quarter', 'stage', 'reason', 'customer', 'occurredAt', 'paymentId', 'refundId', 'tier', 'name'), hostileJsonValue), { maxLength: 5 }))
    .map(([k, v, known]) => `{${[[k, v] as const, ...known].map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`),
  // A known field of a wrong type or out of range, next to a prototype key.
  fc.tuple(fc.constantFrom('amount', 'quarter', 'dealId', 'partnerId', 'stage'), hostileJsonValue).map(([k, v]) => `{"__proto__":{"admin":true},${JSON.stringify(k)}:${v}}`),
  fc.tuple(fc.constantFrom('constructor', 'prototype'), hostileJsonValue).map(([k, v]) => `{${JSON.stringify(k)}:{"prototype":${v}},"amount":5}`),
  // Not an object at all.
  hostileJsonValue.filter((t) => !t.startsWith('{')),
  // Deep nesting, in objects and in arrays.
  fc.integer({ min: 65, max: 5_000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  fc.integer({ min: 65, max: 5_000 }).map((depth) => `{"amount":${'['.repeat(depth)}${']'.repeat(depth)}}`),
  // Malformed JSON.
  fc.constantFrom('{', '{"amount": 5,}', "{'amount': 5}", '{"amount": 05}', '{"amount": NaN}', '{"amount": Infinity}', '{"a":1}{"b":2}', '{"amount":"5"', ''),
  // Over the body limit.
  fc.integer({ min: BODY_LIMIT_BYTES + 1, max: BODY_LIMIT_BYTES * 3 }).map((n) => JSON.stringify({ reason: 'x'.repeat(n) })),
);

/** A path parameter: something no id can be (a valid id could name a real entity and write). */
const hostileParam = fc.oneof(
  hostileString.filter((s) => s.length > 0 && !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(s)).map((s) => percentEncode(s)),
  fc.constantFrom('%00', '%2F', '..%2F..%2F', '%E0%A4%A', '%FF', '%C0%AE', 'a%0D%0ASet-Cookie:x=1', '%u0041'),
);
const queryPart = fc.tuple(hostileString, hostileString).map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`);
const hostileQuery = fc.oneof(
  // Always one parameter no route takes (some routes take none, the others a few named ones).
  fc.tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), fc.array(queryPart, { maxLength: 3 })).map(([k, rest]) => [`zz${percentEncode(k)}=1`, ...rest].join('&')),
  fc.tuple(fc.constantFrom('asOf', 'validAt', 'from', 'limit'), hostileString.filter((s) => !/^\d{1,16}$/.test(s) && !/^\d{4}-\d{2}-\d{2}/.test(s))).map(([k, v]) => `${k}=${percentEncode(v)}&${k}=${percentEncode(v)}&zz=1`),
  fc.constantFrom('asOf[]=1&zz=1', 'asOf[a]=b&zz=1', '__proto__[x]=1&zz=1', 'constructor[prototype][x]=1&zz=1', 'from=-1&zz', 'limit=99999999999999999999&zz=1', `${'a=1&'.repeat(2_000)}zz=1`),
);
const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
  fc.string({ unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
  fc.constantFrom('', ' ', '\t', 'x'.repeat(8_000), '../../', '${jndi:ldap://x}'),
);
// Headers that stop a request before validation (Expect: 417, a foreign content type: 415) are
// rare, so that most requests reach the route's own checks.
const headerName = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom('Idempotency-Key', 'X-Correlation-Id', 'Accept', 'Accept-Charset', 'X-Forwarded-For', 'Origin', 'Cookie', 'Range', 'X-Http-Method-Override') },
  { weight: 1, arbitrary: fc.constantFrom('Expect', 'Content-Encoding') },
);
const hostileHeaders = fc.array(fc.tuple(headerName, headerValue), { maxLength: 3 });
const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/problem+json') },
  { weight: 1, arbitrary: fc.constantFrom('application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/json, text/plain') },
);

interface HostileRequest {
  /** The route's operation id (the spec itself would fill a counterexample with zod internals). */
  route: string;
  method: 'GET' | 'POST';
  path: string;
  query: string | null;
  body: string | null;
  contentType: string;
  headers: Array<[string, string]>;
}

function pathOf(spec: RouteSpec, params: string[]): string {
  let i = 0;
  return spec.path.replace(/:[A-Za-z]+/g, () => params[i++] ?? 'x');
}

const validParams: Record<string, string> = { id: 'P-001', partnerId: 'P-001', key: 'tax:91310000MA1K000006', quarter: '2025-Q1', year: '2025' };

function requestFor(spec: RouteSpec): fc.Arbitrary<HostileRequest> {
  const names = [...spec.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
  const params = fc.tuple(...names.map((n) => fc.oneof(fc.constant(validParams[n] ?? 'x'), hostileParam)));
  const body = spec.method === 'POST' ? hostileBody.map((b): string | null => b) : fc.option(hostileBody, { freq: 4 });
  return fc.record({ params: names.length > 0 ? params : fc.constant([] as string[]), query: fc.option(hostileQuery, { freq: 3 }), body, contentType, headers: hostileHeaders }).map((r) => ({
    route: spec.id,
    method: spec.method,
    path: pathOf(spec, r.params),
    query: spec.method === 'GET' && r.query === null ? 'zz=1' : r.query,
    body: r.body,
    contentType: r.contentType,
    headers: r.headers,
  }));
}

const anyRequest = fc.oneof(...allRoutes.map((spec) => requestFor(spec)));

// ---- the raw client ------------------------------------------------------------------------------

/** Writes the request byte for byte and resolves with the status the server answered. */
const specById = new Map(allRoutes.map((spec) => [spec.id, spec]));
const specOf = (request: HostileRequest): RouteSpec => specById.get(request.route)!;

/**
 * What may answer: a 4xx, except that a route open to anyone that takes no input (GET /health,
 * a liveness probe) answers 200 whatever it is sent; its GET writes nothing either way.
 */
function acceptable(request: HostileRequest, status: number): boolean {
  const spec = specOf(request);
  if (spec.roles === 'anyone' && spec.method === 'GET' && !spec.params && !spec.query && status === 200) return true;
  return status >= 400 && status <= 499;
}

function send(request: HostileRequest): Promise<number> {
  const token = tokenFor(specOf(request));
  const body = request.body === null ? null : Buffer.from(request.body, 'utf8');
  const lines = [`${request.method} ${request.path}${request.query ? `?${request.query}` : ''} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: close'];
  if (token) lines.push(`Authorization: Bearer ${token}`);
  if (body) lines.push(`Content-Type: ${request.contentType}`, `Content-Length: ${body.length}`);
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`));
    }, ANSWER_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined); // a reset after the answer (an oversized body) is fine
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3}) /.exec(text);
      if (!match) reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
      else resolve(Number(match[1]));
    });
    socket.write(body ? Buffer.concat([head, body]) : head);
  });
}

const describeRequest = (r: HostileRequest): string =>
  `${r.method} ${r.path}${r.query ? `?${r.query.slice(0, 300)}` : ''} [${r.contentType}] ${JSON.stringify(r.headers).slice(0, 300)} ${r.body === null ? '(no body)' : r.body.slice(0, 300)}`;

describe(`hostile input on every route (${allRoutes.length} routes, ${RUNS} requests)`, () => {
  it('answers only 4xx, writes nothing, and keeps serving', { timeout: STRESS ? 1_800_000 : 120_000 }, async () => {
    const before = await head();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(anyRequest, async (request) => {
        const status = await send(request);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (!acceptable(request, status)) throw new Error(`${status} for ${describeRequest(request)}`);
        const now = await head();
        if (now !== before) throw new Error(`the log moved from ${before} to ${now} after ${describeRequest(request)}`);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    console.log(`[hostile] ${RUNS} requests: ${[...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(', ')}`);
    expect(await head()).toBe(before);
    expect((await api(server.url, 'GET', '/health')).status).toBe(200);
    await command(server.url, '/partners/P-001/deposits', tokens.finance, { amount: 1 });
    expect(await head()).toBe(before + 1n);
  });

  it('covers every route the server serves', () => {
    const served = allRoutes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(served).size).toBe(served.length);
    expect(served).toContain('POST /payouts');
    expect(served).toContain('GET /events');
  });
});

// ---- hostile clients (issue #19 item 2) --------------------------------------------------------------
// Each block starts its own server with the limit under test set small (the ServerConfig fields
// that LEDGER_*_MS and friends fill in), over a data directory of its own.

interface RawAnswer {
  /** The status line's code, or null when the server closed without answering. */
  status: number | null;
  headers: Record<string, string>;
  body: string;
}

/** Parses what a server wrote on a socket (one answer; the first one when there are more). */
function parseRaw(text: string): RawAnswer {
  const match = /^HTTP\/1\.1 (\d{3}) [^\r\n]*\r\n/.exec(text);
  if (!match) return { status: null, headers: {}, body: '' };
  const end = text.indexOf('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const line of text.slice(match[0].length, end < 0 ? undefined : end).split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(match[1]), headers, body: end < 0 ? '' : text.slice(end + 4) };
}

/** A raw connection that records what it is sent and when the server closes it. */
class RawClient {
  readonly socket: net.Socket;
  text = '';
  closed = false;
  readonly closedPromise: Promise<void>;
  readonly connected: Promise<void>;

  constructor(targetPort: number) {
    this.socket = net.connect(targetPort, '127.0.0.1');
    this.socket.on('data', (chunk: Buffer) => (this.text += chunk.toString('latin1')));
    this.socket.on('error', () => undefined);
    this.connected = new Promise((resolve) => this.socket.once('connect', () => resolve()));
    this.closedPromise = new Promise((resolve) =>
      this.socket.on('close', () => {
        this.closed = true;
        resolve();
      }),
    );
  }

  write(text: string): void {
    this.socket.write(Buffer.from(text, 'latin1'));
  }

  answer(): RawAnswer {
    return parseRaw(this.text);
  }

  /** Resolves once the server wrote a whole status line (or rejects after boundMs). */
  async statusWithin(boundMs: number): Promise<number> {
    const startedMs = performance.now();
    while (performance.now() - startedMs < boundMs) {
      const status = this.answer().status;
      if (status !== null) return status;
      if (this.closed) throw new Error(`closed without an answer: ${JSON.stringify(this.text.slice(0, 200))}`);
      await sleep(10);
    }
    throw new Error(`no answer within ${boundMs} ms: ${JSON.stringify(this.text.slice(0, 200))}`);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Resolves true when every client was closed by the server within boundMs, else false. */
async function allClosedWithin(clients: RawClient[], boundMs: number): Promise<boolean> {
  const timeout = sleep(boundMs).then(() => false);
  return Promise.race([Promise.all(clients.map((c) => c.closedPromise)).then(() => true), timeout]);
}

/** One request over a raw socket (Connection: close): the whole answer. */
async function rawRequest(targetPort: number, lines: string[], body = ''): Promise<RawAnswer> {
  const client = new RawClient(targetPort);
  client.write(`${[...lines, `Host: 127.0.0.1:${targetPort}`, 'Connection: close'].join('\r\n')}\r\n\r\n${body}`);
  await Promise.race([client.closedPromise, sleep(ANSWER_TIMEOUT_MS)]);
  client.destroy();
  return client.answer();
}

const isProblem = (answer: RawAnswer): boolean => /^application\/problem\+json/.test(answer.headers['content-type'] ?? '');

async function withServer<T>(prefix: string, overrides: Partial<ServerConfig>, run: (s: InProcessServer, p: number) => Promise<T>, logger: LoggerService | false = false): Promise<T> {
  const own = newDataDir(prefix);
  const started = await startInProcess(own, overrides, logger);
  try {
    return await run(started, Number(new URL(started.url).port));
  } finally {
    await started.close();
    own.remove();
  }
}

describe('slow and idle clients are cut off', () => {
  const SOCKETS_PER_KIND = 60;

  it(`closes ${SOCKETS_PER_KIND} sockets each that send nothing, half the headers, or half a body, and idle keep-alive connections; and keeps serving`, { timeout: 60_000 }, async () => {
    const limits = { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 300, maxConnectionsPerIp: 1_000 };
    await withServer('ledger-hostile-slow-', limits, async (slow, slowPort) => {
      const silent = Array.from({ length: SOCKETS_PER_KIND }, () => new RawClient(slowPort));
      const halfHeaders = Array.from({ length: SOCKETS_PER_KIND }, () => {
        const c = new RawClient(slowPort);
        c.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${slowPort}\r\nX-Slow: `);
        return c;
      });
      const halfBody = Array.from({ length: SOCKETS_PER_KIND }, () => {
        const c = new RawClient(slowPort);
        c.write(`POST /partners HTTP/1.1\r\nHost: 127.0.0.1:${slowPort}\r\nAuthorization: Bearer ${tokens.manager}\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{"partnerId":`);
        return c;
      });
      const idleKeepAlive = Array.from({ length: 20 }, () => {
        const c = new RawClient(slowPort);
        c.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${slowPort}\r\n\r\n`);
        return c;
      });
      const all = [...silent, ...halfHeaders, ...halfBody, ...idleKeepAlive];
      try {
        // Generous: the limits are well under a second; a server without them keeps these open for minutes.
        expect(await allClosedWithin(all, 20_000), `${all.filter((c) => !c.closed).length} of ${all.length} sockets still open`).toBe(true);
        for (const c of idleKeepAlive) expect(c.answer().status).toBe(200);
        for (const c of [...halfHeaders, ...halfBody]) {
          const answer = c.answer();
          if (answer.status === null) continue; // closed without a word is fine too
          expect(answer.status).toBe(408);
          expect(isProblem(answer), c.text.slice(0, 300)).toBe(true);
        }
        const health = await api(slow.url, 'GET', '/health');
        expect(health.status).toBe(200);
      } finally {
        for (const c of all) c.destroy();
      }
    });
  });

  it('reads the timeouts and limits from the environment, with defaults, and refuses nonsense', () => {
    const defaults = configFromEnv({});
    expect(defaults).toMatchObject({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxConnectionsPerIp: 256, reportRatePerMin: 600 });
    const set = configFromEnv({
      LEDGER_REQUEST_TIMEOUT_MS: '600',
      LEDGER_HEADERS_TIMEOUT_MS: '300',
      LEDGER_KEEPALIVE_TIMEOUT_MS: '250',
      LEDGER_MAX_CONNECTIONS_PER_IP: '12',
      LEDGER_REPORT_RATE_PER_MIN: '30',
    });
    expect(set).toMatchObject({ requestTimeoutMs: 600, headersTimeoutMs: 300, keepAliveTimeoutMs: 250, maxConnectionsPerIp: 12, reportRatePerMin: 30 });
    expect(() => configFromEnv({ LEDGER_REQUEST_TIMEOUT_MS: 'soon' })).toThrow(ConfigError);
    expect(() => configFromEnv({ LEDGER_MAX_CONNECTIONS_PER_IP: '0' })).toThrow(ConfigError);
    expect(() => configFromEnv({ LEDGER_HEADERS_TIMEOUT_MS: '5000', LEDGER_REQUEST_TIMEOUT_MS: '1000' })).toThrow(/LEDGER_HEADERS_TIMEOUT_MS/);
  });
});

describe('connections per address', () => {
  it('answers connections over the cap with a 503 problem and closes them; a freed slot serves again', { timeout: 60_000 }, async () => {
    const CAP = 10;
    await withServer('ledger-hostile-cap-', { maxConnectionsPerIp: CAP }, async (capped, cappedPort) => {
      // CAP keep-alive connections, each with one answered request: the server holds them open.
      const held = Array.from({ length: CAP }, () => new RawClient(cappedPort));
      for (const c of held) c.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${cappedPort}\r\n\r\n`);
      for (const c of held) expect(await c.statusWithin(ANSWER_TIMEOUT_MS)).toBe(200);
      const over = Array.from({ length: 5 }, () => new RawClient(cappedPort));
      try {
        for (const c of over) c.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${cappedPort}\r\n\r\n`);
        expect(await allClosedWithin(over, ANSWER_TIMEOUT_MS)).toBe(true);
        for (const c of over) {
          const answer = c.answer();
          expect(answer.status, c.text.slice(0, 200)).toBe(503);
          expect(isProblem(answer)).toBe(true);
          expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        }
        for (const c of held.slice(0, 3)) c.destroy();
        await Promise.all(held.slice(0, 3).map((c) => c.closedPromise));
        // The server notices the closes a moment later: a few tries, well bounded.
        let status = 0;
        for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
          status = (await rawRequest(cappedPort, ['GET /health HTTP/1.1'])).status ?? 0;
          if (status !== 200) await sleep(20);
        }
        expect(status).toBe(200);
        expect(capped.lines.join('\n')).toMatch(/refused connections? from 127\.0\.0\.1: 10 open \(LEDGER_MAX_CONNECTIONS_PER_IP\)/);
      } finally {
        for (const c of [...held, ...over]) c.destroy();
      }
    });
  });
});

describe('report rate limits per token', () => {
  it('answers 429 with Retry-After as a problem once a token has spent its report allowance; other tokens and routes go on', async () => {
    await withServer('ledger-hostile-rate-', { reportRatePerMin: 10 }, async (limited) => {
      // /reports/conflicts costs 5 of the 10 a minute; the others 1.
      expect((await api(limited.url, 'GET', '/reports/conflicts', { token: tokens.manager })).status).toBe(200);
      expect((await api(limited.url, 'GET', '/reports/conflicts', { token: tokens.manager })).status).toBe(200);
      const refused = await api(limited.url, 'GET', '/reports/conflicts', { token: tokens.manager });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ type: 'urn:ledger:problem:too-many-requests', status: 429 });
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${refused.headers.get('retry-after')}`).toBe(true);
      expect((await api(limited.url, 'GET', '/reports/pipeline', { token: tokens.manager })).status).toBe(429);
      expect((await api(limited.url, 'GET', '/tiers', { token: tokens.manager })).status).toBe(200);
      expect((await api(limited.url, 'GET', '/reports/conflicts', { token: tokens.auditor })).status).toBe(200);
      // A stranger is still told 401, not 429 (authentication comes first).
      expect((await api(limited.url, 'GET', '/reports/conflicts', { token: 'not-a-token-of-this-ledger-0001' })).status).toBe(401);
    });
  });
});

describe('duplicate keys in a JSON body', () => {
  it('refuse the body with a 400 naming the key, at any depth and however the key is spelled; nothing is written', async () => {
    const before = await head();
    const cases: Array<[string, string, string]> = [
      ['/partners/P-001/deposits', '{"amount":100,"amount":200000000000}', 'body.amount'],
      ['/partners/P-001/deposits', '{"amount":100,"\\u0061mount":100}', 'body.amount'],
      ['/deals', '{"dealId":"D-DUP-1","partnerId":"P-001","customer":{"name":"Dup Co","name":"Other Co"}}', 'body.customer.name'],
    ];
    for (const [route, rawBody, path] of cases) {
      const token = route === '/deals' ? tokens.manager : tokens.finance;
      const answer = await api(server.url, 'POST', route, { token, rawBody });
      expect(answer.status, `${rawBody}: ${JSON.stringify(answer.body)}`).toBe(400);
      expect(answer.body.errors, rawBody).toEqual([{ path, message: expect.stringMatching(/given more than once/) }]);
    }
    // The same key in two different objects is not a duplicate.
    const fine = await api(server.url, 'POST', '/deals', { token: tokens.manager, rawBody: '{"dealId":"D-DUP-2","partnerId":"P-001","customer":{"name":"Dup Co"}}' });
    expect(fine.status, JSON.stringify(fine.body)).toBe(201);
    expect(await head()).toBe(before + 1n);
  });
});

describe("the framework's own errors", () => {
  it('answers a malformed URL encoding and an over-long parameter as problems with a correlation id and a log line', async () => {
    await withServer('ledger-hostile-framework-', { requestLog: true }, async (logged, loggedPort) => {
      const badUrl = await rawRequest(loggedPort, ['GET /partners/%E0%A4%A HTTP/1.1', 'X-Correlation-Id: bad-url-1', `Authorization: Bearer ${tokens.manager}`]);
      expect(badUrl.status).toBe(400);
      expect(isProblem(badUrl), JSON.stringify(badUrl)).toBe(true);
      expect(JSON.parse(badUrl.body)).toMatchObject({ status: 400, type: 'urn:ledger:problem:invalid-input' });
      expect(badUrl.headers['x-correlation-id']).toBe('bad-url-1');
      expect(logged.lines.some((l) => / 400 .*bad-url-1$/.test(l)), logged.lines.join('\n')).toBe(true);

      const long = await rawRequest(loggedPort, [`GET /partners/${'x'.repeat(2_000)} HTTP/1.1`, `Authorization: Bearer ${tokens.manager}`]);
      expect(long.status).toBe(414);
      expect(isProblem(long), JSON.stringify(long)).toBe(true);
      const id = long.headers['x-correlation-id'];
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(logged.lines.some((l) => l.includes(' 414 ') && l.endsWith(id!)), logged.lines.join('\n')).toBe(true);
      expect(logged.lines.join('\n')).not.toContain('x'.repeat(300)); // the log line does not repeat the whole path
    });
  });
});

describe('a wrong method on a known path', () => {
  it('answers 405 with an Allow header naming the methods the path has; an unknown path stays 404', async () => {
    const cases: Array<[string, string, string[]]> = [
      ['DELETE', '/partners', ['POST']],
      ['GET', '/payouts', ['POST']],
      ['PUT', '/partners/P-001', ['GET', 'HEAD']],
      ['POST', '/health', ['GET', 'HEAD']],
      ['PATCH', '/deals/D-101/stage', ['POST']],
    ];
    for (const [method, route, allowed] of cases) {
      const answer = await rawRequest(port, [`${method} ${route} HTTP/1.1`, `Authorization: Bearer ${tokens.manager}`]);
      expect(answer.status, `${method} ${route}`).toBe(405);
      expect(isProblem(answer), `${method} ${route}`).toBe(true);
      expect((answer.headers.allow ?? '').split(/,\s*/).sort(), `${method} ${route}`).toEqual([...allowed].sort());
    }
    expect((await rawRequest(port, ['DELETE /no-such-thing HTTP/1.1'])).status).toBe(404);
  });
});

describe('the Bearer scheme', () => {
  it('is case-insensitive (RFC 9110); the token itself is not', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      const answer = await api(server.url, 'GET', '/tiers', { headers: { authorization: `${scheme} ${tokens.manager}` } });
      expect(answer.status, scheme).toBe(200);
    }
    expect((await api(server.url, 'GET', '/tiers', { headers: { authorization: `bearer ${tokens.manager.toUpperCase()}` } })).status).toBe(401);
  });
});

describe('authentication before the body', () => {
  it('answers 401 and 403 without waiting for a body that never comes', async () => {
    const cases: Array<[string, number]> = [
      ['', 401],
      ['Authorization: Bearer not-a-token-of-this-ledger-0002\r\n', 401],
      [`Authorization: Bearer ${tokens.finance}\r\n`, 403],
    ];
    for (const [authorization, status] of cases) {
      const c = new RawClient(port);
      try {
        c.write(`POST /partners HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${authorization}Content-Type: application/json\r\nContent-Length: 50000\r\n\r\n{"partnerId":`);
        expect(await c.statusWithin(ANSWER_TIMEOUT_MS), authorization || 'no token').toBe(status);
      } finally {
        c.destroy();
      }
    }
    // The right token: the body is read, then judged.
    const c = new RawClient(port);
    try {
      const body = `{"nonsense":1}${' '.repeat(200)}`;
      c.write(`POST /partners HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${tokens.manager}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
      await sleep(200);
      expect(c.answer().status).toBeNull();
      c.write(body.slice(10));
      expect(await c.statusWithin(ANSWER_TIMEOUT_MS)).toBe(400);
    } finally {
      c.destroy();
    }
  });
});

describe('a refused command (503) is logged once', () => {
  it('logs the refusal once, without a stack, however many commands are refused', async () => {
    const logged: string[] = [];
    const capture: LoggerService = {
      log: (...m: unknown[]) => void logged.push(m.map(String).join(' ')),
      error: (...m: unknown[]) => void logged.push(m.map(String).join(' ')),
      warn: (...m: unknown[]) => void logged.push(m.map(String).join(' ')),
      debug: () => undefined,
      verbose: () => undefined,
      fatal: (...m: unknown[]) => void logged.push(m.map(String).join(' ')),
    };
    await withServer(
      'ledger-hostile-503-',
      { forensics: true },
      async (refusing) => {
        for (let i = 0; i < 20; i++) {
          const answer = await api(refusing.url, 'POST', '/partners/P-001/deposits', { token: tokens.finance, body: { amount: 1 } });
          expect(answer.status).toBe(503);
        }
        const refusals = logged.filter((l) => /refused|forensics|503/.test(l));
        expect(refusals, logged.join('\n---\n')).toHaveLength(1);
        expect(logged.join('\n')).not.toMatch(/\n\s+at /);
      },
      capture,
    );
  });
});

describe('the command line escapes what it prints', () => {
  // A name and a refund reason as a hostile partner could have recorded them before text was
  // checked at input: a screen clear, a colour, a fake prompt after a carriage return, a bell, an
  // 8-bit CSI, a window-title sequence, a right-to-left override and an isolate. The log is written straight to the store (the HTTP
  // API may refuse such names), copied from a programme written through the API.
  const HOSTILE_CUSTOMER = 'Evil\x1b[2J\x1b[31mCo\rauditor@ledger:~$ \x07\x9b31m \u202eRTL\u2066iso\u2069 Ltd';
  const HOSTILE_REASON = 'left\x1b]0;owned\x07 early\u202e 0001';
  const NAMES = new Map([
    ['上海远景贸易有限公司', HOSTILE_CUSTOMER],
    ['left early', HOSTILE_REASON],
  ]);
  const renamed = (value: unknown): unknown => {
    if (typeof value === 'string') return NAMES.get(value) ?? value;
    if (Array.isArray(value)) return value.map(renamed);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renamed(v)]));
    return value;
  };
  const FORBIDDEN = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

  it('never writes a control character or a bidi override to the terminal: tables, CSV, JSON and messages', { timeout: 60_000 }, async () => {
    const clean = newDataDir('ledger-hostile-cli-clean-');
    const hostile = newDataDir('ledger-hostile-cli-');
    try {
      const writer = await startInProcess(clean);
      await writeSmallProgramme(writer.url);
      await writer.close();
      const source = openSqliteEventStore({ file: sqliteFileFor(clean.dataDir), readOnly: true });
      const target = openSqliteEventStore({ file: sqliteFileFor(hostile.dataDir) });
      try {
        for await (const e of source.readAll({ fromPosition: 1n })) {
          const data = renamed(e.data);
          await target.append(e.stream, [{ eventId: e.eventId, type: e.type, data, occurredAt: e.occurredAt, actor: e.actor, commandId: e.commandId, correlationId: e.correlationId, causationId: e.causationId, policyVersion: e.policyVersion } as NewEvent], 'any');
        }
      } finally {
        await source.close();
        await target.close();
      }
      const runs = {
        disputeTable: await captureOutput(() => runCli(['dispute', `tax:${contestedTaxId}`, '--data-dir', hostile.dataDir])),
        disputeCsv: await captureOutput(() => runCli(['dispute', `tax:${contestedTaxId}`, '--csv', '--data-dir', hostile.dataDir])),
        disputeJson: await captureOutput(() => runCli(['dispute', `tax:${contestedTaxId}`, '--json', '--data-dir', hostile.dataDir])),
        tiers: await captureOutput(() => runCli(['report', 'tiers', '--data-dir', hostile.dataDir])),
        tiersCsv: await captureOutput(() => runCli(['report', 'tiers', '--csv', '--data-dir', hostile.dataDir])),
        tiersJson: await captureOutput(() => runCli(['report', 'tiers', '--json', '--data-dir', hostile.dataDir])),
        balances: await captureOutput(() => runCli(['report', 'balances', '--data-dir', hostile.dataDir])),
        pipeline: await captureOutput(() => runCli(['report', 'pipeline', '--data-dir', hostile.dataDir])),
        unknown: await captureOutput(() => runCli(['dispute', 'Nobody\x1b[2J\u202e Ltd', '--data-dir', hostile.dataDir])),
      };
      for (const [name, run] of Object.entries(runs)) {
        // CSV ends its lines with CRLF (issue #21 item 4: the spreadsheet format): that CR is the line end; any other CR is data and must show escaped.
        const out = name.endsWith('Csv') ? run.out.replace(/\r\n/g, '\n') : run.out;
        expect(FORBIDDEN.test(out), `${name} stdout: ${JSON.stringify(run.out.slice(0, 400))}`).toBe(false);
        expect(FORBIDDEN.test(run.err), `${name} stderr: ${JSON.stringify(run.err.slice(0, 400))}`).toBe(false);
      }
      expect(runs.disputeTable.code, runs.disputeTable.err).toBe(0);
      // The escapes are shown, visibly, where the name is.
      expect(runs.disputeTable.out).toContain('Evil\\x1b[2J\\x1b[31mCo\\rauditor@ledger:~$ \\x07\\x9b31m \\u202eRTL\\u2066iso\\u2069 Ltd');
      expect(runs.disputeTable.out).toContain('left\\x1b]0;owned\\x07 early\\u202e 0001');
      expect(runs.disputeCsv.out).toContain('Evil\\x1b[2J\\x1b[31mCo\\rauditor@ledger:~$ \\x07\\x9b31m \\u202eRTL\\u2066iso\\u2069 Ltd');
      // JSON stays exact: parsed, it gives the name as recorded.
      expect(JSON.stringify(JSON.parse(runs.disputeJson.out))).toContain(JSON.stringify(HOSTILE_CUSTOMER).slice(1, -1));
      expect(JSON.stringify(JSON.parse(runs.disputeJson.out))).toContain(JSON.stringify(HOSTILE_REASON).slice(1, -1));
      expect(runs.unknown.code).toBe(1);
      expect(runs.unknown.err).toContain('no customer matches "Nobody\\x1b[2J\\u202e Ltd"');
    } finally {
      clean.remove();
      hostile.remove();
    }
  });
});
