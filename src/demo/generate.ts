// The demo data set, generated: the plan (plan.ts) sent command by command through the real
// command functions (src/ledger/commands.ts) with a simulated clock, so every rule of the
// ledger applies and every event is valid. Commands that share an instant and write different
// streams go to the store together (group commit); their appends are handed over in the plan's
// order, so positions, times and hashes come out the same on every run with the same seed.
import type { Actor } from '../domain/events.js';
import { DIRECT_SALES } from '../domain/own-partner.js';
import { depositRequiredFen, type Policy } from '../domain/policy.js';
import { partnerStream } from '../domain/events.js';
import { evolvePartner, initialPartnerState, type PartnerState } from '../domain/partner.js';
import { rebateProgramme } from '../domain/rebate-decide.js';
import { payerKeyOf, unpaidRebateFen } from '../domain/rebates.js';
import { creditUseOf, trafficOutstandingFen } from '../domain/traffic.js';
import { wholesaleMinimumFen } from '../domain/traffic-decide.js';
import { loadStream } from '../ledger/command-handling.js';
import { shareStreamStateCache } from '../ledger/stream-state-cache.js';
import type { CommandCtx, CommandDeps } from '../ledger/command-handling.js';
import { type CommandName, type InputOf, type OutcomeOf, runCommand } from '../ledger/commands/index.js';
import type { LedgerLookups } from '../ledger/lookups.js';
import { openReadSide } from '../ledger/read-side.js';
import type { EventEnvelope } from '../domain/events.js';
import type { AppendResult, EventHandler, EventStore, ExpectedRevision, NewEvent, ReadAllOptions, ReadStreamOptions } from '../store/event-store.js';
import { sqliteFileFor } from '../store/open-store.js';
import { openSqliteEventStore } from '../store/sqlite/sqlite-event-store.js';
import { DAY_MS, financeSlotAfter, iso, workingInstantAfter } from './calendar.js';
import { type DemoAction, type DemoCommand, type DemoOptions, type DemoPlan, demoActors, planDemo, type PartnerPlan } from './plan.js';
import { Prng } from './prng.js';

/** The ledger's clock during generation: the plan's instants, never going back. */
export class SimulatedClock {
  private ms: number;
  constructor(startMs = 0) {
    this.ms = startMs;
  }
  readonly now = (): string => iso(this.ms);
  nowMs(): number {
    return this.ms;
  }
  set(ms: number): void {
    if (!Number.isSafeInteger(ms) || ms < this.ms) throw new Error(`the simulated clock cannot go back from ${iso(this.ms)} to ${iso(ms)}`);
    this.ms = ms;
  }
}

/** Where the demo goes: a store, the read model's lookups over it, the policy, and the clock the commands read. */
export interface DemoSink {
  store: EventStore;
  lookups: LedgerLookups;
  policy: Policy;
  /** The ledger's clock for the commands (and the store's, when the store was opened with clock.now). */
  clock: SimulatedClock;
}

/** The demo writes into an empty log only. */
export class DemoRefusedError extends Error {
  override readonly name = 'DemoRefused';
}

export interface DemoProgress {
  /** Commands sent so far. */
  done: number;
  total: number;
  /** The simulated clock (ISO). */
  at: string;
}

export interface GenerateDemoOptions extends Omit<DemoOptions, 'timeZone'> {
  /** Default: the policy's time zone. */
  timeZone?: string;
  onProgress?: (p: DemoProgress) => void;
}

export interface DemoSummary {
  seed: number;
  quarters: string[];
  /** recordedAt of the first and the last event. */
  firstRecordedAt: string | null;
  lastRecordedAt: string | null;
  events: number;
  commands: number;
  partners: { total: number; gold: number; silver: number; standard: number; underGoldParents: number; wholesaleVoice: number };
  tiersAtEnd: Record<string, number>;
  tierChanges: number;
  /** Tier certificates issued: every partner evaluated, every quarter (TierCertified). */
  certificates: number;
  customers: number;
  claims: number;
  /** transfers: handovers approved (DealTransferred); transferProposals and transfersRejected: the proposals and those refused. */
  conflicts: { contestedCustomers: number; tiesToPartner: number; transfers: number; transferProposals: number; transfersRejected: number; rulings: number; lost: number };
  /** Contracts submitted to the vendor, confirmed (each a signing) and sent back. */
  contracts: { submitted: number; confirmed: number; rejected: number };
  cash: { payments: number; receivedFen: number; refunds: number; refundedFen: number };
  commission: { accruedFen: number; clawedBackFen: number; paidOutFen: number };
  deposits: { postedFen: number; deductedFen: number };
  /** The reseller's credit suspended (its traffic reached the deposit) and resumed, by its traffic commands. */
  credit: { suspensions: number; resumptions: number };
  /** Customer bills the partners were to collect, collections, vendor's-fault exemptions, and arrears deducted from deposits. */
  arrears: { bills: number; collections: number; exempted: number; deductions: number; deductedFen: number };
  elapsedMs: number;
  eventsPerSecond: number;
  /** Hash of the last event: equal for equal logs. */
  headHash: string | null;
}

