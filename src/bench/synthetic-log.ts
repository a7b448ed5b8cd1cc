// A synthetic but valid ledger log for benchmarks: partners with deposits and quarterly tier
// evaluations and payouts; customers registered (some contested), advanced, signed or lost,
// paying port and conference cash that accrues commission, now and then refunded. Business
// time (occurredAt) advances with the log; about 2% of cash is value-dated a few days back.
// Deterministic for a seed. Appends are grouped so that no stream appears twice in a group.
import { randomUUID } from 'node:crypto';
import type { EventStore, NewEvent } from '../store/event-store.js';
import { customerStream, partnerStream, type LedgerEvent } from '../domain/events.js';

export interface SyntheticOptions {
  events: number;
  partners?: number;
  seed?: number;
  /** Business time of the first event and the span the log covers. */
  startIso?: string;
  spanDays?: number;
  /** Commission of a line: the domain's rounding rule. */
  commissionFen: (cashFen: number, rateBps: number) => number;
  /** Port and conference rates by tier in the first commission year. */
  rateBps: (tier: string, line: 'port' | 'conference', year: number) => number;
  /** Quarter of an instant in the policy's time zone, and its end instant. */
  quarterOf: (iso: string) => string;
  quarterEndOf: (quarter: string) => string;
}

export interface SyntheticAppend {
  stream: string;
  events: NewEvent[];
}

const tiers = ['standard', 'silver', 'gold'] as const;
const stages = ['interest', 'meeting', 'solution', 'trial', 'signed'] as const;
const system = { role: 'system' as const, id: 'bench' };

