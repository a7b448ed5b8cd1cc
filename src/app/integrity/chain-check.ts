// The hash chain checked before the server serves: a broken log stops the start (or, with the
// read-only forensics flag, starts with every command refused). A full walk costs about 10 µs
// an event on the shared test machine (≈10 s for a million), so a start verifies only what was
// written since the last clean verify: the checkpoint file records the head position and hash
// that verify found sound. The check at start proves that the event at the checkpoint still has
// the hash that was verified, that nothing after it was removed, and every link after it; a
// full verify then runs in the background (see server.ts) and advances the checkpoint.
//
// Anchored: with a key (LEDGER_ANCHOR_KEY or LEDGER_ANCHOR_KEY_FILE, kept outside the data
// directory) every checkpoint carries an HMAC-SHA256 of its fields, so someone who can write the
// data directory but not read the key cannot replace the log with another sound one and rewrite
// the checkpoint to match: a checkpoint whose HMAC does not verify (changed, or written without
// the key) is reported like a broken chain. Deleting the checkpoint is not detected here (the
// start then verifies the whole log, which a wholesale replacement passes); a head hash published
// elsewhere, checked with `ledger verify --anchor <hash>@<position>`, covers that.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { EventEnvelope } from '../../domain/events.js';
import type { EventStore, VerifyResult } from '../../store/event-store.js';
import { GENESIS_HASH, hashEvent } from '../../store/hash-chain.js';

export const CHAIN_CHECKPOINT_FILE = 'chain-checkpoint.json';

const Hash = z.string().regex(/^[0-9a-f]{64}$/);
const Checkpoint = z.strictObject({
  /** The last position a clean verify covered (0: the empty log). */
  position: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** The hash stored at that position then. */
  hash: Hash,
  verifiedAt: z.string().min(1).max(40),
  /** How it was verified: the whole log, or the tail after an earlier checkpoint. */
  by: z.enum(['full', 'incremental']),
  /** HMAC-SHA256 (hex) of the fields above under the anchor key; absent without a key. */
  hmac: Hash.optional(),
});
export type ChainCheckpoint = z.infer<typeof Checkpoint>;

/** The text an anchor HMAC covers: a fixed context, then every field of the checkpoint. */
const anchoredText = (c: ChainCheckpoint): string => `ledger chain checkpoint v1\n${c.position}\n${c.hash}\n${c.verifiedAt}\n${c.by}`;

/** The checkpoint's HMAC under an anchor key (hex). */
export function checkpointHmac(key: Buffer, checkpoint: ChainCheckpoint): string {
  return createHmac('sha256', key).update(anchoredText(checkpoint), 'utf8').digest('hex');
}

/**
 * A checkpoint as the start may trust it: none; one to trust (`unsigned`: no key is configured;
 * `anchored`: its HMAC verifies); or `forged`: a key is configured and the file is unreadable,
 * has no HMAC, or its HMAC does not verify: reported as tampering, at the position it claims.
 */
export type CheckpointReading =
  | { status: 'none' }
  | { status: 'unsigned' | 'anchored'; checkpoint: ChainCheckpoint }
  | { status: 'forged'; position: bigint; problem: string };

const forgedAdvice =
  `written without the anchor key or altered since: the log may have been replaced and the checkpoint rewritten to match. ` +
  `If the key was only just configured, delete ${CHAIN_CHECKPOINT_FILE} once: the next start verifies the whole log and anchors a new one`;

/** Reads the checkpoint and, with a key, checks its HMAC. */
export function readAnchoredCheckpoint(file: string, key: Buffer | null | undefined): CheckpointReading {
  if (!existsSync(file)) return { status: 'none' };
  let checkpoint: ChainCheckpoint | null = null;
  try {
    const parsed = Checkpoint.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) checkpoint = parsed.data;
  } catch {
    checkpoint = null;
  }
  if (!key) return checkpoint === null ? { status: 'none' } : { status: 'unsigned', checkpoint };
  if (checkpoint === null) return { status: 'forged', position: 1n, problem: `the chain checkpoint ${file} cannot be read, and an anchor key is configured: ${forgedAdvice}` };
  const position = BigInt(Math.max(1, checkpoint.position));
  if (checkpoint.hmac === undefined) {
    return { status: 'forged', position, problem: `the chain checkpoint ${file} carries no HMAC, and an anchor key is configured: ${forgedAdvice}` };
  }
  const expected = Buffer.from(checkpointHmac(key, checkpoint), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(checkpoint.hmac, 'hex'))) {
    return { status: 'forged', position, problem: `the chain checkpoint's HMAC does not verify with the anchor key: ${forgedAdvice}` };
  }
  return { status: 'anchored', checkpoint };
}

export const checkpointFileFor = (dataDir: string): string => path.join(dataDir, CHAIN_CHECKPOINT_FILE);

