// The server's configuration, read once from the environment and checked with zod. A bad
// value stops the start with every problem named (exit code 2), never a half-started server.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { type LedgerLog, logFormatOf, logLevels, pinoLog, printLog, printOf } from './log.js';

export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

/**
 * What a client may take of the server (README, "Reliability and security"): how long it may
 * take to send a request's headers and its whole request, how long an idle keep-alive connection
 * is kept, how many connections one address may hold, and how many report requests (cost units)
 * one token may make a minute.
 */
export const DEFAULT_LIMITS = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConnectionsPerIp: 256,
  reportRatePerMin: 600,
} as const;
export type HttpLimits = { -readonly [K in keyof typeof DEFAULT_LIMITS]: number };

/** The smallest anchor key accepted: 32 bytes of key material (64 hex digits, or a long passphrase). */
export const MIN_ANCHOR_KEY_LENGTH = 32;

const PortText = z
  .string()
  .trim()
  .regex(/^\d{1,5}$/, 'must be a port number 0..65535')
  .transform(Number)
  .refine((n) => n >= 0 && n <= 65_535, 'must be a port number 0..65535');

const OnOff = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['on', 'off', 'true', 'false', '1', '0', 'yes', 'no']))
  .transform((v) => v === 'on' || v === 'true' || v === '1' || v === 'yes');

const NonEmptyPath = z.string().trim().min(1, 'must not be empty');

/** The environment variables the server reads (API.md's "Running" section). */
export const ServerEnv = z.object({
  PORT: PortText.optional(),
  LEDGER_HOST: z.string().trim().min(1).max(255).optional(),
  LEDGER_DATA_DIR: NonEmptyPath.optional(),
  LEDGER_TOKENS_FILE: NonEmptyPath.optional(),
  LEDGER_DEMO: OnOff.optional(),
  LEDGER_POLICY_FILE: NonEmptyPath.optional(),
  EVENTSTORE_CONNECTION_STRING: z
    .string()
    .trim()
    .regex(/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kurrent|kurrent\+discover):\/\/.+/, 'must be an esdb://… connection string')
    .optional(),
  LEDGER_BODY_LIMIT_BYTES: z
    .string()
    .trim()
    .regex(/^\d{1,9}$/, 'must be a number of bytes')
    .transform(Number)
    .refine((n) => n >= 1024 && n <= 16 * 1024 * 1024, 'must be 1024..16777216 bytes')
    .optional(),
  LEDGER_LOG: z.enum(['on', 'off']).optional(),
  LEDGER_LOG_FORMAT: z.string().trim().toLowerCase().pipe(z.enum(['json', 'plain', 'pretty'])).optional(),
  LEDGER_LOG_LEVEL: z.string().trim().toLowerCase().pipe(z.enum(logLevels)).optional(),
  LEDGER_FORENSICS: OnOff.optional(),
  LEDGER_REQUEST_TIMEOUT_MS: milliseconds(100, 3_600_000).optional(),
  LEDGER_HEADERS_TIMEOUT_MS: milliseconds(100, 600_000).optional(),
  LEDGER_KEEPALIVE_TIMEOUT_MS: milliseconds(100, 600_000).optional(),
  LEDGER_MAX_CONNECTIONS_PER_IP: count(1, 100_000).optional(),
  LEDGER_REPORT_RATE_PER_MIN: count(1, 1_000_000).optional(),
  LEDGER_ANCHOR_KEY: z.string().min(MIN_ANCHOR_KEY_LENGTH, `must be at least ${MIN_ANCHOR_KEY_LENGTH} characters`).max(4_096).optional(),
  LEDGER_ANCHOR_KEY_FILE: NonEmptyPath.optional(),
});

function milliseconds(min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(/^\d{1,10}$/, 'must be a number of milliseconds')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be ${min}..${max} milliseconds`);
}

function count(min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(/^\d{1,10}$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be ${min}..${max}`);
}

