// One function per API command. Each takes its dependencies, the command's input (already
// shaped by the HTTP layer, money in fen) and who asks, decides on the stream it writes, and
// answers what API.md describes plus the positions it wrote (for read-your-writes).
import { creditCodeProblem, canonicalTaxId, customerKeyOf, foldCompanyName } from '../domain/customer-key.js';
import { type CustomerCommand, type CustomerDecideContext, decideCustomer } from '../domain/customer-decide.js';
import {
  type ClaimStatus,
  type CustomerState,
  type Stage,
  evolveCustomer,
  findClaim,
  initialCustomerState,
  ownerClaimAt,
  ownershipOf,
} from '../domain/customer.js';
import type { DecideContext } from '../domain/decide-context.js';
import { refuse } from '../domain/errors.js';
import { type Actor, customerStream, type EventDataOf, type LedgerEvent, partnerStream } from '../domain/events.js';
import { decidePartner, depositRequirement, type PartnerCommand } from '../domain/partner-decide.js';
import { currentTier, evolvePartner, initialPartnerState, type PartnerState } from '../domain/partner.js';
import { decidePayout, type UnsettledLine } from '../domain/payout.js';
import type { Policy } from '../domain/policy.js';
import { evaluationEffectiveAt } from '../domain/evaluation-effective-date.js';
import { compareQuarters } from '../domain/quarter.js';
import { signedCustomersByPartner } from '../domain/signed-customers.js';
import { decideTierEvaluation, isEvaluated } from '../domain/tier-evaluation.js';
import type { EventStore } from '../store/event-store.js';
import { type EventMeta, type HandledCommand, handleStreamCommand, loadStream, runningTotalsFrom } from './command-handling.js';
import type { LedgerLookups, LookupLine } from './lookups.js';

export interface CommandDeps {
  store: EventStore;
  policy: Policy;
  lookups: LedgerLookups;
  /** The ledger's clock: ISO-8601 UTC with milliseconds. */
  clock: () => string;
}

export interface CommandCtx {
  actor: Actor;
  /** Stable across retries of one Idempotency-Key. */
  commandId: string;
  correlationId: string | null;
  /** A manager's or finance's back-filled business time; the ledger's clock otherwise. */
  occurredAt?: string | null;
}

export interface CommandOutcome<A> {
  answer: A;
  /** Global positions of the last event of each append (empty when nothing was written). */
  positions: bigint[];
  /** The highest position written, or null: catch the read model up to it before answering. */
  position: bigint | null;
}

// ---- plumbing --------------------------------------------------------------------------------

function metaOf(deps: CommandDeps, ctx: CommandCtx, occurredAt: string): EventMeta {
  return { occurredAt, actor: ctx.actor, commandId: ctx.commandId, correlationId: ctx.correlationId, policyVersion: deps.policy.version };
}

const occurredAtOf = (deps: CommandDeps, ctx: CommandCtx): string => ctx.occurredAt ?? deps.clock();

function decideContext(deps: CommandDeps, ctx: CommandCtx, occurredAt: string): DecideContext {
  return { policy: deps.policy, occurredAt, actor: ctx.actor };
}

function outcome<A>(answer: A, handled: ReadonlyArray<HandledCommand<unknown>>): CommandOutcome<A> {
  const positions = handled.flatMap((h) => (h.position === null ? [] : [h.position]));
  const position = positions.reduce<bigint | null>((max, p) => (max === null || p > max ? p : max), null);
  return { answer, positions, position };
}

async function partnerState(store: EventStore, partnerId: string): Promise<PartnerState> {
  return (await loadStream(store, partnerStream(partnerId), initialPartnerState, evolvePartner)).state;
}

function partnerCommand<A>(deps: CommandDeps, ctx: CommandCtx, partnerId: string, command: PartnerCommand, answer: (s: PartnerState, events: readonly LedgerEvent[]) => A, parentId?: string | null) {
  const occurredAt = occurredAtOf(deps, ctx);
  return handleStreamCommand<PartnerState, A>({
    store: deps.store,
    stream: partnerStream(partnerId),
    initial: initialPartnerState,
    evolve: evolvePartner,
    meta: metaOf(deps, ctx, occurredAt),
    totals: runningTotalsFrom(deps.lookups),
    decide: async (state) => {
      const parent = parentId ? await partnerState(deps.store, parentId) : null;
      return { events: decidePartner(command, state, { ...decideContext(deps, ctx, occurredAt), parent }), answer };
    },
  });
}

