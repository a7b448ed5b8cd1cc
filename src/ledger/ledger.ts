// The composition root: opens the event store, the read side (read model + runner + queries)
// and the policy, and hands them to the HTTP app and the CLI as one Ledger. Commands go through
// execute(): the command function decides and appends, then the read model catches up to the
// append's position before the answer leaves (read-your-writes).
import { defaultPolicy, type Policy } from '../domain/policy.js';
import type { EventStore } from '../store/event-store.js';
import { openEventStore } from '../store/open-store.js';
import * as c from './commands.js';
import * as traffic from './traffic-commands.js';
import * as rebates from './rebate-commands.js';
import type { CommandAnswer, CommandName, LedgerCommands } from './ledger-commands.js';
import { loadPolicyFile } from './policy-file.js';
import { openReadSide, type ReadSide } from './read-side.js';
import { ReportQueries } from './report-queries.js';

export interface OpenLedgerOptions {
  dataDir: string;
  /** LEDGER_POLICY_FILE: a company's own programme policy; the default policy otherwise. */
  policyFile?: string | null;
  /** EVENTSTORE_CONNECTION_STRING: the distributed store instead of the embedded SQLite file. */
  eventStoreConnectionString?: string | null;
  /** The wall clock (ISO-8601 UTC with milliseconds). */
  nowIso?: () => string;
  /** Follow the log live (the server); the CLI catches up on demand. Default true. */
  follow?: boolean;
}

/** What a command function is told about its caller (API.md: the actor goes into every event). */
export interface CommandContext {
  actor: { role: 'manager' | 'finance' | 'auditor' | 'partner' | 'system'; id: string };
  correlationId: string | null;
  /** Stable across retries of one Idempotency-Key (a uuid). */
  commandId: string;
}

export interface Ledger {
  readonly dataDir: string;
  readonly store: EventStore;
  readonly readSide: ReadSide;
  readonly reports: ReportQueries;
  readonly policy: Policy;
  readonly nowIso: () => string;
  /** The policy's time zone (quarters, business days). */
  readonly timeZone: string;
  readonly commands: LedgerCommands;
  /**
   * Runs one command and resolves with its answer's body once the read model includes what it
   * wrote, so a query made after the answer sees the command (read-your-writes).
   */
  execute<N extends CommandName>(name: N, input: Parameters<LedgerCommands[N]>[0], ctx: CommandContext): Promise<Record<string, unknown>>;
  /**
   * Why the read model stopped (it met a logged fact it could not apply), or null. Then the
   * ledger is degraded: reads answer from the read model as it stood, commands are refused.
   */
  readModelFailure(): string | null;
  /** The projection lag: events in the log the read model has not applied yet. */
  projectionLag(): Promise<{ position: bigint; readModelPosition: number; lag: number }>;
  close(): Promise<void>;
}

export async function openLedger(options: OpenLedgerOptions): Promise<Ledger> {
  const nowIso = options.nowIso ?? (() => new Date().toISOString());
  const policy = options.policyFile ? loadPolicyFile(options.policyFile) : defaultPolicy;
  const env: NodeJS.ProcessEnv = { ...process.env, LEDGER_DATA_DIR: options.dataDir };
  if (options.eventStoreConnectionString) env.EVENTSTORE_CONNECTION_STRING = options.eventStoreConnectionString;
  else delete env.EVENTSTORE_CONNECTION_STRING;
  const store = await openEventStore(env);
  let readSide: ReadSide;
  try {
    readSide = await openReadSide({ store, dataDir: options.dataDir, follow: options.follow ?? true, nowIso, ownsStore: true, policy });
  } catch (error) {
    await store.close();
    throw error;
  }
  const timeZone = policy.timeZone;
  const reports = new ReportQueries({ queries: readSide.queries, store, quarterOf: readSide.rules.quarterOf, timeZone, nowIso });
  const commands = buildLedgerCommands({ store, readSide, policy, nowIso });
  let closed = false;
  return {
    commands,
    async execute(name, input, ctx) {
      const run = commands[name] as (input: unknown, ctx: CommandContext) => ReturnType<LedgerCommands[typeof name]>;
      const answer = await run(input, ctx);
      if (answer.position === null) return answer.body;
      try {
        await readSide.runner.catchUp(answer.position);
      } catch (error) {
        // Written and durable, but the read model could not apply it: say so, never a 500.
        const reason = readSide.runner.failureReason();
        if (reason === null) throw error;
        return { ...answer.body, readModel: { status: 'degraded', reason } };
      }
      return answer.body;
    },
    dataDir: options.dataDir,
    store,
    readSide,
    reports,
    policy,
    nowIso,
    timeZone,
    readModelFailure: () => readSide.runner.failureReason(),
    async projectionLag() {
      const position = await store.headPosition();
      const readModelPosition = readSide.runner.position();
      return { position, readModelPosition, lag: Math.max(0, Number(position) - readModelPosition) };
    },
    async close() {
      if (closed) return;
      closed = true;
      await readSide.close();
    },
  };
}

