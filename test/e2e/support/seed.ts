// A small programme written through the HTTP API, as managers and finance would: three
// partners, a customer fought over by two partners and direct sales, a signed deal with cash,
// a refund, a payout, and an idle claim. Business times are back-filled into 2025, so the
// data is the same whatever day the test runs. Phases are a few milliseconds apart so that
// the ledger's own history (recordedAt) has distinct steps for the timeline slider.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from './http.js';

export const tokens = {
  manager: 'e2e-manager-token-0123456789',
  finance: 'e2e-finance-token-0123456789',
  auditor: 'e2e-auditor-token-0123456789',
  partner: 'e2e-partner-P-001-token-0123',
} as const;

export const partnerOfToken = 'P-001';

export function tokensFile(): string {
  return JSON.stringify({
    tokens: [
      { token: tokens.manager, role: 'manager' },
      { token: tokens.finance, role: 'finance' },
      { token: tokens.auditor, role: 'auditor' },
      { token: tokens.partner, role: 'partner', partnerId: partnerOfToken },
    ],
  });
}

export const partnerIds = ['P-001', 'P-002', 'P-003'] as const;
export const contestedTaxId = '91310000MA1K000006';

const phaseGapMs = 20;

export async function seedProgramme(api: ApiClient): Promise<void> {
  const m = tokens.manager;
  const f = tokens.finance;
  await api.command('/partners', m, { partnerId: 'P-001', name: '华东通信有限公司', kind: 'relationship', tier: 'gold', occurredAt: '2025-01-06T01:00:00.000Z' });
  await api.command('/partners', m, { partnerId: 'P-002', name: 'Northwind Telecom', kind: 'development', tier: 'silver', occurredAt: '2025-01-06T02:00:00.000Z' });
  await api.command('/partners', m, {
    partnerId: 'P-003',
    name: '申城渠道服务',
    kind: 'relationship',
    tier: 'standard',
    parentPartnerId: 'P-001',
    occurredAt: '2025-01-07T02:00:00.000Z',
  });
  await sleep(phaseGapMs);
  await api.command('/partners/P-001/deposits', f, { amount: 9_000_000, occurredAt: '2025-01-08T02:00:00.000Z' });
  await api.command('/partners/P-002/deposits', f, { amount: 4_000_000, occurredAt: '2025-01-08T03:00:00.000Z' });
  await api.command('/partners/P-003/deposits', f, { amount: 500_000, occurredAt: '2025-01-09T03:00:00.000Z' });
  await sleep(phaseGapMs);
  const customer = { name: '上海远景贸易有限公司', taxId: contestedTaxId };
  await api.command('/deals', m, { dealId: 'D-101', partnerId: 'P-001', customer, expectedPorts: 120, expectedRevenue: 36_000_000, occurredAt: '2025-02-03T02:00:00.000Z' });
  await api.command('/deals', m, { dealId: 'D-201', partnerId: 'P-002', customer: { name: 'Shanghai Yuanjing Trading', taxId: contestedTaxId }, expectedPorts: 100, occurredAt: '2025-02-10T02:00:00.000Z' });
  await api.command('/deals', m, { dealId: 'D-901', partnerId: 'direct', customer, occurredAt: '2025-02-12T02:00:00.000Z' });
  await api.command('/deals', m, { dealId: 'D-202', partnerId: 'P-002', customer: { name: '杭州北辰科技' }, expectedPorts: 30, expectedRevenue: 5_400_000, occurredAt: '2025-03-03T02:00:00.000Z' });
  await api.command('/deals/D-202/stage', m, { stage: 'interest', occurredAt: '2025-03-10T02:00:00.000Z' });
  await sleep(phaseGapMs);
  for (const [stage, day] of [['interest', '10'], ['meeting', '17'], ['solution', '24']] as const) {
    await api.command('/deals/D-101/stage', m, { stage, occurredAt: `2025-02-${day}T02:00:00.000Z` });
  }
  await api.command('/deals/D-101/stage', m, { stage: 'trial', occurredAt: '2025-03-03T02:00:00.000Z' });
  await api.command('/deals/D-101/stage', m, { stage: 'signed', occurredAt: '2025-03-10T02:00:00.000Z' });
  await sleep(phaseGapMs);
  await api.command('/payments', f, { paymentId: 'PAY-1', dealId: 'D-101', line: 'port', amount: 12_000_000, occurredAt: '2025-03-20T02:00:00.000Z' });
  await api.command('/payments', f, { paymentId: 'PAY-2', dealId: 'D-101', line: 'conference', amount: 123_457, occurredAt: '2025-03-25T02:00:00.000Z' });
  await sleep(phaseGapMs);
  await api.command('/payouts', f, { quarter: '2025-Q1', occurredAt: '2025-04-02T02:00:00.000Z' });
  await sleep(phaseGapMs);
  await api.command('/payments', f, { paymentId: 'PAY-3', dealId: 'D-101', line: 'conference', amount: 98_765, occurredAt: '2025-05-25T02:00:00.000Z' });
  await api.command('/refunds', f, { refundId: 'REF-1', paymentId: 'PAY-1', amount: 3_000_000, reason: 'customer left early', occurredAt: '2025-06-10T02:00:00.000Z' });
}
