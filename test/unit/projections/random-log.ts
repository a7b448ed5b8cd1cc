// Random ledger logs for property tests: a few partners and customers, every event type, both
// clocks: recordedAt never decreases, occurredAt is often back-dated (up to 60 days).
import fc from 'fast-check';
import type { EventEnvelope } from '../../../src/domain/events.js';
import { LogBuilder } from './envelopes.js';

const partnerIds = ['P-1', 'P-2', 'P-3'] as const;
const customerKeys = ['acme', 'bolt', 'core', 'dyna'] as const;
const stages = ['interest', 'meeting', 'solution', 'trial', 'signed'] as const;
const tiers = ['standard', 'silver', 'gold'] as const;

type Op =
  | { kind: 'sign'; partner: number; tier: number }
  | { kind: 'deposit'; partner: number; amountFen: number }
  | { kind: 'deduct'; partner: number; deductedFen: number; debtFen: number }
  | { kind: 'tier'; partner: number; tier: number }
  | { kind: 'register'; customer: number; partner: number | null }
  | { kind: 'advance'; deal: number; stage: number }
  | { kind: 'lose'; deal: number }
  | { kind: 'transfer'; deal: number; toDeal: number }
  | { kind: 'rule'; deal: number }
  | { kind: 'pay'; deal: number; amountFen: number; rateBps: number }
  | { kind: 'refund'; payment: number; amountFen: number }
  | { kind: 'payout'; partner: number; quarterOffset: number };

const idx = (n: number) => fc.integer({ min: 0, max: n - 1 });
const fen = fc.integer({ min: 1, max: 5_000_000 });

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('sign' as const), partner: idx(3), tier: idx(3) }),
  fc.record({ kind: fc.constant('deposit' as const), partner: idx(3), amountFen: fen }),
  fc.record({ kind: fc.constant('deduct' as const), partner: idx(3), deductedFen: fen, debtFen: fc.integer({ min: 0, max: 100_000 }) }),
  fc.record({ kind: fc.constant('tier' as const), partner: idx(3), tier: idx(3) }),
  fc.record({ kind: fc.constant('register' as const), customer: idx(4), partner: fc.option(idx(3), { nil: null }) }),
  fc.record({ kind: fc.constant('advance' as const), deal: idx(8), stage: idx(5) }),
  fc.record({ kind: fc.constant('lose' as const), deal: idx(8) }),
  fc.record({ kind: fc.constant('transfer' as const), deal: idx(8), toDeal: idx(8) }),
  fc.record({ kind: fc.constant('rule' as const), deal: idx(8) }),
  fc.record({ kind: fc.constant('pay' as const), deal: idx(8), amountFen: fen, rateBps: fc.constantFrom(1000, 2000, 3000, 4000) }),
  fc.record({ kind: fc.constant('refund' as const), payment: idx(10), amountFen: fen }),
  fc.record({ kind: fc.constant('payout' as const), partner: idx(3), quarterOffset: fc.integer({ min: -1, max: 0 }) }),
);

const step = fc.record({
  op,
  gapHours: fc.integer({ min: 0, max: 24 * 20 }),
  backDays: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 60 })),
});

export const randomLogSteps = fc.array(step, { minLength: 15, maxLength: 80, size: 'large' });
export type RandomStep = { op: Op; gapHours: number; backDays: number };

export const quarterOfUtc8 = (iso: string): string => {
  const d = new Date(Date.parse(iso) + 8 * 3_600_000);
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
};

