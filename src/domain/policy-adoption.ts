// The rule: back-dated changes never rewrite history. Adopting a policy version effective from a
// date re-decides every commission line (accrual or clawback) whose cash was received on or after
// that date under the version now in force at its cash date, and writes the difference from what
// is recorded (the line's figure plus earlier adjustments) as a CommissionAdjusted naming the line,
// both versions, both rates and both amounts. Nothing recorded is changed: the next payout settles
// the adjustments as prior-period adjustments (payout-lines.ts), what was paid stays paid.
//  - A line keeps its tier and commission year (facts of their own); the version gives the rate:
//    none after its window, none for a line it names no rates for (asp-line.ts).
//  - A clawback follows its payment: the version in force at the payment's cash date, and, as
//    every clawback, the commission of the cash refunded so far minus what earlier refunds took.
//  - A line whose figure does not change gets no adjustment.
//  - The first adoption on a log without one also logs the configured policy (the built-in
//    default or LEDGER_POLICY_FILE) the earlier facts were decided under, first, in the same append.
//  - A version already adopted with the same document writes nothing; with another, 409.
//  - Only a manager adopts (policy-adoption-manager-only).
import { linePaysCommission } from './asp-line.js';
import { eventOf } from './decide-context.js';
import type { Decider } from './decider.js';
import { refuse } from './errors.js';
import type { Actor, EventOf } from './events.js';
import type { FoldFact } from './fact.js';
import { applyRateBps } from './money.js';
import { commissionRateBps, loadPolicy, type Policy, type RevenueLineName } from './policy.js';
import { historyOfPolicy, type PolicyHistory, requireAdoptable, versionInForceAt, withAdoption } from './policy-history.js';

/** A line's figure: the version that produced it, its rate and its commission (never negative). */
export interface LineFigure {
  version: string;
  rateBps: number;
  fen: number;
}

/** A commission line as the log holds it now (its figure after every adjustment so far). */
export interface CommissionLine {
  eventId: string;
  kind: 'accrual' | 'clawback';
  partnerId: string;
  customerKey: string;
  paymentId: string;
  refundId: string | null;
  line: RevenueLineName;
  tier: string;
  commissionYear: number;
  /** When the payment's cash was received: the business time that picks the version. */
  cashAt: string;
  /** When the line's own fact happened: the cash (accrual) or the refund (clawback). */
  lineAt: string;
  /** Accrual: the cash received; clawback: the cash this refund returned. */
  cashFen: number;
  /** Clawback: the payment's cash refunded before this refund (0 for an accrual). */
  refundedBeforeFen: number;
  current: LineFigure;
}

/** An adjustment as a payout sees it. */
export interface AdjustmentLine {
  eventId: string;
  partnerId: string;
  kind: 'accrual' | 'clawback';
  paymentId: string;
  /** Signed as the partner sees it: more commission is positive (a larger clawback negative). */
  signedFen: number;
  cashAt: string;
  lineAt: string;
  /** The adoption's business time. */
  adjustedAt: string;
  position: bigint;
}

/** The policy stream folded: the history and the adjustments (for payouts and later refunds). */
export interface PolicyState {
  history: PolicyHistory;
  /** Versions adopted in the log, by name (null-position configured version excluded). */
  adopted: ReadonlyMap<string, Policy>;
  /** The rate each adjusted accrual line now carries (later refunds claw back at it). */
  accrualRatesBps: ReadonlyMap<string, number>;
  adjustments: readonly AdjustmentLine[];
}

export function initialPolicyState(configured: Policy): PolicyState {
  return { history: historyOfPolicy(configured), adopted: new Map(), accrualRatesBps: new Map(), adjustments: [] };
}

/** Folds a fact of the policy stream (PolicyAdopted, CommissionAdjusted). */
export function evolvePolicy(state: PolicyState, fact: FoldFact): PolicyState {
  switch (fact.type) {
    case 'PolicyAdopted': {
      const policy = loadPolicy(fact.data.document);
      const adoption = { policy, adoptedAt: fact.occurredAt, recordedAt: fact.recordedAt, actor: null, reason: fact.data.reason, position: fact.position };
      return { ...state, history: withAdoption(state.history, adoption), adopted: new Map(state.adopted).set(policy.version, policy) };
    }
    case 'CommissionAdjusted': {
      const d = fact.data;
      const adjustment: AdjustmentLine = {
        eventId: fact.eventId,
        partnerId: d.partnerId,
        kind: d.kind,
        paymentId: d.paymentId,
        signedFen: d.kind === 'accrual' ? d.adjustmentFen : -d.adjustmentFen,
        cashAt: d.cashAt,
        lineAt: d.lineAt,
        adjustedAt: fact.occurredAt,
        position: fact.position,
      };
      const accrualRatesBps = d.kind === 'accrual' ? new Map(state.accrualRatesBps).set(d.lineEventId, d.toRateBps) : state.accrualRatesBps;
      return { ...state, accrualRatesBps, adjustments: [...state.adjustments, adjustment] };
    }
    default:
      throw new Error(`${fact.type} does not belong to the policy stream`);
  }
}

