// The demo programme as a plan: every partner, every customer's story (claims, weekly stage
// progress, conflicts, cash, refunds), the reseller's traffic, the rebate programme
// (commitments, purchases, a locked agent, rebate evaluations and payments) and the quarterly
// payouts and tier evaluations, as commands with their business time (occurredAt) and the
// instant the ledger records them (recordedAt). Pure: the same options and seed give the same plan. The executor (generate.ts)
// sends each command through the real command functions, so every rule of the ledger applies.
import type { Actor } from '../domain/events.js';
import type { Stage } from '../domain/customer.js';
import type { PartnerKind } from '../domain/partner.js';
import { nextQuarter, parseQuarter, quarterEnd, quarterStart } from '../domain/quarter.js';
import {
  DAY_MS,
  HOUR_MS,
  LOCAL_OFFSET_MS,
  financeSlotAfter,
  iso,
  localAt,
  localDayOf,
  registrationSlotAfter,
  weeklyReportAfter,
  workingDayAt,
  workingInstantAfter,
} from './calendar.js';
import { customerIdentity, otherSpelling, partnerName } from './names.js';
import { hashLabel, Prng } from './prng.js';

export interface DemoOptions {
  seed: number;
  /** Partners signed (default programme: 80 → 10 gold, 20 silver, 50 standard). */
  partners: number;
  customers: number;
  /** Quarters of history, ending with lastQuarter. */
  quarters: number;
  /** The last quarter of the programme, e.g. "2026-Q3"; its payout and evaluation follow it. */
  lastQuarter: string;
  /** The policy's time zone (quarters). */
  timeZone: string;
}

export const DEMO_LIMITS = { partners: [4, 10_000], customers: [1, 1_000_000], quarters: [1, 40] } as const;

/** One port costs the customer 1,200.00 CNY a year. */
export const PORT_FEE_FEN_PER_YEAR = 120_000;

export const demoActors = {
  channelManager: { role: 'manager', id: 'channel-manager-li' },
  keyAccountManager: { role: 'manager', id: 'key-account-manager-zhou' },
  finance: { role: 'finance', id: 'finance-zhao' },
} as const satisfies Record<string, Actor>;

export interface PartnerPlan {
  index: number;
  partnerId: string;
  name: string;
  kind: PartnerKind;
  tier: 'gold' | 'silver' | 'standard';
  parentPartnerId: string | null;
  territory: string;
  /** Nominal customers signed a quarter: how much of the flow of new customers it gets. */
  strength: number;
  signAt: number;
}

export interface ClaimPlan {
  dealId: string;
  /** null: the direct sales team. */
  partnerId: string | null;
  customer: { name: string; taxId: string | null };
  expectedPorts: number;
  expectedRevenueFen: number;
  /** False when its registration would fall after the programme's end. */
  registered: boolean;
}

export type Scenario =
  | 'single'
  | 'competing-partners'
  | 'tie-with-direct'
  | 'direct-later'
  | 'direct-only'
  | 'transfer'
  | 'ruling'
  | 'lost'
  | 'lost-passes-on';

export interface CustomerPlan {
  index: number;
  key: string;
  scenario: Scenario;
  claims: ClaimPlan[];
  /** The owning claim's signing (the vendor's confirmation), when the story signs. */
  signed?: { claim: number; signedMs: number; recordedMs: number };
}

export type RevenueLine = 'port' | 'conference' | 'long-distance' | 'asp';

export type DemoCommand =
  | { op: 'signPartner'; partner: number }
  | { op: 'postDeposit'; partner: number; amountFen: number | 'shortfall' }
  | { op: 'deductDeposit'; partner: number; amountFen: number; reason: string; reference: string }
  | { op: 'registerDeal'; customer: number; claim: number }
  | { op: 'advanceStage'; customer: number; claim: number; stage: Stage | 'lost'; reason: string | null }
  /** The week's revised estimates of an open deal, from the same weekly report as its stage. */
  | { op: 'reviseForecast'; customer: number; claim: number; expectedPorts: number; expectedRevenueFen: number }
  /** A manager proposes the handover (two departments agree: another manager approves or rejects it). */
  | { op: 'transferDeal'; customer: number; from: number; to: number; reason: string; transferId: string }
  | { op: 'approveTransfer'; customer: number; transferId: string }
  | { op: 'rejectTransfer'; customer: number; transferId: string; reason: string }
  | { op: 'ruleOwnership'; customer: number; claim: number; reason: string }
  /** The owning claim's contract to the vendor: by its partner through the portal, or by a manager (direct sales). */
  | { op: 'submitContract'; customer: number; claim: number; ports: number; contractValueFen: number }
  /** The vendor's confirmation: the signing, at signedAt (the action's occurredAt). */
  | { op: 'confirmContract'; customer: number; claim: number; signedAt: number }
  | { op: 'rejectContract'; customer: number; claim: number; reason: string }
  | { op: 'receivePayment'; customer: number; claim: number; paymentId: string; line: RevenueLine; amountFen: number }
  | { op: 'issueRefund'; customer: number; refundId: string; paymentId: string; amountFen: number; reason: string }
  | { op: 'evaluateTiers'; quarter: string }
  | { op: 'payOut'; quarter: string }
  | { op: 'billTraffic'; partner: number; billId: string; period: string; amountFen: number }
  | { op: 'settleTraffic'; partner: number; settlementId: string; amountFen: number }
  | { op: 'setCommitment'; partner: number; year: number; amountFen: number }
  | { op: 'recordPurchase'; partner: number; purchaseId: string; amountFen: number; highEnd: boolean; bid: boolean }
  | { op: 'lockToDistributor'; partner: number; distributor: number }
  | { op: 'evaluateRebates'; quarter: string }
  /** Pays the rebate the partner is owed by its current payer: all of it, or half. */
  | { op: 'payRebate'; partner: number; rebatePaymentId: string; share: 'all' | 'half' }
  /** A bill to one of the partner's signed customers, for the partner to collect (due 30 days later). */
  | { op: 'recordCustomerBill'; partner: number; customer: number; claim: number; billId: string; amountFen: number; dueAt: number }
  | { op: 'collectCustomerBill'; partner: number; billId: string; collectionId: string; amountFen: number }
  /** A manager records that the bill's arrears come from the vendor's own service-quality fault. */
  | { op: 'exemptArrears'; partner: number; billId: string; reason: string }
  /** Finance deducts every partner's arrears past the policy's grace period as of the action's instant. */
  | { op: 'deductArrears' };

/** Partner streams first in an instant, then customers, then the programme-wide commands. */
export type Phase = 0 | 1 | 2;

export interface DemoAction {
  /** recordedAt: the instant the ledger's clock shows when the command is sent (epoch ms). */
  at: number;
  /** occurredAt sent with the command (manager and finance back-fill); null: the ledger's clock. */
  occurredAt: number | null;
  phase: Phase;
  /** Order inside an instant and phase: the owner's index, then the story's order. */
  rank: number;
  /** The stream the command writes ('*' for the programme-wide ones). */
  stream: string;
  actor: Actor;
  /** The weekly report, the bank statement, … the command came in with. */
  correlationId: string;
  command: DemoCommand;
}

export interface DemoPlan {
  options: DemoOptions;
  quarters: string[];
  /** First instant of the first quarter. */
  startMs: number;
  /** Last instant of the last quarter. */
  endMs: number;
  /** The last command's recordedAt: the programme ends here. */
  horizonMs: number;
  partners: PartnerPlan[];
  customers: CustomerPlan[];
  /** Every planned command in the order it is sent (by recordedAt, phase, rank). */
  actions: DemoAction[];
}

