// The composition root: opens the event store, the read side (read model + runner + queries)
// and the policy, and hands them to the HTTP app and the CLI as one Ledger. Commands go through
// execute(): the command (src/ledger/commands/) decides and appends, then the read model catches
// up to the append's position before the answer leaves (read-your-writes).
import { defaultPolicy, type Policy } from '../domain/policy.js';
import type { EventStore } from '../store/event-store.js';
import { openEventStore } from '../store/open-store.js';
import type { CommandCtx, CommandDeps } from './command-handling.js';
import { type CommandName, type InputOf, ledgerCommands, type RawInputOf, runCommand } from './commands/index.js';
import { dryRunCommand, type DryRunAnswer } from './dry-run.js';
import { loadPolicyFile } from './policy-file.js';
import { openPolicyBook, type PolicyBook } from './policy-book.js';
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

export interface Ledger {
  readonly dataDir: string;
  readonly store: EventStore;
  readonly readSide: ReadSide;
  readonly reports: ReportQueries;
  /** The configured policy (built-in default or LEDGER_POLICY_FILE): the first version while the log holds no adoption. */
  readonly policy: Policy;
  /** Every policy version, the log's adoptions folded (src/ledger/policy-book.ts); decisions use the one in force at their business time. */
  readonly policies: PolicyBook;
  readonly nowIso: () => string;
  /** The policy's time zone (quarters, business days). */
  readonly timeZone: string;
  /** What the commands run against (the store, the policy, the read model's lookups, the clock). */
  readonly commandDeps: CommandDeps;
  /**
   * Runs one command (src/ledger/commands/) on its parsed input and resolves with its answer's
   * body (and the position it wrote) once the read model includes what it wrote, so a query
   * made after the answer sees the command (read-your-writes).
   */
  execute<N extends CommandName>(name: N, input: InputOf<N>, ctx: CommandCtx): Promise<Record<string, unknown>>;
  /**
   * What-if: runs the command through the same decide and checks and stops before the append,
   * answering the events it would write and each affected partner's account changes; writes
   * nothing (src/ledger/dry-run.ts). A refusal is the real command's.
   */
  dryRun<N extends CommandName>(name: N, input: InputOf<N>, ctx: CommandCtx): Promise<DryRunAnswer>;
  /** Parses a command's input with its schema (a ZodError naming every bad field), for callers other than HTTP. */
  parseInput<N extends CommandName>(name: N, raw: RawInputOf<N>): InputOf<N>;
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
  let policies: PolicyBook;
  try {
    policies = await openPolicyBook(store, policy);
  } catch (error) {
    await readSide.close();
    throw error;
  }
  readSide.queries.usePolicyHistory((instant, asOf) => policies.atAsOf(instant, asOf));
  const commandDeps: CommandDeps = { store, policy, policies, lookups: readSide.lookups, clock: nowIso };
  let closed = false;
  return {
    commandDeps,
    async execute(name, input, ctx) {
      const { answer, position } = await runCommand(name, commandDeps, input, ctx);
      const body = { ...answer, position: position === null ? null : Number(position) };
      if (position === null) return body;
      try {
        await readSide.runner.catchUp(position);
      } catch (error) {
        // Written and durable, but the read model could not apply it: say so, never a 500.
        const reason = readSide.runner.failureReason();
        if (reason === null) throw error;
        return { ...body, readModel: { status: 'degraded', reason } };
      }
      return body;
    },
    dryRun(name, input, ctx) {
      return dryRunCommand(commandDeps, (deps, dryCtx) => runCommand(name, deps, input, dryCtx), ctx);
    },
    parseInput(name, raw) {
      return ledgerCommands[name].input.parse(raw) as InputOf<typeof name>;
    },
    dataDir: options.dataDir,
    store,
    readSide,
    reports,
    policy,
    policies,
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