export interface ServerConfig {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  dataDir: string;
  /** null: the tokens live in `<dataDir>/tokens.json`, created on first start. */
  tokensFile: string | null;
  demo: boolean;
  policyFile: string | null;
  eventStoreConnectionString: string | null;
  bodyLimitBytes: number;
  /** One line per request on stdout. */
  requestLog: boolean;
  /** Where start-up messages (tokens, address) go: plain lines ("warning: …" for a warning). */
  print: (line: string) => void;
  /**
   * The server's log (levels, request records). Absent: the messages and request lines go to
   * `print` (tests). configFromEnv gives pino's, JSON or plain (log.ts).
   */
  log?: LedgerLog;
  /**
   * Read-only forensics (`ledger serve --read-only-forensics`, LEDGER_FORENSICS=on): starts even
   * on a broken hash chain, refuses every command with 503, answers reads. Default off.
   */
  forensics?: boolean;
  /** Slowest request (headers and body) a client may send; LEDGER_REQUEST_TIMEOUT_MS. */
  requestTimeoutMs?: number;
  /** Slowest request headers; LEDGER_HEADERS_TIMEOUT_MS (at most requestTimeoutMs). */
  headersTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open; LEDGER_KEEPALIVE_TIMEOUT_MS. */
  keepAliveTimeoutMs?: number;
  /** Open connections one client address may hold; LEDGER_MAX_CONNECTIONS_PER_IP. */
  maxConnectionsPerIp?: number;
  /** Report cost units (/reports/*) per token per minute; LEDGER_REPORT_RATE_PER_MIN. */
  reportRatePerMin?: number;
  /**
   * The key of the HMAC that anchors the chain checkpoint (LEDGER_ANCHOR_KEY, or the file named by
   * LEDGER_ANCHOR_KEY_FILE, outside the data directory). Null or absent: the checkpoint is unsigned.
   */
  anchorKey?: Buffer | null;
}

/** The limits of a config, defaults filled in. */
export function httpLimitsOf(config: Pick<ServerConfig, keyof HttpLimits>): HttpLimits {
  return {
    requestTimeoutMs: config.requestTimeoutMs ?? DEFAULT_LIMITS.requestTimeoutMs,
    headersTimeoutMs: Math.min(config.headersTimeoutMs ?? DEFAULT_LIMITS.headersTimeoutMs, config.requestTimeoutMs ?? DEFAULT_LIMITS.requestTimeoutMs),
    keepAliveTimeoutMs: config.keepAliveTimeoutMs ?? DEFAULT_LIMITS.keepAliveTimeoutMs,
    maxConnectionsPerIp: config.maxConnectionsPerIp ?? DEFAULT_LIMITS.maxConnectionsPerIp,
    reportRatePerMin: config.reportRatePerMin ?? DEFAULT_LIMITS.reportRatePerMin,
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: ReadonlyArray<{ variable: string; message: string }>) {
    super(`invalid environment: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`);
  }
}