// ---- shape of the programme -----------------------------------------------------------------

/** 10 gold, 20 silver, 50 standard for 80 partners; the same proportions for other counts. */
export function tierCounts(partners: number): { gold: number; silver: number; standard: number } {
  const gold = Math.max(1, Math.round(partners / 8));
  const silver = Math.max(1, Math.round(partners / 4));
  const standard = partners - gold - silver;
  if (standard < 2) throw new RangeError(`${partners} partners leave ${standard} standard partners; the demo needs at least 4 partners`);
  return { gold, silver, standard };
}

const SCENARIO_WEIGHTS: Readonly<Record<Scenario, number>> = {
  single: 56,
  'competing-partners': 9,
  'tie-with-direct': 4,
  'direct-later': 4,
  'direct-only': 7,
  transfer: 5,
  ruling: 3,
  lost: 8,
  'lost-passes-on': 4,
};

const LOST_REASONS = [
  'customer chose a competitor for voice',
  'budget cut for this year',
  'project cancelled after a merger',
  'customer kept its old operator after a price match',
];
const CONTRACT_REJECTIONS = [
  'the port count does not match the order form',
  "the customer's company seal is missing on the last page",
  "the price schedule is not the programme's current one",
];
const HANDOVER_REJECTIONS = [
  'the owner reports a trial booked for next week; the key-account department keeps waiting',
  'the owner asked for two more weeks; the key-account department agrees to wait',
];
const RULING_FOR_DIRECT = [
  'key account since 2019; channel committee ruling',
  'framework contract held by the key-account department; committee ruling',
];
const RULING_FOR_PARTNER = [
  'channel committee confirms the first registration; the key-account claim came later',
  'the partner introduced the customer; committee ruling after mediation',
];

const DEPOSIT_FEN = { gold: 9_000_000, silver: 4_000_000, standard: 500_000, wholesaleVoice: 10_000_000 } as const;

/** Reasons a manager records when a customer's arrears come from the vendor's own service quality. */
const VENDOR_FAULTS = [
  "the vendor's voice platform dropped the customer's calls for three weeks; the customer withheld payment",
  "the vendor's conference bridges failed the customer all month; arrears are the vendor's fault",
];

/** The reseller's traffic in its spike month: past any deposit it holds, so service stops at the deposit. */
const TRAFFIC_SPIKE_FEN = 40_000_000;

/** Stage gaps in days (min, max) and the chance a partner skips the stage in its report. */
const STAGE_STEPS: ReadonlyArray<{ stage: Stage; gapDays: [number, number]; skip: number }> = [
  { stage: 'interest', gapDays: [2, 9], skip: 0 },
  { stage: 'meeting', gapDays: [4, 14], skip: 0.1 },
  { stage: 'solution', gapDays: [5, 18], skip: 0 },
  { stage: 'trial', gapDays: [7, 21], skip: 0.25 },
  { stage: 'signed', gapDays: [5, 25], skip: 0 },
];

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const dateOf = (ms: number): string => iso(ms).slice(0, 10);

export function quartersEndingWith(lastQuarter: string, count: number): string[] {
  parseQuarter(lastQuarter);
  const { year, q } = parseQuarter(lastQuarter);
  const first = year * 4 + (q - 1) - (count - 1);
  const list: string[] = [];
  for (let i = first; i <= year * 4 + (q - 1); i++) list.push(`${Math.floor(i / 4)}-Q${(i % 4) + 1}`);
  return list;
}

/** The quarter before the one `nowMs` falls in, once its payout is done (else the one before). */
export function lastCompleteQuarter(nowMs: number, timeZone: string): string {
  const year = new Date(nowMs).getUTCFullYear();
  let quarter = `${year + 1}-Q1`;
  while (Date.parse(quarterEnd(quarter, timeZone)) + 14 * DAY_MS >= nowMs) quarter = previousQuarter(quarter);
  return quarter;
}

function previousQuarter(quarter: string): string {
  const { year, q } = parseQuarter(quarter);
  return q === 1 ? `${year - 1}-Q4` : `${year}-Q${q - 1}`;
}

export function validateOptions(o: DemoOptions): void {
  const within = (name: keyof typeof DEMO_LIMITS, value: number): void => {
    const [low, high] = DEMO_LIMITS[name];
    if (!Number.isSafeInteger(value) || value < low || value > high) throw new RangeError(`--${name} must be a whole number from ${low} to ${high}, got ${value}`);
  };
  within('partners', o.partners);
  within('customers', o.customers);
  within('quarters', o.quarters);
  if (!Number.isSafeInteger(o.seed) || o.seed < 0) throw new RangeError(`--seed must be a whole number ≥ 0, got ${o.seed}`);
  parseQuarter(o.lastQuarter);
}

// ---- the plan -------------------------------------------------------------------------------

/** The programme's timetable: payouts and evaluations of a quarter come early in the next one. */
function afterQuarter(quarter: string, timeZone: string): { evaluateAt: number; payoutAt: number; nextStart: number } {
  const nextStart = Date.parse(quarterStart(nextQuarter(quarter), timeZone));
  return { nextStart, evaluateAt: workingDayAt(nextStart + 4 * DAY_MS, 10), payoutAt: workingDayAt(nextStart + 8 * DAY_MS, 16) };
}

export function planDemo(options: DemoOptions): DemoPlan {
  validateOptions(options);
  const root = new Prng(options.seed);
  const quarters = quartersEndingWith(options.lastQuarter, options.quarters);
  const startMs = Date.parse(quarterStart(quarters[0]!, options.timeZone));
  const endMs = Date.parse(quarterEnd(options.lastQuarter, options.timeZone));
  const last = afterQuarter(options.lastQuarter, options.timeZone);
  /** Customer commands are recorded before the last quarter's evaluation. */
  const customerCutoff = last.evaluateAt - HOUR_MS;
  const builder = new PlanBuilder(options, startMs, endMs, customerCutoff);
  const partners = planPartners(root.fork('partners'), options, startMs, endMs);
  builder.addPartners(partners, root.fork('partner-money'));
  const picker = new PartnerPicker(partners, startMs, endMs);
  const offsets = { name: root.fork('names').int(0, 900_000), code: root.fork('codes').int(0, 2 ** 40) };
  const customers: CustomerPlan[] = [];
  for (let index = 0; index < options.customers; index++) {
    customers.push(builder.addCustomer(index, root.fork(`customer-${index}`), picker, offsets));
  }
  for (const quarter of quarters) builder.addQuarterEnd(quarter);
  builder.addTraffic(root.fork('traffic'));
  builder.addArrears(root.fork('arrears'), quarters, customers);
  builder.addRebates(root.fork('rebates'), quarters);
  const actions = builder.sorted();
  return { options, quarters, startMs, endMs, horizonMs: actions.at(-1)?.at ?? startMs, partners, customers, actions };
}

