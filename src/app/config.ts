// The server's configuration, read once from the environment and checked with zod. A bad
// value stops the start with every problem named (exit code 2), never a half-started server.
import path from 'node:path';
import { z } from 'zod';

export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

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
  LEDGER_FORENSICS: OnOff.optional(),
});

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
  /** Where start-up messages (tokens, address) go. */
  print: (line: string) => void;
  /**
   * Read-only forensics (`ledger serve --read-only-forensics`, LEDGER_FORENSICS=on): starts even
   * on a broken hash chain, refuses every command with 503, answers reads. Default off.
   */
  forensics?: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: ReadonlyArray<{ variable: string; message: string }>) {
    super(`invalid environment: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`);
  }
}

/** Parses the environment into a config; throws ConfigError naming every bad variable. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env, print: (line: string) => void = defaultPrint): ServerConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = ServerEnv.safeParse(present);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => ({ variable: i.path.map(String).join('.'), message: i.message })));
  }
  const e = result.data;
  return {
    host: e.LEDGER_HOST ?? DEFAULT_HOST,
    port: e.PORT ?? DEFAULT_PORT,
    dataDir: path.resolve(e.LEDGER_DATA_DIR ?? './data'),
    tokensFile: e.LEDGER_TOKENS_FILE ? path.resolve(e.LEDGER_TOKENS_FILE) : null,
    demo: e.LEDGER_DEMO ?? true,
    policyFile: e.LEDGER_POLICY_FILE ? path.resolve(e.LEDGER_POLICY_FILE) : null,
    eventStoreConnectionString: e.EVENTSTORE_CONNECTION_STRING ?? null,
    bodyLimitBytes: e.LEDGER_BODY_LIMIT_BYTES ?? DEFAULT_BODY_LIMIT_BYTES,
    requestLog: (e.LEDGER_LOG ?? 'on') === 'on',
    print,
    forensics: e.LEDGER_FORENSICS ?? false,
  };
}

function defaultPrint(line: string): void {
  process.stdout.write(`${line}\n`);
}