/** The adjustments of one partner (a payout's prior-period lines). */
export function adjustmentsOf(state: PolicyState, partnerId: string): AdjustmentLine[] {
  return state.adjustments.filter((a) => a.partnerId === partnerId);
}

/** The rate a version gives a line of a tier in a commission year: 0 after its window or for a line it pays nothing on. */
export function lineRateBps(policy: Policy, line: RevenueLineName, tier: string, commissionYear: number): number {
  if (commissionYear > policy.commission.windowYears || !linePaysCommission(policy, line)) return 0;
  if (!policy.tiers.includes(tier)) {
    refuse('policy-tier-unknown', `policy ${policy.version} refused: it names no tier "${tier}", which recorded commission lines were earned at`, {
      field: 'document.tiers',
      tier,
    });
  }
  return commissionRateBps(policy, line, tier, commissionYear) ?? 0;
}

/** A line's figure under a version. */
export function figureUnder(policy: Policy, l: CommissionLine): LineFigure {
  const rateBps = lineRateBps(policy, l.line, l.tier, l.commissionYear);
  const fen =
    l.kind === 'accrual' ? applyRateBps(l.cashFen, rateBps) : applyRateBps(l.refundedBeforeFen + l.cashFen, rateBps) - applyRateBps(l.refundedBeforeFen, rateBps);
  return { version: policy.version, rateBps, fen };
}

export interface AdoptPolicy {
  /** The version's document, checked by loadPolicy (policy.ts). */
  policy: Policy;
  /** The document as given (stored in the event). */
  document: Record<string, unknown>;
  reason: string;
}

export interface AdoptionContext {
  occurredAt: string;
  actor: Actor;
  /** The configured policy: logged first when the log holds no adoption yet. */
  configured: { policy: Policy; document: Record<string, unknown> };
  /** Every commission line in the log, in log order, with its figure now. */
  lines: readonly CommissionLine[];
}

export type AdoptionEvent = EventOf<'PolicyAdopted' | 'CommissionAdjusted'>;

/** Two documents are the same version when their checked contents are equal. */
export function samePolicy(a: Policy, b: Policy): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The adoption and the adjustments it causes (see the rule above). */
export function decideAdoption(command: AdoptPolicy, state: PolicyState, ctx: AdoptionContext): AdoptionEvent[] {
  const { policy } = command;
  if (ctx.actor.role !== 'manager') {
    refuse('policy-adoption-manager-only', `adopting policy ${policy.version} refused: only a manager adopts a policy version (asked by ${ctx.actor.role} ${ctx.actor.id})`, { role: ctx.actor.role }, 'forbidden');
  }
  const adoptedBefore = state.adopted.get(policy.version);
  if (adoptedBefore && samePolicy(adoptedBefore, policy)) return []; // adopted already: nothing to write
  requireAdoptable(state.history, policy, samePolicy);
  const events: AdoptionEvent[] = [];
  let history = state.history;
  if (state.adopted.size === 0 && ctx.configured.policy.version !== policy.version) {
    events.push(adopted(ctx.configured.policy, ctx.configured.document, 'the configured policy the earlier facts were decided under (first adoption in the log)'));
    history = withAdoption(history, { policy: ctx.configured.policy, adoptedAt: ctx.occurredAt, recordedAt: null, actor: ctx.actor, reason: null, position: 0n });
  }
  events.push(adopted(policy, command.document, command.reason));
  history = withAdoption(history, { policy, adoptedAt: ctx.occurredAt, recordedAt: null, actor: ctx.actor, reason: command.reason, position: 1n << 62n });
  return [...events, ...adjustmentsBetween(state.history, history, ctx.lines, policy.version)];
}

/**
 * The adjustments of going from one history to the next: a line whose version in force at its
 * cash date changes (cash on or after the new version's effectiveFrom, until a later version's)
 * is re-decided under the new one; a changed figure is an adjustment.
 */
export function adjustmentsBetween(before: PolicyHistory, after: PolicyHistory, lines: readonly CommissionLine[], adoptedVersion: string): Array<EventOf<'CommissionAdjusted'>> {
  const out: Array<EventOf<'CommissionAdjusted'>> = [];
  for (const l of lines) {
    const inForce = versionInForceAt(after, l.cashAt).policy;
    if (inForce.version === versionInForceAt(before, l.cashAt).policy.version) continue;
    const next = figureUnder(inForce, l);
    if (next.fen === l.current.fen && next.rateBps === l.current.rateBps) continue;
    out.push(adjustmentOf(l, next, adoptedVersion));
  }
  return out;
}

function adopted(policy: Policy, document: Record<string, unknown>, reason: string): EventOf<'PolicyAdopted'> {
  return eventOf('PolicyAdopted', { version: policy.version, effectiveFrom: policy.effectiveFrom, document, reason });
}