function planPartners(rng: Prng, options: DemoOptions, startMs: number, endMs: number): PartnerPlan[] {
  const counts = tierCounts(options.partners);
  const nameOffset = rng.int(0, 900_000);
  const partners: PartnerPlan[] = [];
  const golds: PartnerPlan[] = [];
  const wholesaleIndex = counts.gold + counts.silver;
  const spanMs = endMs - startMs;
  for (let index = 0; index < options.partners; index++) {
    const tier = index < counts.gold ? 'gold' : index < counts.gold + counts.silver ? 'silver' : 'standard';
    const name = partnerName(index, nameOffset);
    let kind: PartnerKind;
    let parentPartnerId: string | null = null;
    let strength: number;
    let signAt: number;
    if (tier === 'gold') {
      kind = rng.pick(['virtual-operator', 'development', 'relationship'] as const);
      strength = rng.int(100, 180) / 10;
      signAt = workingInstantAfter(rng, startMs + rng.int(0, 2) * DAY_MS);
    } else if (tier === 'silver') {
      kind = rng.pick(['development', 'virtual-operator', 'development', 'relationship'] as const);
      strength = rng.int(40, 80) / 10;
      signAt = workingInstantAfter(rng, startMs + rng.int(3, 12) * DAY_MS);
    } else if (index === wholesaleIndex) {
      kind = 'wholesale-voice';
      strength = 1.5;
      signAt = workingInstantAfter(rng, startMs + rng.int(3, 12) * DAY_MS);
    } else {
      const child = rng.chance(0.4);
      kind = child ? 'relationship' : 'development';
      if (child) parentPartnerId = golds[index % golds.length]!.partnerId;
      strength = rng.int(3, 20) / 10;
      // Most standard partners join in the first month; some join during the first year.
      const late = rng.chance(0.15) && spanMs > 180 * DAY_MS;
      signAt = workingInstantAfter(rng, startMs + (late ? rng.int(30, Math.min(365, Math.floor(spanMs / DAY_MS / 2))) : rng.int(7, 28)) * DAY_MS);
    }
    const partner: PartnerPlan = {
      index,
      partnerId: `P-${pad(index + 1, options.partners >= 1000 ? 5 : 3)}`,
      name: kind === 'wholesale-voice' ? name.replace(/(通信|网络科技|信息技术|电信服务|数据通信|信息系统)有限公司$/, '语音批发有限公司') : name,
      kind,
      tier,
      parentPartnerId,
      territory: name.slice(0, 2),
      strength,
      signAt,
    };
    if (tier === 'gold') golds.push(partner);
    partners.push(partner);
  }
  assignRebateKinds(partners, counts);
  for (const p of partners) {
    const parent = p.parentPartnerId === null ? null : partners.find((q) => q.partnerId === p.parentPartnerId)!;
    if (parent && parent.signAt >= p.signAt) throw new Error(`demo: partner ${p.partnerId} would sign before its parent ${parent.partnerId}`);
  }
  return partners;
}

/**
 * The rebate programme's partners: the last silver partner becomes a distributor and the last
 * two standard partners without a parent (not the reseller) value-added agents. Their tiers
 * stay, so the 1:2:5 shape holds; no relationship partner changes kind.
 */
function assignRebateKinds(partners: PartnerPlan[], counts: { gold: number; silver: number }): void {
  const distributor = partners[counts.gold + counts.silver - 1];
  if (!distributor || distributor.tier !== 'silver' || distributor.parentPartnerId !== null) throw new Error('demo: no silver partner to make a distributor');
  distributor.kind = 'distributor';
  const agents = partners.filter((p) => p.tier === 'standard' && p.parentPartnerId === null && p.kind !== 'wholesale-voice').slice(-2);
  for (const agent of agents) agent.kind = 'value-added-agent';
}

/** Local (UTC+8) first instant of month `month` (0-based, may overflow) of `year`. */
const localMonthStart = (year: number, month: number): number => Date.UTC(year, month, 1) - LOCAL_OFFSET_MS;
const periodOf = (ms: number): string => iso(ms + LOCAL_OFFSET_MS).slice(0, 7);

/** Picks partners by the share of new customers they win, among those signed by then. */
class PartnerPicker {
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(
    readonly partners: readonly PartnerPlan[],
    startMs: number,
    endMs: number,
  ) {
    let sum = 0;
    for (const p of partners) {
      const activeShare = Math.max(0, endMs - Math.max(startMs, p.signAt)) / (endMs - startMs);
      sum += p.strength * activeShare;
      this.cumulative.push(sum);
    }
    this.total = sum;
  }

  weighted(rng: Prng): PartnerPlan {
    const r = rng.next() * this.total;
    const index = this.cumulative.findIndex((c) => c > r);
    return this.partners[index < 0 ? this.partners.length - 1 : index]!;
  }

  /** Another partner signed at least a day before `atMs`, or null. */
  other(rng: Prng, not: PartnerPlan, atMs: number): PartnerPlan | null {
    for (let attempt = 0; attempt < 20; attempt++) {
      const p = this.weighted(rng);
      if (p !== not && p.kind !== 'wholesale-voice' && p.signAt + DAY_MS * 2 <= atMs) return p;
    }
    return null;
  }
}

interface Pending extends Omit<DemoAction, 'rank'> {
  /** Order inside the story when two commands share an instant. */
  order: number;
}

class PlanBuilder {
  private readonly actions: DemoAction[] = [];
  private paymentCount = 0;
  private refundCount = 0;
  private transferCount = 0;
  private handoverRejected = false;
  private dealCount = 0;
  private partnerPlans: PartnerPlan[] = [];

  constructor(
    readonly options: DemoOptions,
    readonly startMs: number,
    readonly endMs: number,
    /** Customer commands recorded after this are left out (the programme's end). */
    readonly customerCutoff: number,
  ) {}

  sorted(): DemoAction[] {
    return this.actions.sort((a, b) => a.at - b.at || a.phase - b.phase || a.rank - b.rank);
  }

  // ---- partners ----

  addPartners(partners: PartnerPlan[], rng: Prng): void {
    this.partnerPlans = partners;
    for (const p of partners) {
      const stream = `partner-${p.partnerId}`;
      const signedRecorded = workingDayAt(p.signAt, 17, 30);
      const rank = p.index * 100;
      this.push({ at: signedRecorded, occurredAt: p.signAt, phase: 0, rank, stream, actor: demoActors.channelManager, correlationId: `agreement-${p.partnerId}`, command: { op: 'signPartner', partner: p.index } });
      const required = p.kind === 'wholesale-voice' ? DEPOSIT_FEN.wholesaleVoice : DEPOSIT_FEN[p.tier];
      const extra = p.tier === 'standard' && rng.chance(0.2) ? rng.int(1, 10) * 100_000 : 0;
      const paidAt = workingInstantAfter(rng, signedRecorded + rng.int(1, 6) * DAY_MS);
      const bookedAt = financeSlotAfter(paidAt + DAY_MS);
      this.push({ at: bookedAt, occurredAt: paidAt, phase: 0, rank: rank + 1, stream, actor: demoActors.finance, correlationId: `bank-statement-${dateOf(bookedAt)}`, command: { op: 'postDeposit', partner: p.index, amountFen: required + extra } });
    }
  }

  // ---- customer bills and arrears -----------------------------------------------------------

