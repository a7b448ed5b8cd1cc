// "The same time" is the policy's reporting window (src/domain/tie-window.ts), over HTTP: a
// partner and direct sales registering one customer on one day in the policy's time zone → the
// partner owns it by the tie rule, in the command's answer, the ownership read model and the
// auditor's account; a company whose policy says "exact" keeps the exact-instant tie.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/domain/policy.js';
import { command } from './support/programme.js';
import { type ApiServer, get, startApiServer } from './support/server.js';

// Tuesday 6 May 2025 in Shanghai (UTC+8).
const MORNING = '2025-05-06T01:00:00Z'; // 09:00 local
const AFTERNOON = '2025-05-06T09:00:00Z'; // 17:00 local
const NEXT_DAY_EARLY = '2025-05-06T16:30:00Z'; // 00:30 local on 7 May: the same UTC day, another local day

async function programme(server: ApiServer): Promise<void> {
  await command(server, '/partners', 'manager', { partnerId: 'P-001', name: 'Tie Partner One', kind: 'development', tier: 'silver', occurredAt: '2025-01-06T02:00:00Z' });
  await command(server, '/partners', 'manager', { partnerId: 'P-002', name: 'Tie Partner Two', kind: 'development', tier: 'silver', occurredAt: '2025-01-06T02:00:00Z' });
}

describe('the default policy: the same day in Asia/Shanghai', () => {
  let server: ApiServer;
  beforeAll(async () => {
    server = await startApiServer({ requestLog: false });
    await programme(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('direct sales in the morning, the partner the same afternoon: the partner owns, and the rule says why', async () => {
    const direct = await command(server, '/deals', 'manager', { dealId: 'D-DIR-1', partnerId: 'direct', customer: { name: 'Same Day Trading' }, occurredAt: MORNING });
    expect(direct.ownership).toMatchObject({ ownerDealId: 'D-DIR-1', status: 'owner' });
    const partner = await command(server, '/deals', 'manager', { dealId: 'D-P1-1', partnerId: 'P-001', customer: { name: 'Same Day Trading Co., Ltd.' }, occurredAt: AFTERNOON });
    expect(partner).toMatchObject({ ownership: { ownerDealId: 'D-P1-1', ownerPartnerId: 'P-001', status: 'owner' }, rule: 'tie-to-partner' });

    const ownership = await get(server, `/customers/${encodeURIComponent(partner.customerKey)}/ownership`, 'manager');
    expect(ownership.status).toBe(200);
    expect(ownership.body).toMatchObject({ ownerDealId: 'D-P1-1', ownerPartnerId: 'P-001', rule: 'tie-to-partner' });
    expect(ownership.body.explanation).toContain('on the same day (2025-05-06 in Asia/Shanghai)');
    expect(ownership.body.claims.map((c: { dealId: string; status: string }) => [c.dealId, c.status])).toEqual([
      ['D-P1-1', 'owner'],
      ['D-DIR-1', 'competing'],
    ]);
    // As the business stood before the partner registered, direct sales owned it.
    const before = await get(server, `/customers/${encodeURIComponent(partner.customerKey)}/ownership`, 'manager', { validAt: '2025-05-06T05:00:00Z' });
    expect(before.body).toMatchObject({ ownerDealId: 'D-DIR-1', rule: 'first-registration' });
    const audit = await get(server, `/audit/customers/${encodeURIComponent(partner.customerKey)}`, 'auditor');
    expect(audit.body.events.map((e: { ownership: { ownerDealId: string; rule: string } }) => [e.ownership.ownerDealId, e.ownership.rule])).toEqual([
      ['D-DIR-1', 'first-registration'],
      ['D-P1-1', 'tie-to-partner'],
    ]);
  });

  it('the next local day is another window, even an hour later and on the same UTC day', async () => {
    await command(server, '/deals', 'manager', { dealId: 'D-DIR-2', partnerId: 'direct', customer: { name: 'Late Evening Trading' }, occurredAt: '2025-05-06T15:30:00Z' });
    const partner = await command(server, '/deals', 'manager', { dealId: 'D-P1-2', partnerId: 'P-001', customer: { name: 'Late Evening Trading' }, occurredAt: NEXT_DAY_EARLY });
    expect(partner.ownership).toMatchObject({ ownerDealId: 'D-DIR-2', status: 'competing' });
    const ownership = await get(server, `/customers/${encodeURIComponent(partner.customerKey)}/ownership`, 'auditor');
    expect(ownership.body).toMatchObject({ ownerDealId: 'D-DIR-2', rule: 'first-registration' });
  });

  it('between two partners the same day, the earlier registration still wins', async () => {
    await command(server, '/deals', 'manager', { dealId: 'D-P2-3', partnerId: 'P-002', customer: { name: 'Two Partners Trading' }, occurredAt: AFTERNOON });
    const first = await command(server, '/deals', 'manager', { dealId: 'D-P1-3', partnerId: 'P-001', customer: { name: 'Two Partners Trading' }, occurredAt: MORNING });
    expect(first).toMatchObject({ ownership: { ownerDealId: 'D-P1-3', status: 'owner' }, rule: 'first-registration' });
  });
});

describe('a policy whose tie window is "exact"', () => {
  let server: ApiServer;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ledger-policy-'));
    const policyFile = path.join(dir, 'policy.json');
    const policy = structuredClone(defaultPolicy);
    policy.version = 'exact-tie-1';
    policy.ownership.tieWindow = 'exact';
    writeFileSync(policyFile, JSON.stringify(policy));
    server = await startApiServer({ requestLog: false, policyFile });
    await programme(server);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('direct sales in the morning keeps the customer; only the very same instant goes to the partner', async () => {
    await command(server, '/deals', 'manager', { dealId: 'D-DIR-1', partnerId: 'direct', customer: { name: 'Same Day Trading' }, occurredAt: MORNING });
    const later = await command(server, '/deals', 'manager', { dealId: 'D-P1-1', partnerId: 'P-001', customer: { name: 'Same Day Trading' }, occurredAt: AFTERNOON });
    expect(later).toMatchObject({ ownership: { ownerDealId: 'D-DIR-1', status: 'competing' }, rule: 'first-registration' });
    await command(server, '/deals', 'manager', { dealId: 'D-DIR-2', partnerId: 'direct', customer: { name: 'Same Instant Trading' }, occurredAt: MORNING });
    const same = await command(server, '/deals', 'manager', { dealId: 'D-P1-2', partnerId: 'P-001', customer: { name: 'Same Instant Trading' }, occurredAt: MORNING });
    expect(same).toMatchObject({ ownership: { ownerDealId: 'D-P1-2', status: 'owner' }, rule: 'tie-to-partner' });
    const ownership = await get(server, `/customers/${encodeURIComponent(same.customerKey)}/ownership`, 'manager');
    expect(ownership.body.explanation).toContain('at the same instant 2025-05-06T01:00:00.000Z');
  });
});