function adjustmentOf(l: CommissionLine, next: LineFigure, adoptedVersion: string): EventOf<'CommissionAdjusted'> {
  return eventOf('CommissionAdjusted', {
    adoptedVersion,
    partnerId: l.partnerId,
    customerKey: l.customerKey,
    paymentId: l.paymentId,
    refundId: l.refundId,
    lineEventId: l.eventId,
    kind: l.kind,
    line: l.line,
    cashAt: l.cashAt,
    lineAt: l.lineAt,
    fromVersion: l.current.version,
    toVersion: next.version,
    fromRateBps: l.current.rateBps,
    toRateBps: next.rateBps,
    fromFen: l.current.fen,
    toFen: next.fen,
    adjustmentFen: next.fen - l.current.fen,
  });
}

// ---- the commission lines of a log ----------------------------------------------------------

/** What the line reader needs of a stored event. */
export type LineSourceFact = FoldFact & { policyVersion: string | null };

interface PaymentSoFar {
  cashAt: string;
  tier: string | null;
  commissionYear: number;
  accrualEventId: string | null;
  accrualVersion: string;
  refundedFen: number;
}

/**
 * Every commission line of a log (its facts in log order), each with its figure now: the
 * recorded commission, rate and policy version, replaced by the last adjustment's. A clawback's
 * version is its accrual's when the refund was recorded (the rate it clawed back at).
 */
export function commissionLinesOf(facts: Iterable<LineSourceFact>): CommissionLine[] {
  const payments = new Map<string, PaymentSoFar>();
  const refundsAt = new Map<string, string>();
  const lines = new Map<string, CommissionLine>();
  for (const f of facts) {
    switch (f.type) {
      case 'PaymentReceived':
        payments.set(f.data.paymentId, { cashAt: f.occurredAt, tier: null, commissionYear: 1, accrualEventId: null, accrualVersion: f.policyVersion ?? 'unknown', refundedFen: 0 });
        break;
      case 'CommissionAccrued': {
        const p = payments.get(f.data.paymentId);
        if (!p) throw new Error(`commission line ${f.eventId}: payment ${f.data.paymentId} is not in the log before it`);
        const version = f.policyVersion ?? 'unknown';
        payments.set(f.data.paymentId, { ...p, tier: f.data.tier, commissionYear: f.data.commissionYear, accrualEventId: f.eventId, accrualVersion: version });
        lines.set(f.eventId, {
          eventId: f.eventId,
          kind: 'accrual',
          partnerId: f.data.partnerId,
          customerKey: f.data.customerKey,
          paymentId: f.data.paymentId,
          refundId: null,
          line: f.data.line,
          tier: f.data.tier,
          commissionYear: f.data.commissionYear,
          cashAt: p.cashAt,
          lineAt: p.cashAt,
          cashFen: f.data.cashFen,
          refundedBeforeFen: 0,
          current: { version, rateBps: f.data.rateBps, fen: f.data.commissionFen },
        });
        break;
      }
      case 'RefundIssued':
        refundsAt.set(f.data.refundId, f.occurredAt);
        break;
      case 'CommissionClawedBack': {
        const p = payments.get(f.data.paymentId);
        if (!p || p.tier === null) throw new Error(`clawback ${f.eventId}: payment ${f.data.paymentId} earned no commission before it`);
        lines.set(f.eventId, {
          eventId: f.eventId,
          kind: 'clawback',
          partnerId: f.data.partnerId,
          customerKey: f.data.customerKey,
          paymentId: f.data.paymentId,
          refundId: f.data.refundId,
          line: f.data.line,
          tier: p.tier,
          commissionYear: p.commissionYear,
          cashAt: p.cashAt,
          lineAt: refundsAt.get(f.data.refundId) ?? f.occurredAt,
          cashFen: f.data.refundedCashFen,
          refundedBeforeFen: p.refundedFen,
          current: { version: p.accrualVersion, rateBps: f.data.rateBps, fen: f.data.commissionFen },
        });
        payments.set(f.data.paymentId, { ...p, refundedFen: p.refundedFen + f.data.refundedCashFen });
        break;
      }
      case 'CommissionAdjusted': {
        const l = lines.get(f.data.lineEventId);
        if (!l) throw new Error(`adjustment ${f.eventId}: line ${f.data.lineEventId} is not in the log before it`);
        lines.set(l.eventId, { ...l, current: { version: f.data.toVersion, rateBps: f.data.toRateBps, fen: f.data.toFen } });
        const p = payments.get(l.paymentId);
        if (p && l.kind === 'accrual') payments.set(l.paymentId, { ...p, accrualVersion: f.data.toVersion });
        break;
      }
      default:
        break;
    }
  }
  return [...lines.values()];
}

/** The policy stream as a decider: adoptions, with the configured policy as the first version. */
export function policyDecider(configured: Policy): Decider<AdoptPolicy, PolicyState, AdoptionEvent, AdoptionContext> {
  return { decide: decideAdoption, evolve: evolvePolicy, initialState: () => initialPolicyState(configured) };
}
