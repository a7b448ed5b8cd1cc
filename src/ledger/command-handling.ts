// Command handling: load the stream, fold, decide, append with the revision just read; on a
// revision conflict reload and decide again (bounded). Event ids are deterministic: identity
// events from their business id (a dealId, paymentId or refundId is unique across streams
// because the store's event id is), the others from the command id, so a retry re-sends the
// same ids and the store answers it as the first time.
//
// Which ids are time-ordered (the store's event-id index grows at its right edge for those):
// - identity events stay uuid v5 of their name. The only time a retry repeats would be the
//   command's occurredAt, but that is the ledger's clock unless back-filled, so two
//   registrations of one dealId can carry different times: a time prefix would give them two
//   ids and the store would no longer refuse the second.
// - the other events are named after the command id. When the command id is itself a uuid v7
//   (a request without Idempotency-Key: the server makes one per request), its millisecond
//   prefix is a time every re-send of that command id repeats, so the id is
//   timeOrderedEventId(name, that time): same name → same id, still unique per name. A command
//   id of any other shape (derived from an Idempotency-Key, given by the CLI) carries no time,
//   and its events keep uuid v5 (occurredAt is not repeated by a retry).
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { occurredAtProblem } from '../domain/business-time.js';
import { withCreditStatus } from '../domain/credit-suspension.js';
import { type CustomerState, evolveCustomer, initialCustomerState } from '../domain/customer.js';
import { DomainRuleError, InvariantViolation, refuse } from '../domain/errors.js';
import { customerStream, partnerStream } from '../domain/events.js';
import { requireNoBackfill } from '../domain/own-partner.js';
import { evolvePartner, initialPartnerState, type PartnerState } from '../domain/partner.js';
import type { Policy } from '../domain/policy.js';
import type { Actor, EventEnvelope, LedgerEvent } from '../domain/events.js';
import { factOf, type FoldFact } from '../domain/fact.js';
import { type TieWindow, tieWindowOf } from '../domain/tie-window.js';
import type { AccountTotals } from '../domain/postings.js';
import { addAccountTotals, deltasByPartner } from '../domain/running-totals.js';
import {
  DuplicateEventError,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  WrongExpectedRevisionError,
} from '../store/event-store.js';
import { timeOrderedEventId } from '../store/ids.js';
import type { DryRunRecorder } from './dry-run.js';
import type { PolicyBook } from './policy-book.js';
import { KeyedMutex } from './keyed-mutex.js';
import type { LedgerLookups } from './lookups.js';
import { type CachedState, type StreamStateCache, streamStateCacheOf } from './stream-state-cache.js';

export const MAX_DECIDE_ATTEMPTS = 5;

/** The ledger's uuid v5 namespace (a fixed random uuid). */
const LEDGER_NAMESPACE = 'b1f0c5e2-7d0a-4c52-9a43-3f1e8d2c6a17';

/** Namespace bytes by namespace text (the ledger's one, in practice): parsed once. */
const namespaceBytes = new Map<string, Buffer>();

function namespaceBytesOf(namespace: string): Buffer {
  let ns = namespaceBytes.get(namespace);
  if (!ns) {
    ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
    if (ns.length !== 16) throw new Error(`namespace ${namespace} is not a uuid`);
    if (namespaceBytes.size < 16) namespaceBytes.set(namespace, ns);
  }
  return ns;
}