const REQUIRED_TIERS = ['gold', 'silver', 'standard'];

// ---- appends in the plan's order ------------------------------------------------------------

/**
 * Lets the commands of one wave run concurrently while their appends reach the store in ticket
 * order: ticket n appends (or finishes without appending) before ticket n+1 appends.
 */
class AppendSequencer {
  private next = 0;
  private readonly passed = new Set<number>();
  private readonly waiters = new Map<number, () => void>();

  turn(ticket: number): Promise<void> {
    if (ticket <= this.next) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(ticket, resolve));
  }

  pass(ticket: number): void {
    if (ticket < this.next) return;
    this.passed.add(ticket);
    while (this.passed.has(this.next)) this.passed.delete(this.next++);
    const wake = this.waiters.get(this.next);
    if (wake) {
      this.waiters.delete(this.next);
      wake();
    }
  }
}

function sequencedStore(inner: EventStore, sequencer: AppendSequencer, ticket: number): EventStore {
  const store: EventStore = {
    kind: inner.kind,
    async append(stream, events, expected) {
      await sequencer.turn(ticket);
      const appended = inner.append(stream, events, expected); // enqueued now, in ticket order
      sequencer.pass(ticket);
      return appended;
    },
    readStream: (stream, options) => inner.readStream(stream, options),
    readAll: (options) => inner.readAll(options),
    subscribe: (from, handler) => inner.subscribe(from, handler),
    headPosition: () => inner.headPosition(),
    verify: () => inner.verify(),
    close: () => Promise.reject(new Error('a demo command does not close the store')),
  };
  shareStreamStateCache(store, inner);
  return store;
}

/**
 * Partner streams, read through: every payment reads its owner's partner stream, which grows
 * with each payout, so reading it from the file each time grows with the square of the log.
 * The demo is the only writer while it runs; every append of a partner stream goes through
 * here and extends the cached envelopes with what the store answered (or forgets them).
 */
class PartnerStreamCache implements EventStore {
  readonly kind: EventStore['kind'];
  private readonly streams = new Map<string, EventEnvelope[]>();

  constructor(private readonly inner: EventStore) {
    this.kind = inner.kind;
    shareStreamStateCache(this, inner);
  }

  private static cached(stream: string): boolean {
    return stream.startsWith('partner-');
  }

  async append(stream: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (!PartnerStreamCache.cached(stream)) return this.inner.append(stream, events, expected);
    try {
      const result = await this.inner.append(stream, events, expected);
      const known = this.streams.get(stream);
      const first = result.events[0];
      const last = known?.at(-1);
      if (known && first && last && first.revision === last.revision + 1n) known.push(...result.events);
      else this.streams.delete(stream);
      return result;
    } catch (error) {
      this.streams.delete(stream);
      throw error;
    }
  }

  async readStream(stream: string, options?: ReadStreamOptions): Promise<EventEnvelope[]> {
    if (!PartnerStreamCache.cached(stream) || options !== undefined) return this.inner.readStream(stream, options);
    const known = this.streams.get(stream);
    if (known) return known.slice();
    const read = await this.inner.readStream(stream);
    if (read.length > 0) this.streams.set(stream, read.slice());
    return read;
  }

  readAll(options?: ReadAllOptions) {
    return this.inner.readAll(options);
  }
  subscribe(from: bigint, handler: EventHandler) {
    return this.inner.subscribe(from, handler);
  }
  headPosition() {
    return this.inner.headPosition();
  }
  verify() {
    return this.inner.verify();
  }
  close(): Promise<void> {
    return Promise.reject(new Error('a demo command does not close the store'));
  }
}

/**
 * The lookups the commands read. Inside a wave, a deal's or a payment's customer is answered
 * from the plan (the generator registered it in an earlier wave, and checks the ledger agreed on
 * the key), so the read model need not catch up before every wave; the programme-wide commands
 * (payouts, tier evaluations) read the read model itself, caught up to the head.
 */