  /**
   * Customer bills the partners are to collect: each quarter after the first, two signed
   * customers of partners (not the reseller) are billed, due 30 days later. One partner collects
   * part of its bill and leaves the rest uncollected (deducted from its deposit once the 90-day
   * grace period has run out); of the other bill, every other quarter a manager finds the arrears
   * are the vendor's service-quality fault (never deducted), else the partner collects it in
   * full. After each quarter finance runs the arrears deduction (POST /arrears-deductions).
   */
  addArrears(rng: Prng, quarters: readonly string[], customers: readonly CustomerPlan[]): void {
    const zone = this.options.timeZone;
    quarters.forEach((quarter, i) => {
      if (i === 0) return;
      const qStart = Date.parse(quarterStart(quarter, zone));
      const issuedAt = workingInstantAfter(rng, qStart + rng.int(5, 20) * DAY_MS);
      const candidates = customers.filter((c) => {
        const partnerId = c.signed === undefined ? null : c.claims[c.signed.claim]!.partnerId;
        const p = partnerId === null ? undefined : this.partnerPlans.find((q) => q.partnerId === partnerId);
        return p !== undefined && p.kind !== 'wholesale-voice' && c.signed!.recordedMs < issuedAt;
      });
      const billed = new Set<number>();
      for (const story of ['arrears', i % 2 === 1 ? 'vendor-fault' : 'collected'] as const) {
        const left = candidates.filter((c) => !billed.has(c.index));
        if (left.length === 0) return;
        const customer = rng.pick(left);
        billed.add(customer.index);
        const signed = customer.signed!;
        const p = this.partner(customer.claims[signed.claim]!.partnerId!);
        const stream = `partner-${p.partnerId}`;
        const rank = p.index * 100 + 10 + (i % 10);
        const billId = `CB-${quarter}-${pad(customer.index, 5)}`;
        const dueAt = issuedAt + 30 * DAY_MS;
        const amountFen = rng.int(20, 200) * 10_000;
        const booked = (occurredAt: number) => financeSlotAfter(occurredAt + HOUR_MS);
        this.push({ at: booked(issuedAt), occurredAt: issuedAt, phase: 0, rank, stream, actor: demoActors.finance, correlationId: `customer-billing-${dateOf(issuedAt)}`, command: { op: 'recordCustomerBill', partner: p.index, customer: customer.index, claim: signed.claim, billId, amountFen, dueAt } });
        if (story === 'vendor-fault') {
          const decidedAt = workingDayAt(dueAt + rng.int(10, 30) * DAY_MS, 15);
          this.push({ at: decidedAt, occurredAt: decidedAt, phase: 0, rank: rank + 2, stream, actor: demoActors.channelManager, correlationId: `service-review-${dateOf(decidedAt)}`, command: { op: 'exemptArrears', partner: p.index, billId, reason: rng.pick(VENDOR_FAULTS) } });
          continue;
        }
        // the partner collects part of it (the rest stays arrears), or all of it, before it falls due
        const collectedAt = workingInstantAfter(rng, issuedAt + rng.int(10, 25) * DAY_MS);
        const part = story === 'arrears' ? ((amountFen - (amountFen % 100)) / 100) * rng.int(30, 70) : amountFen;
        this.push({ at: booked(collectedAt), occurredAt: collectedAt, phase: 0, rank: rank + 1, stream, actor: demoActors.finance, correlationId: `bank-statement-${dateOf(booked(collectedAt))}`, command: { op: 'collectCustomerBill', partner: p.index, billId, collectionId: `CC-${quarter}-${pad(customer.index, 5)}`, amountFen: part } });
      }
    });
    for (const quarter of quarters) {
      const t = afterQuarter(quarter, zone);
      const at = t.evaluateAt + 2 * HOUR_MS;
      this.push({ at, occurredAt: at, phase: 2, rank: 3, stream: '*', actor: demoActors.finance, correlationId: `arrears-deduction-${quarter}`, command: { op: 'deductArrears' } });
    }
  }

  addQuarterEnd(quarter: string): void {
    const t = afterQuarter(quarter, this.options.timeZone);
    const occurred = t.nextStart;
    this.push({ at: t.evaluateAt, occurredAt: occurred, phase: 2, rank: 0, stream: '*', actor: demoActors.channelManager, correlationId: `tier-evaluation-${quarter}`, command: { op: 'evaluateTiers', quarter } });
    this.push({ at: t.payoutAt, occurredAt: t.payoutAt, phase: 2, rank: 1, stream: '*', actor: demoActors.finance, correlationId: `payout-${quarter}`, command: { op: 'payOut', quarter } });
  }

  // ---- wholesale-voice traffic -----------------------------------------------------------

  /**
   * The reseller's monthly traffic: early each month finance bills the previous month's traffic
   * (period "YYYY-MM"); the settlement follows 10-20 days later, now and then leaving a little
   * outstanding, which the next settlement clears. Bills stay well under the 100,000 CNY
   * deposit, except the second month's: a spike that reaches the deposit, so the reseller's
   * credit is suspended (service stops: the executor bills what was left of the deposit) until
   * its settlement resumes it.
   */
  addTraffic(rng: Prng): void {
    const reseller = this.partnerPlans.find((p) => p.kind === 'wholesale-voice');
    if (!reseller) return;
    const stream = `partner-${reseller.partnerId}`;
    const firstBillFrom = workingDayAt(reseller.signAt, 17, 30) + 20 * DAY_MS;
    const startLocal = new Date(reseller.signAt + LOCAL_OFFSET_MS);
    let outstandingFen = 0;
    let seq = 0;
    for (let m = 1; ; m++) {
      const monthStart = localMonthStart(startLocal.getUTCFullYear(), startLocal.getUTCMonth() + m);
      const billedAt = workingDayAt(monthStart + rng.int(1, 4) * DAY_MS, 10);
      if (billedAt > this.endMs - 25 * DAY_MS) break;
      if (billedAt < firstBillFrom) continue;
      seq += 1;
      const period = periodOf(monthStart - DAY_MS);
      const usualFen = rng.int(150, 450) * 10_000 + rng.int(0, 9_999);
      const amountFen = seq === 2 ? TRAFFIC_SPIKE_FEN : usualFen;
      const billAt = financeSlotAfter(billedAt + HOUR_MS);
      const rank = reseller.index * 100 + 40;
      this.push({ at: billAt, occurredAt: billedAt, phase: 0, rank, stream, actor: demoActors.finance, correlationId: `traffic-bill-${period}`, command: { op: 'billTraffic', partner: reseller.index, billId: `TB-${period}`, period, amountFen } });
      outstandingFen += amountFen;
      const settledAt = workingInstantAfter(rng, billAt + rng.int(10, 20) * DAY_MS);
      const leftFen = rng.chance(0.3) ? rng.int(1, 40) * 1_000 : 0;
      const settleFen = outstandingFen - leftFen;
      const bookedAt = financeSlotAfter(settledAt + DAY_MS);
      this.push({ at: bookedAt, occurredAt: settledAt, phase: 0, rank: rank + 1, stream, actor: demoActors.finance, correlationId: `bank-statement-${dateOf(bookedAt)}`, command: { op: 'settleTraffic', partner: reseller.index, settlementId: `TS-${pad(seq, 4)}`, amountFen: settleFen } });
      outstandingFen = leftFen;
    }
  }

  // ---- rebates ----------------------------------------------------------------------------