/** Small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Customer {
  key: string;
  dealId: string;
  partnerId: string | null;
  rivalDealId: string | null;
  stageIndex: number;
  signedAtMs: number;
  payments: Array<{ paymentId: string; line: 'port' | 'conference'; amountFen: number; rateBps: number; refunded: boolean }>;
  done: boolean;
}

interface PartnerState {
  id: string;
  tier: string;
  unsettled: Array<{ eventId: string; commissionFen: number }>;
}

export function* syntheticLog(o: SyntheticOptions): Generator<SyntheticAppend> {
  const rnd = prng(o.seed ?? 42);
  const partnerCount = o.partners ?? 100;
  const startMs = Date.parse(o.startIso ?? '2023-01-01T00:00:00.000Z');
  const spanMs = (o.spanDays ?? 1_095) * 86_400_000;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  let emitted = 0;
  const timeMs = (): number => startMs + Math.floor((spanMs * emitted) / o.events);
  const iso = (ms: number): string => new Date(ms).toISOString();
  const ev = (event: LedgerEvent, occurredMs: number): NewEvent => ({ ...event, eventId: randomUUID(), occurredAt: iso(occurredMs), actor: system });

  const partners: PartnerState[] = [];
  for (let i = 1; i <= partnerCount; i++) {
    const id = `P-${String(i).padStart(4, '0')}`;
    partners.push({ id, tier: 'standard', unsettled: [] });
    const at = timeMs();
    const events = [
      ev({ type: 'PartnerSigned', data: { partnerId: id, name: `Partner ${i}`, kind: 'relationship', tier: 'standard', parentPartnerId: null, territory: null } }, at),
      ev({ type: 'DepositPosted', data: { partnerId: id, amountFen: 5_000_00 } }, at),
    ];
    emitted += events.length;
    yield { stream: partnerStream(id), events };
  }

  const active: Customer[] = [];
  let customerSeq = 0;
  let quarter = o.quarterOf(iso(timeMs()));
  const activeTarget = 2_000;

  while (emitted < o.events) {
    const nowMs = timeMs();
    const nowQuarter = o.quarterOf(iso(nowMs));
    if (nowQuarter !== quarter) {
      for (const a of closeQuarter(quarter)) yield a;
      quarter = nowQuarter;
      continue;
    }
    if (active.length < activeTarget) {
      yield registerCustomer(nowMs);
      continue;
    }
    const index = Math.floor(rnd() * active.length);
    const c = active[index] as Customer;
    const step = stepCustomer(c, nowMs);
    if (c.done) active.splice(index, 1);
    if (step) yield step;
  }

  function registerCustomer(nowMs: number): SyntheticAppend {
    customerSeq++;
    const key = `bench-customer-${customerSeq}`;
    const partnerId = rnd() < 0.05 ? null : pick(partners).id;
    const c: Customer = { key, dealId: `D-${customerSeq}`, partnerId, rivalDealId: null, stageIndex: -1, signedAtMs: 0, payments: [], done: false };
    const register = (dealId: string, p: string | null): NewEvent =>
      ev(
        {
          type: 'DealRegistered',
          data: {
            dealId,
            customerKey: key,
            customer: { name: `Customer ${customerSeq}`, taxId: null },
            match: { by: 'name', input: `Customer ${customerSeq}`, normalised: key },
            channel: p === null ? 'direct' : 'partner',
            partnerId: p,
            expectedPorts: 10 + Math.floor(rnd() * 500),
            expectedRevenueFen: (1 + Math.floor(rnd() * 100)) * 10_000_00,
          },
        },
        nowMs,
      );
    const events = [register(c.dealId, partnerId)];
    if (rnd() < 0.1) {
      c.rivalDealId = `D-${customerSeq}-r`;
      events.push(register(c.rivalDealId, pick(partners).id));
    }
    active.push(c);
    emitted += events.length;
    return { stream: customerStream(key), events };
  }

  function stepCustomer(c: Customer, nowMs: number): SyntheticAppend | null {
    const stream = customerStream(c.key);
    if (c.stageIndex < stages.length - 1) {
      if (rnd() < 0.05) {
        c.done = true;
        emitted++;
        return { stream, events: [ev({ type: 'DealLost', data: { dealId: c.dealId, customerKey: c.key, reason: null } }, nowMs)] };
      }
      const from = c.stageIndex < 0 ? null : (stages[c.stageIndex] ?? null);
      c.stageIndex++;
      const stage = stages[c.stageIndex] ?? 'signed';
      if (stage === 'signed') c.signedAtMs = nowMs;
      emitted++;
      return { stream, events: [ev({ type: 'DealStageAdvanced', data: { dealId: c.dealId, customerKey: c.key, from, stage } }, nowMs)] };
    }
    if (c.payments.length >= 12 || nowMs - c.signedAtMs >= 365 * 86_400_000) {
      c.done = true;
      return null;
    }
    const refundable = c.payments.find((p) => !p.refunded && p.line === 'port');
    if (refundable && rnd() < 0.05 && c.partnerId !== null) return refund(c, refundable, nowMs);
    return pay(c, nowMs);
  }

  function pay(c: Customer, nowMs: number): SyntheticAppend {
    const line = c.payments.length === 0 || rnd() < 0.2 ? 'port' : 'conference';
    const amountFen = (1 + Math.floor(rnd() * 50)) * (line === 'port' ? 1_000_00 : 100_00) + Math.floor(rnd() * 100);
    const backDays = rnd() < 0.02 ? 1 + Math.floor(rnd() * 5) : 0;
    const atMs = Math.max(c.signedAtMs, nowMs - backDays * 86_400_000);
    const paymentId = `PAY-${c.key}-${c.payments.length + 1}`;
    const partner = c.partnerId === null ? null : partners.find((p) => p.id === c.partnerId) ?? null;
    const events: NewEvent[] = [
      ev(
        {
          type: 'PaymentReceived',
          data: {
            paymentId,
            customerKey: c.key,
            dealId: c.dealId,
            line,
            amountFen,
            ownerDealId: c.dealId,
            ownerPartnerId: c.partnerId,
            noCommissionReason: partner === null ? 'direct sales earn no commission' : null,
          },
        },
        atMs,
      ),
    ];
    let rateBps = 0;
    if (partner) {
      rateBps = o.rateBps(partner.tier, line, 1);
      const commissionFen = o.commissionFen(amountFen, rateBps);
      const accrued = ev(
        {
          type: 'CommissionAccrued',
          data: { paymentId, customerKey: c.key, dealId: c.dealId, partnerId: partner.id, line, cashFen: amountFen, tier: partner.tier, commissionYear: 1, rateBps, commissionFen },
        },
        atMs,
      );
      events.push(accrued);
      partner.unsettled.push({ eventId: accrued.eventId, commissionFen });
    }
    c.payments.push({ paymentId, line, amountFen, rateBps, refunded: false });
    emitted += events.length;
    return { stream: customerStream(c.key), events };
  }

  function refund(c: Customer, p: Customer['payments'][number], nowMs: number): SyntheticAppend {
    p.refunded = true;
    const refundId = `R-${p.paymentId}`;
    const refundedCashFen = Math.max(1, Math.floor(p.amountFen / 4));
    const commissionFen = o.commissionFen(refundedCashFen, p.rateBps);
    const partner = partners.find((x) => x.id === c.partnerId) as PartnerState;
    const clawed = ev(
      {
        type: 'CommissionClawedBack',
        data: { refundId, paymentId: p.paymentId, customerKey: c.key, partnerId: partner.id, line: p.line, refundedCashFen, rateBps: p.rateBps, commissionFen },
      },
      nowMs,
    );
    partner.unsettled.push({ eventId: clawed.eventId, commissionFen: -commissionFen });
    const events = [ev({ type: 'RefundIssued', data: { refundId, paymentId: p.paymentId, customerKey: c.key, amountFen: refundedCashFen, reason: 'left early' } }, nowMs), clawed];
    emitted += events.length;
    return { stream: customerStream(c.key), events };
  }

  function* closeQuarter(q: string): Generator<SyntheticAppend> {
    const endIso = o.quarterEndOf(q);
    const atMs = Date.parse(endIso);
    for (const partner of partners) {
      const events: NewEvent[] = [];
      if (rnd() < 0.2) {
        const to = pick(tiers.filter((t) => t !== partner.tier));
        events.push(ev({ type: 'TierChanged', data: { partnerId: partner.id, from: partner.tier, to, reason: 'quarterly evaluation', source: 'evaluation', quarter: q, figures: { signedCustomers: 0 } } }, atMs));
        partner.tier = to;
      }
      const netFen = partner.unsettled.reduce((s, l) => s + l.commissionFen, 0);
      if (partner.unsettled.length > 0 && netFen >= 0) {
        events.push(
          ev(
            {
              type: 'CommissionPaidOut',
              data: { partnerId: partner.id, quarter: q, quarterEnd: endIso, throughPosition: '0', lines: partner.unsettled, netFen, debtRecoveredFen: 0, paidFen: netFen },
            },
            atMs,
          ),
        );
        partner.unsettled = [];
      }
      if (events.length > 0) {
        emitted += events.length;
        yield { stream: partnerStream(partner.id), events };
      }
    }
  }
}

/** Appends the synthetic log through the store: groups of distinct streams appended concurrently. */
export async function appendSyntheticLog(
  store: EventStore,
  options: SyntheticOptions,
  onProgress?: (events: number) => void,
  inFlight = 64,
): Promise<number> {
  let group: SyntheticAppend[] = [];
  let streams = new Set<string>();
  let written = 0;
  const flush = async (): Promise<void> => {
    await Promise.all(group.map((a) => store.append(a.stream, a.events, 'any')));
    written += group.reduce((s, a) => s + a.events.length, 0);
    onProgress?.(written);
    group = [];
    streams = new Set();
  };
  for (const append of syntheticLog(options)) {
    if (streams.has(append.stream) || group.length >= inFlight) await flush();
    group.push(append);
    streams.add(append.stream);
  }
  await flush();
  return written;
}
