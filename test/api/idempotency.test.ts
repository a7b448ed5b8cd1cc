// Idempotency-Key: the same key and body answer the first answer and write nothing, also after
// a restart on the same data directory; another body is a 409; concurrent twins run once;
// keys belong to a token (another token's same key is another command).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from './support/programme.js';
import { type ApiServer, get, post, startApiServer } from './support/server.js';

let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer({ requestLog: false });
  await command(server, '/partners', 'manager', { partnerId: 'P-001', name: 'Idempotent Co', kind: 'development', tier: 'standard' });
});
afterAll(async () => {
  await server?.stop();
});

const head = async (): Promise<number> => (await get(server, '/health', 'auditor')).body.position as number;
const deposit = (amount: number, key: string, token: 'finance' = 'finance') =>
  post(server, '/partners/P-001/deposits', token, { amount }, { 'Idempotency-Key': key });
const balance = async (): Promise<number> => (await get(server, '/partners/P-001/balance', 'finance')).body.deposit as number;

describe('Idempotency-Key', () => {
  it('answers a retry with the first answer and writes nothing', async () => {
    const first = await deposit(10_000, 'dep-1');
    expect(first.status).toBe(201);
    const afterFirst = await head();
    const retry = await deposit(10_000, 'dep-1');
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await head()).toBe(afterFirst);
    expect(await balance()).toBe(10_000);
  });

  it('refuses the same key with another body (409) and writes nothing', async () => {
    await deposit(5_000, 'dep-2');
    const before = await head();
    const other = await deposit(6_000, 'dep-2');
    expect(other.status).toBe(409);
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(other.body.detail).toMatch(/Idempotency-Key "dep-2"/);
    expect(await head()).toBe(before);
  });

  it('treats a key as another body on another route', async () => {
    await deposit(1_000, 'dep-3');
    const elsewhere = await post(server, '/partners/P-001/deposit-deductions', 'finance', { amount: 1_000, reason: 'x' }, { 'Idempotency-Key': 'dep-3' });
    expect(elsewhere.status).toBe(409);
  });

  it('hashes the body, not its spelling: reordered keys are the same body', async () => {
    const first = await post(server, '/partners/P-001/deposit-deductions', 'finance', { amount: 100, reason: 'fee', reference: 'A' }, { 'Idempotency-Key': 'ded-1' });
    const before = await head();
    const again = await post(server, '/partners/P-001/deposit-deductions', 'finance', { reference: 'A', reason: 'fee', amount: 100 }, { 'Idempotency-Key': 'ded-1' });
    expect(again.body).toEqual(first.body);
    expect(await head()).toBe(before);
  });

  it('runs concurrent requests with one key once', async () => {
    const before = await balance();
    const answers = await Promise.all(Array.from({ length: 12 }, () => deposit(2_500, 'dep-concurrent')));
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(201));
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(await balance()).toBe(before + 2_500);
  });

  it('does not keep refusals: a refused command may be retried with its key once the cause is gone', async () => {
    const refused = await post(server, '/partners/P-002/deposits', 'finance', { amount: 700 }, { 'Idempotency-Key': 'dep-later' });
    expect(refused.status).toBe(404);
    await command(server, '/partners', 'manager', { partnerId: 'P-002', name: 'Late Co', kind: 'development', tier: 'standard' });
    const retried = await post(server, '/partners/P-002/deposits', 'finance', { amount: 700 }, { 'Idempotency-Key': 'dep-later' });
    expect(retried.status).toBe(201);
  });

  it('refuses a malformed key', async () => {
    const answer = await deposit(1, 'x'.repeat(201));
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([expect.objectContaining({ path: 'header.Idempotency-Key' })]);
  });

  it('keeps keys per token: another token may use the same key for its own command', async () => {
    const first = await post(server, '/partners', 'manager', { partnerId: 'P-003', name: 'Key Owner', kind: 'development', tier: 'standard' }, { 'Idempotency-Key': 'shared-key' });
    expect(first.status).toBe(201);
    const finance = await deposit(300, 'shared-key');
    expect(finance.status).toBe(201);
    expect(finance.headers.get('idempotent-replayed')).toBeNull();
  });

  it('answers the first answer after a restart on the same data directory, and stores no token', async () => {
    const first = await deposit(42_000, 'dep-restart');
    expect(first.status).toBe(201);
    const before = await head();
    await server.restart();
    const retry = await deposit(42_000, 'dep-restart');
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(await head()).toBe(before);
    expect((await deposit(43_000, 'dep-restart')).status).toBe(409);
    const { existsSync, readFileSync } = await import('node:fs');
    for (const name of ['idempotency.db', 'idempotency.db-wal']) {
      const file = `${server.dataDir}/${name}`;
      if (existsSync(file)) expect(readFileSync(file).toString('latin1')).not.toContain('finance-token-0123456789abcdef');
    }
  });
});