function customerCommand<A>(
  deps: CommandDeps,
  ctx: CommandCtx,
  customerKey: string,
  command: CustomerCommand,
  answer: (s: CustomerState, events: readonly LedgerEvent[]) => A,
  extra: (state: CustomerState, occurredAt: string) => Promise<Partial<CustomerDecideContext>> = async () => ({}),
) {
  const occurredAt = occurredAtOf(deps, ctx);
  return handleStreamCommand<CustomerState, A>({
    store: deps.store,
    stream: customerStream(customerKey),
    initial: () => initialCustomerState(customerKey),
    evolve: evolveCustomer,
    meta: metaOf(deps, ctx, occurredAt),
    totals: runningTotalsFrom(deps.lookups),
    decide: async (state) => {
      const more = await extra(state, occurredAt);
      return { events: decideCustomer(command, state, { ...decideContext(deps, ctx, occurredAt), ...more }), answer };
    },
  });
}

/** A partner acting on a claim that is not its own is forbidden (managers act on any). */
function requireOwnClaim(ctx: CommandCtx, state: CustomerState, dealId: string): void {
  const claim = findClaim(state, dealId);
  if (ctx.actor.role === 'partner' && claim && claim.partnerId !== ctx.actor.id) {
    refuse('not-your-deal', `deal ${dealId} is not a claim of partner ${ctx.actor.id}`, { dealId }, 'forbidden');
  }
}

async function customerKeyOfDeal(deps: CommandDeps, dealId: string): Promise<string> {
  await deps.lookups.catchUp();
  const key = await deps.lookups.customerKeyOfDeal(dealId);
  if (key === null) refuse('deal-unknown', `deal ${dealId} is not registered`, { dealId }, 'not-found');
  return key;
}

/** A customer key as given, or the key a tax id or a name folds to. */
export function resolveCustomerKey(keyOrName: string): string {
  if (/^(tax|name):/.test(keyOrName)) return keyOrName;
  const code = canonicalTaxId(keyOrName);
  if (creditCodeProblem(code) === null) return `tax:${code}`;
  return `name:${foldCompanyName(keyOrName)}`;
}

function ownershipSummary(state: CustomerState, dealId: string): { ownerDealId: string | null; ownerPartnerId: string | null; status: ClaimStatus; rule: string } {
  const o = ownershipOf(state);
  const claim = o.claims.find((c) => c.dealId === dealId);
  if (!claim) throw new Error(`deal ${dealId} is not a claim on ${state.customerKey}`);
  return { ownerDealId: o.ownerDealId, ownerPartnerId: o.ownerPartnerId, status: claim.status, rule: o.rule };
}

// ---- partners --------------------------------------------------------------------------------

export interface RegisterPartnerInput {
  partnerId: string;
  name: string;
  kind: EventDataOf<'PartnerSigned'>['kind'];
  tier: string;
  parentPartnerId?: string | null;
  territory?: string | null;
}

export async function registerPartner(deps: CommandDeps, input: RegisterPartnerInput, ctx: CommandCtx) {
  const data = { partnerId: input.partnerId, name: input.name, kind: input.kind, tier: input.tier, parentPartnerId: input.parentPartnerId ?? null, territory: input.territory ?? null };
  const handled = await partnerCommand(deps, ctx, input.partnerId, { type: 'SignPartner', data }, (s) => ({ ...data, signedAt: s.signedAt }), data.parentPartnerId);
  return outcome(handled.answer, [handled]);
}

function depositAnswer(deps: CommandDeps, s: PartnerState) {
  const r = depositRequirement(s, deps.policy);
  return { partnerId: s.partnerId!, depositFen: s.depositFen, debtFen: s.debtFen, depositRequiredFen: r.requiredFen, shortfallFen: r.shortfallFen };
}

export async function postDeposit(deps: CommandDeps, input: { partnerId: string; amount: number }, ctx: CommandCtx) {
  const handled = await partnerCommand(deps, ctx, input.partnerId, { type: 'PostDeposit', data: { partnerId: input.partnerId, amountFen: input.amount } }, (s) => depositAnswer(deps, s));
  return outcome(handled.answer, [handled]);
}

