// A small built-in demo programme, loaded into an empty ledger through the real command
// functions (until the demo generator exists): four partners (one under a gold parent, one
// wholesale-voice reseller), deposits, a customer fought over by two partners and direct sales,
// a lost deal that passes ownership on, a transfer after 4 weeks idle, a ruling, signed deals
// with port and conference cash, a refund with its clawback, a quarterly payout and a tier
// evaluation. Business times are back-filled into 2025, so the figures never depend on today.
import type { CommandContext, Ledger } from './ledger.js';
import type { CommandName, LedgerCommands } from './ledger-commands.js';

const manager: CommandContext['actor'] = { role: 'manager', id: 'demo-manager' };
const finance: CommandContext['actor'] = { role: 'finance', id: 'demo-finance' };

type Step = { [N in CommandName]: { name: N; actor: CommandContext['actor']; input: Parameters<LedgerCommands[N]>[0] } }[CommandName];

const at = (day: string, hour = 2): string => `${day}T${String(hour).padStart(2, '0')}:00:00.000Z`;
const contested = { name: '上海远景贸易有限公司', taxId: '91310000MA1K000006' };

/** The demo programme, in the order it happened. */
export const demoSteps: readonly Step[] = [
  { name: 'signPartner', actor: manager, input: { partnerId: 'P-001', name: '华东通信有限公司', kind: 'relationship', tier: 'gold', parentPartnerId: null, territory: '上海', occurredAt: at('2025-01-06') } },
  { name: 'signPartner', actor: manager, input: { partnerId: 'P-002', name: 'Northwind Telecom', kind: 'development', tier: 'silver', parentPartnerId: null, territory: 'Jiangsu', occurredAt: at('2025-01-06', 3) } },
  { name: 'signPartner', actor: manager, input: { partnerId: 'P-003', name: '申城渠道服务', kind: 'relationship', tier: 'standard', parentPartnerId: 'P-001', territory: null, occurredAt: at('2025-01-07') } },
  { name: 'signPartner', actor: manager, input: { partnerId: 'P-004', name: '长江语音批发', kind: 'wholesale-voice', tier: 'standard', parentPartnerId: null, territory: null, occurredAt: at('2025-01-08') } },
  { name: 'postDeposit', actor: finance, input: { partnerId: 'P-001', amountFen: 9_000_000, occurredAt: at('2025-01-08', 4) } },
  { name: 'postDeposit', actor: finance, input: { partnerId: 'P-002', amountFen: 4_000_000, occurredAt: at('2025-01-08', 5) } },
  { name: 'postDeposit', actor: finance, input: { partnerId: 'P-003', amountFen: 500_000, occurredAt: at('2025-01-09') } },
  { name: 'postDeposit', actor: finance, input: { partnerId: 'P-004', amountFen: 10_000_000, occurredAt: at('2025-01-09', 3) } },
  // One customer, three claims: P-001 first, P-002 under another spelling, direct sales last.
  { name: 'registerDeal', actor: manager, input: { dealId: 'D-101', partnerId: 'P-001', customer: contested, expectedPorts: 120, expectedRevenueFen: 36_000_000, occurredAt: at('2025-02-03') } },
  { name: 'registerDeal', actor: manager, input: { dealId: 'D-201', partnerId: 'P-002', customer: { name: 'Shanghai Yuanjing Trading', taxId: contested.taxId }, expectedPorts: 100, expectedRevenueFen: null, occurredAt: at('2025-02-10') } },
  { name: 'registerDeal', actor: manager, input: { dealId: 'D-901', partnerId: null, customer: contested, expectedPorts: null, expectedRevenueFen: null, occurredAt: at('2025-02-12') } },
  { name: 'advanceStage', actor: manager, input: { dealId: 'D-101', stage: 'interest', reason: null, occurredAt: at('2025-02-10') } },
  { name: 'advanceStage', actor: manager, input: { dealId: 'D-101', stage: 'meeting', reason: null, occurredAt: at('2025-02-17') } },
  { name: 'advanceStage', actor: manager, input: { dealId: 'D-101', stage: 'solution', reason: null, occurredAt: at('2025-02-24') } },
  { name: 'advanceStage', actor: manager, input: { dealId: 'D-101', stage: 'trial', reason: null, occurredAt: at('2025-03-03') } },
  { name: 'advanceStage', actor: manager, input: { dealId: 'D-101', stage: 'signed', reason: null, occurredAt: at('2025-03-10') } },
  // A second customer: P-003's claim goes idle, a manager transfers it to P-002 after 4 weeks.
  { name: 'registerDeal', actor: manager, input: { dealId: 'D-301', partnerId: 'P-003', customer: { name: '杭州北辰科技有限公司', taxId: null }, expectedPorts: 30, expectedRevenueFen: 5_400_000, occurredAt: at('2025-03-03') } },
  { name: 'advanceStage', actor: manager, input: { dealId: 'D-301', stage: 'interest', reason: null, occurredAt: at('2025-03-10') } },
  { name: 'registerDeal', actor: manager, input: { dealId: 'D-202', partnerId: 'P-002', customer: { name: '杭州北辰科技', taxId: null }, expectedPorts: 40, expectedRevenueFen: 6_000_000, occurredAt: at('2025-03-17') } },
  { name: 'transferDeal', actor: manager, input: { fromDealId: 'D-301', toDealId: 'D-202', reason: 'no progress since 10 March; Northwind has a meeting booked', occurredAt: at('2025-04-14') } },
  { name: 'advanceStage', actor: manager, input: { dealId: 'D-202', stage: 'solution', reason: null, occurredAt: at('2025-04-21') } },
  { name: 'advanceStage', actor: manager, input: { dealId: 'D-202', stage: 'signed', reason: null, occurredAt: at('2025-05-12') } },
  // A third customer: the first claim is lost, ownership passes on; a ruling settles a dispute.
  { name: 'registerDeal', actor: manager, input: { dealId: 'D-401', partnerId: 'P-004', customer: { name: 'Suzhou Lakeside Hotels Co., Ltd.', taxId: null }, expectedPorts: 60, expectedRevenueFen: 9_000_000, occurredAt: at('2025-03-05') } },
  { name: 'registerDeal', actor: manager, input: { dealId: 'D-402', partnerId: 'P-001', customer: { name: 'SUZHOU LAKESIDE HOTELS', taxId: null }, expectedPorts: 50, expectedRevenueFen: 8_000_000, occurredAt: at('2025-03-06') } },
  { name: 'registerDeal', actor: manager, input: { dealId: 'D-902', partnerId: null, customer: { name: 'Suzhou Lakeside Hotels Ltd', taxId: null }, expectedPorts: null, expectedRevenueFen: null, occurredAt: at('2025-03-07') } },
  { name: 'advanceStage', actor: manager, input: { dealId: 'D-401', stage: 'lost', reason: 'customer chose a competitor for voice', occurredAt: at('2025-04-01') } },
  { name: 'ruleOwnership', actor: manager, input: { customerKey: '', ownerDealId: 'D-902', reason: 'key account since 2019; channel committee ruling 2025-04-20', occurredAt: at('2025-04-20') } },
  // Cash, a refund with its clawback, the Q1 payout, Q2 cash, and the Q2 tier evaluation.
  { name: 'receivePayment', actor: finance, input: { paymentId: 'PAY-1', dealId: 'D-101', line: 'port', amountFen: 12_000_000, occurredAt: at('2025-03-20') } },
  { name: 'receivePayment', actor: finance, input: { paymentId: 'PAY-2', dealId: 'D-101', line: 'conference', amountFen: 123_457, occurredAt: at('2025-03-25') } },
  { name: 'payOut', actor: finance, input: { quarter: '2025-Q1', occurredAt: at('2025-04-02') } },
  { name: 'receivePayment', actor: finance, input: { paymentId: 'PAY-3', dealId: 'D-101', line: 'conference', amountFen: 98_765, occurredAt: at('2025-05-25') } },
  { name: 'receivePayment', actor: finance, input: { paymentId: 'PAY-4', dealId: 'D-202', line: 'port', amountFen: 4_800_000, occurredAt: at('2025-05-20') } },
  { name: 'issueRefund', actor: finance, input: { refundId: 'REF-1', paymentId: 'PAY-1', amountFen: 3_000_000, reason: 'customer left early: unused ports refunded', occurredAt: at('2025-06-10') } },
  { name: 'payOut', actor: finance, input: { quarter: '2025-Q2', occurredAt: at('2025-07-02') } },
  { name: 'evaluateTiers', actor: manager, input: { quarter: '2025-Q2', occurredAt: at('2025-07-01') } },
];