/** RFC 9562 uuid v5 (SHA-1, name-based) of a name in the ledger's namespace. */
export function uuidV5(name: string, namespace = LEDGER_NAMESPACE): string {
  const hash = createHash('sha1').update(namespaceBytesOf(namespace)).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The name an identity event's id is derived from, or null for events identified by their command. */
export function identityName(event: LedgerEvent): string | null {
  switch (event.type) {
    case 'PartnerSigned':
      return `PartnerSigned:${event.data.partnerId}`;
    case 'DealRegistered':
      return `DealRegistered:${event.data.dealId}`;
    case 'PaymentReceived':
      return `PaymentReceived:${event.data.paymentId}`;
    case 'CommissionAccrued':
      return `CommissionAccrued:${event.data.paymentId}`;
    case 'RefundIssued':
      return `RefundIssued:${event.data.refundId}`;
    case 'CommissionClawedBack':
      return `CommissionClawedBack:${event.data.refundId}`;
    case 'CommissionPaidOut':
      return `CommissionPaidOut:${event.data.partnerId}:${event.data.quarter}`;
    case 'TierChanged':
      return event.data.source === 'evaluation' ? `TierEvaluation:${event.data.partnerId}:${event.data.quarter}` : null;
    case 'TierCertified':
      return `TierCertified:${event.data.partnerId}:${event.data.quarter}`;
    case 'DepositDeducted':
      if (event.data.reference?.startsWith('arrears ')) return `ArrearsDeduction:${event.data.partnerId}:${event.data.reference}`;
      return event.data.reference?.startsWith('payout ') ? `PayoutDeduction:${event.data.partnerId}:${event.data.reference}` : null;
    case 'TrafficBilled':
      return `TrafficBilled:${event.data.billId}`;
    case 'TrafficSettled':
      return `TrafficSettled:${event.data.settlementId}`;
    case 'PurchaseRecorded':
      return `PurchaseRecorded:${event.data.purchaseId}`;
    case 'RebateEarned':
      return `RebateEarned:${event.data.partnerId}:${event.data.quarter}`;
    case 'RebatePaid':
      return `RebatePaid:${event.data.rebatePaymentId}`;
    case 'ContractConfirmed':
      return `ContractConfirmed:${event.data.dealId}`;
    case 'ContractSubmitted':
    case 'ContractRejected':
    case 'ForecastRevised':
      return null;
    case 'TransferProposed':
      return `TransferProposed:${event.data.transferId}`;
    case 'TransferRejected':
      return `TransferRejected:${event.data.transferId}`;
    case 'CustomerBillIssued':
      return `CustomerBillIssued:${event.data.billId}`;
    case 'CustomerBillCollected':
      return `CustomerBillCollected:${event.data.collectionId}`;
    case 'ArrearsExempted':
      return `ArrearsExempted:${event.data.billId}`;
    case 'CreditSuspended':
    case 'CreditResumed':
    case 'CommitmentSet':
    case 'LockedToDistributor':
    case 'DepositPosted':
    case 'DealStageAdvanced':
    case 'DealLost':
    case 'OwnershipRuled':
      return null;
    case 'PolicyAdopted':
      return `PolicyAdopted:${event.data.version}`;
    case 'CommissionAdjusted':
      return `CommissionAdjusted:${event.data.lineEventId}:${event.data.adoptedVersion}`;
    case 'DealTransferred':
      // The approval of a proposal: once per transfer id; a transfer from before proposals has none.
      return event.data.transferId === undefined ? null : `DealTransferred:${event.data.transferId}`;
  }
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** The millisecond time a uuid v7 starts with, or null for any other string. */
export function uuidV7TimeMs(id: string): number | null {
  if (!UUID_V7.test(id)) return null;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

export function eventIdFor(event: LedgerEvent, stream: string, commandId: string, index: number): string {
  const identity = identityName(event);
  if (identity !== null) return uuidV5(identity);
  const name = `command:${commandId}:${stream}:${index}:${event.type}`;
  const commandTimeMs = uuidV7TimeMs(commandId);
  return commandTimeMs === null ? uuidV5(name) : timeOrderedEventId(name, commandTimeMs);
}

export interface EventMeta {
  occurredAt: string;
  actor: Actor;
  commandId: string;
  correlationId: string | null;
  causationId?: string | null;
  policyVersion: string;
  /** Set on a dry run: the append step hands the checked events to it instead of the store (dry-run.ts). */
  dryRun?: DryRunRecorder;
}

/** Money events record the policy version they were decided under; the others record none. */
const MONEY_EVENTS = new Set<LedgerEvent['type']>([
  'DepositPosted',
  'DepositDeducted',
  'TierChanged',
  'TierCertified',
  'CommissionPaidOut',
  'PaymentReceived',
  'CommissionAccrued',
  'RefundIssued',
  'CommissionClawedBack',
  'TrafficBilled',
  'TrafficSettled',
  'CreditSuspended',
  'CreditResumed',
  'CustomerBillIssued',
  'CustomerBillCollected',
  'CommitmentSet',
  'PurchaseRecorded',
  'RebateEarned',
  'RebatePaid',
  'CommissionAdjusted',
]);

export function toNewEvents(events: readonly LedgerEvent[], stream: string, meta: EventMeta): NewEvent[] {
  const out: NewEvent[] = new Array<NewEvent>(events.length);
  const causationId = meta.causationId ?? null;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    // One object shape for every event (a literal, not a spread): the store reads type and data.
    out[i] = {
      type: e.type,
      data: e.data,
      eventId: eventIdFor(e, stream, meta.commandId, i),
      occurredAt: meta.occurredAt,
      actor: meta.actor,
      commandId: meta.commandId,
      correlationId: meta.correlationId,
      causationId,
      policyVersion: MONEY_EVENTS.has(e.type) ? meta.policyVersion : null,
    } as NewEvent;
  }
  return out;
}

export interface Loaded<S> {
  state: S;
  /** The revision to append after: the last event's revision, or 'no-stream'. */
  expected: ExpectedRevision;
}

/**
 * The stream's state as the store has it now: the remembered state (see stream-state-cache.ts)
 * with the events appended after it folded in, or the whole stream folded when none is
 * remembered.
 */
export async function loadStream<S>(store: EventStore, stream: string, initial: () => S, evolve: (s: S, f: FoldFact) => S): Promise<Loaded<S>> {
  const cache = streamStateCacheOf(store);
  const cached = cache.get<S>(stream, evolve);
  if (cached) {
    const tail = await store.readStream(stream, { fromRevision: cached.revision + 1n });
    if (tail.length === 0) return { state: cached.state, expected: cached.revision };
    if (tail[0]!.revision === cached.revision + 1n) return remember(cache, stream, evolve, foldInto(cached.state, tail, evolve));
    cache.forget(stream);
  }
  const envelopes = await store.readStream(stream);
  return remember(cache, stream, evolve, foldInto(initial(), envelopes, evolve));
}

interface Folded<S> {
  state: S;
  last: bigint | null;
}

function foldInto<S>(state: S, envelopes: readonly EventEnvelope[], evolve: (s: S, f: FoldFact) => S): Folded<S> {
  let folded = state;
  for (const e of envelopes) folded = evolve(folded, factOf(e));
  const last = envelopes[envelopes.length - 1];
  return { state: folded, last: last ? last.revision : null };
}

function remember<S>(cache: StreamStateCache, stream: string, evolve: object, folded: Folded<S>): Loaded<S> {
  if (folded.last === null) return { state: folded.state, expected: 'no-stream' };
  cache.set(stream, evolve, folded.last, folded.state);
  return { state: folded.state, expected: folded.last };
}

export interface Decided<S, A> {
  events: LedgerEvent[];
  /** The answer, computed from the state the decision was made on and the events decided. */
  answer: (state: S, events: readonly LedgerEvent[]) => A;
}

export interface HandledCommand<A> {
  answer: A;
  /** The stored envelopes (empty when the command wrote nothing). */
  stored: EventEnvelope[];
  /** The global position of the last event written, or null when nothing was written. */
  position: bigint | null;
}

/** Where the check before an append reads a partner's running account totals (the read model). */
export interface RunningTotals {
  accountTotals(partnerId: string): Promise<AccountTotals>;
}

export interface StreamCommand<S, A> {
  store: EventStore;
  stream: string;
  initial: () => S;
  evolve: (s: S, f: FoldFact) => S;
  /** Decides on freshly loaded state; may read other streams (it runs again on a retry). */
  decide: (state: S) => Promise<Decided<S, A>> | Decided<S, A>;
  meta: EventMeta;
  /** Checked before the append for the accounts a money event moves (omitted: no money moves). */
  totals?: RunningTotals;
}

/** One mutex per store: commands on one stream of it run one at a time in this process. */
const streamLocks = new WeakMap<EventStore, KeyedMutex>();

function streamLockOf(store: EventStore): KeyedMutex {
  let lock = streamLocks.get(store);
  if (!lock) {
    lock = new KeyedMutex();
    streamLocks.set(store, lock);
  }
  return lock;
}

/**
 * Load → fold → decide → append with the revision just read; retried on a revision conflict.
 * Commands on one stream are serialised in-process first (a keyed mutex), so any number of
 * concurrent commands on one stream decide one after another on fresh state; the bounded
 * retries only meet writers in other processes.
 */
export function handleStreamCommand<S, A>(c: StreamCommand<S, A>): Promise<HandledCommand<A>> {
  return streamLockOf(c.store).run(c.stream, () => decideAndAppend(c));
}

/**
 * Decides on the remembered state when there is one (no read at all), else on the stream read
 * from the store. The append's expected revision validates the remembered state: a revision
 * conflict means another writer appended, so the stream is forgotten and read again (that
 * first conflict does not count against the bounded retries). A refusal or an empty decision
 * made on a remembered state is only answered once the store shows nothing newer.
 */
async function decideAndAppend<S, A>(c: StreamCommand<S, A>): Promise<HandledCommand<A>> {
  const cache = streamStateCacheOf(c.store);
  let staleCacheSeen = false;
  const newerInStore = async (cached: CachedState<S> | undefined): Promise<boolean> => {
    if (!cached || staleCacheSeen) return false;
    const now = await loadStream(c.store, c.stream, c.initial, c.evolve);
    staleCacheSeen = now.expected !== cached.revision;
    return staleCacheSeen;
  };
  if (c.meta.dryRun) return decideDryRun(c, c.meta.dryRun);
  for (let attempt = 1; ; attempt++) {
    const cached = cache.get<S>(c.stream, c.evolve);
    const loaded: Loaded<S> = cached ? { state: cached.state, expected: cached.revision } : await loadStream(c.store, c.stream, c.initial, c.evolve);
    let decided: Decided<S, A>;
    try {
      decided = await c.decide(loaded.state);
    } catch (refusal) {
      if (await newerInStore(cached)) continue;
      const earlier = await answerOfEarlierRun(c);
      if (earlier) return earlier;
      throw refusal;
    }
    if (decided.events.length === 0) {
      if (await newerInStore(cached)) continue;
      return { answer: decided.answer(loaded.state, []), stored: [], position: null };
    }
    const newEvents = toNewEvents(decided.events, c.stream, c.meta);
    await checkBeforeAppend(c, loaded.state, newEvents);
    try {
      const result = await c.store.append(c.stream, newEvents, loaded.expected);
      if (!followsOn(result.events, loaded.expected)) {
        // An idempotent re-append: the store answered with events written before, which the loaded
        // state already holds; the answer is that of the run that wrote them.
        cache.forget(c.stream);
        const earlier = await answerOfEarlierRun(c);
        if (earlier) return earlier;
        const now = await loadStream(c.store, c.stream, c.initial, c.evolve);
        return { answer: decided.answer(now.state, decided.events), stored: result.events, position: result.position };
      }
      let state = loaded.state;
      for (const e of result.events) state = c.evolve(state, factOf(e));
      cache.set(c.stream, c.evolve, result.events[result.events.length - 1]!.revision, state);
      return { answer: decided.answer(state, decided.events), stored: result.events, position: result.position };
    } catch (error) {
      cache.forget(c.stream);
      if (error instanceof WrongExpectedRevisionError && cached && !staleCacheSeen) {
        staleCacheSeen = true;
        attempt--;
      }
      if (error instanceof WrongExpectedRevisionError && attempt < MAX_DECIDE_ATTEMPTS) continue;
      if (error instanceof DuplicateEventError) throw duplicateRefusal(decided.events, error);
      throw error;
    }
  }
}

/**
 * A dry run: the same load, decide and check before the append as a real run, on the stream as
 * the store has it now (or as this dry run's earlier would-be events left it); the checked
 * events go to the recorder and nothing is appended. A refusal is the real run's refusal (a
 * command already written under this command id answers as then, writing nothing).
 */
async function decideDryRun<S, A>(c: StreamCommand<S, A>, recorder: DryRunRecorder): Promise<HandledCommand<A>> {
  const loaded = recorder.pendingStream<S>(c.stream, c.evolve) ?? (await loadStream(c.store, c.stream, c.initial, c.evolve));
  let decided: Decided<S, A>;
  try {
    decided = await c.decide(loaded.state);
  } catch (refusal) {
    const earlier = await answerOfEarlierRun(c);
    if (earlier) return { ...earlier, stored: [], position: null };
    throw refusal;
  }
  if (decided.events.length === 0) return { answer: decided.answer(loaded.state, []), stored: [], position: null };
  const newEvents = toNewEvents(decided.events, c.stream, c.meta);
  const totals = c.totals;
  const seen: RunningTotals | undefined = totals && { accountTotals: (partnerId) => recorder.totalsSeen(partnerId, () => totals.accountTotals(partnerId)) };
  const after = await checkBeforeAppend({ evolve: c.evolve, totals: seen }, loaded.state, newEvents);
  recorder.record(c.stream, loaded.expected, newEvents, after, c.evolve, deltasByPartner(newEvents as readonly LedgerEvent[]));
  return { answer: decided.answer(after, decided.events), stored: [], position: null };
}

/** Running totals as the read model holds them, caught up to the log's head first. */
export function runningTotalsFrom(lookups: LedgerLookups): RunningTotals {
  return {
    async accountTotals(partnerId) {
      await lookups.catchUp();
      return lookups.balanceTotals(partnerId);
    },
  };
}

/** Above any position a log reaches: a provisional fact folds after every stored one. */
const PROVISIONAL_POSITION = 1n << 60n;

/**
 * Check, then write: the decided events are folded into the state in memory by the stream's
 * own evolve (every invariant it asserts), and their postings are added to the partners'
 * running totals, before anything is appended. A broken invariant refuses the command with
 * its rule and figures (422) and nothing is written: no event the projections cannot apply
 * ever reaches the log.
 */
export async function checkBeforeAppend<S>(c: Pick<StreamCommand<S, unknown>, 'evolve' | 'totals'>, state: S, events: readonly NewEvent[]): Promise<S> {
  try {
    let next = state;
    events.forEach((e, i) => {
      const fact = { type: e.type, data: e.data, eventId: e.eventId, occurredAt: e.occurredAt, recordedAt: e.occurredAt, position: PROVISIONAL_POSITION + BigInt(i) };
      next = c.evolve(next, fact as FoldFact);
    });
    if (c.totals) {
      for (const [partnerId, deltas] of deltasByPartner(events as readonly LedgerEvent[])) {
        addAccountTotals(partnerId, await c.totals.accountTotals(partnerId), deltas);
      }
    }
    return next;
  } catch (error) {
    if (error instanceof InvariantViolation) throw new DomainRuleError(error.rule, `refused: ${error.detail}; nothing was written`, error.figures);
    throw error;
  }
}

/**
 * A command retried after its answer was lost (the process died between the durable append and
 * the answer): its events are in the stream under its command id. It is decided again on the
 * state just before them, and answered as then, writing nothing. Null when the stream holds no
 * event of this command id.
 */
async function answerOfEarlierRun<S, A>(c: StreamCommand<S, A>): Promise<HandledCommand<A> | null> {
  const commandId = c.meta.commandId;
  if (!commandId) return null;
  const envelopes = await c.store.readStream(c.stream);
  const first = envelopes.findIndex((e) => e.commandId === commandId);
  if (first < 0) return null;
  const own = envelopes.filter((e) => e.commandId === commandId);
  const before = foldInto(c.initial(), envelopes.slice(0, first), c.evolve).state;
  const after = foldInto(before, own, c.evolve).state;
  const decided = await c.decide(before);
  const last = own[own.length - 1]!;
  return { answer: decided.answer(after, decided.events), stored: own, position: last.position };
}

/** True when the appended events directly follow the expected revision (a new append, not an idempotent answer). */
function followsOn(events: readonly EventEnvelope[], expected: ExpectedRevision): boolean {
  const first = events[0];
  const last = events[events.length - 1];
  if (!first || !last) return false;
  const next = expected === 'no-stream' ? 0n : typeof expected === 'bigint' ? expected + 1n : -1n;
  return first.revision === next && last.revision === next + BigInt(events.length - 1);
}

/** An identity event id already stored with other content: the business id is taken elsewhere. */
function duplicateRefusal(events: readonly LedgerEvent[], error: DuplicateEventError): DomainRuleError {
  const clash = events.find((e) => identityName(e) !== null && uuidV5(identityName(e)!) === error.eventId);
  const name = clash ? identityName(clash)! : `event ${error.eventId}`;
  const [type, ...id] = name.split(':');
  const rule =
    type === 'DealRegistered' ? 'deal-id-taken'
    : type === 'PaymentReceived' || type === 'CommissionAccrued' ? 'payment-id-taken'
    : type === 'RefundIssued' || type === 'CommissionClawedBack' ? 'refund-id-taken'
    : type === 'PartnerSigned' ? 'partner-already-signed'
    : type === 'TrafficBilled' ? 'bill-id-taken'
    : type === 'TrafficSettled' ? 'settlement-id-taken'
    : type === 'CustomerBillIssued' ? 'customer-bill-id-taken'
    : type === 'CustomerBillCollected' ? 'collection-id-taken'
    : type === 'PurchaseRecorded' ? 'purchase-id-taken'
    : type === 'RebatePaid' ? 'rebate-payment-id-taken'
    : type === 'TransferProposed' ? 'transfer-id-taken'
    : 'already-recorded';
  return new DomainRuleError(rule, `${id.join(':') || name} is already recorded with other content (${error.detail})`, { id: id.join(':') }, 'conflict');
}

// ---- the plumbing every command shares --------------------------------------------------------

/** What every command runs against. */
export interface CommandDeps {
  store: EventStore;
  /** The configured policy (time zone and tie window, fixed for the log); decisions use policyAt. */
  policy: Policy;
  /** The policy history (src/ledger/policy-book.ts); absent: the one policy above, always in force. */
  policies?: PolicyBook;
  lookups: LedgerLookups;
  /** The ledger's clock: ISO-8601 UTC with milliseconds. */
  clock: () => string;
}

/** Who asks, and the ids that tie the command's events together. */
export interface CommandCtx {
  actor: Actor;
  /** Stable across retries of one Idempotency-Key. */
  commandId: string;
  correlationId: string | null;
  /** A dry run: everything as for the real command up to the append, which is recorded here instead (dry-run.ts). */
  dryRun?: DryRunRecorder;
}

export interface CommandOutcome<A> {
  answer: A;
  /** Global positions of the last event of each append (empty when nothing was written). */
  positions: bigint[];
  /** The highest position written, or null: catch the read model up to it before answering. */
  position: bigint | null;
}

/**
 * One command: its input schema (the route's params and body together, money in fen, named
 * once: HTTP, the CLI and the demo hand in this shape) and the function that decides and
 * appends it.
 */
export interface CommandSpec<I extends z.ZodType = z.ZodType, A = unknown> {
  readonly name: string;
  readonly input: I;
  run(deps: CommandDeps, input: z.output<I>, ctx: CommandCtx): Promise<CommandOutcome<A>>;
}

export function defineCommand<I extends z.ZodType, A>(spec: CommandSpec<I, A>): CommandSpec<I, A> {
  return spec;
}

export function outcome<A>(answer: A, handled: ReadonlyArray<HandledCommand<unknown>>): CommandOutcome<A> {
  const positions = handled.flatMap((h) => (h.position === null ? [] : [h.position]));
  const position = positions.reduce<bigint | null>((max, p) => (max === null || p > max ? p : max), null);
  return { answer, positions, position };
}

/**
 * The business time of a command: the ledger's clock, or the back-filled occurredAt of a
 * manager or finance (never a partner's, own-partner.ts) inside the policy's range
 * (business-time.ts); outside it, a 400 naming the field.
 */
export function occurredAtOf(deps: CommandDeps, ctx: CommandCtx, occurredAt: string | undefined): string {
  requireNoBackfill(ctx.actor, occurredAt);
  if (occurredAt === undefined) return deps.clock();
  const problem = occurredAtProblem(occurredAt, deps.policy, deps.clock());
  if (problem !== null) refuse('occurred-at-out-of-range', problem, { field: 'occurredAt', occurredAt }, 'invalid');
  return occurredAt;
}

/** The policy version in force at a fact's business instant (policy-history.ts). */
export function policyAt(deps: Pick<CommandDeps, 'policy' | 'policies'>, instant: string): Policy {
  return deps.policies ? deps.policies.at(instant) : deps.policy;
}

export function metaOf(deps: CommandDeps, ctx: CommandCtx, occurredAt: string, policy: Policy = policyAt(deps, occurredAt)): EventMeta {
  const meta: EventMeta = { occurredAt, actor: ctx.actor, commandId: ctx.commandId, correlationId: ctx.correlationId, policyVersion: policy.version };
  if (ctx.dryRun) meta.dryRun = ctx.dryRun;
  return meta;
}

export async function partnerStateOf(store: EventStore, partnerId: string): Promise<PartnerState> {
  return (await loadStream(store, partnerStream(partnerId), initialPartnerState, evolvePartner)).state;
}

export async function customerStateOf(store: EventStore, customerKey: string, tieWindow: TieWindow): Promise<CustomerState> {
  return (await loadStream(store, customerStream(customerKey), () => initialCustomerState(customerKey, tieWindow), evolveCustomer)).state;
}

/** Decides on one partner's stream at `occurredAt` (money checked against the running totals). */
export function onPartnerStream<A>(
  deps: CommandDeps,
  ctx: CommandCtx,
  partnerId: string,
  occurredAt: string,
  decide: (state: PartnerState) => Promise<Decided<PartnerState, A>> | Decided<PartnerState, A>,
): Promise<HandledCommand<A>> {
  return handleStreamCommand<PartnerState, A>({
    store: deps.store,
    stream: partnerStream(partnerId),
    initial: initialPartnerState,
    evolve: evolvePartner,
    meta: metaOf(deps, ctx, occurredAt),
    totals: runningTotalsFrom(deps.lookups),
    // Every partner-stream decision records the credit status change it causes (credit-suspension.ts).
    decide: async (state) => {
      const decided = await decide(state);
      return { ...decided, events: withCreditStatus(state, decided.events, occurredAt) };
    },
  });
}

/** Decides on one customer's stream at `occurredAt` (money checked against the running totals). */
export function onCustomerStream<A>(
  deps: CommandDeps,
  ctx: CommandCtx,
  customerKey: string,
  occurredAt: string,
  decide: (state: CustomerState) => Promise<Decided<CustomerState, A>> | Decided<CustomerState, A>,
): Promise<HandledCommand<A>> {
  return handleStreamCommand<CustomerState, A>({
    store: deps.store,
    stream: customerStream(customerKey),
    initial: () => initialCustomerState(customerKey, tieWindowOf(deps.policy)),
    evolve: evolveCustomer,
    meta: metaOf(deps, ctx, occurredAt),
    totals: runningTotalsFrom(deps.lookups),
    decide,
  });
}
