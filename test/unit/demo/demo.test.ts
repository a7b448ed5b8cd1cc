// The demo data set: generated through the real commands into real SQLite files. The same seed
// gives the same log byte for byte; the programme has the promised shape (tiers 1:2:5,
// relationship partners under gold parents, one wholesale-voice reseller, direct sales, ties
// won by the partner, transfers, rulings, lost deals, cash, refunds, payouts that balance,
// tier evaluations), recorded along a simulated clock that ends before now.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportLog } from '../../../src/cli/commands/export.js';
import { DemoRefusedError, generateDemo, openDemoDataDir, type DemoSummary } from '../../../src/demo/generate.js';
import { planDemo, quartersEndingWith, tierCounts, type DemoOptions } from '../../../src/demo/plan.js';
import type { EventEnvelope, EventDataOf } from '../../../src/domain/events.js';
import { defaultPolicy } from '../../../src/domain/policy.js';
import { quarterEnd, quarterStart } from '../../../src/domain/quarter.js';
import { openReadSide } from '../../../src/ledger/read-side.js';
import { sqliteFileFor } from '../../../src/store/open-store.js';
import { openSqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-demo-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

type Size = Omit<DemoOptions, 'timeZone'>;

async function generateInto(dir: string, options: Size): Promise<DemoSummary> {
  const sink = await openDemoDataDir(dir, defaultPolicy);
  try {
    return await generateDemo(options, sink);
  } finally {
    await sink.close();
  }
}

async function exportedLog(dir: string): Promise<string> {
  const store = openSqliteEventStore({ file: sqliteFileFor(dir), readOnly: true });
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  try {
    await exportLog(store, out);
  } finally {
    await store.close();
  }
  return chunks.join('');
}

async function readLog(dir: string): Promise<EventEnvelope[]> {
  const store = openSqliteEventStore({ file: sqliteFileFor(dir), readOnly: true });
  try {
    const events: EventEnvelope[] = [];
    for await (const e of store.readAll()) events.push(e);
    return events;
  } finally {
    await store.close();
  }
}

const data = <T extends EventEnvelope['type']>(e: EventEnvelope, _type: T) => e.data as EventDataOf<T>;

describe('determinism', () => {
  const small: Size = { seed: 3, partners: 8, customers: 30, quarters: 3, lastQuarter: '2026-Q2' };

  it('the same seed gives a byte-identical log; another seed a different one', async () => {
    const [a, b, c] = [tempDir(), tempDir(), tempDir()];
    const first = await generateInto(a, small);
    const second = await generateInto(b, small);
    const other = await generateInto(c, { ...small, seed: 4 });
    const [logA, logB, logC] = await Promise.all([exportedLog(a), exportedLog(b), exportedLog(c)]);
    expect(first.events).toBeGreaterThan(100);
    expect(logA.split('\n').length - 1).toBe(first.events);
    expect(logB).toBe(logA);
    expect(second.headHash).toBe(first.headHash);
    expect(logC).not.toBe(logA);
    expect(other.headHash).not.toBe(first.headHash);
  });

  it('the plan is a pure function of the options', () => {
    const options = { ...small, timeZone: 'Asia/Shanghai' };
    expect(JSON.stringify(planDemo(options).actions)).toBe(JSON.stringify(planDemo(options).actions));
  });

  it('never appends to a log that holds events', async () => {
    const dir = tempDir();
    await generateInto(dir, { ...small, customers: 2, quarters: 1 });
    await expect(openDemoDataDir(dir, defaultPolicy)).rejects.toThrow(DemoRefusedError);
    await expect(openDemoDataDir(dir, defaultPolicy)).rejects.toThrow(/already holds \d+ events/);
  });
});

describe('the programme', () => {
  const options: Size = { seed: 5, partners: 16, customers: 150, quarters: 4, lastQuarter: '2026-Q3' };
  let dir: string;
  let summary: DemoSummary;
  let log: EventEnvelope[];
  const ofType = <T extends EventEnvelope['type']>(type: T) => log.filter((e) => e.type === type).map((e) => ({ e, d: data(e, type) }));

  beforeAll(async () => {
    dir = tempDir();
    summary = await generateInto(dir, options);
    log = await readLog(dir);
  });

  it('signs gold, silver and standard partners 1:2:5, relationship partners under gold parents, one wholesale-voice reseller', () => {
    expect(tierCounts(80)).toEqual({ gold: 10, silver: 20, standard: 50 });
    const signed = ofType('PartnerSigned').map((x) => x.d);
    const counts = tierCounts(options.partners);
    expect(signed).toHaveLength(options.partners);
    for (const tier of ['gold', 'silver', 'standard'] as const) expect(signed.filter((p) => p.tier === tier)).toHaveLength(counts[tier]);
    const golds = new Set(signed.filter((p) => p.tier === 'gold').map((p) => p.partnerId));
    const children = signed.filter((p) => p.parentPartnerId !== null);
    expect(children.length).toBeGreaterThan(0);
    for (const child of children) {
      expect(child.kind).toBe('relationship');
      expect(golds.has(child.parentPartnerId!)).toBe(true);
    }
    expect(signed.filter((p) => p.kind === 'wholesale-voice')).toHaveLength(1);
    expect(signed.filter((p) => p.kind === 'distributor')).toHaveLength(1);
    expect(signed.filter((p) => p.kind === 'value-added-agent')).toHaveLength(2);
    expect(signed[0]).toMatchObject({ partnerId: 'P-001', tier: 'gold' });
  });

  it('posts each partner the deposit its tier requires (100,000 CNY for the reseller)', () => {
    const signed = ofType('PartnerSigned').map((x) => x.d);
    const firstDeposit = new Map<string, number>();
    for (const { d } of ofType('DepositPosted')) if (!firstDeposit.has(d.partnerId)) firstDeposit.set(d.partnerId, d.amountFen);
    for (const p of signed) {
      const required = p.kind === 'wholesale-voice' ? 10_000_000 : defaultPolicy.deposits.byTierFen[p.tier]!;
      expect(firstDeposit.get(p.partnerId)).toBeGreaterThanOrEqual(required);
    }
  });

  it('has direct sales, competing claims, ties won by the partner, transfers after 4 idle weeks, rulings and lost deals', async () => {
    const registrations = ofType('DealRegistered');
    expect(registrations.some((r) => r.d.channel === 'direct')).toBe(true);
    const byCustomer = new Map<string, typeof registrations>();
    for (const r of registrations) byCustomer.set(r.d.customerKey, [...(byCustomer.get(r.d.customerKey) ?? []), r]);
    const contested = [...byCustomer.values()].filter((claims) => claims.length > 1);
    expect(contested.length).toBeGreaterThan(10);
    expect(contested.some((claims) => claims.filter((c) => c.d.channel === 'partner').length > 1)).toBe(true);
    expect(contested.some((claims) => new Set(claims.map((c) => c.d.customer.name)).size > 1)).toBe(true); // other spellings met
    const transfers = ofType('DealTransferred');
    expect(transfers.length).toBeGreaterThan(0);
    for (const t of transfers) expect(t.d.ownerIdleDays).toBeGreaterThanOrEqual(28);
    expect(ofType('OwnershipRuled').length).toBeGreaterThan(0);
    expect(ofType('DealLost').length).toBeGreaterThan(0);
    expect(summary.conflicts).toMatchObject({ transfers: transfers.length, rulings: ofType('OwnershipRuled').length, lost: ofType('DealLost').length });

    const ties = [...byCustomer.values()].filter((claims) => {
      const partner = claims.find((c) => c.d.channel === 'partner');
      return partner !== undefined && claims.some((c) => c.d.channel === 'direct' && c.e.occurredAt === partner.e.occurredAt);
    });
    expect(ties.length).toBeGreaterThan(0);
    expect(summary.conflicts.tiesToPartner).toBeGreaterThanOrEqual(ties.length);
    const side = await openReadSide({ store: openSqliteEventStore({ file: sqliteFileFor(dir), readOnly: true }), dataDir: dir, ownsStore: true, policy: defaultPolicy });
    try {
      for (const claims of ties) {
        const partnerClaim = claims.find((c) => c.d.channel === 'partner')!;
        const tieAt = partnerClaim.e.occurredAt;
        const owner = await side.queries.ownership(partnerClaim.d.customerKey, { validAt: tieAt });
        expect(owner).toMatchObject({ ownerDealId: partnerClaim.d.dealId, rule: 'tie-to-partner' });
      }
    } finally {
      await side.close();
    }
  });

  it('ties in one reporting window: direct sales reported earlier the same day in Shanghai, the partner owns by the tie rule', async () => {
    const registrations = ofType('DealRegistered');
    const byCustomer = new Map<string, typeof registrations>();
    for (const r of registrations) byCustomer.set(r.d.customerKey, [...(byCustomer.get(r.d.customerKey) ?? []), r]);
    const localDay = (instant: string) => new Date(Date.parse(instant) + 8 * 3_600_000).toISOString().slice(0, 10);
    const sameDay = [...byCustomer.values()].flatMap((claims) => {
      const partner = claims.find((c) => c.d.channel === 'partner');
      const direct = claims.find((c) => c.d.channel === 'direct');
      return partner && direct && direct.e.occurredAt < partner.e.occurredAt && localDay(direct.e.occurredAt) === localDay(partner.e.occurredAt) ? [{ partner, direct }] : [];
    });
    expect(sameDay.length).toBeGreaterThan(0);
    const side = await openReadSide({ store: openSqliteEventStore({ file: sqliteFileFor(dir), readOnly: true }), dataDir: dir, ownsStore: true, policy: defaultPolicy });
    try {
      for (const { partner, direct } of sameDay) {
        const before = await side.queries.ownership(partner.d.customerKey, { validAt: direct.e.occurredAt });
        expect(before).toMatchObject({ ownerDealId: direct.d.dealId, rule: 'first-registration' });
        const after = await side.queries.ownership(partner.d.customerKey, { validAt: partner.e.occurredAt });
        expect(after).toMatchObject({ ownerDealId: partner.d.dealId, rule: 'tie-to-partner' });
        expect(after!.explanation).toContain(`on the same day (${localDay(partner.e.occurredAt)} in Asia/Shanghai)`);
      }
    } finally {
      await side.close();
    }
  });

  it('hands a customer over only when two departments agree: proposed by the channel manager, approved (or first rejected) by the key-account manager, 28 idle days at both', async () => {
    const proposals = ofType('TransferProposed');
    const approvals = ofType('DealTransferred');
    const rejections = ofType('TransferRejected');
    expect(approvals.length).toBeGreaterThan(0);
    expect(rejections.length).toBeGreaterThan(0);
    expect(summary.conflicts).toMatchObject({ transferProposals: proposals.length, transfersRejected: rejections.length, transfers: approvals.length });
    expect(proposals.length).toBe(approvals.length + rejections.length);
    const byId = new Map(proposals.map((p) => [p.d.transferId, p]));
    for (const { e, d } of [...approvals.map((a) => ({ ...a, decidedBy: a.d.approvedBy })), ...rejections.map((r) => ({ ...r, decidedBy: r.d.rejectedBy }))]) {
      const proposal = byId.get(d.transferId!)!;
      expect(proposal, `a decision on transfer ${d.transferId} without its proposal`).toBeDefined();
      expect(proposal.e.position < e.position).toBe(true);
      expect(proposal.e.actor).toEqual({ role: 'manager', id: 'channel-manager-li' });
      expect(e.actor).toEqual({ role: 'manager', id: 'key-account-manager-zhou' });
      expect(proposal.d.proposedBy).not.toBe(e.actor.id);
      expect(proposal.d.ownerIdleDays).toBeGreaterThanOrEqual(28);
    }
    for (const { d } of approvals) expect(d).toMatchObject({ proposedBy: 'channel-manager-li', approvedBy: 'key-account-manager-zhou', transferId: expect.stringMatching(/^TR-/) });
    // The auditor's account of a handed-over customer shows the proposal and the approval.
    const side = await openReadSide({ store: openSqliteEventStore({ file: sqliteFileFor(dir), readOnly: true }), dataDir: dir, ownsStore: true, policy: defaultPolicy });
    try {
      const account = await side.queries.auditCustomer(approvals[0]!.d.customerKey);
      const steps = account!.events.filter((e) => e.type === 'TransferProposed' || e.type === 'DealTransferred');
      expect(steps.map((e) => e.type)).toContain('TransferProposed');
      expect(steps.at(-1)).toMatchObject({ type: 'DealTransferred', ownership: { ownerDealId: approvals[0]!.d.toDealId, rule: 'transfer' } });
    } finally {
      await side.close();
    }
  });

  it('reports stages weekly, back-filled: recorded on the Friday report a few days after they occurred', () => {
    const stages = ofType('DealStageAdvanced');
    expect(stages.length).toBeGreaterThan(options.customers);
    for (const { e } of stages) {
      const lagDays = (Date.parse(e.recordedAt) - Date.parse(e.occurredAt)) / 86_400_000;
      expect(lagDays).toBeGreaterThan(0);
      expect(lagDays).toBeLessThanOrEqual(8);
      expect(e.actor.role).toBe('manager');
    }
    // Contracts are the vendor's: no stage report signs a deal; the vendor's confirmation does.
    expect(stages.filter((s) => s.d.stage === 'signed')).toEqual([]);
    expect(ofType('ContractConfirmed').length).toBeGreaterThan(options.customers / 3);
  });

  it('revises some deals\' forecasts from the weekly report: a ForecastRevised beside the stage it came with, more ports than registered', () => {
    const registeredPorts = new Map(ofType('DealRegistered').map(({ d }) => [d.dealId, d.expectedPorts]));
    const revised = ofType('ForecastRevised');
    expect(revised.length).toBeGreaterThan(0);
    for (const { e, d } of revised) {
      expect(e.actor.role).toBe('manager');
      expect(d.expectedPorts).toBeGreaterThan(registeredPorts.get(d.dealId) ?? Infinity);
      expect(d.expectedRevenueFen).not.toBeNull();
    }
  });

  it('signs through the vendor: the owner\'s contract submitted (by its partner, on the ledger\'s clock), some sent back and submitted again, confirmed by a manager at the signing date', () => {
    const partnerOf = new Map(ofType('DealRegistered').map(({ d }) => [d.dealId, d.partnerId]));
    const submitted = ofType('ContractSubmitted');
    const confirmed = ofType('ContractConfirmed');
    const rejected = ofType('ContractRejected');
    expect(rejected.length).toBeGreaterThan(0);
    expect(summary.contracts).toEqual({ submitted: submitted.length, confirmed: confirmed.length, rejected: rejected.length });
    for (const { e, d } of submitted) {
      const partnerId = partnerOf.get(d.dealId) ?? null;
      if (partnerId === null) expect(e.actor.role).toBe('manager');
      else {
        expect(e.actor).toEqual({ role: 'partner', id: partnerId });
        expect(e.occurredAt).toBe(e.recordedAt); // a partner never back-dates
      }
      expect(d.contractValueFen).toBeGreaterThan(0);
    }
    expect(submitted.some(({ e }) => e.actor.role === 'partner')).toBe(true);
    expect(submitted.some(({ e }) => e.actor.role === 'manager')).toBe(true);
    for (const { e, d } of confirmed) {
      expect(e.actor.role).toBe('manager');
      expect(d.signedAt).toBe(e.occurredAt);
      const own = submitted.filter((s) => s.d.dealId === d.dealId && s.e.position < e.position);
      expect(own.length, `deal ${d.dealId} signed without a contract submitted`).toBeGreaterThan(0);
      expect(own.at(-1)!.e.occurredAt <= d.signedAt).toBe(true);
    }
    // Cash is received only after the signing date, and commission counts from it.
    const signedAt = new Map(confirmed.map(({ d }) => [d.dealId, d.signedAt]));
    for (const { e, d } of ofType('PaymentReceived')) expect(e.occurredAt >= signedAt.get(d.ownerDealId)!).toBe(true);
    // A sent-back contract is submitted again before it is confirmed.
    for (const { e, d } of rejected) {
      const again = submitted.find((s) => s.d.dealId === d.dealId && s.e.position > e.position);
      if (confirmed.some((c) => c.d.dealId === d.dealId)) expect(again).toBeDefined();
    }
  });

  it('receives monthly conference and yearly port cash after signing, refunds some with clawbacks', () => {
    const payments = ofType('PaymentReceived');
    const lines = new Set(payments.map((p) => p.d.line));
    // Issue #22 item 7: the demo now also has ASP service revenue, a commission line of its own.
    expect(lines).toEqual(new Set(['port', 'conference', 'long-distance', 'asp']));
    expect(payments.some((p) => p.d.ownerPartnerId === null && p.d.noCommissionReason !== null)).toBe(true); // direct sales earn nothing
    const accrued = ofType('CommissionAccrued');
    expect(accrued.every((a) => a.d.commissionYear === 1)).toBe(true); // a year of history: no renewal yet
    expect(ofType('RefundIssued').length).toBeGreaterThan(0);
    expect(ofType('CommissionClawedBack').length).toBeGreaterThan(0);
    expect(summary.cash.receivedFen).toBe(payments.reduce((s, p) => s + p.d.amountFen, 0));
    expect(summary.commission.accruedFen).toBe(accrued.reduce((s, a) => s + a.d.commissionFen, 0));
  });

  it('pays out every quarter; each payout balances and settles each line once', async () => {
    const commission = new Map<string, { partnerId: string; signedFen: number }>();
    for (const { e, d } of ofType('CommissionAccrued')) commission.set(e.eventId, { partnerId: d.partnerId, signedFen: d.commissionFen });
    for (const { e, d } of ofType('CommissionClawedBack')) commission.set(e.eventId, { partnerId: d.partnerId, signedFen: -d.commissionFen });
    const settled = new Set<string>();
    const payouts = ofType('CommissionPaidOut');
    expect(new Set(payouts.map((p) => p.d.quarter)).size).toBe(options.quarters);
    for (const { d } of payouts) {
      const lineSum = d.lines.reduce((s, l) => s + l.commissionFen, 0);
      expect(lineSum).toBe(d.netFen);
      expect(d.paidFen + d.debtRecoveredFen).toBe(Math.max(0, d.netFen));
      for (const line of d.lines) {
        expect(commission.get(line.eventId)).toEqual({ partnerId: d.partnerId, signedFen: line.commissionFen });
        expect(settled.has(line.eventId)).toBe(false);
        settled.add(line.eventId);
      }
    }
    expect(summary.commission.paidOutFen).toBe(payouts.reduce((s, p) => s + p.d.paidFen, 0));
    const side = await openReadSide({ store: openSqliteEventStore({ file: sqliteFileFor(dir), readOnly: true }), dataDir: dir, ownsStore: true, policy: defaultPolicy });
    try {
      const balances = await side.queries.balances();
      expect(balances).toHaveLength(options.partners);
      const unsettled = [...commission].filter(([id]) => !settled.has(id)).reduce((s, [, c]) => s + c.signedFen, 0);
      // Paid out of earnings: the cash paid plus the debt those earnings recovered.
      const settledFen = payouts.reduce((s, p) => s + p.d.paidFen + p.d.debtRecoveredFen, 0);
      expect(balances.reduce((s, b) => s + b.paidOut, 0)).toBe(settledFen);
      for (const b of balances) expect(b.payable).toBeGreaterThanOrEqual(0);
      expect(balances.reduce((s, b) => s + b.accrued, 0)).toBe(summary.commission.accruedFen);
      expect(unsettled).toBeGreaterThanOrEqual(0);
    } finally {
      await side.close();
    }
  });

  it('evaluates tiers every quarter, each change with its figures, and tops up deposits after a rise', () => {
    const changes = ofType('TierChanged');
    expect(changes.length).toBeGreaterThan(0);
    expect(summary.tierChanges).toBe(changes.length);
    for (const { d, e } of changes) {
      expect(d.source).toBe('evaluation');
      expect(typeof d.figures.signedCustomers).toBe('number');
      expect(e.occurredAt).toBe(quarterStart(nextQuarterOf(d.quarter!), defaultPolicy.timeZone));
    }
  });

  it('bills customers the partners collect: arrears past the grace period deducted from the deposit, the vendor’s-fault arrears exempted', () => {
    const bills = ofType('CustomerBillIssued');
    const collections = ofType('CustomerBillCollected');
    const exempted = ofType('ArrearsExempted');
    const deductions = ofType('DepositDeducted').filter((x) => x.d.reference?.startsWith('arrears '));
    expect(bills.length).toBeGreaterThanOrEqual(options.quarters - 1);
    expect(collections.length).toBeGreaterThan(0);
    expect(exempted.length).toBeGreaterThan(0);
    expect(deductions.length).toBeGreaterThan(0);
    const billOf = new Map(bills.map((b) => [b.d.billId, b]));
    const collectedOf = (billId: string) => collections.filter((c) => c.d.billId === billId).reduce((s, c) => s + c.d.amountFen, 0);
    for (const { d, e } of deductions) {
      const bill = billOf.get(d.reference!.slice('arrears '.length))!;
      expect(bill).toBeDefined();
      expect(d.requestedFen).toBe(bill.d.amountFen - collectedOf(bill.d.billId));
      expect(d.reason).toMatch(/customer arrears not collected/);
      expect(Date.parse(e.occurredAt) - Date.parse(bill.d.dueAt)).toBeGreaterThanOrEqual(defaultPolicy.deposits.arrearsGraceDays * 86_400_000);
      expect(exempted.some((x) => x.d.billId === bill.d.billId)).toBe(false);
    }
    expect(new Set(deductions.map((x) => x.d.reference)).size).toBe(deductions.length); // each bill deducted once
    expect(summary.arrears).toEqual({ bills: bills.length, collections: collections.length, exempted: exempted.length, deductions: deductions.length, deductedFen: deductions.reduce((s, x) => s + x.d.requestedFen, 0) });
  });

  it('accrues ASP service commission at the partner’s tier rate', () => {
    const asp = ofType('CommissionAccrued').filter((x) => x.d.line === 'asp');
    expect(asp.length).toBeGreaterThan(0);
    for (const { d } of asp) expect(d.rateBps).toBe(defaultPolicy.commission.ratesBps.asp![d.tier]![d.commissionYear - 1]);
  });

  it('certifies every partner every quarter it was signed by, moved or not, valid for the next quarter', () => {
    const signedAt = new Map(ofType('PartnerSigned').map((x) => [x.d.partnerId, x.e.occurredAt]));
    const certificates = ofType('TierCertified');
    expect(summary.certificates).toBe(certificates.length);
    const quarters = quartersEndingWith(options.lastQuarter, options.quarters);
    for (const quarter of quarters) {
      const due = [...signedAt].filter(([, at]) => at <= quarterEnd(quarter, defaultPolicy.timeZone)).map(([id]) => id).sort();
      const issued = certificates.filter((c) => c.d.quarter === quarter);
      expect(issued.map((c) => c.d.partnerId).sort(), quarter).toEqual(due);
      for (const { d, e } of issued) {
        expect(d).toMatchObject({ validFor: nextQuarterOf(quarter), validFrom: quarterStart(nextQuarterOf(quarter), defaultPolicy.timeZone), validTo: quarterEnd(nextQuarterOf(quarter), defaultPolicy.timeZone) });
        expect(typeof d.figures.signedCustomers).toBe('number');
        expect(e.occurredAt).toBe(d.validFrom);
      }
    }
    // moved or not: certificates outnumber the moves, and each move has its quarter's certificate with the tier it moved to
    expect(certificates.length).toBeGreaterThan(ofType('TierChanged').length);
    for (const { d } of ofType('TierChanged')) expect(certificates.find((c) => c.d.partnerId === d.partnerId && c.d.quarter === d.quarter)?.d.tier).toBe(d.to);
  });

  it('bills the wholesale-voice reseller monthly within its deposit and records its settlements', () => {
    const reseller = ofType('PartnerSigned').find((x) => x.d.kind === 'wholesale-voice')!.d.partnerId;
    const bills = ofType('TrafficBilled');
    const settlements = ofType('TrafficSettled');
    expect(bills.length).toBeGreaterThanOrEqual(options.quarters * 3 - 3);
    expect(settlements.length).toBeGreaterThan(0);
    for (const { d } of [...bills, ...settlements]) expect(d.partnerId).toBe(reseller);
    for (const { d } of bills) expect(d.outstandingFen).toBeLessThanOrEqual(d.creditLimitFen);
    expect(new Set(bills.map((b) => b.d.period)).size).toBe(bills.length);
    const billedFen = bills.reduce((s, b) => s + b.d.amountFen, 0);
    const settledFen = settlements.reduce((s, b) => s + b.d.amountFen, 0);
    expect(settledFen).toBeLessThanOrEqual(billedFen);
    expect(settledFen).toBeGreaterThan(billedFen / 2);
  });

  it("suspends the reseller's credit when its spike month reaches the deposit, and resumes it with the settlement", () => {
    const suspended = ofType('CreditSuspended');
    const resumed = ofType('CreditResumed');
    expect(suspended.length).toBeGreaterThanOrEqual(1);
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    const first = suspended[0]!;
    expect(first.d.outstandingFen).toBeGreaterThanOrEqual(first.d.creditLimitFen);
    expect(first.d.cause).toBe('TrafficBilled');
    // the bill that reached the deposit is in the same append, just before the suspension
    const at = log.indexOf(first.e);
    expect(log[at - 1]).toMatchObject({ type: 'TrafficBilled', commandId: first.e.commandId });
    const resumption = resumed.find((r) => r.e.position > first.e.position)!;
    expect(resumption.d.outstandingFen).toBeLessThan(resumption.d.creditLimitFen);
    expect(resumption.d.cause).toBe('TrafficSettled');
    expect(summary.credit).toEqual({ suspensions: suspended.length, resumptions: resumed.length });
  });

  it('runs the rebate programme: commitments, purchases (bids and the high-end line), a locked agent, quarterly rebates and payments', () => {
    const kinds = new Map(ofType('PartnerSigned').map((x) => [x.d.partnerId, x.d.kind]));
    const commitments = ofType('CommitmentSet');
    const purchases = ofType('PurchaseRecorded');
    expect(commitments.length).toBeGreaterThan(0);
    expect(purchases.some((p) => p.d.bid)).toBe(true);
    expect(purchases.some((p) => !p.d.bid)).toBe(true);
    expect(purchases.some((p) => p.d.productLine === defaultPolicy.rebates!.awards.highEndProductLine)).toBe(true);
    for (const { d } of [...commitments, ...purchases]) expect(['distributor', 'value-added-agent']).toContain(kinds.get(d.partnerId));
    const locks = ofType('LockedToDistributor');
    expect(locks).toHaveLength(1);
    expect(kinds.get(locks[0]!.d.partnerId)).toBe('value-added-agent');
    expect(kinds.get(locks[0]!.d.distributorId)).toBe('distributor');
    const earned = ofType('RebateEarned');
    expect(earned.some((r) => r.d.amountFen > 0)).toBe(true);
    // The locked agent's purchases through its distributor climb the distributor's steps (issue 22 item 8a).
    const through = purchases.filter((p) => p.d.distributorId === locks[0]!.d.distributorId && p.d.partnerId === locks[0]!.d.partnerId);
    expect(through.length).toBeGreaterThan(0);
    const lifted = earned.filter((r) => r.d.partnerId === locks[0]!.d.distributorId && r.d.lockedAgentPurchases !== undefined);
    expect(lifted.length).toBeGreaterThan(0);
    for (const { d } of lifted) expect(d.lockedAgentPurchases!.map((a) => a.partnerId)).toEqual([locks[0]!.d.partnerId]);
    // Each partner's quarters are evaluated once, in order, after every purchase dated in them.
    const seen = new Map<string, string>();
    for (const { d } of earned) {
      const before = seen.get(d.partnerId);
      if (before !== undefined && before.slice(0, 4) === d.quarter.slice(0, 4)) expect(d.quarter > before).toBe(true);
      seen.set(d.partnerId, d.quarter);
    }
    const paid = ofType('RebatePaid');
    expect(paid.length).toBeGreaterThan(0);
    const earnedFen = earned.reduce((s, r) => s + r.d.amountFen, 0);
    expect(paid.reduce((s, p) => s + p.d.amountFen, 0)).toBeLessThanOrEqual(earnedFen);
  });

  it('records along the programme: recordedAt never goes back, starts in the first quarter and ends after the last, before now', async () => {
    const first = quarterStart(quartersEndingWith(options.lastQuarter, options.quarters)[0]!, defaultPolicy.timeZone);
    expect(log[0]!.recordedAt >= first).toBe(true);
    for (let i = 1; i < log.length; i++) expect(log[i]!.recordedAt >= log[i - 1]!.recordedAt).toBe(true);
    expect(log.at(-1)!.recordedAt > quarterEnd(options.lastQuarter, defaultPolicy.timeZone)).toBe(true);
    expect(Date.parse(log.at(-1)!.recordedAt)).toBeLessThan(Date.now());
    for (const e of log) expect(e.occurredAt <= e.recordedAt).toBe(true);
    const store = openSqliteEventStore({ file: sqliteFileFor(dir), readOnly: true });
    try {
      expect(await store.verify()).toMatchObject({ ok: true, events: log.length });
    } finally {
      await store.close();
    }
  });
});

function nextQuarterOf(quarter: string): string {
  const [year, q] = quarter.split('-Q').map(Number) as [number, number];
  return q === 4 ? `${year + 1}-Q1` : `${year}-Q${q + 1}`;
}
