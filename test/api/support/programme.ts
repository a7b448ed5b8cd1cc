// A small programme written through the HTTP API, the way managers and finance would: two
// partners and a sub-partner, deposits, one customer claimed by two partners and direct sales
// under two spellings, stages up to signed, cash, a refund and a payout. Business times are
// back-filled into 2025 so the figures do not depend on today.
import { expect } from 'vitest';
import { type ApiServer, post, type TokenName } from './server.js';

export const contestedTaxId = '91310000MA1K000006';
export const contestedKey = `tax:${contestedTaxId}`;

/** POST that must answer 2xx; returns the body. */
export async function command<T = any>(server: ApiServer, route: string, token: TokenName, body: unknown): Promise<T> {
  const answer = await post<T>(server, route, token, body);
  if (answer.status < 200 || answer.status >= 300) throw new Error(`POST ${route} → ${answer.status}: ${JSON.stringify(answer.body)}`);
  expect(answer.status).toBe(201);
  return answer.body;
}

export async function seedProgramme(server: ApiServer): Promise<void> {
  await command(server, '/partners', 'manager', { partnerId: 'P-001', name: '华东通信有限公司', kind: 'relationship', tier: 'gold', occurredAt: '2025-01-06T01:00:00Z' });
  await command(server, '/partners', 'manager', { partnerId: 'P-002', name: 'Northwind Telecom', kind: 'development', tier: 'silver', occurredAt: '2025-01-06T02:00:00Z' });
  await command(server, '/partners', 'manager', {
    partnerId: 'P-003',
    name: '申城渠道服务',
    kind: 'relationship',
    tier: 'standard',
    parentPartnerId: 'P-001',
    territory: '上海',
    occurredAt: '2025-01-07T02:00:00Z',
  });
  await command(server, '/partners/P-001/deposits', 'finance', { amount: 9_000_000, occurredAt: '2025-01-08T02:00:00Z' });
  await command(server, '/partners/P-002/deposits', 'finance', { amount: 4_000_000, occurredAt: '2025-01-08T03:00:00Z' });
  const customer = { name: '上海远景贸易有限公司', taxId: contestedTaxId };
  await command(server, '/deals', 'manager', { dealId: 'D-101', partnerId: 'P-001', customer, expectedPorts: 120, expectedRevenue: 36_000_000, occurredAt: '2025-02-03T02:00:00Z' });
  await command(server, '/deals', 'manager', { dealId: 'D-201', partnerId: 'P-002', customer: { name: 'Shanghai Yuanjing Trading', taxId: contestedTaxId }, occurredAt: '2025-02-10T02:00:00Z' });
  await command(server, '/deals', 'manager', { dealId: 'D-901', partnerId: 'direct', customer, occurredAt: '2025-02-12T02:00:00Z' });
  for (const [stage, day] of [
    ['interest', '2025-02-10'],
    ['solution', '2025-02-24'],
    ['signed', '2025-03-10'],
  ] as const) {
    await command(server, '/deals/D-101/stage', 'manager', { stage, occurredAt: `${day}T02:00:00Z` });
  }
  await command(server, '/payments', 'finance', { paymentId: 'PAY-1', dealId: 'D-101', line: 'port', amount: 12_000_000, occurredAt: '2025-03-20T02:00:00Z' });
  await command(server, '/payments', 'finance', { paymentId: 'PAY-2', dealId: 'D-101', line: 'conference', amount: 123_457, occurredAt: '2025-03-25T02:00:00Z' });
}