class DemoLookups implements LedgerLookups {
  private caughtUp: Promise<void> | null = null;
  private inWave = false;
  readonly dealKeys = new Map<string, string>();
  readonly paymentKeys = new Map<string, string>();
  readonly transferKeys = new Map<string, string>();

  constructor(private readonly inner: LedgerLookups) {}

  /** Commands of a wave: keys from the plan, no catch-up. */
  wave(): void {
    this.inWave = true;
  }

  /** A programme-wide command: the read model, caught up once. */
  programmeWide(): void {
    this.inWave = false;
    this.caughtUp = null;
  }

  catchUp(position?: bigint): Promise<void> {
    if (position !== undefined) return this.inner.catchUp(position);
    if (this.inWave) return Promise.resolve();
    this.caughtUp ??= this.inner.catchUp();
    return this.caughtUp;
  }

  customerKeyOfDeal(dealId: string) {
    return this.inWave ? (this.dealKeys.get(dealId) ?? null) : this.inner.customerKeyOfDeal(dealId);
  }

  customerKeyOfPayment(paymentId: string) {
    return this.inWave ? (this.paymentKeys.get(paymentId) ?? null) : this.inner.customerKeyOfPayment(paymentId);
  }

  customerKeyOfTransfer(transferId: string) {
    return this.inWave ? (this.transferKeys.get(transferId) ?? null) : this.inner.customerKeyOfTransfer(transferId);
  }

  unsettledLines(partnerId: string) {
    this.requireCaughtUp('unsettled lines');
    return this.inner.unsettledLines(partnerId);
  }

  signingsOf(quarter: string) {
    this.requireCaughtUp('signings');
    return this.inner.signingsOf(quarter);
  }

  partnerIds() {
    this.requireCaughtUp('partner ids');
    return this.inner.partnerIds();
  }

  /** The demo names customers by their key: inside a wave, a key its own registrations wrote. */
  customerKeysMatching(input: string) {
    if (!this.inWave) return this.inner.customerKeysMatching(input);
    for (const key of this.dealKeys.values()) if (key === input) return [key];
    return [];
  }

  /** Inside a wave the read model may lag the wave's own writes: the demo's amounts are far below any limit. */
  balanceTotals(partnerId: string) {
    return this.inner.balanceTotals(partnerId);
  }

  private requireCaughtUp(what: string): void {
    if (this.inWave) throw new Error(`demo: ${what} are read from the read model, only by a programme-wide command`);
  }
}

// ---- the run ----------------------------------------------------------------------------------

/** Generates the demo programme into an empty log; resolves with what it wrote. */
export async function generateDemo(options: GenerateDemoOptions, sink: DemoSink): Promise<DemoSummary> {
  const missing = REQUIRED_TIERS.filter((t) => !sink.policy.tiers.includes(t));
  if (missing.length > 0) throw new DemoRefusedError(`the demo programme needs the tiers gold, silver and standard; policy ${sink.policy.version} lacks ${missing.join(', ')}`);
  const head = await sink.store.headPosition();
  if (head !== 0n) throw new DemoRefusedError(`the log already holds ${head} events; the demo writes into an empty log only`);
  const startedMs = performance.now();
  const plan = planDemo({ ...options, timeZone: options.timeZone ?? sink.policy.timeZone });
  const run = new DemoRun(plan, sink, options.onProgress);
  await run.execute();
  await sink.lookups.catchUp();
  const events = Number(await sink.store.headPosition());
  const elapsedMs = Math.max(1, Math.round(performance.now() - startedMs));
  return run.summary(events, elapsedMs, await lastEventOf(sink.store, events));
}

async function lastEventOf(store: EventStore, events: number): Promise<{ first: string | null; last: string | null; hash: string | null }> {
  if (events === 0) return { first: null, last: null, hash: null };
  let first: string | null = null;
  for await (const e of store.readAll({ toPosition: 1n, batchSize: 1 })) first = e.recordedAt;
  let last: string | null = null;
  let hash: string | null = null;
  for await (const e of store.readAll({ fromPosition: BigInt(events), batchSize: 1 })) {
    last = e.recordedAt;
    hash = e.hash;
  }
  return { first, last, hash };
}