/** Builds envelopes from random steps; ops that name something missing are skipped. */
export function buildLog(steps: readonly RandomStep[]): EventEnvelope[] {
  const b = new LogBuilder();
  let clockMs = Date.parse('2026-01-01T00:00:00.000Z');
  const deals: Array<{ dealId: string; key: string; partnerId: string | null }> = [];
  const payments: Array<{ paymentId: string; key: string; dealId: string; partnerId: string; rateBps: number }> = [];
  const unsettled = new Map<string, Array<{ eventId: string; commissionFen: number }>>();
  let seq = 0;
  for (const s of steps) {
    clockMs += s.gapHours * 3_600_000;
    const recordedAt = new Date(clockMs).toISOString();
    const occurredAt = new Date(clockMs - s.backDays * 86_400_000).toISOString();
    const at = { recordedAt, occurredAt };
    const o = s.op;
    seq++;
    switch (o.kind) {
      case 'sign':
        b.add({ type: 'PartnerSigned', data: { partnerId: partnerIds[o.partner]!, name: `Partner ${o.partner}`, kind: 'relationship', tier: tiers[o.tier]!, parentPartnerId: null, territory: null } }, at);
        break;
      case 'deposit':
        b.add({ type: 'DepositPosted', data: { partnerId: partnerIds[o.partner]!, amountFen: o.amountFen } }, at);
        break;
      case 'deduct':
        b.add({ type: 'DepositDeducted', data: { partnerId: partnerIds[o.partner]!, requestedFen: o.deductedFen + o.debtFen, deductedFen: o.deductedFen, debtFen: o.debtFen, reason: 'test', reference: null } }, at);
        break;
      case 'tier':
        b.add({ type: 'TierChanged', data: { partnerId: partnerIds[o.partner]!, from: 'standard', to: tiers[o.tier]!, reason: 'test', source: 'manual', quarter: null, figures: {} } }, at);
        break;
      case 'register': {
        const key = customerKeys[o.customer]!;
        const partnerId = o.partner === null ? null : partnerIds[o.partner]!;
        const dealId = `D-${deals.length + 1}`;
        deals.push({ dealId, key, partnerId });
        b.add({ type: 'DealRegistered', data: { dealId, customerKey: key, customer: { name: key.toUpperCase(), taxId: null }, match: { by: 'name', input: key, normalised: key }, channel: partnerId === null ? 'direct' : 'partner', partnerId, expectedPorts: seq, expectedRevenueFen: seq * 1000 } }, at);
        break;
      }
      case 'advance': {
        const d = deals[o.deal];
        if (d) b.add({ type: 'DealStageAdvanced', data: { dealId: d.dealId, customerKey: d.key, from: null, stage: stages[o.stage]! } }, at);
        break;
      }
      case 'lose': {
        const d = deals[o.deal];
        if (d) b.add({ type: 'DealLost', data: { dealId: d.dealId, customerKey: d.key, reason: null } }, at);
        break;
      }
      case 'transfer': {
        const d = deals[o.deal];
        const to = deals[o.toDeal];
        if (d && to && d.key === to.key && d !== to) b.add({ type: 'DealTransferred', data: { customerKey: d.key, fromDealId: d.dealId, toDealId: to.dealId, reason: 'idle', ownerIdleDays: 30 } }, at);
        break;
      }
      case 'rule': {
        const d = deals[o.deal];
        if (d) b.add({ type: 'OwnershipRuled', data: { customerKey: d.key, ownerDealId: d.dealId, reason: 'ruling' } }, at);
        break;
      }
      case 'pay': {
        const d = deals[o.deal];
        if (!d) break;
        const paymentId = `PAY-${payments.length + 1}`;
        b.add({ type: 'PaymentReceived', data: { paymentId, customerKey: d.key, dealId: d.dealId, line: 'port', amountFen: o.amountFen, ownerDealId: d.dealId, ownerPartnerId: d.partnerId, noCommissionReason: d.partnerId === null ? 'direct' : null } }, at);
        if (d.partnerId === null) break;
        const commissionFen = Math.floor((o.amountFen * o.rateBps) / 10_000);
        const line = b.add({ type: 'CommissionAccrued', data: { paymentId, customerKey: d.key, dealId: d.dealId, partnerId: d.partnerId, line: 'port', cashFen: o.amountFen, tier: 'gold', commissionYear: 1, rateBps: o.rateBps, commissionFen } }, at);
        payments.push({ paymentId, key: d.key, dealId: d.dealId, partnerId: d.partnerId, rateBps: o.rateBps });
        unsettled.set(d.partnerId, [...(unsettled.get(d.partnerId) ?? []), { eventId: line.eventId, commissionFen }]);
        break;
      }
      case 'refund': {
        const p = payments[o.payment];
        if (!p) break;
        const refundId = `R-${seq}`;
        const commissionFen = Math.floor((o.amountFen * p.rateBps) / 10_000);
        b.add({ type: 'RefundIssued', data: { refundId, paymentId: p.paymentId, customerKey: p.key, amountFen: o.amountFen, reason: 'left' } }, at);
        const line = b.add({ type: 'CommissionClawedBack', data: { refundId, paymentId: p.paymentId, customerKey: p.key, partnerId: p.partnerId, line: 'port', refundedCashFen: o.amountFen, rateBps: p.rateBps, commissionFen } }, at);
        unsettled.set(p.partnerId, [...(unsettled.get(p.partnerId) ?? []), { eventId: line.eventId, commissionFen: -commissionFen }]);
        break;
      }
      case 'payout': {
        const partnerId = partnerIds[o.partner]!;
        const lines = unsettled.get(partnerId) ?? [];
        const quarter = shiftQuarter(quarterOfUtc8(occurredAt), o.quarterOffset);
        const netFen = lines.reduce((sum, l) => sum + l.commissionFen, 0);
        b.add({ type: 'CommissionPaidOut', data: { partnerId, quarter, quarterEnd: occurredAt, throughPosition: '0', lines, netFen, debtRecoveredFen: 0, paidFen: Math.max(0, netFen) } }, at);
        unsettled.set(partnerId, []);
        break;
      }
      default: {
        const never: never = o;
        throw new Error(`unhandled ${JSON.stringify(never)}`);
      }
    }
  }
  return b.log;
}

function shiftQuarter(q: string, offset: number): string {
  const year = Number(q.slice(0, 4));
  const n = Number(q.slice(6)) - 1 + offset;
  const y = year + Math.floor(n / 4);
  return `${y}-Q${(((n % 4) + 4) % 4) + 1}`;
}

export { partnerIds, customerKeys };
