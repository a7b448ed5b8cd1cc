// GET /tiers is answered again from the same rows when nothing about partners or tiers changed
// (src/ledger/queries.ts keeps answers by what the partners tables hold at the cut). These pin
// that every change shows at once and that earlier cuts keep their own answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, get, post, startApiServer } from './support/server.js';

let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer({ requestLog: false });
});
afterAll(async () => {
  await server?.stop();
});

const tiers = async (query?: Record<string, string>) => {
  const answer = await get(server, '/tiers', 'manager', query);
  expect(answer.status).toBe(200);
  return answer.body as Array<{ partnerId: string; tier: string; since: string }>;
};
const tierOf = (list: Array<{ partnerId: string; tier: string }>, partnerId: string) => list.find((t) => t.partnerId === partnerId)?.tier ?? null;

describe('GET /tiers after changes', () => {
  it('shows a signing, a tier change and a back-dated tier change at once; earlier cuts keep their answers', async () => {
    const sign = (partnerId: string, occurredAt: string) =>
      post(server, '/partners', 'manager', { partnerId, name: `Partner ${partnerId}`, kind: 'development', tier: 'standard', occurredAt });
    expect((await sign('T-001', '2025-01-05T00:00:00Z')).status).toBe(201);
    const first = await tiers();
    expect(first.map((t) => [t.partnerId, t.tier])).toEqual([['T-001', 'standard']]);

    // Commands that touch neither partners nor tiers: the same answer, twice.
    expect((await post(server, '/partners/T-001/deposits', 'finance', { amount: 500 })).status).toBe(201);
    expect(await tiers()).toEqual(first);
    expect(await tiers()).toEqual(first);

    expect((await sign('T-002', '2025-01-06T00:00:00Z')).status).toBe(201);
    expect((await tiers()).map((t) => t.partnerId)).toEqual(['T-001', 'T-002']);

    const changed = await post(server, '/partners/T-001/tier', 'manager', { tier: 'gold', reason: 'volume', occurredAt: '2025-03-01T00:00:00Z' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(201);
    const now = await tiers();
    expect(tierOf(now, 'T-001')).toBe('gold');
    expect(tierOf(now, 'T-002')).toBe('standard');

    // validAt before the change took effect: standard; after: gold. Asked twice each.
    for (let i = 0; i < 2; i++) {
      expect(tierOf(await tiers({ validAt: '2025-02-01T00:00:00Z' }), 'T-001')).toBe('standard');
      expect(tierOf(await tiers({ validAt: '2025-04-01T00:00:00Z' }), 'T-001')).toBe('gold');
    }

    // A change back-dated before the gold one: at the head it does not win (gold took effect later).
    const backDated = await post(server, '/partners/T-001/tier', 'manager', { tier: 'silver', reason: 'correction', occurredAt: '2025-02-15T00:00:00Z' });
    expect(backDated.status, JSON.stringify(backDated.body)).toBe(201);
    expect(tierOf(await tiers(), 'T-001')).toBe('gold');
    expect(tierOf(await tiers({ validAt: '2025-02-20T00:00:00Z' }), 'T-001')).toBe('silver');
    expect(tierOf(await tiers({ validAt: '2025-02-01T00:00:00Z' }), 'T-001')).toBe('standard');
  });

  it('an asOf before a change answers what was recorded then, before and after the answer at the head was read', async () => {
    const sign = await post(server, '/partners', 'manager', { partnerId: 'T-101', name: 'Partner T-101', kind: 'development', tier: 'standard', occurredAt: '2025-01-05T00:00:00Z' });
    expect(sign.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 5)); // recordedAt has millisecond resolution
    const before = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(tierOf(await tiers({ asOf: before }), 'T-101')).toBe('standard');
    const changed = await post(server, '/partners/T-101/tier', 'manager', { tier: 'gold', reason: 'volume', occurredAt: '2025-03-01T00:00:00Z' });
    expect(changed.status).toBe(201);
    expect(tierOf(await tiers(), 'T-101')).toBe('gold');
    expect(tierOf(await tiers({ asOf: before }), 'T-101')).toBe('standard');
  });
});
