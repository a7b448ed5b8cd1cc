// The read side, assembled: the event store, the read-model file beside it
// ($LEDGER_DATA_DIR/read-models.db), the runner that keeps it current, the queries over it and
// the lookups the command side needs. The API, the CLI and the bench open it through here.
import fs from 'node:fs';
import path from 'node:path';
import type { EventStore } from '../store/event-store.js';
import { DEFAULT_DATA_DIR, openEventStore } from '../store/open-store.js';
import { DEFAULT_BATCH_SIZE, ProjectionRunner } from '../../projections/runner.js';
import type { ProjectionRules } from '../../projections/rules.js';
import { domainBridge } from '../../projections/domain-bridge.js';
import type { Policy } from '../domain/policy.js';
import { policyFromEnv } from './policy-file.js';
import { liveServerIn } from '../app/server-presence.js';
import { LedgerQueries } from './queries.js';
import { ReadModelLookups } from './read-model-lookups.js';

export const READ_MODEL_FILE_NAME = 'read-models.db';

export function readModelFileFor(dataDir: string): string {
  return path.resolve(dataDir, READ_MODEL_FILE_NAME);
}

export interface ReadSide {
  store: EventStore;
  runner: ProjectionRunner;
  queries: LedgerQueries;
  lookups: ReadModelLookups;
  rules: ProjectionRules;
  /** The policy's time zone: bare dates asked about end there, and the CLI shows instants in it. */
  timeZone: string;
  /** Stops following the log and closes the read-model file (and the store when the read side opened it). */
  close(): Promise<void>;
}

export interface OpenReadSideOptions {
  store: EventStore;
  dataDir: string;
  /** Follow the log live (the server) rather than catch up on demand (the CLI). Default false. */
  follow?: boolean;
  nowIso?: () => string;
  batchSize?: number;
  /** Close the store together with the read side. */
  ownsStore?: boolean;
  /** The programme policy (default: LEDGER_POLICY_FILE's, else the default programme's). */
  policy?: Policy;
  /** Where a warning goes (a damaged read-model file being rebuilt); default stderr. */
  warn?: (line: string) => void;
}

const defaultWarn = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** SQLite's answers for a file that is not a database or whose pages are damaged. */
const DAMAGED_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_VTAB']);

export function isDamagedDatabase(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && DAMAGED_CODES.has(code);
}

/** Renames the file and its WAL and shared-memory companions to `<file>.damaged-<n>`; returns the new name. */
function moveAside(file: string): string {
  let n = 1;
  while (fs.existsSync(`${file}.damaged-${n}`)) n++;
  const aside = `${file}.damaged-${n}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, aside + suffix);
  }
  return aside;
}

export async function openReadSide(options: OpenReadSideOptions): Promise<ReadSide> {
  const policy = options.policy ?? policyFromEnv();
  const bridge = domainBridge(policy);
  const file = readModelFileFor(options.dataDir);
  const openRunner = async (): Promise<ProjectionRunner> => {
    const runner = ProjectionRunner.open(options.store, file, bridge.rules, { batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE });
    try {
      if (runner.rebuildInterrupted()) await runner.replay();
      if (options.follow) {
        await runner.start();
        // A projection whose version changed is rebuilt beside the live ones while the server serves.
        void runner.runRebuildsBeside().catch((error: unknown) => {
          (options.warn ?? defaultWarn)(`read models: a rebuild beside failed (${error instanceof Error ? error.message : String(error)}); it resumes at the next start`);
        });
      } else {
        // Nobody to serve meanwhile: finish a changed projection's rebuild first, unless a server
        // on this directory is doing it (then its old tables answer, or the reads needing it are refused).
        if (liveServerIn(options.dataDir) === null) await runner.runRebuildsBeside();
        await runner.catchUp();
      }
      return runner;
    } catch (error) {
      await runner.close().catch(() => undefined);
      throw error;
    }
  };
  let runner: ProjectionRunner;
  try {
    runner = await openRunner();
  } catch (error) {
    if (!isDamagedDatabase(error)) throw error;
    // The read models are derived from the log: a damaged file is kept aside for inspection and rebuilt.
    const aside = moveAside(file);
    (options.warn ?? defaultWarn)(`read models: ${file} is damaged (${(error as Error).message}); kept as ${aside}, rebuilding from the log`);
    runner = await openRunner();
  }
  const nowIso = options.nowIso ?? (() => new Date().toISOString());
  const queries = new LedgerQueries({ store: options.store, runner, rules: bridge.rules, ownership: bridge.ownership, nowIso, timeZone: policy.timeZone });
  return {
    store: options.store,
    runner,
    queries,
    lookups: new ReadModelLookups(runner),
    rules: bridge.rules,
    timeZone: policy.timeZone,
    async close() {
      await runner.close();
      if (options.ownsStore) await options.store.close();
    },
  };
}

/** Opens the store named by the environment (LEDGER_DATA_DIR, or --data-dir) and the read side over it. */
export async function openReadSideFromEnv(dataDirFlag?: string, follow = false): Promise<ReadSide> {
  const dataDir = dataDirFlag ?? process.env.LEDGER_DATA_DIR ?? DEFAULT_DATA_DIR;
  const store = await openEventStore({ ...process.env, LEDGER_DATA_DIR: dataDir });
  try {
    return await openReadSide({ store, dataDir, follow, ownsStore: true });
  } catch (error) {
    await store.close();
    throw error;
  }
}
