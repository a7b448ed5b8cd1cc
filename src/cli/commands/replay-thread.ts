// `ledger replay` (every projection) runs its replay on a worker thread whose young generation
// is larger than a main thread's: a replay allocates an envelope, its row and its writes per event,
// all short-lived, and with the default 16 MB semi-spaces its scavenges took ~20% of its CPU.
// A replay is the one job of its process, so its thread is sized for it: 96 MB of young
// generation (32 MB semi-spaces) took a 1M-event replay from 13.4 to 11.1 s of CPU for ~20 MB
// more peak RSS (docs/performance.md, issue 18). The thread opens the store and the read model
// itself and posts its progress; this thread prints it. A SIGKILL ends both (same process), so an
// interrupted replay resumes from its checkpoint as before.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { policyFromEnv } from '../../ledger/policy-file.js';
import { readModelFileFor } from '../../ledger/read-side.js';
import { domainBridge } from '../../../projections/domain-bridge.js';
import { ProjectionRunner, type PumpResult, type ReplayProgress } from '../../../projections/runner.js';
import { openEventStore } from '../../store/open-store.js';

/** The replay thread's young generation (MB): three semi-spaces of 32 MB. */
export const REPLAY_YOUNG_GENERATION_MB = 96;

export interface ReplayJob {
  dataDir: string;
  batchSize: number;
}

export interface ReplayHooks {
  /** Before the first batch: whether an interrupted replay resumes, and from where. */
  onStart(resuming: boolean, from: number): void;
  onProgress(p: ReplayProgress): void;
}

type Message = { kind: 'start'; resuming: boolean; from: number } | { kind: 'progress'; progress: ReplayProgress } | { kind: 'done'; result: PumpResult };

const marker = 'ledger-replay-thread';

/** The replay as the thread runs it (also run here when no compiled module can start a thread). */
export async function replayHere(job: ReplayJob, hooks: ReplayHooks): Promise<PumpResult> {
  const store = await openEventStore({ ...process.env, LEDGER_DATA_DIR: job.dataDir });
  try {
    const runner = ProjectionRunner.open(store, readModelFileFor(job.dataDir), domainBridge(policyFromEnv()).rules, { batchSize: job.batchSize });
    try {
      hooks.onStart(runner.rebuildInterrupted(), runner.position());
      return await runner.replay({ onProgress: hooks.onProgress });
    } finally {
      await runner.close();
    }
  } finally {
    await store.close();
  }
}

/**
 * Runs the replay on its own thread when this module is compiled JavaScript (a Worker cannot
 * load the TypeScript the tests run), else on this one. LEDGER_REPLAY_THREAD=off keeps it here.
 */
export async function replayOnThread(job: ReplayJob, hooks: ReplayHooks): Promise<PumpResult> {
  const self = import.meta.url;
  if (!self.endsWith('.js') || process.env.LEDGER_REPLAY_THREAD === 'off') return replayHere(job, hooks);
  const worker = new Worker(fileURLToPath(self), {
    workerData: { marker, job },
    resourceLimits: { maxYoungGenerationSizeMb: REPLAY_YOUNG_GENERATION_MB },
  });
  return new Promise<PumpResult>((resolve, reject) => {
    let result: PumpResult | null = null;
    worker.on('message', (m: Message) => {
      if (m.kind === 'start') hooks.onStart(m.resuming, m.from);
      else if (m.kind === 'progress') hooks.onProgress(m.progress);
      else result = m.result;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (result !== null) resolve(result);
      else reject(new Error(`the replay thread exited (code ${code}) before it finished`));
    });
  });
}

if (!isMainThread && parentPort !== null && (workerData as { marker?: string } | null)?.marker === marker) {
  const port = parentPort;
  const { job } = workerData as { job: ReplayJob };
  const result = await replayHere(job, {
    onStart: (resuming, from) => port.postMessage({ kind: 'start', resuming, from } satisfies Message),
    onProgress: (progress) => port.postMessage({ kind: 'progress', progress } satisfies Message),
  });
  port.postMessage({ kind: 'done', result } satisfies Message);
}