/** A binary min-heap of actions by (at, phase, rank). */
class ActionHeap {
  private readonly items: DemoAction[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): DemoAction | undefined {
    return this.items[0];
  }
  push(a: DemoAction): void {
    const items = this.items;
    items.push(a);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (compareActions(items[parent]!, items[i]!) <= 0) break;
      [items[parent], items[i]] = [items[i]!, items[parent]!];
      i = parent;
    }
  }
  pop(): DemoAction | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && compareActions(items[l]!, items[m]!) < 0) m = l;
        if (r < items.length && compareActions(items[r]!, items[m]!) < 0) m = r;
        if (m === i) break;
        [items[m], items[i]] = [items[i]!, items[m]!];
        i = m;
      }
    }
    return top;
  }
}

const compareActions = (a: DemoAction, b: DemoAction): number => a.at - b.at || a.phase - b.phase || a.rank - b.rank;

class DemoRun {
  private readonly lookups: DemoLookups;
  private readonly reactive = new ActionHeap();
  private readonly reactiveRng: Prng;
  private reactiveCount = 0;
  private commandCount = 0;
  private readonly tier = new Map<string, string>();
  private readonly deposit = new Map<string, number>();
  private readonly contested = new Set<number>();
  private readonly totals = {
    ties: 0,
    transfers: 0,
    transferProposals: 0,
    transfersRejected: 0,
    rulings: 0,
    lost: 0,
    claims: 0,
    payments: 0,
    receivedFen: 0,
    refunds: 0,
    refundedFen: 0,
    accruedFen: 0,
    clawedBackFen: 0,
    paidOutFen: 0,
    postedFen: 0,
    deductedFen: 0,
    tierChanges: 0,
    certificates: 0,
    contractsSubmitted: 0,
    contractsConfirmed: 0,
    contractsRejected: 0,
    suspensions: 0,
    resumptions: 0,
    customerBills: 0,
    collections: 0,
    exempted: 0,
    arrearsDeductions: 0,
    arrearsDeductedFen: 0,
  };

  constructor(
    private readonly plan: DemoPlan,
    private readonly sink: DemoSink,
    private readonly onProgress?: (p: DemoProgress) => void,
  ) {
    this.lookups = new DemoLookups(sink.lookups);
    this.store = new PartnerStreamCache(sink.store);
    this.reactiveRng = new Prng(plan.options.seed).fork('reactive');
    for (const p of plan.partners) this.tier.set(p.partnerId, p.tier);
  }

  /** What the commands write through (partner streams read through a cache). */
  private readonly store: EventStore;

  private depsFor(store: EventStore): CommandDeps {
    return { store, policy: this.sink.policy, lookups: this.lookups, clock: this.sink.clock.now };
  }

  async execute(): Promise<void> {
    const actions = this.plan.actions;
    const total = actions.length;
    let next = 0;
    let done = 0;
    while (next < actions.length || this.reactive.size > 0) {
      const planned = actions[next];
      const extra = this.reactive.peek();
      const at = Math.min(planned?.at ?? Infinity, extra?.at ?? Infinity);
      const tick: DemoAction[] = [];
      while (next < actions.length && actions[next]!.at === at) tick.push(actions[next++]!);
      while (this.reactive.size > 0 && this.reactive.peek()!.at === at) tick.push(this.reactive.pop()!);
      tick.sort(compareActions);
      this.sink.clock.set(at);
      await this.runTick(tick);
      done += tick.length;
      this.onProgress?.({ done: Math.min(done, total), total, at: iso(at) });
    }
  }

  private async runTick(tick: readonly DemoAction[]): Promise<void> {
    for (const phase of [0, 1] as const) {
      const byStream = new Map<string, DemoAction[]>();
      for (const a of tick) {
        if (a.phase !== phase) continue;
        const list = byStream.get(a.stream);
        if (list) list.push(a);
        else byStream.set(a.stream, [a]);
      }
      const lists = [...byStream.values()];
      const rounds = Math.max(0, ...lists.map((l) => l.length));
      for (let round = 0; round < rounds; round++) {
        await this.runWave(lists.flatMap((l) => l.slice(round, round + 1)));
      }
    }
    for (const a of tick) {
      if (a.phase !== 2) continue;
      this.lookups.programmeWide();
      await this.runOne(a, this.store);
    }
  }