  /**
   * The rebate programme: yearly commitments, monthly purchases (some bids, some of the high-end
   * line), the first agent locked to the distributor, a rebate evaluation after each quarter
   * (after that quarter's purchases are recorded) and, most quarters, rebate payments.
   */
  addRebates(rng: Prng, quarters: readonly string[]): void {
    const members = this.partnerPlans.filter((p) => p.kind === 'distributor' || p.kind === 'value-added-agent');
    const distributor = members.find((p) => p.kind === 'distributor');
    const zone = this.options.timeZone;
    let purchaseCount = 0;
    let paymentCount = 0;
    const joined = (p: PartnerPlan): number => workingDayAt(p.signAt, 17, 30) + 2 * DAY_MS;
    for (const p of members) {
      const stream = `partner-${p.partnerId}`;
      const rank = p.index * 100 + 60;
      const baseFen = p.kind === 'distributor' ? rng.int(200, 600) * 10_000 : rng.int(50, 200) * 10_000;
      const years = [...new Set(quarters.map((q) => parseQuarter(q).year))];
      for (const year of years) {
        const covered = quarters.filter((q) => parseQuarter(q).year === year);
        const from = Math.max(Date.parse(quarterStart(covered[0]!, zone)), joined(p));
        const committedAt = workingInstantAfter(rng, from + rng.int(1, 5) * DAY_MS);
        if (committedAt >= afterQuarter(covered.at(-1)!, zone).evaluateAt) continue;
        const amountFen = Math.round((baseFen * 12 * rng.int(80, 110)) / 100 / 100_000) * 100_000;
        this.push({ at: workingDayAt(committedAt, 17), occurredAt: committedAt, phase: 0, rank, stream, actor: demoActors.channelManager, correlationId: `commitment-${year}-${p.partnerId}`, command: { op: 'setCommitment', partner: p.index, year, amountFen } });
      }
      for (const quarter of quarters) {
        const qStart = Date.parse(quarterStart(quarter, zone));
        for (let month = 0; month < 3; month++) {
          const occurredAt = workingInstantAfter(rng, qStart + (month * 30 + rng.int(2, 24)) * DAY_MS);
          if (occurredAt < joined(p)) continue;
          purchaseCount += 1;
          const spread = (baseFen - (baseFen % 2)) / 2;
          const bookedAt = financeSlotAfter(occurredAt + HOUR_MS);
          if (bookedAt >= afterQuarter(quarter, zone).evaluateAt) throw new Error(`demo: purchase of ${quarter} would be booked after its evaluation`);
          this.push({
            at: bookedAt,
            occurredAt,
            phase: 0,
            rank: rank + 1,
            stream,
            actor: demoActors.finance,
            correlationId: `purchase-order-${dateOf(occurredAt)}`,
            command: { op: 'recordPurchase', partner: p.index, purchaseId: `PO-${pad(purchaseCount, 6)}`, amountFen: baseFen + rng.int(-spread, spread), highEnd: rng.chance(0.3), bid: rng.chance(0.2) },
          });
        }
      }
      const t = quarters.map((q) => afterQuarter(q, zone));
      quarters.forEach((quarter, i) => {
        if (!rng.chance(0.7)) return;
        paymentCount += 1;
        const at = t[i]!.payoutAt - 2 * HOUR_MS;
        this.push({ at, occurredAt: at, phase: 0, rank: rank + 2, stream, actor: demoActors.finance, correlationId: `rebate-payment-${quarter}`, command: { op: 'payRebate', partner: p.index, rebatePaymentId: `RP-${pad(paymentCount, 5)}`, share: rng.chance(0.25) ? 'half' : 'all' } });
      });
    }
    const agent = members.find((p) => p.kind === 'value-added-agent');
    if (distributor && agent) {
      const lockedAt = workingInstantAfter(rng, Math.max(joined(distributor), joined(agent)) + rng.int(10, 40) * DAY_MS);
      if (lockedAt < this.endMs - 30 * DAY_MS) {
        this.push({ at: workingDayAt(lockedAt, 17, 45), occurredAt: lockedAt, phase: 0, rank: agent.index * 100 + 59, stream: `partner-${agent.partnerId}`, actor: demoActors.channelManager, correlationId: `distributor-agreement-${agent.partnerId}`, command: { op: 'lockToDistributor', partner: agent.index, distributor: distributor.index } });
      }
    }
    if (members.length === 0) return;
    for (const quarter of quarters) {
      const t = afterQuarter(quarter, zone);
      this.push({ at: t.evaluateAt + HOUR_MS, occurredAt: t.nextStart, phase: 2, rank: 2, stream: '*', actor: demoActors.finance, correlationId: `rebate-evaluation-${quarter}`, command: { op: 'evaluateRebates', quarter } });
    }
  }

  private push(action: DemoAction): void {
    this.actions.push(action);
  }

  // ---- customers ----

  addCustomer(index: number, rng: Prng, picker: PartnerPicker, offsets: { name: number; code: number }): CustomerPlan {
    const identity = customerIdentity(index, rng, offsets);
    let scenario = rng.weighted(SCENARIO_WEIGHTS);
    const primary = scenario === 'direct-only' ? null : picker.weighted(rng);
    if (primary?.kind === 'wholesale-voice') scenario = rng.chance(0.85) ? 'single' : 'lost';
    const earliest = Math.max(this.startMs + 5 * DAY_MS, primary === null ? 0 : workingDayAt(primary.signAt, 17, 30) + DAY_MS);
    const latest = this.endMs - 10 * DAY_MS;
    if (earliest >= latest) scenario = 'direct-only';
    // Slightly more registrations as the programme grows.
    const u = rng.chance(0.3) ? Math.sqrt(rng.next()) : rng.next();
    const registerFrom = earliest < latest ? earliest + Math.floor(u * (latest - earliest)) : this.startMs + 5 * DAY_MS;
    const story = new Story(this, index, identity.key, rng);
    const ports = rng.weighted({ small: 50, medium: 35, large: 15 });
    const expectedPorts = ports === 'small' ? rng.int(10, 30) : ports === 'medium' ? rng.int(31, 100) : rng.int(101, 400);
    const claim = (partnerId: string | null, spelled: { name: string; taxId: string | null }): number => {
      this.dealCount += 1;
      story.claims.push({
        dealId: `D-${pad(this.dealCount, 6)}`,
        partnerId,
        customer: spelled,
        expectedPorts,
        expectedRevenueFen: expectedPorts * PORT_FEE_FEN_PER_YEAR,
        registered: false,
      });
      return story.claims.length - 1;
    };
    const asRegistered = { name: identity.name, taxId: identity.taxId };
    // Monthly lines: conference, long-distance, or the customer's ASP service (a commission line of its own).
    const line: RevenueLine | null =
      primary?.kind === 'wholesale-voice' ? 'long-distance' : rng.chance(0.6) ? 'conference' : rng.chance(0.3) ? 'long-distance' : rng.chance(0.3) ? 'asp' : null;
    story.playScenario(scenario, { primary, registerFrom, asRegistered, identity, picker, claim, monthlyLine: line });
    return { index, key: identity.key, scenario: story.scenario, claims: story.claims, ...(story.signed ? { signed: story.signed } : {}) };
  }

  addStory(actions: Pending[], index: number): void {
    actions.sort((a, b) => a.at - b.at || (a.occurredAt ?? a.at) - (b.occurredAt ?? b.at) || a.order - b.order);
    actions.forEach((a, i) => {
      const { order: _order, ...action } = a;
      this.actions.push({ ...action, rank: index * 10_000 + i });
    });
  }

  nextPaymentId(): string {
    this.paymentCount += 1;
    return `PAY-${pad(this.paymentCount, 7)}`;
  }

  nextRefundId(): string {
    this.refundCount += 1;
    return `REF-${pad(this.refundCount, 6)}`;
  }

  nextTransferId(): string {
    this.transferCount += 1;
    return `TR-${pad(this.transferCount, 6)}`;
  }

  /** The first handover of the programme is rejected once, so the demo always shows a rejection; after that, by chance. */
  shouldRejectHandover(roll: boolean): boolean {
    const reject = roll || !this.handoverRejected;
    this.handoverRejected ||= reject;
    return reject;
  }