/** The customer key of the ruled customer is whatever the domain made of its name: read it from D-902's claim. */
async function fillRulingKey(ledger: Ledger, step: Step): Promise<Step> {
  if (step.name !== 'ruleOwnership' || step.input.customerKey !== '') return step;
  const key = ledger.readSide.lookups.customerKeyOfDeal(step.input.ownerDealId);
  if (key === null) throw new Error(`demo: deal ${step.input.ownerDealId} has no customer yet`);
  return { ...step, input: { ...step.input, customerKey: key } };
}

/** Loads the demo programme; refuses a non-empty log. */
export async function loadDemoSeed(ledger: Ledger): Promise<{ events: number }> {
  const before = await ledger.store.headPosition();
  if (before !== 0n) throw new Error(`demo: the log already holds ${before} events; the demo loads into an empty ledger only`);
  let index = 0;
  for (const original of demoSteps) {
    index += 1;
    const step = await fillRulingKey(ledger, original);
    const ctx: CommandContext = { actor: step.actor, correlationId: 'demo-seed', commandId: `demo-${String(index).padStart(3, '0')}` };
    await (ledger.execute as (name: CommandName, input: unknown, ctx: CommandContext) => Promise<unknown>)(step.name, step.input, ctx);
  }
  return { events: Number(await ledger.store.headPosition()) };
}
