// The composition root: opens the event store, the read side (read model + runner + queries)
// and the policy, and hands them to the HTTP app and the CLI as one Ledger. Commands go through
// execute(): the command function decides and appends, then the read model catches up to the
// append's position before the answer leaves (read-your-writes).
import { defaultPolicy, type Policy } from '../domain/policy.js';
import type { EventStore } from '../store/event-store.js';
import { openEventStore } from '../store/open-store.js';
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
  let closed = false;
  return {
    dataDir: options.dataDir,
    store,
    readSide,
    reports,
    policy,
    nowIso,
    timeZone,
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