  partner(partnerId: string): PartnerPlan {
    const p = this.partnerPlans.find((q) => q.partnerId === partnerId);
    if (!p) throw new Error(`demo: no partner ${partnerId}`);
    return p;
  }
}

interface ScenarioContext {
  primary: PartnerPlan | null;
  registerFrom: number;
  asRegistered: { name: string; taxId: string | null };
  identity: Parameters<typeof otherSpelling>[0];
  picker: PartnerPicker;
  claim: (partnerId: string | null, spelled: { name: string; taxId: string | null }) => number;
  monthlyLine: RevenueLine | null;
}

/** One customer's story, built in business time; commands past the programme's end are left out. */
class Story {
  readonly claims: ClaimPlan[] = [];
  readonly pending: Pending[] = [];
  scenario: Scenario = 'single';
  signed: CustomerPlan['signed'];
  private order = 0;
  private readonly stream: string;

  constructor(
    private readonly plan: PlanBuilder,
    private readonly index: number,
    key: string,
    private readonly rng: Prng,
  ) {
    this.stream = `customer-${key}`;
  }

  private add(at: number, occurredAt: number | null, actor: Actor, correlationId: string, command: DemoCommand): boolean {
    if (at > this.plan.customerCutoff || (occurredAt ?? at) > this.plan.endMs) return false;
    if (occurredAt !== null && occurredAt > at) throw new Error(`demo: ${command.op} would be recorded before it occurred`);
    this.pending.push({ at, occurredAt, phase: 1, stream: this.stream, actor, correlationId, command, order: this.order++ });
    return true;
  }

  private weekly(occurredAt: number): { at: number; correlationId: string } {
    const at = weeklyReportAfter(occurredAt + HOUR_MS);
    return { at, correlationId: `weekly-report-${dateOf(at)}` };
  }

  /** A partner registers its own claim: the ledger's clock stamps it. */
  private registerByPartner(claim: number, fromMs: number): number | null {
    const at = registrationSlotAfter(this.rng, fromMs);
    const partnerId = this.claims[claim]!.partnerId!;
    const ok = this.add(at, null, { role: 'partner', id: partnerId }, `partner-portal-${partnerId}`, { op: 'registerDeal', customer: this.index, claim });
    this.claims[claim]!.registered = ok;
    return ok ? at : null;
  }

  /** The key-account department's claim, back-filled by a manager from its weekly report. */
  private registerDirect(claim: number, occurredAt: number): number | null {
    const w = this.weekly(occurredAt);
    const ok = this.add(w.at, occurredAt, demoActors.keyAccountManager, w.correlationId, { op: 'registerDeal', customer: this.index, claim });
    this.claims[claim]!.registered = ok;
    return ok ? occurredAt : null;
  }

  private register(claim: number, fromMs: number): number | null {
    return this.claims[claim]!.partnerId === null ? this.registerDirect(claim, workingInstantAfter(this.rng, fromMs)) : this.registerByPartner(claim, fromMs);
  }

  /**
   * Weekly progress from `fromMs`: up to `stopAfter` stages (all the way to signed when null).
   * Returns the last stage's business time, whether it signed, and when the signing was recorded.
   */
  private progress(claim: number, fromMs: number, stopAfter: number | null, startIndex = 0): { lastMs: number; signedMs: number | null; signedRecordedMs: number | null } {
    let t = fromMs;
    let recordedMs = fromMs; // the story's last command recorded so far: the contract comes after it
    let done = 0;
    let signedMs: number | null = null;
    let signedRecordedMs: number | null = null;
    for (const step of STAGE_STEPS.slice(startIndex)) {
      if (stopAfter !== null && (done >= stopAfter || step.stage === 'signed')) break; // a stopped story never signs
      if (step.skip > 0 && this.rng.chance(step.skip)) continue;
      if (step.stage === 'signed') {
        // Contracts are the vendor's: the signing is its confirmation of the submitted contract.
        const signing = this.sign(claim, t, recordedMs, step.gapDays);
        if (signing === null) break;
        t = signing.signedMs;
        done += 1;
        signedMs = signing.signedMs;
        signedRecordedMs = signing.recordedMs;
        continue;
      }
      const occurredAt = workingInstantAfter(this.rng, t + this.rng.int(step.gapDays[0], step.gapDays[1]) * DAY_MS);
      const w = this.weekly(occurredAt);
      if (!this.add(w.at, occurredAt, demoActors.channelManager, w.correlationId, { op: 'advanceStage', customer: this.index, claim, stage: step.stage, reason: null })) break;
      // Every third customer's deal revises its estimates on reaching solution (no draw: the
      // generator's other draws stay as they were): a quarter more ports than first reported.
      if (step.stage === 'solution' && this.index % 3 === 0) {
        const expectedPorts = Math.ceil(this.claims[claim]!.expectedPorts * 1.25);
        const command: DemoCommand = { op: 'reviseForecast', customer: this.index, claim, expectedPorts, expectedRevenueFen: expectedPorts * PORT_FEE_FEN_PER_YEAR };
        this.add(w.at, occurredAt, demoActors.channelManager, w.correlationId, command);
      }
      t = occurredAt;
      recordedMs = w.at;
      done += 1;
    }
    return { lastMs: t, signedMs, signedRecordedMs };
  }

  /**
   * The signing: the owner's contract goes to the vendor (its partner submits it through the
   * portal, on the ledger's clock; a direct sales deal's, a key-account manager from the weekly
   * report), now and then comes back once and is submitted again, and a manager confirms it on
   * the weekly report with the signing date. Null when the programme ends first.
   */
  private sign(claim: number, fromMs: number, recordedMs: number, gapDays: readonly [number, number]): { signedMs: number; recordedMs: number } | null {
    const rng = this.rng;
    const c = this.claims[claim]!;
    const submit = (afterMs: number, notBeforeMs: number): { at: number; occurredAt: number } | null => {
      const command: DemoCommand = { op: 'submitContract', customer: this.index, claim, ports: c.expectedPorts, contractValueFen: c.expectedPorts * PORT_FEE_FEN_PER_YEAR };
      if (c.partnerId !== null) {
        const at = registrationSlotAfter(rng, Math.max(afterMs, notBeforeMs));
        return this.add(at, null, { role: 'partner', id: c.partnerId }, `partner-portal-${c.partnerId}`, command) ? { at, occurredAt: at } : null;
      }
      const occurredAt = workingInstantAfter(rng, afterMs);
      const w = this.weekly(Math.max(occurredAt, notBeforeMs));
      return this.add(w.at, occurredAt, demoActors.keyAccountManager, w.correlationId, command) ? { at: w.at, occurredAt } : null;
    };
    const half = Math.max(1, Math.floor(gapDays[0] / 2));
    let submitted = submit(fromMs + rng.int(half, gapDays[1] - half) * DAY_MS, recordedMs);
    if (submitted === null) return null;
    if (rng.chance(0.1)) {
      const rejectedAt = workingInstantAfter(rng, submitted.occurredAt + rng.int(1, 5) * DAY_MS);
      const w = this.weekly(Math.max(rejectedAt, submitted.at));
      const reason = rng.pick(CONTRACT_REJECTIONS);
      if (!this.add(w.at, rejectedAt, demoActors.channelManager, w.correlationId, { op: 'rejectContract', customer: this.index, claim, reason })) return null;
      submitted = submit(rejectedAt + rng.int(2, 7) * DAY_MS, w.at);
      if (submitted === null) return null;
    }
    const signedMs = workingInstantAfter(rng, submitted.occurredAt + rng.int(1, half + 2) * DAY_MS);
    const w = this.weekly(Math.max(signedMs, submitted.at));
    if (!this.add(w.at, signedMs, demoActors.channelManager, w.correlationId, { op: 'confirmContract', customer: this.index, claim, signedAt: signedMs })) return null;
    return { signedMs, recordedMs: w.at };
  }

