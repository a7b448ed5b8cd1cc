// `ledger import FILE [--data-dir D]`: loads an NDJSON export into an empty data directory.
// Every line is decoded and checked against its event schema, walked along the hash chain, and
// checked against the rules the commands check before an append (each event folded into its
// stream's state by the stream's evolve, its postings added to its partners' running totals:
// src/ledger/history-check.ts); a broken file, or one whose history breaks a rule, is refused
// naming the position and nothing is written. Positions, revisions, times and hashes come out
// as exported.
// - The embedded store (importExportFile): one pass. The events go, 5,000 per transaction, into
//   a database file of its own (importChainedOnThread: each validated like an append and
//   required to continue the chain with the hash the store computes, here; the rows inserted by
//   the store's writer thread while the next 5,000 are decoded and checked), fsynced once at the
//   end and renamed over the empty store; a refusal deletes it.
// - Another store (EventStoreDB): pass one verifies the whole file (verifyExportFile), pass two
//   appends through the port with the store's clock set to each event's own recordedAt.
import { closeSync, createReadStream, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { StringDecoder } from 'node:string_decoder';
import { z } from 'zod';
import {
  Actor,
  currentSchemaVersion,
  EventTypeSchema,
  Instant,
  isCalendarInstant,
  SchemaViolationError,
  upcastEvent,
  type EventEnvelope,
  type EventType,
} from '../../domain/events.js';
import { parseArgs, UsageError } from '../cli-args.js';
import { HistoryCheck, HistoryRuleError } from '../../ledger/history-check.js';
import { policyFromEnv } from '../../ledger/policy-file.js';
import { ChainedImportError, openSqliteEventStore, SqliteEventStore } from '../../store/sqlite/sqlite-event-store.js';
import { IncompatibleStoreError, StoreUnavailableError, type EventStore, type NewEvent } from '../../store/event-store.js';
import { ChainWalker, hashEvent } from '../../store/hash-chain.js';
import { DEFAULT_DATA_DIR, openEventStore, sqliteFileFor } from '../../store/open-store.js';
import { ExitCode, type CliCommand } from '../command.js';
import { outputFormatOf, renderRecord, type OutputFormat } from '../format/output.js';
import { safeLines } from '../format/terminal.js';
import { ProgressBar } from '../format/progress.js';

const usage = [
  'Usage: ledger import FILE [--data-dir D] [--json|--csv]',
  '',
  'Loads an NDJSON export (ledger export) into an EMPTY data directory. Every line must be an',
  'event envelope of a known schema, positions must run 1, 2, 3, … and every hash and link of',
  'the chain must match; and every event must pass the rules the commands check before they',
  'write (each stream folded by its own rules, every partner\'s running totals kept exact). A',
  'broken file, or one breaking a rule, is refused with the position of the first bad event,',
  'and nothing is written. The imported log keeps every position, revision, both times and',
  'every hash of the file, and is durable when the command returns.',
  'Exit 0: imported; 1: the file is broken or breaks a rule (nothing written); 2: bad usage; 3: the data',
  'directory is not empty or the store is unavailable.',
  '',
  'Options:',
  '  --data-dir D   the data directory (default $LEDGER_DATA_DIR or ./data)',
  '  --json | --csv the result (events, head hash, data directory) for scripts',
].join('\n');

/** Most events handed to the store before waiting for them (memory bound). */
const MAX_IN_FLIGHT_EVENTS = 1_000;
/** Most bytes one line may have. */
const MAX_LINE_CHARS = 1_000_000;

const SafeCount = z.number().int().refine(Number.isSafeInteger, 'must be a safe integer');
const HashText = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
const Nullable = z.string().nullable();

/** One exported envelope: every field of DESIGN.md's envelope, nothing else. */
const EnvelopeLine = z
  .object({
    eventId: z.uuid(),
    type: EventTypeSchema,
    schemaVersion: z.number().int().min(1),
    stream: z.string().min(1),
    revision: SafeCount.refine((n) => n >= 0, 'must not be negative'),
    position: SafeCount.refine((n) => n >= 1, 'must be at least 1'),
    occurredAt: Instant,
    recordedAt: Instant,
    actor: Actor,
    commandId: Nullable,
    correlationId: Nullable,
    causationId: Nullable,
    policyVersion: Nullable,
    prevHash: HashText,
    hash: HashText,
    data: z.unknown(),
  })
  .strict();

/** The file cannot be imported: which line, which position (when known), and why. */
export class ImportRefusedError extends Error {
  override readonly name = 'ImportRefused';
  constructor(
    readonly lineNumber: number,
    readonly position: bigint | null,
    readonly problem: string,
  ) {
    super(`${position === null ? `line ${lineNumber}` : `position ${position} (line ${lineNumber})`}: ${problem}`);
  }
}

/**
 * Decodes one NDJSON line into an envelope; throws ImportRefusedError naming the line and
 * position. `validateData` false leaves the event's data to the store, which validates it as it
 * writes (the one-pass import).
 */
export function decodeEnvelopeLine(text: string, lineNumber: number, validateData = true): EventEnvelope {
  if (text.length > MAX_LINE_CHARS) throw new ImportRefusedError(lineNumber, null, `the line is longer than ${MAX_LINE_CHARS} characters`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ImportRefusedError(lineNumber, null, `not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (isPlainEnvelopeLine(raw)) {
    // The form an export writes, checked by hand: what EnvelopeLine accepts unchanged. The data
    // goes to checkEventOfLine (or to the store) as before.
    const line = raw as unknown as EventEnvelope & { revision: number; position: number };
    const position = BigInt(line.position);
    checkEventOfLine(line, lineNumber, position, validateData);
    (line as unknown as EventEnvelope).position = position;
    (line as unknown as EventEnvelope).revision = BigInt(line.revision);
    return line as unknown as EventEnvelope;
  }
  const rawPosition = (raw as { position?: unknown } | null)?.position;
  const position = typeof rawPosition === 'number' && Number.isSafeInteger(rawPosition) ? BigInt(rawPosition) : null;
  const parsed = EnvelopeLine.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ImportRefusedError(lineNumber, position, `not an event envelope: ${issues}`);
  }
  const line = parsed.data;
  checkEventOfLine(line, lineNumber, position, validateData);
  return { ...line, revision: BigInt(line.revision), position: BigInt(line.position) } as EventEnvelope;
}

/**
 * Refuses a decoded line whose data its schema does not accept (unless `validateData` is false)
 * or whose schema version is not the current one.
 */
function checkEventOfLine(
  line: { type: EventType; schemaVersion: number; data: unknown },
  lineNumber: number,
  position: bigint | null,
  validateData: boolean,
): void {
  try {
    if (validateData) upcastEvent(line.type, line.schemaVersion, line.data);
  } catch (error) {
    if (error instanceof SchemaViolationError) throw new ImportRefusedError(lineNumber, position, error.message);
    throw error;
  }
  if (line.schemaVersion !== currentSchemaVersion[line.type]) {
    throw new ImportRefusedError(
      lineNumber,
      position,
      `${line.type} version ${line.schemaVersion} is not the current version ${currentSchemaVersion[line.type]}; this ledger imports current versions only`,
    );
  }
}

const ENVELOPE_KEYS = EnvelopeLine.keyof().options as readonly string[];
const LOWERCASE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const HASH_TEXT = /^[0-9a-f]{64}$/;
const ROLES: ReadonlySet<string> = new Set(Actor.shape.role.options);
const isNullableText = (v: unknown): boolean => v === null || typeof v === 'string';
const isSafeCount = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

/**
 * True only when EnvelopeLine would accept the line unchanged: exactly its sixteen keys, each in
 * the form an export writes (a lowercase uuid, a current type, instants of real calendar days,
 * the actor's two fields). Anything else goes through the schema, which names every problem.
 */
function isPlainEnvelopeLine(raw: unknown): raw is Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return false;
  const r = raw as Record<string, unknown>;
  let keys = 0;
  for (const key in r) {
    if (!Object.hasOwn(r, key)) return false;
    keys++;
  }
  if (keys !== ENVELOPE_KEYS.length) return false;
  for (const key of ENVELOPE_KEYS) if (!Object.hasOwn(r, key)) return false;
  const actor = r.actor as Record<string, unknown> | null;
  return (
    typeof r.eventId === 'string' &&
    LOWERCASE_UUID.test(r.eventId) &&
    typeof r.type === 'string' &&
    Object.hasOwn(currentSchemaVersion, r.type) &&
    isSafeCount(r.schemaVersion, 1) &&
    typeof r.stream === 'string' &&
    r.stream.length >= 1 &&
    isSafeCount(r.revision, 0) &&
    isSafeCount(r.position, 1) &&
    isCalendarInstant(r.occurredAt) &&
    isCalendarInstant(r.recordedAt) &&
    actor !== null &&
    typeof actor === 'object' &&
    Object.keys(actor).length === 2 &&
    typeof actor.role === 'string' &&
    ROLES.has(actor.role) &&
    typeof actor.id === 'string' &&
    actor.id.length >= 1 &&
    actor.id.length <= 128 &&
    isNullableText(r.commandId) &&
    isNullableText(r.correlationId) &&
    isNullableText(r.causationId) &&
    isNullableText(r.policyVersion) &&
    typeof r.prevHash === 'string' &&
    HASH_TEXT.test(r.prevHash) &&
    typeof r.hash === 'string' &&
    HASH_TEXT.test(r.hash)
  );
}

/** The lines of an NDJSON file, numbered from 1, blank lines skipped. */
async function* numberedLines(file: string): AsyncGenerator<{ text: string; lineNumber: number }> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber++;
    if (text.trim() !== '') yield { text, lineNumber };
  }
}

/** Bytes read at a time by numberedLineBlocks. */
const LINE_BLOCK_BYTES = 1 << 20;

/**
 * The lines of an NDJSON file as numberedLines splits them (at \n, \r\n or a lone \r; blank
 * lines skipped), a block at a time: [text, lineNumber, text, lineNumber, …] for each ~1 MB
 * read, so the caller loops over a block without an await per line.
 */
async function* numberedLineBlocks(file: string): AsyncGenerator<Array<string | number>> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let lineNumber = 0;
  const split = (text: string, out: Array<string | number>): void => {
    for (const piece of text.includes('\r') ? text.split('\r') : [text]) {
      lineNumber++;
      if (piece.trim() !== '') out.push(piece, lineNumber);
    }
  };
  for await (const chunk of createReadStream(file, { highWaterMark: LINE_BLOCK_BYTES }) as AsyncIterable<Buffer>) {
    const text = carry + decoder.write(chunk);
    const out: Array<string | number> = [];
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      split(text.charCodeAt(end - 1) === 13 && end > start ? text.slice(start, end - 1) : text.slice(start, end), out);
      start = end + 1;
    }
    carry = text.slice(start);
    if (out.length > 0) yield out;
  }
  carry += decoder.end();
  if (carry.endsWith('\r')) carry = carry.slice(0, -1);
  if (carry !== '') {
    const out: Array<string | number> = [];
    split(carry, out);
    if (out.length > 0) yield out;
  }
}

/**
 * Every envelope of the file, checked link by link along the chain as it is read and, given a
 * HistoryCheck, against the write-side rules.
 */
async function* verifiedEnvelopes(file: string, rules?: HistoryCheck): AsyncGenerator<EventEnvelope> {
  const walker = new ChainWalker();
  for await (const { text, lineNumber } of numberedLines(file)) {
    const envelope = decodeEnvelopeLine(text, lineNumber);
    const ok = walker.step({
      position: envelope.position,
      prevHash: envelope.prevHash,
      hash: envelope.hash,
      computedHash: hashEvent(envelope.prevHash, envelope),
      recordedAt: envelope.recordedAt,
    });
    if (!ok) {
      const result = walker.result();
      throw new ImportRefusedError(lineNumber, result.firstBadPosition ?? envelope.position, result.problem ?? 'the chain is broken');
    }
    if (rules) {
      try {
        rules.apply(envelope);
      } catch (error) {
        if (!(error instanceof HistoryRuleError)) throw error;
        throw new ImportRefusedError(lineNumber, envelope.position, `${envelope.type} breaks a rule of the ledger: ${error.message}`);
      }
    }
    yield envelope;
  }
}

export interface ImportSummary {
  events: number;
  headHash: string;
}

/**
 * Pass one: reads and verifies the whole file (schemas, chain, and the write-side rules under
 * `policy`), writing nothing. Throws ImportRefusedError.
 */
export async function verifyExportFile(file: string, onProgress?: (events: number) => void, policy = policyFromEnv()): Promise<ImportSummary> {
  let events = 0;
  let headHash = '';
  for await (const envelope of verifiedEnvelopes(file, new HistoryCheck(policy))) {
    events++;
    headHash = envelope.hash;
    if (events % 10_000 === 0) onProgress?.(events);
  }
  if (events === 0) throw new ImportRefusedError(0, null, 'the file holds no events');
  return { events, headHash };
}

/** The clock the store reads while importing: each event's own recordedAt. */
export class ImportClock {
  private current: string | null = null;
  readonly now = (): string => {
    if (this.current === null) throw new Error('the import clock was read before an event set it');
    return this.current;
  };
  set(recordedAt: string): void {
    this.current = recordedAt;
  }
}

function newEventOf(envelope: EventEnvelope): NewEvent {
  return {
    type: envelope.type,
    data: envelope.data,
    eventId: envelope.eventId,
    occurredAt: envelope.occurredAt,
    actor: envelope.actor,
    commandId: envelope.commandId,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    policyVersion: envelope.policyVersion,
  } as NewEvent;
}

interface Group {
  stream: string;
  recordedAt: string;
  envelopes: EventEnvelope[];
}

/**
 * Pass two: appends a verified file to an empty store opened with `clock`. Consecutive events of
 * one stream and one recordedAt go in one append; appends of one recordedAt are handed over
 * together (the store commits them in order, reading the clock once per batch).
 */
export async function appendExportFile(
  file: string,
  store: EventStore,
  clock: ImportClock,
  onProgress?: (events: number) => void,
): Promise<ImportSummary> {
  if ((await store.headPosition()) !== 0n) throw new Error('the store is not empty');
  if (store instanceof SqliteEventStore) return importIntoSqlite(file, store, onProgress);
  let inFlight: Array<Promise<void>> = [];
  let inFlightEvents = 0;
  let inFlightRecordedAt: string | null = null;
  let group: Group | null = null;
  let events = 0;
  let headHash = '';

  const settle = async (): Promise<void> => {
    await Promise.all(inFlight);
    inFlight = [];
    inFlightEvents = 0;
  };
  const send = async (g: Group): Promise<void> => {
    if (inFlightRecordedAt !== g.recordedAt || inFlightEvents + g.envelopes.length > MAX_IN_FLIGHT_EVENTS) await settle();
    inFlightRecordedAt = g.recordedAt;
    clock.set(g.recordedAt);
    inFlightEvents += g.envelopes.length;
    const first = g.envelopes[0] as EventEnvelope;
    const expected = first.revision === 0n ? 'no-stream' : first.revision - 1n;
    inFlight.push(store.append(g.stream, g.envelopes.map(newEventOf), expected).then((result) => assertSameAsFile(result.events, g.envelopes)));
  };

  for await (const envelope of verifiedEnvelopes(file)) {
    const continues =
      group !== null &&
      group.stream === envelope.stream &&
      group.recordedAt === envelope.recordedAt &&
      group.envelopes.length < MAX_IN_FLIGHT_EVENTS &&
      (group.envelopes.at(-1) as EventEnvelope).position + 1n === envelope.position;
    if (group !== null && !continues) await send(group);
    if (!continues) group = { stream: envelope.stream, recordedAt: envelope.recordedAt, envelopes: [] };
    (group as Group).envelopes.push(envelope);
    events++;
    headHash = envelope.hash;
    if (events % 10_000 === 0) onProgress?.(events);
  }
  if (group !== null) await send(group);
  await settle();
  return { events, headHash };
}

/** Events per importChained call: one transaction each. */
const IMPORT_CHUNK_EVENTS = 5_000;

/**
 * The embedded store takes the history as it is, a chunk per transaction (see importChained).
 * The file was verified whole by pass one; here a line is only parsed: importChained validates
 * each event like an append and recomputes its hash on the log's head, so a line changed since
 * pass one is refused there (a second walk along the chain would hash every event once more).
 */
async function importIntoSqlite(file: string, store: SqliteEventStore, onProgress?: (events: number) => void): Promise<ImportSummary> {
  let chunk: EventEnvelope[] = [];
  let events = 0;
  let headHash = '';
  const write = (): void => {
    try {
      store.importChained(chunk);
    } catch (error) {
      throw new Error(`the file changed after it was verified, or the store refused it: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    chunk = [];
    onProgress?.(events);
  };
  for await (const { text, lineNumber } of numberedLines(file)) {
    const envelope = parsedEnvelopeLine(text, lineNumber);
    chunk.push(envelope);
    events++;
    headHash = envelope.hash;
    if (chunk.length >= IMPORT_CHUNK_EVENTS) write();
  }
  write();
  return { events, headHash };
}

/** A line as an envelope, parsed but not validated (pass two: the store validates what it writes). */
function parsedEnvelopeLine(text: string, lineNumber: number): EventEnvelope {
  const raw = JSON.parse(text) as Record<string, unknown>;
  const { position, revision } = raw;
  if (typeof position !== 'number' || typeof revision !== 'number' || !Number.isSafeInteger(position) || !Number.isSafeInteger(revision)) {
    throw new ImportRefusedError(lineNumber, null, 'the file changed after it was verified: position or revision is not a whole number');
  }
  return { ...raw, position: BigInt(position), revision: BigInt(revision) } as unknown as EventEnvelope;
}

/** Every appended event must come out exactly as the file has it. */
function assertSameAsFile(stored: readonly EventEnvelope[], fromFile: readonly EventEnvelope[]): void {
  if (stored.length !== fromFile.length) throw new Error(`the store wrote ${stored.length} events for ${fromFile.length}`);
  stored.forEach((s, i) => {
    const f = fromFile[i] as EventEnvelope;
    if (s.position !== f.position || s.revision !== f.revision || s.recordedAt !== f.recordedAt || s.hash !== f.hash) {
      throw new Error(
        `position ${f.position} was stored as position ${s.position}, revision ${s.revision}, recorded ${s.recordedAt}, hash ${s.hash}; ` +
          `the file has revision ${f.revision}, recorded ${f.recordedAt}, hash ${f.hash}`,
      );
    }
  });
}

/** A one-line progress report for a terminal ("\r" rewrites it in place). */
export function progressLine(what: string, done: number, total: number | null): string {
  if (total === null || total === 0) return `\r${what}: ${done.toLocaleString('en-US')} events`;
  const width = 30;
  const filled = Math.min(width, Math.floor((done * width) / total));
  return `\r${what} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`;
}

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'load an NDJSON export into an empty data directory, verifying its chain and rules',
  usage,
  async run(argv) {
    let file: string;
    let dataDir: string;
    let format: OutputFormat;
    try {
      const args = parseArgs(argv, ['data-dir'], ['json', 'csv']);
      format = outputFormatOf(args.flags);
      if (args.positionals.length !== 1) throw new UsageError('name exactly one file to import');
      file = args.positionals[0] as string;
      dataDir = args.values.get('data-dir') ?? process.env.LEDGER_DATA_DIR ?? DEFAULT_DATA_DIR;
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      process.stderr.write(`ledger import: ${error.message}\n\n${usage}\n`);
      return ExitCode.usage;
    }
    const tty = process.stderr.isTTY === true;
    if (!process.env.EVENTSTORE_CONNECTION_STRING) return importIntoEmbeddedStore(file, dataDir, format, tty);
    let verified: ImportSummary;
    try {
      verified = await verifyExportFile(file, (n) => tty && process.stderr.write(progressLine('verify', n, null)));
    } catch (error) {
      if (!(error instanceof ImportRefusedError)) throw error;
      process.stderr.write(`${tty ? '\n' : ''}ledger import: refused, nothing written: ${safeLines(error.message)}\n`);
      return ExitCode.checkFailed;
    }
    if (tty) process.stderr.write('\n');
    const clock = new ImportClock();
    // Deferred durability: a failed import leaves a directory to empty anyway; close() checkpoints and fsyncs once.
    const store = await openEmptyStore(dataDir, { clock: clock.now, durability: 'close' });
    if (typeof store === 'number') return store;
    try {
      const bar = new ProgressBar(process.stderr, 'import', 'events', undefined, true); // stderr stays empty in scripts
      const summary = await appendExportFile(file, store, clock, (n) => bar.update(n, verified.events));
      bar.update(summary.events, verified.events);
      bar.finish();
      printImported(format, summary, dataDir);
      return ExitCode.ok;
    } finally {
      await store.close();
    }
  },
};

/**
 * The embedded store, in one pass: the file is read once, each line decoded, written into a
 * database file of its own beside the data directory's (importChained validates each event like
 * an append, and requires it to continue the chain with the hash the store computes), and its
 * events checked against the write-side rules; a refusal deletes that file, so nothing is
 * written. When the whole file went in, the file is made durable (one checkpoint and fsync) and
 * renamed over the data directory's empty store.
 */
export async function importExportFile(file: string, dataDir: string, policy = policyFromEnv(), onProgress?: (events: number) => void): Promise<ImportSummary> {
  const target = sqliteFileFor(dataDir);
  const staging = `${target}.importing`;
  const removeStaging = (): void => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(staging + suffix, { force: true });
  };
  removeStaging();
  const store = openSqliteEventStore({ file: staging, durability: 'close' });
  let closed = false;
  try {
    const rules = new HistoryCheck(policy);
    let chunk: Array<{ envelope: EventEnvelope; lineNumber: number }> = [];
    let events = 0;
    let headHash = '';
    // The chunk before this one, being inserted by the store's writer thread while this one is
    // decoded, checked and chained here.
    let written: Promise<void> = Promise.resolve();
    const write = async (): Promise<void> => {
      if (chunk.length === 0) return;
      await written;
      try {
        written = store.importChainedOnThread(chunk.map((c) => c.envelope));
      } catch (error) {
        if (!(error instanceof ChainedImportError)) throw error;
        const at = chunk.find((c) => c.envelope.position === error.position) ?? chunk[0]!;
        throw new ImportRefusedError(at.lineNumber, error.position, error.problem);
      }
      written.catch(() => undefined); // awaited before the next chunk and at the end
      for (const { envelope, lineNumber } of chunk) {
        try {
          rules.apply(envelope);
        } catch (error) {
          if (!(error instanceof HistoryRuleError)) throw error;
          throw new ImportRefusedError(lineNumber, envelope.position, `${envelope.type} breaks a rule of the ledger: ${error.message}`);
        }
      }
      chunk = [];
      onProgress?.(events);
    };
    for await (const lines of numberedLineBlocks(file)) {
      for (let i = 0; i < lines.length; i += 2) {
        const envelope = decodeEnvelopeLine(lines[i] as string, lines[i + 1] as number, false);
        chunk.push({ envelope, lineNumber: lines[i + 1] as number });
        events++;
        headHash = envelope.hash;
        if (chunk.length >= IMPORT_CHUNK_EVENTS) await write();
      }
    }
    await write();
    await written;
    if (events === 0) throw new ImportRefusedError(0, null, 'the file holds no events');
    closed = true;
    await store.close(); // durability 'close': the WAL is checkpointed into the file and fsynced
    for (const suffix of ['-wal', '-shm', '']) rmSync(target + suffix, { force: true });
    renameSync(staging, target);
    fsyncDirectory(path.dirname(target));
    return { events, headHash };
  } catch (error) {
    if (!closed) await store.close().catch(() => undefined);
    removeStaging();
    throw error;
  }
}

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The store of an empty data directory, or the exit code of a refusal (no store, or a log already there), said on stderr. */
async function openEmptyStore(dataDir: string, options?: Parameters<typeof openEventStore>[1]): Promise<EventStore | number> {
  let store: EventStore;
  try {
    store = await openEventStore({ ...process.env, LEDGER_DATA_DIR: dataDir }, options);
  } catch (error) {
    if (error instanceof StoreUnavailableError || error instanceof IncompatibleStoreError) {
      process.stderr.write(`ledger import: ${error.message}\n`);
      return ExitCode.refused;
    }
    throw error;
  }
  const head = await store.headPosition();
  if (head === 0n) return store;
  await store.close();
  process.stderr.write(`ledger import: refused: the data directory ${dataDir} already holds ${head} events; import needs an empty one\n`);
  return ExitCode.refused;
}