  /** Commands on distinct streams, sent together; their appends keep the wave's order. */
  private async runWave(wave: readonly DemoAction[]): Promise<void> {
    this.lookups.wave();
    const sequencer = new AppendSequencer();
    const results = await Promise.allSettled(
      wave.map(async (action, ticket) => {
        try {
          await this.runOne(action, sequencedStore(this.store, sequencer, ticket));
        } finally {
          sequencer.pass(ticket);
        }
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private ctxOf(a: DemoAction): CommandCtx {
    this.commandCount += 1;
    return {
      actor: a.actor,
      commandId: `demo-${this.plan.options.seed}-${this.commandCount}`,
      correlationId: a.correlationId,
    };
  }

  private async runOne(a: DemoAction, store: EventStore): Promise<void> {
    const ctx = this.ctxOf(a);
    const deps = this.depsFor(store);
    const occurredAt = a.occurredAt === null ? undefined : iso(a.occurredAt);
    const run = <N extends CommandName>(name: N, input: Omit<InputOf<N>, 'occurredAt'>): Promise<OutcomeOf<N>> => runCommand(name, deps, { ...input, occurredAt } as InputOf<N>, ctx);
    try {
      await this.send(a.command, deps, run);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`demo: ${a.command.op} at ${iso(a.at)} on ${a.stream} was refused: ${why}`, { cause: error });
    }
  }

  private partnerOf(index: number): PartnerPlan {
    const p = this.plan.partners[index];
    if (!p) throw new Error(`demo: no partner #${index}`);
    return p;
  }

  /** Sends one planned command through the ledger's commands (runCommand), every rule applied. */
  private async send(c: DemoCommand, deps: CommandDeps, run: <N extends CommandName>(name: N, input: Omit<InputOf<N>, 'occurredAt'>) => Promise<OutcomeOf<N>>): Promise<void> {
    switch (c.op) {
      case 'signPartner': {
        const p = this.partnerOf(c.partner);
        const { partnerId, name, kind, tier, parentPartnerId, territory } = p;
        await run('signPartner', { partnerId, name, kind, tier, ...(parentPartnerId ? { parentPartnerId } : {}), ...(territory ? { territory } : {}) });
        return;
      }
      case 'postDeposit': {
        const p = this.partnerOf(c.partner);
        const amount = c.amountFen === 'shortfall' ? this.shortfallFen(p) : c.amountFen;
        if (amount <= 0) return;
        const out = await run('postDeposit', { partnerId: p.partnerId, amount });
        this.deposit.set(p.partnerId, out.answer.depositFen);
        this.totals.postedFen += amount;
        return;
      }
      case 'deductDeposit': {
        const p = this.partnerOf(c.partner);
        const out = await run('deductDeposit', { partnerId: p.partnerId, amount: c.amountFen, reason: c.reason, ...(c.reference ? { reference: c.reference } : {}) });
        this.deposit.set(p.partnerId, out.answer.depositFen);
        this.totals.deductedFen += out.answer.deductedFen;
        this.scheduleDeposit(p, 'shortfall', 14, 30, 'restore');
        return;
      }
      case 'registerDeal': {
        const claim = this.claimOf(c.customer, c.claim);
        const out = await run('registerDeal', {
          dealId: claim.dealId,
          partnerId: claim.partnerId ?? DIRECT_SALES,
          customer: { name: claim.customer.name, ...(claim.customer.taxId ? { taxId: claim.customer.taxId } : {}) },
          ...(claim.expectedPorts === null ? {} : { expectedPorts: claim.expectedPorts }),
          ...(claim.expectedRevenueFen === null ? {} : { expectedRevenue: claim.expectedRevenueFen }),
        });
        const key = this.plan.customers[c.customer]!.key;
        if (out.answer.customerKey !== key) throw new Error(`demo: the ledger keyed deal ${claim.dealId} as ${out.answer.customerKey}, the plan as ${key}`);
        this.lookups.dealKeys.set(claim.dealId, key);
        this.totals.claims += 1;
        if (out.answer.ownership.status === 'competing') this.contested.add(c.customer);
        if (out.answer.rule === 'tie-to-partner') this.totals.ties += 1;
        return;
      }
      case 'advanceStage': {
        await run('advanceStage', { dealId: this.claimOf(c.customer, c.claim).dealId, stage: c.stage, ...(c.reason ? { reason: c.reason } : {}) });
        if (c.stage === 'lost') this.totals.lost += 1;
        return;
      }
      case 'reviseForecast': {
        await run('reviseForecast', { dealId: this.claimOf(c.customer, c.claim).dealId, expectedPorts: c.expectedPorts, expectedRevenue: c.expectedRevenueFen });
        return;
      }
      case 'transferDeal': {
        const from = this.claimOf(c.customer, c.from).dealId;
        const out = await run('transferDeal', { dealId: from, toDealId: this.claimOf(c.customer, c.to).dealId, reason: c.reason, transferId: c.transferId });
        this.lookups.transferKeys.set(c.transferId, out.answer.customerKey);
        this.totals.transferProposals += 1;
        return;
      }
      case 'approveTransfer': {
        await run('approveTransfer', { transferId: c.transferId });
        this.totals.transfers += 1;
        return;
      }
      case 'rejectTransfer': {
        await run('rejectTransfer', { transferId: c.transferId, reason: c.reason });
        this.totals.transfersRejected += 1;
        return;
      }
      case 'submitContract': {
        await run('submitContract', { dealId: this.claimOf(c.customer, c.claim).dealId, ports: c.ports, contractValue: c.contractValueFen });
        this.totals.contractsSubmitted += 1;
        return;
      }
      case 'confirmContract': {
        await run('confirmContract', { dealId: this.claimOf(c.customer, c.claim).dealId, signedAt: iso(c.signedAt) });
        this.totals.contractsConfirmed += 1;
        return;
      }
      case 'rejectContract': {
        await run('rejectContract', { dealId: this.claimOf(c.customer, c.claim).dealId, reason: c.reason });
        this.totals.contractsRejected += 1;
        return;
      }
      case 'ruleOwnership': {
        const customer = this.plan.customers[c.customer]!;
        await run('ruleOwnership', { customerKey: customer.key, ownerDealId: this.claimOf(c.customer, c.claim).dealId, reason: c.reason });
        this.totals.rulings += 1;
        return;
      }
      case 'receivePayment': {
        const out = await run('receivePayment', { paymentId: c.paymentId, dealId: this.claimOf(c.customer, c.claim).dealId, line: c.line, amount: c.amountFen });
        this.lookups.paymentKeys.set(c.paymentId, out.answer.customerKey);
        this.totals.payments += 1;
        this.totals.receivedFen += c.amountFen;
        this.totals.accruedFen += out.answer.commission?.commissionFen ?? 0;
        return;
      }
      case 'issueRefund': {
        const out = await run('issueRefund', { refundId: c.refundId, paymentId: c.paymentId, amount: c.amountFen, reason: c.reason });
        this.totals.refunds += 1;
        this.totals.refundedFen += c.amountFen;
        this.totals.clawedBackFen += out.answer.clawback?.commissionFen ?? 0;
        return;
      }
      case 'evaluateTiers': {
        const out = await run('evaluateTiers', { quarter: c.quarter });
        this.totals.certificates += out.answer.certified;
        for (const change of out.answer.changes) {
          this.tier.set(change.partnerId, change.to);
          this.totals.tierChanges += 1;
          const p = this.plan.partners.find((q) => q.partnerId === change.partnerId)!;
          if (this.shortfallFen(p) > 0) this.scheduleDeposit(p, 'shortfall', 5, 20, 'top-up');
        }
        return;
      }
      case 'payOut': {
        const out = await run('payOut', { quarter: c.quarter });
        for (const line of out.answer.payouts) {
          this.totals.paidOutFen += line.paidFen;
          if (line.deductedFen > 0) {
            this.totals.deductedFen += line.deductedFen;
            const p = this.plan.partners.find((q) => q.partnerId === line.partnerId)!;
            this.deposit.set(p.partnerId, (this.deposit.get(p.partnerId) ?? 0) - line.deductedFen);
            this.scheduleDeposit(p, 'shortfall', 10, 30, 'restore');
          }
        }
        return;
      }
      case 'billTraffic': {
        // Service stops when outstanding traffic reaches the deposit, so a month's traffic is
        // what was left of it at most: the spike month reaches it and suspends the credit (the
        // settlement that follows resumes it). A bill before the minimum deposit is held would
        // be refused (service never started), so it is left out.
        const p = this.partnerOf(c.partner);
        const state = await this.partnerState(deps, p.partnerId);
        if (state.traffic.bills.size === 0 && state.depositFen < wholesaleMinimumFen(deps.policy)) return;
        const amount = Math.min(c.amountFen, creditUseOf(state.depositFen, trafficOutstandingFen(state.traffic)).creditAvailableFen);
        if (amount <= 0) return;
        const out = await run('billTraffic', { partnerId: p.partnerId, billId: c.billId, amount, period: c.period });
        this.countCreditChange(out.answer.creditStatusChange);
        return;
      }
      case 'settleTraffic': {
        const p = this.partnerOf(c.partner);
        const state = await this.partnerState(deps, p.partnerId);
        const amount = Math.min(c.amountFen, trafficOutstandingFen(state.traffic));
        if (amount <= 0) return;
        const out = await run('settleTraffic', { partnerId: p.partnerId, settlementId: c.settlementId, amount });
        this.countCreditChange(out.answer.creditStatusChange);
        return;
      }
      case 'setCommitment': {
        await run('setCommitment', { partnerId: this.partnerOf(c.partner).partnerId, year: c.year, amount: c.amountFen });
        return;
      }
      case 'recordPurchase': {
        const productLine = c.highEnd ? rebateProgramme(deps.policy).awards.highEndProductLine : 'access-equipment';
        await run('recordPurchase', { purchaseId: c.purchaseId, partnerId: this.partnerOf(c.partner).partnerId, amount: c.amountFen, productLine, bid: c.bid });
        return;
      }
      case 'lockToDistributor': {
        await run('lockToDistributor', { partnerId: this.partnerOf(c.partner).partnerId, distributorId: this.partnerOf(c.distributor).partnerId });
        return;
      }
      case 'evaluateRebates': {
        await run('evaluateRebates', { quarter: c.quarter });
        return;
      }
      case 'payRebate': {
        // Pays what the partner's current payer owes it (all or half), when it owes anything.
        const p = this.partnerOf(c.partner);
        const state = await this.partnerState(deps, p.partnerId);
        const unpaidFen = unpaidRebateFen(state.rebates, payerKeyOf(state.rebates.distributorId));
        const amount = c.share === 'all' ? unpaidFen : (unpaidFen - (unpaidFen % 2)) / 2;
        if (amount <= 0) return;
        await run('payRebate', { partnerId: p.partnerId, rebatePaymentId: c.rebatePaymentId, amount });
        return;
      }
      case 'recordCustomerBill': {
        const p = this.partnerOf(c.partner);
        await run('recordCustomerBill', { partnerId: p.partnerId, billId: c.billId, dealId: this.claimOf(c.customer, c.claim).dealId, amount: c.amountFen, dueAt: iso(c.dueAt) });
        this.totals.customerBills += 1;
        return;
      }
      case 'collectCustomerBill': {
        await run('collectCustomerBill', { partnerId: this.partnerOf(c.partner).partnerId, billId: c.billId, collectionId: c.collectionId, amount: c.amountFen });
        this.totals.collections += 1;
        return;
      }
      case 'exemptArrears': {
        await run('exemptArrears', { partnerId: this.partnerOf(c.partner).partnerId, billId: c.billId, reason: c.reason });
        this.totals.exempted += 1;
        return;
      }
      case 'deductArrears': {
        // As of the run itself: every bill whose grace period has run out by then.
        const out = await run('deductArrears', { asOf: this.sink.clock.now() });
        for (const line of out.answer.deductions) {
          this.totals.arrearsDeductions += 1;
          this.totals.arrearsDeductedFen += line.requestedFen;
          this.totals.deductedFen += line.deductedFen;
          const p = this.plan.partners.find((q) => q.partnerId === line.partnerId)!;
          this.deposit.set(p.partnerId, (this.deposit.get(p.partnerId) ?? 0) - line.deductedFen);
          this.scheduleDeposit(p, 'shortfall', 14, 30, 'restore');
        }
        return;
      }
      default: {
        const never: never = c;
        throw new Error(`demo: unknown command ${JSON.stringify(never)}`);
      }
    }
  }

  private countCreditChange(change: 'CreditSuspended' | 'CreditResumed' | null): void {
    if (change === 'CreditSuspended') this.totals.suspensions += 1;
    if (change === 'CreditResumed') this.totals.resumptions += 1;
  }

  private async partnerState(deps: CommandDeps, partnerId: string): Promise<PartnerState> {
    return (await loadStream(deps.store, partnerStream(partnerId), initialPartnerState, evolvePartner)).state;
  }

  private claimOf(customer: number, claim: number) {
    const c = this.plan.customers[customer]?.claims[claim];
    if (!c) throw new Error(`demo: no claim #${claim} on customer #${customer}`);
    return c;
  }

  private shortfallFen(p: PartnerPlan): number {
    const required = depositRequiredFen(this.sink.policy, this.tier.get(p.partnerId) ?? p.tier, p.kind);
    return required - (this.deposit.get(p.partnerId) ?? 0);
  }

  /** Finance tops a deposit up (after a tier rise) or restores it (after a deduction), days later. */
  private scheduleDeposit(p: PartnerPlan, amountFen: 'shortfall', fromDays: number, toDays: number, why: 'top-up' | 'restore'): void {
    const paidAt = workingInstantAfter(this.reactiveRng, this.sink.clock.nowMs() + this.reactiveRng.int(fromDays, toDays) * DAY_MS);
    const at = financeSlotAfter(paidAt + DAY_MS);
    if (at > this.plan.horizonMs) return;
    this.reactiveCount += 1;
    this.reactive.push({
      at,
      occurredAt: paidAt,
      phase: 0,
      rank: p.index * 100 + 50 + (this.reactiveCount % 40),
      stream: `partner-${p.partnerId}`,
      actor: demoActors.finance as Actor,
      correlationId: `deposit-${why}-${iso(at).slice(0, 10)}`,
      command: { op: 'postDeposit', partner: p.index, amountFen },
    });
  }

  summary(events: number, elapsedMs: number, ends: { first: string | null; last: string | null; hash: string | null }): DemoSummary {
    const plan = this.plan;
    const count = (tier: string) => plan.partners.filter((p) => p.tier === tier).length;
    const tiersAtEnd: Record<string, number> = {};
    for (const tier of this.tier.values()) tiersAtEnd[tier] = (tiersAtEnd[tier] ?? 0) + 1;
    const golds = new Set(plan.partners.filter((p) => p.tier === 'gold').map((p) => p.partnerId));
    const t = this.totals;
    return {
      seed: plan.options.seed,
      quarters: plan.quarters,
      firstRecordedAt: ends.first,
      lastRecordedAt: ends.last,
      events,
      commands: this.commandCount,
      partners: {
        total: plan.partners.length,
        gold: count('gold'),
        silver: count('silver'),
        standard: count('standard'),
        underGoldParents: plan.partners.filter((p) => p.parentPartnerId !== null && golds.has(p.parentPartnerId)).length,
        wholesaleVoice: plan.partners.filter((p) => p.kind === 'wholesale-voice').length,
      },
      tiersAtEnd,
      tierChanges: t.tierChanges,
      certificates: t.certificates,
      customers: plan.customers.filter((c) => c.claims.some((k) => k.registered)).length,
      claims: t.claims,
      conflicts: {
        contestedCustomers: this.contested.size,
        tiesToPartner: t.ties,
        transfers: t.transfers,
        transferProposals: t.transferProposals,
        transfersRejected: t.transfersRejected,
        rulings: t.rulings,
        lost: t.lost,
      },
      contracts: { submitted: t.contractsSubmitted, confirmed: t.contractsConfirmed, rejected: t.contractsRejected },
      cash: { payments: t.payments, receivedFen: t.receivedFen, refunds: t.refunds, refundedFen: t.refundedFen },
      commission: { accruedFen: t.accruedFen, clawedBackFen: t.clawedBackFen, paidOutFen: t.paidOutFen },
      deposits: { postedFen: t.postedFen, deductedFen: t.deductedFen },
      credit: { suspensions: t.suspensions, resumptions: t.resumptions },
      arrears: { bills: t.customerBills, collections: t.collections, exempted: t.exempted, deductions: t.arrearsDeductions, deductedFen: t.arrearsDeductedFen },
      elapsedMs,
      eventsPerSecond: Math.round((events * 1_000) / elapsedMs),
      headHash: ends.hash,
    };
  }
}

// ---- a data directory -----------------------------------------------------------------------

export interface OpenedDemoSink extends DemoSink {
  close(): Promise<void>;
}

/**
 * Opens the embedded store of a data directory with the simulated clock (so recordedAt follows
 * the programme) and the read model beside it. Refuses a directory whose log is not empty.
 */
export async function openDemoDataDir(dataDir: string, policy: Policy): Promise<OpenedDemoSink> {
  const clock = new SimulatedClock();
  // A demo that fails is thrown away: its commits are made durable once, when the store closes.
  const store = openSqliteEventStore({ file: sqliteFileFor(dataDir), clock: clock.now, durability: 'close' });
  try {
    const head = await store.headPosition();
    if (head !== 0n) throw new DemoRefusedError(`the data directory ${dataDir} already holds ${head} events; the demo writes into an empty data directory only`);
    const readSide = await openReadSide({ store, dataDir, follow: false, ownsStore: true, policy, nowIso: clock.now });
    return { store, lookups: readSide.lookups, policy, clock, close: () => readSide.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}

export { planDemo, type DemoOptions, type DemoPlan } from './plan.js';