  private lose(claim: number, afterMs: number): number | null {
    const occurredAt = workingInstantAfter(this.rng, afterMs + this.rng.int(5, 20) * DAY_MS);
    const w = this.weekly(occurredAt);
    return this.add(w.at, occurredAt, demoActors.channelManager, w.correlationId, { op: 'advanceStage', customer: this.index, claim, stage: 'lost', reason: this.rng.pick(LOST_REASONS) }) ? occurredAt : null;
  }

  private who(claim: number): string {
    const p = this.claims[claim]!.partnerId;
    return p === null ? 'the key-account department' : `partner ${p}`;
  }

  playScenario(scenario: Scenario, c: ScenarioContext): void {
    this.scenario = scenario;
    const rng = this.rng;
    const alternative = (): { name: string; taxId: string | null } => otherSpelling(c.identity, rng);
    const secondPartner = (atMs: number): PartnerPlan | null => (c.primary === null ? null : c.picker.other(rng, c.primary, atMs));
    let owner: { claim: number; fromMs: number; stageIndex?: number } | null = null;
    switch (scenario) {
      case 'single': {
        const a = c.claim(c.primary!.partnerId, c.asRegistered);
        const at = this.register(a, c.registerFrom);
        if (at !== null) owner = { claim: a, fromMs: at };
        break;
      }
      case 'competing-partners': {
        const a = c.claim(c.primary!.partnerId, c.asRegistered);
        const at = this.register(a, c.registerFrom);
        if (at === null) break;
        const other = secondPartner(at + 25 * DAY_MS);
        if (other !== null) this.register(c.claim(other.partnerId, alternative()), Math.max(at + rng.int(1, 25) * DAY_MS, other.signAt + 2 * DAY_MS));
        else this.scenario = 'single';
        owner = { claim: a, fromMs: at };
        break;
      }
      case 'tie-with-direct': {
        // The partner registers through the portal; the key-account department reports the
        // same customer at the same time: the same instant, or earlier the same day (one
        // reporting window, the policy's tie window): on a tie the partner wins.
        const a = c.claim(c.primary!.partnerId, c.asRegistered);
        const at = this.register(a, c.registerFrom);
        if (at === null) break;
        const sameInstant = rng.chance(0.5);
        this.registerDirect(c.claim(null, alternative()), sameInstant ? at : localAt(localDayOf(at), 8, rng.int(0, 59)));
        owner = { claim: a, fromMs: at };
        break;
      }
      case 'direct-later': {
        const a = c.claim(c.primary!.partnerId, c.asRegistered);
        const at = this.register(a, c.registerFrom);
        if (at === null) break;
        this.registerDirect(c.claim(null, alternative()), workingInstantAfter(rng, at + rng.int(3, 30) * DAY_MS));
        owner = { claim: a, fromMs: at };
        break;
      }
      case 'direct-only': {
        const d = c.claim(null, c.asRegistered);
        const at = this.register(d, c.registerFrom);
        if (at !== null) owner = { claim: d, fromMs: at };
        break;
      }
      case 'transfer':
        owner = this.playTransfer(c, alternative, secondPartner);
        break;
      case 'ruling':
        owner = this.playRuling(c, alternative, secondPartner);
        break;
      case 'lost': {
        const a = c.claim(c.primary!.partnerId, c.asRegistered);
        const at = this.register(a, c.registerFrom);
        if (at === null) break;
        const p = this.progress(a, at, rng.int(1, 3));
        this.lose(a, p.lastMs);
        break;
      }
      case 'lost-passes-on': {
        const a = c.claim(c.primary!.partnerId, c.asRegistered);
        const at = this.register(a, c.registerFrom);
        if (at === null) break;
        const other = rng.chance(0.5) ? secondPartner(at + 20 * DAY_MS) : null;
        const b = c.claim(other?.partnerId ?? null, alternative());
        const bAt = this.register(b, Math.max(at + rng.int(2, 20) * DAY_MS, (other?.signAt ?? 0) + 2 * DAY_MS));
        const p = this.progress(a, at, rng.int(1, 2));
        const lostAt = this.lose(a, Math.max(p.lastMs, bAt ?? p.lastMs));
        if (lostAt !== null && bAt !== null) owner = { claim: b, fromMs: lostAt };
        break;
      }
      default: {
        const never: never = scenario;
        throw new Error(`demo: unknown scenario ${String(never)}`);
      }
    }
    if (owner !== null) {
      const p = this.progress(owner.claim, owner.fromMs, null, owner.stageIndex ?? 0);
      if (p.signedMs !== null && p.signedRecordedMs !== null) {
        this.signed = { claim: owner.claim, signedMs: p.signedMs, recordedMs: p.signedRecordedMs };
        this.cash(owner.claim, p.signedMs, p.signedRecordedMs, c.monthlyLine);
      }
    }
    this.plan.addStory(this.pending, this.index);
  }

  /**
   * The owner goes quiet; after 4 weeks without progress the channel manager proposes handing the
   * customer over, and the key-account department agrees a few days later: two managers, the
   * 28-day rule at both. Now and then the key-account department first rejects it, and a second
   * proposal a week or two on is approved.
   */
  private playTransfer(c: ScenarioContext, alternative: () => { name: string; taxId: string | null }, secondPartner: (at: number) => PartnerPlan | null): { claim: number; fromMs: number } | null {
    const rng = this.rng;
    const a = c.claim(c.primary!.partnerId, c.asRegistered);
    const at = this.register(a, c.registerFrom);
    if (at === null) return null;
    const other = rng.chance(0.6) ? secondPartner(at + 20 * DAY_MS) : null;
    const b = c.claim(other?.partnerId ?? null, alternative());
    const bAt = this.register(b, Math.max(at + rng.int(3, 20) * DAY_MS, (other?.signAt ?? 0) + 2 * DAY_MS));
    const p = this.progress(a, at, rng.int(0, 1));
    if (bAt === null) return null;
    const reason = `no progress since ${dateOf(p.lastMs)}; ${this.who(b)} has a meeting booked`;
    const propose = (occurredAt: number): { transferId: string; occurredAt: number; at: number } | null => {
      const w = this.weekly(occurredAt);
      const transferId = this.plan.nextTransferId();
      const ok = this.add(w.at, occurredAt, demoActors.channelManager, w.correlationId, { op: 'transferDeal', customer: this.index, from: a, to: b, reason, transferId });
      return ok ? { transferId, occurredAt, at: w.at } : null;
    };
    let proposal = propose(workingDayAt(Math.max(p.lastMs, bAt) + rng.int(29, 45) * DAY_MS, 10));
    if (proposal === null) return null;
    if (this.plan.shouldRejectHandover(rng.chance(0.2))) {
      const rejectedAt = workingDayAt(proposal.occurredAt + rng.int(1, 3) * DAY_MS, 11);
      const w = this.weekly(Math.max(rejectedAt, proposal.at));
      const command: DemoCommand = { op: 'rejectTransfer', customer: this.index, transferId: proposal.transferId, reason: rng.pick(HANDOVER_REJECTIONS) };
      if (!this.add(w.at, rejectedAt, demoActors.keyAccountManager, w.correlationId, command)) return null;
      proposal = propose(workingDayAt(Math.max(rejectedAt, w.at) + rng.int(7, 14) * DAY_MS, 10));
      if (proposal === null) return null;
    }
    const approvedAt = workingDayAt(proposal.occurredAt + rng.int(1, 4) * DAY_MS, 15);
    const w = this.weekly(Math.max(approvedAt, proposal.at));
    if (!this.add(w.at, approvedAt, demoActors.keyAccountManager, w.correlationId, { op: 'approveTransfer', customer: this.index, transferId: proposal.transferId })) return null;
    return { claim: b, fromMs: approvedAt };
  }

