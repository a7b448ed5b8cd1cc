// The HTTP shell over an empty ledger: tokens and roles, problem bodies for every kind of bad
// request, correlation ids, the body limit, health, the OpenAPI document and /docs, config.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '../../src/app/config.js';
import { TokensFileError } from '../../src/app/auth/tokens.js';
import { createServer } from '../../src/app/server.js';
import { type ApiServer, call, get, post, startApiServer, testConfig, tokens } from './support/server.js';

let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer();
});
afterAll(async () => {
  await server?.stop();
});

const expectProblem = (answer: { status: number; body: any; headers: Headers }, status: number) => {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(answer.body).toMatchObject({ status, type: expect.stringMatching(/^urn:ledger:problem:/), title: expect.any(String), detail: expect.any(String) });
};

describe('authentication', () => {
  it('answers 401 without a token, with an unknown token, and with a malformed header', async () => {
    expectProblem(await get(server, '/tiers', null), 401);
    expectProblem(await call(server, 'GET', '/tiers', { rawToken: 'not-a-token-of-this-ledger' }), 401);
    const basic = await call(server, 'GET', '/tiers', { headers: { authorization: `Basic ${tokens.manager}` } });
    expectProblem(basic, 401);
    expect(basic.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('answers 403 naming the roles when the role may not use the route', async () => {
    const answer = await get(server, '/tiers', 'partner1');
    expectProblem(answer, 403);
    expect(answer.body.detail).toContain('manager, finance, auditor');
    expectProblem(await post(server, '/payments', 'manager', {}), 403);
    expectProblem(await get(server, '/events', 'manager'), 403);
  });

  it('checks the token before the input: a bad body from a stranger is a 401, not a 400', async () => {
    expectProblem(await post(server, '/partners', null, { nonsense: true }), 401);
  });

  it("keeps a partner to its own partner id", async () => {
    expectProblem(await get(server, '/partners/P-001', 'partner2'), 403);
    expectProblem(await get(server, '/partners/P-001/balance', 'partner2'), 403);
    expectProblem(await get(server, '/statements/P-001/2026-Q1', 'partner2'), 403);
    expectProblem(await get(server, '/reports/pipeline', 'partner2', { partnerId: 'P-001' }), 403);
  });

  it('lets anyone read /health, /openapi.json and /docs without a token', async () => {
    expect((await get(server, '/health', null)).status).toBe(200);
    expect((await get(server, '/openapi.json', null)).status).toBe(200);
    expect((await get(server, '/docs', null)).status).toBe(200);
  });
});

describe('input problems', () => {
  it('names every invalid field of params, query and body at once', async () => {
    const answer = await post(server, '/partners', 'manager', {
      partnerId: '',
      name: 'A',
      kind: 'pirate',
      tier: 'gold',
      territory: 42,
      extra: 1,
    });
    expectProblem(answer, 400);
    const paths = [...new Set(answer.body.errors.map((e: { path: string }) => e.path))].sort();
    expect(paths).toEqual(['body.extra', 'body.kind', 'body.partnerId', 'body.territory']);
  });

  it('refuses fractional, unsafe, zero and string amounts', async () => {
    for (const amount of [1.5, 2 ** 53, 0, -5, '100', 1e300]) {
      const answer = await post(server, '/partners/P-001/deposits', 'finance', { amount });
      expectProblem(answer, 400);
      expect(answer.body.errors).toEqual([expect.objectContaining({ path: 'body.amount' })]);
    }
  });

  it('refuses an occurredAt in the future or not an instant', async () => {
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const answer = await post(server, '/partners/P-001/deposits', 'finance', { amount: 100, occurredAt: future });
    expectProblem(answer, 400);
    expect(answer.body.errors).toEqual([{ path: 'body.occurredAt', message: 'must not be in the future' }]);
    expectProblem(await post(server, '/partners/P-001/deposits', 'finance', { amount: 100, occurredAt: 'yesterday' }), 400);
  });

  it('refuses bad asOf / validAt and unknown query parameters', async () => {
    const answer = await get(server, '/tiers', 'manager', { asOf: '2026-13-01T00:00:00Z', validAt: 'soon', colour: 'red' });
    expectProblem(answer, 400);
    expect(answer.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['query.asOf', 'query.colour', 'query.validAt']);
  });

  it('refuses a bad path parameter and a bad events page', async () => {
    expectProblem(await get(server, '/partners/%20bad%20id', 'manager'), 400);
    expectProblem(await get(server, '/events', 'auditor', { from: '0' }), 400);
    expectProblem(await get(server, '/events', 'auditor', { limit: 'many' }), 400);
    expectProblem(await get(server, '/statements/P-001/2026-Q5', 'finance'), 400);
  });

  it('answers 400 to malformed JSON, 415 to a body that is not JSON, 413 to a body over the limit', async () => {
    const malformed = await call(server, 'POST', '/partners', { token: 'manager', rawBody: '{"partnerId": "P-9",' });
    expectProblem(malformed, 400);
    expect(malformed.body.title).toBe('Malformed JSON');
    expectProblem(await call(server, 'POST', '/partners', { token: 'manager', rawBody: 'partnerId=P-9', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415);
    const big = JSON.stringify({ partnerId: 'P-9', name: 'x'.repeat(70_000) });
    expectProblem(await call(server, 'POST', '/partners', { token: 'manager', rawBody: big }), 413);
  });

  it('answers hostile bodies with 400: arrays, prototype keys, deep nesting (with an Idempotency-Key too)', async () => {
    expectProblem(await call(server, 'POST', '/partners', { token: 'manager', rawBody: '[1,2,3]' }), 400);
    const proto = await call(server, 'POST', '/partners/P-001/deposits', { token: 'finance', rawBody: '{"amount": 5, "__proto__": {"admin": true}}' });
    expectProblem(proto, 400);
    expect(proto.body.errors).toEqual([{ path: 'body.__proto__', message: 'unknown field' }]);
    const deep = `${'{"a":'.repeat(500)}1${'}'.repeat(500)}`;
    expectProblem(await call(server, 'POST', '/partners', { token: 'manager', rawBody: deep, headers: { 'Idempotency-Key': 'deep-1' } }), 400);
  });

  it('answers unknown routes and ids with 404 problems', async () => {
    expectProblem(await get(server, '/no-such-route', 'manager'), 404);
    expectProblem(await get(server, '/partners/P-404', 'manager'), 404);
    expectProblem(await get(server, '/partners/P-404/balance', 'finance'), 404);
    expectProblem(await get(server, '/customers/nobody/ownership', 'manager'), 404);
    expectProblem(await get(server, '/audit/customers/nobody', 'auditor'), 404);
    expectProblem(await get(server, '/statements/P-404/2026-Q1', 'finance'), 404);
  });
});

describe('correlation ids and the request log', () => {
  it('echoes a given X-Correlation-Id and logs one line per request without the token', async () => {
    const answer = await call(server, 'GET', '/health', { headers: { 'x-correlation-id': 'trace-42.a' } });
    expect(answer.headers.get('x-correlation-id')).toBe('trace-42.a');
    const line = server.lines.find((l) => l.includes('trace-42.a'));
    expect(line).toMatch(/^GET \/health 200 \d+(\.\d+)?ms trace-42\.a$/);
    await get(server, '/tiers', 'manager');
    expect(server.lines.join('\n')).not.toContain(tokens.manager);
  });

  it('generates a uuid when none is given and refuses a malformed one', async () => {
    const answer = await get(server, '/health', null);
    expect(answer.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    expectProblem(await call(server, 'GET', '/health', { headers: { 'x-correlation-id': 'bad id with spaces' } }), 400);
  });
});

describe('health, OpenAPI and docs', () => {
  it('reports the store, the position and the projection lag to a manager or an auditor, only the status to anyone else', async () => {
    for (const token of ['auditor', 'manager'] as const) {
      const answer = await get(server, '/health', token);
      expect(answer.body).toMatchObject({ status: 'ok', store: 'sqlite', position: 0, projectionLag: 0 });
    }
    for (const token of [null, 'finance', 'partner1'] as const) expect((await get(server, '/health', token)).body).toEqual({ status: 'ok' });
  });

  it('documents every route with its roles, from the validating schemas', async () => {
    const doc = (await get(server, '/openapi.json', null)).body;
    expect(doc.openapi).toMatch(/^3\./);
    const operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    for (const route of [
      'POST /partners',
      'POST /partners/{id}/deposits',
      'POST /partners/{id}/deposit-deductions',
      'POST /partners/{id}/tier',
      'POST /tier-evaluations',
      'POST /deals',
      'POST /deals/{id}/stage',
      'POST /deals/{id}/transfer',
      'POST /customers/{key}/ruling',
      'POST /payments',
      'POST /refunds',
      'POST /payouts',
      'GET /partners/{id}',
      'GET /partners/{id}/balance',
      'GET /tiers',
      'GET /customers/{key}/ownership',
      'GET /reports/pipeline',
      'GET /statements/{partnerId}/{quarter}',
      'GET /audit/customers/{key}',
      'GET /audit/verify',
      'GET /events',
      'GET /health',
    ]) {
      expect(operations).toContain(route);
    }
    const deposit = doc.paths['/partners/{id}/deposits'].post;
    expect(deposit['x-roles']).toEqual(['finance']);
    const amount = deposit.requestBody.content['application/json'].schema.properties.amount;
    expect(amount.type).toBe('integer');
    expect(deposit.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
    expect(Object.keys(deposit.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '409', '422']));
    const tiers = doc.paths['/tiers'].get;
    expect(tiers.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['asOf', 'validAt']));
  });

  it('renders /docs as a page from the same document', async () => {
    const answer = await get(server, '/docs', null);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.body).toContain('/partners/{id}/deposit-deductions');
    expect(answer.body).toContain('Roles: finance.');
  });
});

describe('configuration', () => {
  it('names every bad variable', () => {
    try {
      configFromEnv({ PORT: 'eighty', LEDGER_DEMO: 'maybe', EVENTSTORE_CONNECTION_STRING: 'http://x' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['EVENTSTORE_CONNECTION_STRING', 'LEDGER_DEMO', 'PORT']);
    }
    const config = configFromEnv({ PORT: '0', LEDGER_DEMO: 'off', LEDGER_DATA_DIR: '/tmp/x' });
    expect(config).toMatchObject({ port: 0, demo: false, dataDir: '/tmp/x', host: '127.0.0.1', tokensFile: null });
  });

  it('generates a tokens file (mode 0600) on the first start without LEDGER_TOKENS_FILE and prints its path, never the tokens', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ledger-api-tokens-'));
    const lines: string[] = [];
    try {
      const running = await createServer(testConfig(dataDir, '', lines, { tokensFile: null, requestLog: false }), { logger: false });
      const file = path.join(dataDir, 'tokens.json');
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const generated = JSON.parse(readFileSync(file, 'utf8')).tokens as Array<{ token: string; role: string }>;
      expect(generated.map((t) => t.role).sort()).toEqual(['auditor', 'finance', 'manager', 'manager', 'partner']);
      const managers = generated.filter((t) => t.role === 'manager') as Array<{ name?: string }>;
      expect(new Set(managers.map((t) => t.name)).size).toBe(2); // two actors: a transfer's proposer and its approver
      for (const t of generated) expect(lines.join('\n')).not.toContain(t.token);
      expect(lines.join('\n')).toContain(file);
      const answer = await fetch(`${running.url}/reports/session`, { headers: { authorization: `Bearer ${generated[0]?.token}` } });
      expect(answer.status).toBe(200);
      // It announces itself in the data directory while it serves (ledger policy adopt asks), owner-only.
      const presence = path.join(dataDir, 'server.json');
      expect(JSON.parse(readFileSync(presence, 'utf8'))).toMatchObject({ pid: process.pid, url: running.url });
      expect(statSync(presence).mode & 0o777).toBe(0o600);
      await running.close();
      expect(existsSync(presence)).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses an invalid tokens file, naming the problem', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ledger-api-badtokens-'));
    const file = path.join(dataDir, 'tokens.json');
    writeFileSync(file, JSON.stringify({ tokens: [{ token: 'short', role: 'partner' }] }));
    try {
      await expect(createServer(testConfig(dataDir, file, []), { logger: false })).rejects.toThrow(TokensFileError);
      await expect(createServer(testConfig(dataDir, file, []), { logger: false })).rejects.toThrow(/tokens\.0\.token.*tokens\.0\.partnerId|tokens\.0\.partnerId.*tokens\.0\.token/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
