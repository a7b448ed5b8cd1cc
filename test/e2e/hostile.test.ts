// Hostile input, generated with fast-check, for every route of the API (the route table the
// server itself is built from): wrong types, huge and unsafe numbers, unicode and control
// characters, __proto__ / constructor keys, deep nesting, oversized and malformed bodies, odd
// path parameters, query strings and headers. Requests go over a raw socket, so nothing is
// cleaned up by an HTTP client on the way. Every answer is a 4xx (never a 5xx), nothing is
// written (the log's head does not move), and the server still serves afterwards.
// CI: 600 requests; LEDGER_STRESS=1: 20,000.
import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteSpec } from '../../src/app/http/route.js';
import { allRoutes } from '../../src/app/openapi/all-routes.js';
import { api, type DataDir, command, type InProcessServer, newDataDir, startInProcess, tokens } from './support/ledger-server.js';
import { writeSmallProgramme } from './support/small-programme.js';

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