  /** Two claimants dispute the customer; the channel committee rules who owns it. */
  private playRuling(c: ScenarioContext, alternative: () => { name: string; taxId: string | null }, secondPartner: (at: number) => PartnerPlan | null): { claim: number; fromMs: number; stageIndex: number } | null {
    const rng = this.rng;
    const a = c.claim(c.primary!.partnerId, c.asRegistered);
    const at = this.register(a, c.registerFrom);
    if (at === null) return null;
    const other = rng.chance(0.3) ? secondPartner(at + 10 * DAY_MS) : null;
    const b = c.claim(other?.partnerId ?? null, alternative());
    const bAt = this.register(b, Math.max(at + rng.int(2, 10) * DAY_MS, (other?.signAt ?? 0) + 2 * DAY_MS));
    if (bAt === null) return null;
    const decidedAt = workingDayAt(Math.max(bAt, at) + rng.int(14, 35) * DAY_MS, 15);
    const forB = rng.chance(0.65);
    // The first claimant keeps reporting until the ruling (it owns the customer until then).
    const before = this.progressUntil(a, at, decidedAt);
    const ruled = forB ? b : a;
    const reason = forB ? (this.claims[b]!.partnerId === null ? rng.pick(RULING_FOR_DIRECT) : 'the second partner holds the signed letter of intent; committee ruling') : rng.pick(RULING_FOR_PARTNER);
    const w = this.weekly(decidedAt);
    if (!this.add(w.at, decidedAt, demoActors.channelManager, w.correlationId, { op: 'ruleOwnership', customer: this.index, claim: ruled, reason })) return null;
    if (forB) return { claim: b, fromMs: decidedAt, stageIndex: 0 };
    return { claim: a, fromMs: Math.max(decidedAt, before.lastMs), stageIndex: before.stages };
  }

  /** The first stages of `claim` (interest, meeting) that occur before `untilMs` (the ruling). */
  private progressUntil(claim: number, fromMs: number, untilMs: number): { lastMs: number; stages: number } {
    let t = fromMs;
    let stages = 0;
    for (const step of STAGE_STEPS.slice(0, 2)) {
      const occurredAt = workingInstantAfter(this.rng, t + this.rng.int(step.gapDays[0], step.gapDays[1]) * DAY_MS);
      if (occurredAt >= untilMs - DAY_MS) break;
      const w = this.weekly(occurredAt);
      if (!this.add(w.at, occurredAt, demoActors.channelManager, w.correlationId, { op: 'advanceStage', customer: this.index, claim, stage: step.stage, reason: null })) break;
      t = occurredAt;
      stages += 1;
    }
    return { lastMs: t, stages };
  }

  /** Cash after signing: yearly port fees, a monthly line, now and then a customer leaving early. */
  private cash(claim: number, signedMs: number, signedRecordedMs: number, monthly: RevenueLine | null): void {
    const rng = this.rng;
    const ports = this.claims[claim]!.expectedPorts;
    const portFeeFen = ports * (PORT_FEE_FEN_PER_YEAR / 100) * rng.int(90, 110);
    const leaves = rng.chance(0.05);
    let leftAt: number | null = null;
    const book = (occurredAt: number, afterMs: number): { at: number; correlationId: string } => {
      const at = financeSlotAfter(Math.max(occurredAt + 2 * DAY_MS, afterMs + HOUR_MS));
      return { at, correlationId: `bank-statement-${dateOf(at)}` };
    };
    const pay = (occurredAt: number, line: RevenueLine, amountFen: number): { paymentId: string; at: number } | null => {
      const b = book(occurredAt, signedRecordedMs);
      const paymentId = this.plan.nextPaymentId();
      const ok = this.add(b.at, occurredAt, demoActors.finance, b.correlationId, { op: 'receivePayment', customer: this.index, claim, paymentId, line, amountFen });
      return ok ? { paymentId, at: b.at } : null;
    };
    const refund = (occurredAt: number, payment: { paymentId: string; at: number }, amountFen: number, reason: string): void => {
      const b = book(occurredAt, payment.at);
      this.add(b.at, occurredAt, demoActors.finance, b.correlationId, { op: 'issueRefund', customer: this.index, refundId: this.plan.nextRefundId(), paymentId: payment.paymentId, amountFen, reason });
    };
    // Yearly port fees: the first soon after signing, the renewal a year on (year-two rate).
    for (let year = 0; year < 3; year++) {
      if (leftAt !== null) break;
      const paidAt = workingInstantAfter(rng, signedMs + year * 365 * DAY_MS + rng.int(3, 20) * DAY_MS);
      const payment = pay(paidAt, 'port', portFeeFen);
      if (payment === null) break;
      if (leaves && year === 0) {
        const monthsUsed = rng.int(2, 10);
        const left = workingInstantAfter(rng, paidAt + monthsUsed * 30 * DAY_MS);
        leftAt = left;
        const unusedFen = ((portFeeFen - (portFeeFen % 12)) / 12) * (12 - monthsUsed);
        refund(left, payment, unusedFen, `customer left early: ${12 - monthsUsed} unused months of the yearly port fee refunded`);
      }
    }
    if (monthly === null) return;
    // A monthly line: billed each month, the cash arriving between the 5th and the 25th.
    const baseFen = monthly === 'long-distance' ? rng.int(200_000, 5_000_000) : rng.int(50_000, 2_000_000);
    const firstDay = localDayOf(signedMs);
    for (let month = 1; month < 48; month++) {
      const dayOfMonth = rng.int(5, 25);
      const due = workingInstantAfter(rng, (firstDay + month * 30 + dayOfMonth - 15) * DAY_MS);
      if (leftAt !== null && due > leftAt) break;
      const spread = (baseFen - (baseFen % 3)) / 3;
      const amountFen = baseFen + rng.int(-spread, spread);
      const payment = pay(due, monthly, amountFen);
      if (payment === null) break;
      if (monthly === 'conference' && rng.chance(1 / 60)) {
        const creditFen = (amountFen - (amountFen % 100)) / 100 * rng.int(10, 40);
        refund(workingInstantAfter(rng, due + rng.int(5, 20) * DAY_MS), payment, creditFen, 'billing dispute: credit for failed conference bridges');
      }
    }
  }
}

/** Hash of a plan's commands (for quick determinism checks in tests and the summary). */
export function planFingerprint(plan: DemoPlan): string {
  let h = 0;
  for (const a of plan.actions) h = (Math.imul(h, 31) + hashLabel(`${a.at}|${a.occurredAt}|${a.stream}|${JSON.stringify(a.command)}`)) >>> 0;
  return h.toString(16).padStart(8, '0');
}