/** Parses the environment into a config; throws ConfigError naming every bad variable. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env, givenPrint?: (line: string) => void): ServerConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = ServerEnv.safeParse(present);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => ({ variable: i.path.map(String).join('.'), message: i.message })));
  }
  const e = result.data;
  const dataDir = path.resolve(e.LEDGER_DATA_DIR ?? './data');
  const problems: Array<{ variable: string; message: string }> = [];
  const requestTimeoutMs = e.LEDGER_REQUEST_TIMEOUT_MS ?? DEFAULT_LIMITS.requestTimeoutMs;
  const headersTimeoutMs = e.LEDGER_HEADERS_TIMEOUT_MS ?? Math.min(DEFAULT_LIMITS.headersTimeoutMs, requestTimeoutMs);
  if (headersTimeoutMs > requestTimeoutMs) {
    problems.push({ variable: 'LEDGER_HEADERS_TIMEOUT_MS', message: `must not be longer than LEDGER_REQUEST_TIMEOUT_MS (${requestTimeoutMs})` });
  }
  const anchorKey = anchorKeyOf(e.LEDGER_ANCHOR_KEY, e.LEDGER_ANCHOR_KEY_FILE, dataDir, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  const level = e.LEDGER_LOG_LEVEL ?? 'info';
  const log = givenPrint ? printLog(givenPrint, level) : pinoLog({ format: logFormatOf(env), level });
  const print = givenPrint ?? printOf(log);
  return {
    host: e.LEDGER_HOST ?? DEFAULT_HOST,
    port: e.PORT ?? DEFAULT_PORT,
    dataDir,
    tokensFile: e.LEDGER_TOKENS_FILE ? path.resolve(e.LEDGER_TOKENS_FILE) : null,
    demo: e.LEDGER_DEMO ?? true,
    policyFile: e.LEDGER_POLICY_FILE ? path.resolve(e.LEDGER_POLICY_FILE) : null,
    eventStoreConnectionString: e.EVENTSTORE_CONNECTION_STRING ?? null,
    bodyLimitBytes: e.LEDGER_BODY_LIMIT_BYTES ?? DEFAULT_BODY_LIMIT_BYTES,
    requestLog: (e.LEDGER_LOG ?? 'on') === 'on',
    print,
    log,
    forensics: e.LEDGER_FORENSICS ?? false,
    requestTimeoutMs,
    headersTimeoutMs,
    keepAliveTimeoutMs: e.LEDGER_KEEPALIVE_TIMEOUT_MS ?? DEFAULT_LIMITS.keepAliveTimeoutMs,
    maxConnectionsPerIp: e.LEDGER_MAX_CONNECTIONS_PER_IP ?? DEFAULT_LIMITS.maxConnectionsPerIp,
    reportRatePerMin: e.LEDGER_REPORT_RATE_PER_MIN ?? DEFAULT_LIMITS.reportRatePerMin,
    anchorKey,
  };
}

/**
 * The anchor key: LEDGER_ANCHOR_KEY itself, or the contents of LEDGER_ANCHOR_KEY_FILE (trimmed).
 * The file must lie outside the data directory: a key beside the checkpoint it signs protects
 * nothing from whoever can write there.
 */
export function anchorKeyOf(
  inline: string | undefined,
  file: string | undefined,
  dataDir: string,
  problems: Array<{ variable: string; message: string }> = [],
): Buffer | null {
  if (inline !== undefined && file !== undefined) {
    problems.push({ variable: 'LEDGER_ANCHOR_KEY_FILE', message: 'set either LEDGER_ANCHOR_KEY or LEDGER_ANCHOR_KEY_FILE, not both' });
    return null;
  }
  if (inline !== undefined) {
    if (inline.length >= MIN_ANCHOR_KEY_LENGTH) return Buffer.from(inline, 'utf8');
    problems.push({ variable: 'LEDGER_ANCHOR_KEY', message: `must be at least ${MIN_ANCHOR_KEY_LENGTH} characters` });
    return null;
  }
  if (file === undefined) return null;
  const resolved = path.resolve(file);
  const relative = path.relative(dataDir, resolved);
  if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) {
    problems.push({ variable: 'LEDGER_ANCHOR_KEY_FILE', message: `must lie outside the data directory ${dataDir}` });
    return null;
  }
  let text: string;
  try {
    if (statSync(resolved).size > 4_096) throw new Error('larger than 4096 bytes');
    text = readFileSync(resolved, 'utf8').trim();
  } catch (error) {
    problems.push({ variable: 'LEDGER_ANCHOR_KEY_FILE', message: `cannot be read: ${error instanceof Error ? error.message : String(error)}` });
    return null;
  }
  if (text.length < MIN_ANCHOR_KEY_LENGTH) {
    problems.push({ variable: 'LEDGER_ANCHOR_KEY_FILE', message: `must hold at least ${MIN_ANCHOR_KEY_LENGTH} characters of key` });
    return null;
  }
  return Buffer.from(text, 'utf8');
}