interface LedgerCommandDeps {
  store: EventStore;
  readSide: ReadSide;
  policy: Policy;
  nowIso: () => string;
}

/** The command side over src/ledger/commands.ts: API-shaped inputs in, answers and positions out. */
function buildLedgerCommands(deps: LedgerCommandDeps): LedgerCommands {
  const commandDeps: c.CommandDeps = { store: deps.store, policy: deps.policy, lookups: deps.readSide.lookups, clock: deps.nowIso };
  const ctxOf = (ctx: CommandContext, occurredAt: string | undefined): c.CommandCtx => ({
    actor: ctx.actor,
    commandId: ctx.commandId,
    correlationId: ctx.correlationId,
    occurredAt: occurredAt ?? null,
  });
  const answer = async (run: Promise<c.CommandOutcome<object>>): Promise<CommandAnswer> => {
    const outcome = await run;
    return { body: { ...outcome.answer, position: outcome.position === null ? null : Number(outcome.position) }, position: outcome.position };
  };
  return {
    signPartner: ({ occurredAt, ...input }, ctx) => answer(c.registerPartner(commandDeps, input, ctxOf(ctx, occurredAt))),
    postDeposit: ({ occurredAt, partnerId, amountFen }, ctx) => answer(c.postDeposit(commandDeps, { partnerId, amount: amountFen }, ctxOf(ctx, occurredAt))),
    deductDeposit: ({ occurredAt, amountFen, ...input }, ctx) => answer(c.deductDeposit(commandDeps, { ...input, amount: amountFen }, ctxOf(ctx, occurredAt))),
    changeTier: ({ occurredAt, ...input }, ctx) => answer(c.changeTier(commandDeps, input, ctxOf(ctx, occurredAt))),
    evaluateTiers: ({ occurredAt, ...input }, ctx) => answer(c.evaluateTiers(commandDeps, input, ctxOf(ctx, occurredAt))),
    registerDeal: ({ occurredAt, partnerId, expectedRevenueFen, ...input }, ctx) =>
      answer(c.registerDeal(commandDeps, { ...input, partnerId: partnerId ?? 'direct', expectedRevenue: expectedRevenueFen }, ctxOf(ctx, occurredAt))),
    advanceStage: ({ occurredAt, ...input }, ctx) => answer(c.advanceStage(commandDeps, input, ctxOf(ctx, occurredAt))),
    transferDeal: ({ occurredAt, fromDealId, ...input }, ctx) => answer(c.transferDeal(commandDeps, { ...input, dealId: fromDealId }, ctxOf(ctx, occurredAt))),
    ruleOwnership: ({ occurredAt, ...input }, ctx) => answer(c.ruleOwnership(commandDeps, input, ctxOf(ctx, occurredAt))),
    receivePayment: ({ occurredAt, amountFen, ...input }, ctx) => answer(c.receivePayment(commandDeps, { ...input, amount: amountFen }, ctxOf(ctx, occurredAt))),
    issueRefund: ({ occurredAt, amountFen, ...input }, ctx) => answer(c.issueRefund(commandDeps, { ...input, amount: amountFen }, ctxOf(ctx, occurredAt))),
    payOut: ({ occurredAt, ...input }, ctx) => answer(c.payOut(commandDeps, input, ctxOf(ctx, occurredAt))),
    billTraffic: ({ occurredAt, amountFen, ...input }, ctx) => answer(traffic.billTraffic(commandDeps, { ...input, amount: amountFen }, ctxOf(ctx, occurredAt))),
    settleTraffic: ({ occurredAt, amountFen, ...input }, ctx) => answer(traffic.settleTraffic(commandDeps, { ...input, amount: amountFen }, ctxOf(ctx, occurredAt))),
    setCommitment: ({ occurredAt, amountFen, ...input }, ctx) => answer(rebates.setCommitment(commandDeps, { ...input, amount: amountFen }, ctxOf(ctx, occurredAt))),
    recordPurchase: ({ occurredAt, amountFen, ...input }, ctx) => answer(rebates.recordPurchase(commandDeps, { ...input, amount: amountFen }, ctxOf(ctx, occurredAt))),
    lockToDistributor: ({ occurredAt, ...input }, ctx) => answer(rebates.lockToDistributor(commandDeps, input, ctxOf(ctx, occurredAt))),
    evaluateRebates: ({ occurredAt, ...input }, ctx) => answer(rebates.evaluateRebates(commandDeps, input, ctxOf(ctx, occurredAt))),
    payRebate: ({ occurredAt, amountFen, ...input }, ctx) => answer(rebates.payRebate(commandDeps, { ...input, amount: amountFen }, ctxOf(ctx, occurredAt))),
  };
}
