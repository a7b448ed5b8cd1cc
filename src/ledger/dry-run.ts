// What-if: a command run as a dry run goes through exactly the same load, decide and checks as
// the real one (src/ledger/command-handling.ts) and stops right before the append. There, the
// stream helper hands the would-be events to this recorder instead of the store, so a dry run
// predicts what the real command writes by construction. The recorder also keeps each stream's
// state after its would-be events (a second decision on that stream in the same command sees
// the first) and the account deltas so far (the running-totals check of a later append counts
// the earlier ones). As a safeguard, the store a dry run runs against refuses every append:
// a path that bypassed the recorder fails the dry run and writes nothing.
import type { Actor } from '../domain/events.js';
import { type AccountTotals, partnerAccounts, type PartnerAccount, zeroAccountTotals } from '../domain/postings.js';
import type { EventStore, ExpectedRevision, NewEvent } from '../store/event-store.js';
import type { CommandCtx, CommandDeps } from './command-handling.js';
import { shareStreamStateCache } from './stream-state-cache.js';

/** An event the real command would write, as the store would hold it but for its position, recording time and hash. */
export interface WouldBeEvent {
  stream: string;
  /** Its revision in the stream if nothing else is appended there first (not shown to a partner). */
  revision?: number;
  eventId: string;
  type: string;
  data: unknown;
  occurredAt: string;
  actor: Actor;
  commandId: string | null;
  correlationId: string | null;
  causationId: string | null;
  policyVersion: string | null;
}

export interface AccountChange {
  beforeFen: number;
  afterFen: number;
  deltaFen: number;
}

export type AccountChanges = Record<PartnerAccount, AccountChange>;

export interface PartnerBalanceChange {
  partnerId: string;
  accounts: AccountChanges;
}

export interface BalanceChanges {
  partners: PartnerBalanceChange[];
  /** Every account summed over the partners above. */
  totals: AccountChanges;
}

export interface DryRunAnswer {
  dryRun: true;
  events: WouldBeEvent[];
  balances: BalanceChanges;
  /** True when the Idempotency-Key already answered this request: the real command would replay that answer and write nothing. */
  wouldReplay?: true;
}

interface PendingStream {
  evolve: object;
  state: unknown;
  expected: ExpectedRevision;
}

/** Collects what a dry run would write; one per dry run. */
export class DryRunRecorder {
  private readonly events: WouldBeEvent[] = [];
  private readonly streams = new Map<string, PendingStream>();
  /** Each partner's totals as the first check of this dry run read them (the "before"). */
  private readonly before = new Map<string, AccountTotals>();
  /** Each partner's summed deltas of the would-be events so far. */
  private readonly deltas = new Map<string, AccountTotals>();

  /** The stream's state and revision after this dry run's would-be events on it, if any. */
  pendingStream<S>(stream: string, evolve: object): { state: S; expected: ExpectedRevision } | undefined {
    const pending = this.streams.get(stream);
    if (!pending || pending.evolve !== evolve) return undefined;
    return { state: pending.state as S, expected: pending.expected };
  }

  /** The partner's totals as the real command's check would see them: the read model's, plus this dry run's earlier deltas. */
  async totalsSeen(partnerId: string, readModelTotals: () => Promise<AccountTotals>): Promise<AccountTotals> {
    let before = this.before.get(partnerId);
    if (!before) {
      before = { ...(await readModelTotals()) };
      this.before.set(partnerId, before);
    }
    return addTotals(before, this.deltas.get(partnerId) ?? zeroAccountTotals());
  }

  /** Records one append that was checked and not made: its events, the stream's state after them, and the deltas. */
  record(stream: string, expected: ExpectedRevision, events: readonly NewEvent[], stateAfter: unknown, evolve: object, deltas: ReadonlyMap<string, AccountTotals>): void {
    const first = firstRevisionAfter(expected);
    events.forEach((e, i) => this.events.push(wouldBeEventOf(e, stream, first + i)));
    this.streams.set(stream, { evolve, state: stateAfter, expected: BigInt(first + events.length - 1) });
    for (const [partnerId, delta] of deltas) this.deltas.set(partnerId, addTotals(this.deltas.get(partnerId) ?? zeroAccountTotals(), delta));
  }

  /** The answer; a partner whose totals no check read (a stream without a totals check) is read now. */
  async answer(readModelTotals: (partnerId: string) => Promise<AccountTotals>): Promise<DryRunAnswer> {
    for (const partnerId of this.deltas.keys()) await this.totalsSeen(partnerId, () => readModelTotals(partnerId));
    return { dryRun: true, events: [...this.events], balances: balanceChangesOf(this.before, this.deltas) };
  }
}

