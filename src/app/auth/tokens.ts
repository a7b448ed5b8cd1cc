// API tokens: the file of API.md, checked with zod; a registry that finds a presented token in
// constant time (sha-256 digests compared with crypto.timingSafeEqual, every entry every time);
// and the generated file a first start writes when LEDGER_TOKENS_FILE is not set.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { Id } from '../../domain/events.js';

export const ApiRole = z.enum(['manager', 'finance', 'auditor', 'partner']);
export type ApiRole = z.infer<typeof ApiRole>;
export const apiRoles = ApiRole.options;

const TokenText = z.string().min(16, 'must be at least 16 characters').max(512).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

const TokenEntry = z
  .object({
    token: TokenText,
    role: ApiRole,
    partnerId: Id.optional(),
    /** Who holds the token; goes into events as the actor id (partners: their partner id). */
    name: z.string().trim().min(1).max(64).optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.role === 'partner' && !t.partnerId) ctx.addIssue({ code: 'custom', path: ['partnerId'], message: 'a partner token needs its partnerId' });
    if (t.role !== 'partner' && t.partnerId) ctx.addIssue({ code: 'custom', path: ['partnerId'], message: 'only a partner token has a partnerId' });
  });

export const TokensFile = z
  .object({ tokens: z.array(TokenEntry).min(1, 'must name at least one token').max(10_000) })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.tokens.forEach((t, i) => {
      if (seen.has(t.token)) ctx.addIssue({ code: 'custom', path: ['tokens', i, 'token'], message: 'the same token appears twice' });
      seen.add(t.token);
    });
  });
export type TokensFile = z.infer<typeof TokensFile>;

/** Who is calling: what the guard puts on the request and the commands put into events. */
export interface Principal {
  role: ApiRole;
  /** Actor id: the partner id for partners, the token's name (or role-N) otherwise. */
  id: string;
  partnerId: string | null;
  /** sha-256 of the token (hex): the key of idempotency records, never the token itself. */
  tokenDigestHex: string;
}

export class TokensFileError extends Error {
  override readonly name = 'TokensFileError';
}

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

export class TokenRegistry {
  private readonly entries: ReadonlyArray<{ digest: Buffer; principal: Principal }>;

  constructor(file: TokensFile) {
    const perRole = new Map<ApiRole, number>();
    this.entries = file.tokens.map((t) => {
      const n = (perRole.get(t.role) ?? 0) + 1;
      perRole.set(t.role, n);
      const d = digest(t.token);
      const id = t.role === 'partner' ? (t.partnerId as string) : (t.name ?? `${t.role}-${n}`);
      return { digest: d, principal: { role: t.role, id, partnerId: t.partnerId ?? null, tokenDigestHex: d.toString('hex') } };
    });
  }

  get size(): number {
    return this.entries.length;
  }

  /** The principal of a presented token, or null. Compares against every entry, in constant time each. */
  find(presented: string): Principal | null {
    const d = digest(presented);
    let found: Principal | null = null;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, d) && found === null) found = entry.principal;
    }
    return found;
  }
}

/** Reads and checks a tokens file; TokensFileError names the file and every problem. */
export function readTokensFile(file: string): TokensFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TokensFileError(`tokens file ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = TokensFile.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw new TokensFileError(`tokens file ${file} is invalid: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** True when group or others may read the file (a warning at start, not a refusal). */
export function readableByOthers(file: string): boolean {
  return (statSync(file).mode & 0o077) !== 0;
}

/** The partner the generated partner token belongs to (the demo data set's first partner). */
export const GENERATED_PARTNER_ID = 'P-001';

const newToken = (): string => randomBytes(24).toString('base64url');

/**
 * One random token per role, a second manager (a transfer takes two managers: one proposes, the
 * other approves) and a partner token for GENERATED_PARTNER_ID.
 */
export function generateTokens(): TokensFile {
  return {
    tokens: [
      { token: newToken(), role: 'manager', name: 'manager' },
      { token: newToken(), role: 'manager', name: 'manager-2' },
      { token: newToken(), role: 'finance', name: 'finance' },
      { token: newToken(), role: 'auditor', name: 'auditor' },
      { token: newToken(), role: 'partner', partnerId: GENERATED_PARTNER_ID },
    ],
  };
}

/** Writes a tokens file readable by its owner only (mode 0600); refuses to overwrite one. */
export function writeNewTokensFile(file: string, tokens: TokensFile): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
}

export interface LoadedTokens {
  file: string;
  tokens: TokensFile;
  /** True when this start wrote the file. */
  created: boolean;
}

/** The named tokens file, or `<dataDir>/tokens.json`, generated on the first start. */
export function loadOrCreateTokens(tokensFile: string | null, dataDir: string): LoadedTokens {
  if (tokensFile !== null) return { file: tokensFile, tokens: readTokensFile(tokensFile), created: false };
  const file = path.join(dataDir, 'tokens.json');
  if (existsSync(file)) return { file, tokens: readTokensFile(file), created: false };
  const tokens = generateTokens();
  writeNewTokensFile(file, tokens);
  return { file, tokens, created: true };
}

/** Lines that show the tokens to the person starting the server. */
export function describeTokens(tokens: TokensFile): string[] {
  return tokens.tokens.map((t) => `  ${t.role.padEnd(8)} ${t.partnerId ? `${t.partnerId.padEnd(8)} ` : ''.padEnd(9)}${t.token}`);
}