/** The checkpoint, or null when there is none or it is unreadable (then the start verifies everything). Its HMAC is not checked. */
export function readCheckpoint(file: string): ChainCheckpoint | null {
  if (!existsSync(file)) return null;
  try {
    const parsed = Checkpoint.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Writes the checkpoint atomically (a temporary file renamed over the old one), owner-only; with a key, anchored. */
export function writeCheckpoint(file: string, checkpoint: ChainCheckpoint, key: Buffer | null = null): void {
  const { hmac: _ignored, ...fields } = checkpoint;
  checkpoint = key ? { ...fields, hmac: checkpointHmac(key, fields) } : fields;
  Checkpoint.parse(checkpoint);
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}

export type ChainCheckMode = 'empty' | 'full' | 'incremental';

export type ChainCheck =
  | { ok: true; mode: ChainCheckMode; events: number; headHash: string; /** Events hashed by this check. */ checkedEvents: number }
  | { ok: false; mode: ChainCheckMode; firstBadPosition: bigint; problem: string; checkedEvents: number };

/** A start refused because the log's hash chain is broken. */
export class ChainBrokenError extends Error {
  override readonly name = 'ChainBroken';
  constructor(
    readonly firstBadPosition: bigint,
    readonly problem: string,
  ) {
    super(
      `the event log's hash chain is broken at position ${firstBadPosition}: ${problem}. ` +
        'Refusing to serve a log that may have been altered. Run `ledger verify` for the details; ' +
        'to inspect it read-only, start with `ledger serve --read-only-forensics` (or LEDGER_FORENSICS=on): every command is then refused',
    );
  }
}

function fromVerify(result: VerifyResult, mode: ChainCheckMode): ChainCheck {
  if (result.ok) return { ok: true, mode, events: result.events, headHash: result.headHash, checkedEvents: result.events };
  if (result.firstBadPosition === undefined) throw new Error('invariant: a failed verify names its first bad position');
  return { ok: false, mode, firstBadPosition: result.firstBadPosition, problem: result.problem ?? 'the chain does not verify', checkedEvents: result.events };
}

/**
 * Checks the chain for a start: everything when there is no checkpoint; otherwise the events
 * after it. Any doubt in the incremental walk (a changed hash, a row that does not decode) is
 * settled by a full verify, which names the first bad position precisely.
 */
export async function checkChainAtStart(store: EventStore, checkpoint: ChainCheckpoint | null): Promise<ChainCheck> {
  const head = await store.headPosition();
  if (head === 0n && (checkpoint === null || checkpoint.position === 0)) {
    return { ok: true, mode: 'empty', events: 0, headHash: GENESIS_HASH, checkedEvents: 0 };
  }
  if (checkpoint === null) return fromVerify(await store.verify(), 'full');
  const verified = BigInt(checkpoint.position);
  if (head < verified) {
    return {
      ok: false,
      mode: 'incremental',
      firstBadPosition: head + 1n,
      problem: `the log ends at position ${head}, but position ${verified} was verified at ${checkpoint.verifiedAt}: events ${head + 1n}..${verified} were removed`,
      checkedEvents: 0,
    };
  }
  const tail = await walkTail(store, checkpoint);
  if (tail.ok) return tail;
  const full = fromVerify(await store.verify(), 'full');
  if (!full.ok) return full;
  if (tail.rewritten) {
    return {
      ok: false,
      mode: 'incremental',
      firstBadPosition: verified,
      problem:
        `the chain is consistent, but the hash at position ${verified} is not the one verified at ${checkpoint.verifiedAt}: ` +
        `the log up to there was rewritten or replaced (if it was replaced on purpose, delete ${CHAIN_CHECKPOINT_FILE})`,
      checkedEvents: full.checkedEvents,
    };
  }
  return full; // the walk's doubt was only in decoding (an upcast event); the stored chain is sound
}

type TailWalk = Extract<ChainCheck, { ok: true }> | { ok: false; rewritten: boolean };

/** Links and hashes of every event after the checkpoint, recomputed from the decoded envelopes. */
async function walkTail(store: EventStore, checkpoint: ChainCheckpoint): Promise<TailWalk> {
  let lastPosition = BigInt(checkpoint.position);
  let lastHash = checkpoint.hash;
  let lastRecordedAt = '';
  let checked = 0;
  try {
    if (lastPosition > 0n) {
      const anchor = await eventAt(store, lastPosition);
      if (anchor?.hash !== checkpoint.hash) return { ok: false, rewritten: true };
      lastRecordedAt = anchor.recordedAt;
    }
    for await (const event of store.readAll({ fromPosition: lastPosition + 1n })) {
      const sound =
        event.position === lastPosition + 1n &&
        event.prevHash === lastHash &&
        event.recordedAt >= lastRecordedAt &&
        hashEvent(event.prevHash, event) === event.hash;
      if (!sound) return { ok: false, rewritten: false };
      lastPosition = event.position;
      lastHash = event.hash;
      lastRecordedAt = event.recordedAt;
      checked++;
    }
  } catch {
    return { ok: false, rewritten: false };
  }
  return { ok: true, mode: 'incremental', events: Number(lastPosition), headHash: lastHash, checkedEvents: checked };
}

async function eventAt(store: EventStore, position: bigint): Promise<EventEnvelope | null> {
  for await (const event of store.readAll({ fromPosition: position, toPosition: position })) return event;
  return null;
}