function firstRevisionAfter(expected: ExpectedRevision): number {
  if (expected === 'no-stream') return 0;
  if (typeof expected === 'bigint') return Number(expected) + 1;
  throw new Error(`invariant: a dry run appends after a known revision, not "${expected}"`);
}

function wouldBeEventOf(e: NewEvent, stream: string, revision: number): WouldBeEvent {
  return {
    stream,
    revision,
    eventId: e.eventId,
    type: e.type,
    data: e.data,
    occurredAt: e.occurredAt,
    actor: e.actor,
    commandId: e.commandId ?? null,
    correlationId: e.correlationId ?? null,
    causationId: e.causationId ?? null,
    policyVersion: e.policyVersion ?? null,
  };
}

function addTotals(a: AccountTotals, b: AccountTotals): AccountTotals {
  const sum = zeroAccountTotals();
  for (const account of partnerAccounts) sum[account] = a[account] + b[account];
  return sum;
}

function accountChangesOf(before: AccountTotals, delta: AccountTotals): AccountChanges {
  const changes = {} as AccountChanges;
  for (const account of partnerAccounts) changes[account] = { beforeFen: before[account], afterFen: before[account] + delta[account], deltaFen: delta[account] };
  return changes;
}

/** Per partner (in partner id order) each account's before, after and delta, and their totals. */
export function balanceChangesOf(before: ReadonlyMap<string, AccountTotals>, deltas: ReadonlyMap<string, AccountTotals>): BalanceChanges {
  const partnerIds = [...deltas.keys()].sort();
  let beforeSum = zeroAccountTotals();
  let deltaSum = zeroAccountTotals();
  const partners = partnerIds.map((partnerId) => {
    const was = before.get(partnerId) ?? zeroAccountTotals();
    const delta = deltas.get(partnerId)!;
    beforeSum = addTotals(beforeSum, was);
    deltaSum = addTotals(deltaSum, delta);
    return { partnerId, accounts: accountChangesOf(was, delta) };
  });
  return { partners, totals: accountChangesOf(beforeSum, deltaSum) };
}

/**
 * A partner's view of its dry run: only its own balances, and no stream revisions (a revision
 * would tell how many events the customer's stream holds: other partners' claims among them).
 */
export function dryRunForPartner(answer: DryRunAnswer, partnerId: string): DryRunAnswer {
  const events = answer.events.map(({ revision: _revision, ...rest }) => rest as WouldBeEvent);
  const own = answer.balances.partners.filter((p) => p.partnerId === partnerId);
  return { ...answer, events, balances: { partners: own, totals: own[0]?.accounts ?? balanceChangesOf(new Map(), new Map()).totals } };
}

/** The answer of a dry run whose Idempotency-Key already answered the same request: nothing would be written. */
export function replayDryRunAnswer(): DryRunAnswer {
  return { dryRun: true, events: [], balances: balanceChangesOf(new Map(), new Map()), wouldReplay: true };
}

/** The store a dry run runs against: the real one for every read, an append refused (a dry run never reaches it). */
export function appendRefusingStore(store: EventStore): EventStore {
  return {
    kind: store.kind,
    append: () => Promise.reject(new Error('invariant: a dry run reached the store append; nothing was written')),
    readStream: (stream, options) => store.readStream(stream, options),
    readAll: (options) => store.readAll(options),
    subscribe: (fromPosition, handler) => store.subscribe(fromPosition, handler),
    headPosition: () => store.headPosition(),
    verify: () => store.verify(),
    close: () => Promise.resolve(),
  };
}

/**
 * Runs a command as a dry run: against the store with appends refused (its stream-state cache
 * shared, so a dry run reads only each stream's tail) and with a recorder in the context, which
 * the stream helpers' append step honours (command-handling.ts). The command's own answer is
 * not part of a dry run's: it may be made of what was stored.
 */
export async function dryRunCommand(deps: CommandDeps, run: (deps: CommandDeps, ctx: CommandCtx) => Promise<unknown>, ctx: CommandCtx): Promise<DryRunAnswer> {
  const recorder = new DryRunRecorder();
  const store = appendRefusingStore(deps.store);
  shareStreamStateCache(store, deps.store);
  await run({ ...deps, store }, { ...ctx, dryRun: recorder });
  return recorder.answer(async (partnerId) => {
    await deps.lookups.catchUp();
    return deps.lookups.balanceTotals(partnerId);
  });
}