export async function deductDeposit(deps: CommandDeps, input: { partnerId: string; amount: number; reason: string; reference?: string | null }, ctx: CommandCtx) {
  const command: PartnerCommand = { type: 'DeductDeposit', data: { partnerId: input.partnerId, amountFen: input.amount, reason: input.reason, reference: input.reference ?? null } };
  const handled = await partnerCommand(deps, ctx, input.partnerId, command, (s, events) => {
    const d = events[0]?.type === 'DepositDeducted' ? events[0].data : null;
    return { ...depositAnswer(deps, s), requestedFen: d?.requestedFen ?? 0, deductedFen: d?.deductedFen ?? 0, addedDebtFen: d?.debtFen ?? 0 };
  });
  return outcome(handled.answer, [handled]);
}

export async function changeTier(deps: CommandDeps, input: { partnerId: string; tier: string; reason: string }, ctx: CommandCtx) {
  const handled = await partnerCommand(deps, ctx, input.partnerId, { type: 'ChangeTier', data: input }, (s, events) => ({
    from: events[0]?.type === 'TierChanged' ? events[0].data.from : null,
    tier: currentTier(s),
    ...depositAnswer(deps, s),
  }));
  return outcome(handled.answer, [handled]);
}

/**
 * Evaluates every partner for the quarter (src/domain/tier-evaluation.ts): the signings the
 * read model holds are counted by the domain's rule, and the new tiers take effect at the
 * instant the domain gives (evaluation-effective-date.ts), one for the whole evaluation.
 */
export async function evaluateTiers(deps: CommandDeps, input: { quarter: string }, ctx: CommandCtx) {
  await deps.lookups.catchUp();
  const signedCustomers = signedCustomersByPartner(await deps.lookups.signingsOf(input.quarter), input.quarter, deps.policy.timeZone);
  const ids = await deps.lookups.partnerIds();
  const occurredAt = evaluationEffectiveAt(input.quarter, deps.clock(), ctx.occurredAt, deps.policy.timeZone);
  const handled: Array<HandledCommand<boolean>> = [];
  const changes: Array<{ partnerId: string; from: string; to: string; signedCustomers: number }> = [];
  for (const partnerId of ids) {
    const h = await handleStreamCommand<PartnerState, boolean>({
      store: deps.store,
      stream: partnerStream(partnerId),
      initial: initialPartnerState,
      evolve: evolvePartner,
      meta: metaOf(deps, ctx, occurredAt),
      decide: (state) => ({
        events: decideTierEvaluation({ type: 'EvaluateTier', data: { partnerId, quarter: input.quarter } }, state, { ...decideContext(deps, ctx, occurredAt), signedCustomers }),
        answer: (s) => isEvaluated(s, input.quarter, occurredAt, deps.policy.timeZone),
      }),
    });
    handled.push(h);
    for (const e of h.stored) {
      if (e.type === 'TierChanged') {
        const d = e.data as EventDataOf<'TierChanged'>;
        changes.push({ partnerId, from: d.from, to: d.to, signedCustomers: d.figures.signedCustomers ?? 0 });
      }
    }
  }
  return outcome({ quarter: input.quarter, evaluated: handled.filter((h) => h.answer).length, changes }, handled);
}

// ---- deals -----------------------------------------------------------------------------------

export interface RegisterDealInput {
  dealId: string;
  /** The registering partner, or "direct" for the direct sales team. */
  partnerId: string;
  customer: { name: string; taxId?: string | null };
  expectedPorts?: number | null;
  expectedRevenue?: number | null;
}

export async function registerDeal(deps: CommandDeps, input: RegisterDealInput, ctx: CommandCtx) {
  const direct = input.partnerId === 'direct';
  if (ctx.actor.role === 'partner' && (direct || input.partnerId !== ctx.actor.id)) {
    refuse('not-your-partner-id', `partner ${ctx.actor.id} registers deals only for itself`, { partnerId: input.partnerId }, 'forbidden');
  }
  const { key, match } = customerKeyOf({ name: input.customer.name, taxId: input.customer.taxId ?? null });
  const command: CustomerCommand = {
    type: 'RegisterDeal',
    data: {
      dealId: input.dealId,
      customerKey: key,
      customer: { name: input.customer.name.trim(), taxId: input.customer.taxId ?? null },
      match,
      channel: direct ? 'direct' : 'partner',
      partnerId: direct ? null : input.partnerId,
      expectedPorts: input.expectedPorts ?? null,
      expectedRevenueFen: input.expectedRevenue ?? null,
    },
  };
  const handled = await customerCommand(
    deps,
    ctx,
    key,
    command,
    (s) => {
      const o = ownershipSummary(s, input.dealId);
      return { dealId: input.dealId, customerKey: key, match, ownership: { ownerDealId: o.ownerDealId, ownerPartnerId: o.ownerPartnerId, status: o.status }, rule: o.rule };
    },
    async () => ({ registeringPartner: direct ? null : await partnerState(deps.store, input.partnerId) }),
  );
  return outcome(handled.answer, [handled]);
}

