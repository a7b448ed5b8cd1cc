// A small programme written through the HTTP API (partners, deposits, a contested customer, a
// signed deal, cash and a refund): about twenty events of several kinds and streams.
import { command, tokens } from './ledger-server.js';

export const contestedTaxId = '91310000MA1K000006';

export async function writeSmallProgramme(url: string): Promise<void> {
  await command(url, '/partners', tokens.manager, { partnerId: 'P-001', name: '华东通信有限公司', kind: 'relationship', tier: 'gold', occurredAt: '2025-01-06T01:00:00Z' });
  await command(url, '/partners', tokens.manager, { partnerId: 'P-002', name: 'Northwind Telecom', kind: 'development', tier: 'silver', occurredAt: '2025-01-06T02:00:00Z' });
  await command(url, '/partners/P-001/deposits', tokens.finance, { amount: 9_000_000, occurredAt: '2025-01-08T02:00:00Z' });
  await command(url, '/partners/P-002/deposits', tokens.finance, { amount: 4_000_000, occurredAt: '2025-01-08T03:00:00Z' });
  const customer = { name: '上海远景贸易有限公司', taxId: contestedTaxId };
  await command(url, '/deals', tokens.manager, { dealId: 'D-101', partnerId: 'P-001', customer, expectedPorts: 120, occurredAt: '2025-02-03T02:00:00Z' });
  await command(url, '/deals', tokens.manager, { dealId: 'D-201', partnerId: 'P-002', customer, occurredAt: '2025-02-10T02:00:00Z' });
  await command(url, '/deals/D-101/stage', tokens.manager, { stage: 'signed', occurredAt: '2025-03-10T02:00:00Z' });
  await command(url, '/payments', tokens.finance, { paymentId: 'PAY-1', dealId: 'D-101', line: 'port', amount: 12_000_000, occurredAt: '2025-03-20T02:00:00Z' });
  await command(url, '/payments', tokens.finance, { paymentId: 'PAY-2', dealId: 'D-101', line: 'conference', amount: 123_457, occurredAt: '2025-03-25T02:00:00Z' });
  await command(url, '/refunds', tokens.finance, { refundId: 'REF-1', paymentId: 'PAY-1', amount: 1_000_000, reason: 'left early', occurredAt: '2025-04-02T02:00:00Z' });
  await command(url, '/partners/P-002/deposits', tokens.finance, { amount: 500_000, occurredAt: '2025-04-08T03:00:00Z' });
}