async function importIntoEmbeddedStore(file: string, dataDir: string, format: OutputFormat, tty: boolean): Promise<number> {
  const store = await openEmptyStore(dataDir);
  if (typeof store === 'number') return store;
  await store.close();
  let summary: ImportSummary;
  const bar = new ProgressBar(process.stderr, 'import', 'events', undefined, true); // stderr stays empty in scripts
  const lines = tty ? await countLines(file) : 0;
  try {
    summary = await importExportFile(file, dataDir, policyFromEnv(), (n) => bar.update(n, Math.max(n, lines)));
  } catch (error) {
    if (!(error instanceof ImportRefusedError)) throw error;
    process.stderr.write(`${tty ? '\n' : ''}ledger import: refused, nothing written: ${safeLines(error.message)}\n`);
    return ExitCode.checkFailed;
  }
  bar.update(summary.events, summary.events);
  bar.finish();
  printImported(format, summary, dataDir);
  return ExitCode.ok;
}

/** What an import that landed says on stdout: its events and head hash. */
function printImported(format: OutputFormat, summary: { events: number; headHash: string }, dataDir: string): void {
  process.stdout.write(
    format === 'table'
      ? `imported ${summary.events} events into ${dataDir}; head hash ${summary.headHash}\n`
      : renderRecord(format, { events: summary.events, headHash: summary.headHash, dataDir }),
  );
}

/** The lines of a file (for a progress bar's total): a byte scan, far cheaper than the import. */
async function countLines(file: string): Promise<number> {
  let lines = 0;
  let last = 0x0a;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) lines++;
    if (chunk.length > 0) last = chunk[chunk.length - 1]!;
  }
  return last === 0x0a ? lines : lines + 1;
}