export async function advanceStage(deps: CommandDeps, input: { dealId: string; stage: Stage | 'lost'; reason?: string | null }, ctx: CommandCtx) {
  const key = await customerKeyOfDeal(deps, input.dealId);
  const handled = await customerCommand(
    deps,
    ctx,
    key,
    { type: 'AdvanceStage', data: { dealId: input.dealId, stage: input.stage, reason: input.reason ?? null } },
    (s) => ({ dealId: input.dealId, customerKey: key, stage: input.stage, ownership: ownershipSummary(s, input.dealId) }),
    async (state) => {
      requireOwnClaim(ctx, state, input.dealId);
      return {};
    },
  );
  return outcome(handled.answer, [handled]);
}

export async function transferDeal(deps: CommandDeps, input: { dealId: string; toDealId: string; reason: string }, ctx: CommandCtx) {
  const key = await customerKeyOfDeal(deps, input.dealId);
  const handled = await customerCommand(deps, ctx, key, { type: 'TransferDeal', data: { fromDealId: input.dealId, toDealId: input.toDealId, reason: input.reason } }, (s, events) => ({
    customerKey: key,
    fromDealId: input.dealId,
    toDealId: input.toDealId,
    ownerIdleDays: events[0]?.type === 'DealTransferred' ? events[0].data.ownerIdleDays : null,
    ownership: ownershipSummary(s, input.toDealId),
  }));
  return outcome(handled.answer, [handled]);
}

export async function ruleOwnership(deps: CommandDeps, input: { customerKey: string; ownerDealId: string; reason: string }, ctx: CommandCtx) {
  const key = resolveCustomerKey(input.customerKey);
  const handled = await customerCommand(deps, ctx, key, { type: 'RuleOwnership', data: { ownerDealId: input.ownerDealId, reason: input.reason } }, (s) => {
    const o = ownershipOf(s);
    return { customerKey: key, ownerDealId: o.ownerDealId, ownerPartnerId: o.ownerPartnerId, rule: o.rule, ruleDetail: o.ruleDetail };
  });
  return outcome(handled.answer, [handled]);
}

// ---- money -----------------------------------------------------------------------------------

export async function receivePayment(deps: CommandDeps, input: { paymentId: string; dealId: string; line: EventDataOf<'PaymentReceived'>['line']; amount: number }, ctx: CommandCtx) {
  const key = await customerKeyOfDeal(deps, input.dealId);
  const handled = await customerCommand(
    deps,
    ctx,
    key,
    { type: 'ReceivePayment', data: { paymentId: input.paymentId, dealId: input.dealId, line: input.line, amountFen: input.amount } },
    (_s, events) => {
      const received = events.find((e) => e.type === 'PaymentReceived');
      const accrued = events.find((e) => e.type === 'CommissionAccrued');
      const r = received?.type === 'PaymentReceived' ? received.data : null;
      const c = accrued?.type === 'CommissionAccrued' ? accrued.data : null;
      return {
        paymentId: input.paymentId,
        customerKey: key,
        dealId: input.dealId,
        amountFen: input.amount,
        ownerDealId: r?.ownerDealId ?? null,
        ownerPartnerId: r?.ownerPartnerId ?? null,
        noCommissionReason: r?.noCommissionReason ?? null,
        commission: c && { partnerId: c.partnerId, tier: c.tier, commissionYear: c.commissionYear, rateBps: c.rateBps, commissionFen: c.commissionFen },
      };
    },
    async (state, occurredAt) => {
      const owner = ownerClaimAt(state, occurredAt);
      return { ownerPartner: owner?.partnerId ? await partnerState(deps.store, owner.partnerId) : null };
    },
  );
  return outcome(handled.answer, [handled]);
}

export async function issueRefund(deps: CommandDeps, input: { refundId: string; paymentId: string; amount: number; reason: string }, ctx: CommandCtx) {
  await deps.lookups.catchUp();
  const key = await deps.lookups.customerKeyOfPayment(input.paymentId);
  if (key === null) refuse('payment-unknown', `payment ${input.paymentId} is not recorded`, { paymentId: input.paymentId }, 'not-found');
  const handled = await customerCommand(deps, ctx, key, { type: 'IssueRefund', data: { refundId: input.refundId, paymentId: input.paymentId, amountFen: input.amount, reason: input.reason } }, (_s, events) => {
    const claw = events.find((e) => e.type === 'CommissionClawedBack');
    const c = claw?.type === 'CommissionClawedBack' ? claw.data : null;
    return { refundId: input.refundId, paymentId: input.paymentId, customerKey: key, amountFen: input.amount, clawback: c && { partnerId: c.partnerId, rateBps: c.rateBps, commissionFen: c.commissionFen } };
  });
  return outcome(handled.answer, [handled]);
}

export function toUnsettledLine(line: LookupLine): UnsettledLine {
  return {
    eventId: line.eventId,
    type: line.kind === 'accrual' ? 'CommissionAccrued' : 'CommissionClawedBack',
    commissionFen: Math.abs(line.commissionFen),
    paymentId: line.paymentId,
    occurredAt: line.cashAt,
    position: BigInt(line.position),
  };
}

export interface PayoutAnswerLine {
  partnerId: string;
  lines: number;
  netFen: number;
  debtRecoveredFen: number;
  paidFen: number;
  deductedFen: number;
  addedDebtFen: number;
}

/**
 * A payout writes to many partner streams; a quarter earlier than one already paid is refused
 * for all of them before anything is written. (A payout cut short by a crash is completed by
 * running it again: each partner's quarter is paid at most once.)
 */
async function refuseOutOfOrderPayout(deps: CommandDeps, partnerIds: readonly string[], quarter: string): Promise<void> {
  for (const partnerId of partnerIds) {
    const state = await partnerState(deps.store, partnerId);
    if (state.lastPaidQuarter !== null && compareQuarters(quarter, state.lastPaidQuarter) < 0) {
      refuse('payout-quarter-out-of-order', `payout refused: ${quarter} is earlier than ${state.lastPaidQuarter}, already paid to partner ${partnerId}; later lines go into the next payout`, {
        quarter,
        lastPaidQuarter: state.lastPaidQuarter,
        partnerId,
      });
    }
  }
}

/** Pays the quarter for every partner with unsettled lines; a quarter paid already writes nothing. */
export async function payOut(deps: CommandDeps, input: { quarter: string }, ctx: CommandCtx) {
  await deps.lookups.catchUp();
  const throughPosition = await deps.store.headPosition();
  const occurredAt = occurredAtOf(deps, ctx);
  const handled: Array<HandledCommand<unknown>> = [];
  const payouts: PayoutAnswerLine[] = [];
  const partnerIds = await deps.lookups.partnerIds();
  await refuseOutOfOrderPayout(deps, partnerIds, input.quarter);
  for (const partnerId of partnerIds) {
    const lines = (await deps.lookups.unsettledLines(partnerId)).map(toUnsettledLine);
    const h = await handleStreamCommand<PartnerState, null>({
      store: deps.store,
      stream: partnerStream(partnerId),
      initial: initialPartnerState,
      evolve: evolvePartner,
      meta: metaOf(deps, ctx, occurredAt),
      decide: (state) => ({
        events: decidePayout({ partnerId, quarter: input.quarter }, state, { ...decideContext(deps, ctx, occurredAt), lines, throughPosition }),
        answer: () => null,
      }),
    });
    handled.push(h);
    const paid = h.stored.find((e) => e.type === 'CommissionPaidOut')?.data as EventDataOf<'CommissionPaidOut'> | undefined;
    const deducted = h.stored.find((e) => e.type === 'DepositDeducted')?.data as EventDataOf<'DepositDeducted'> | undefined;
    if (paid) {
      payouts.push({
        partnerId,
        lines: paid.lines.length,
        netFen: paid.netFen,
        debtRecoveredFen: paid.debtRecoveredFen,
        paidFen: paid.paidFen,
        deductedFen: deducted?.deductedFen ?? 0,
        addedDebtFen: deducted?.debtFen ?? 0,
      });
    }
  }
  return outcome({ quarter: input.quarter, payouts }, handled);
}
