// The real server on 127.0.0.1, port 0, over a temporary data directory with a temporary tokens
// file (one token per role, two partners), the demo data set off. restart() reopens the same dir.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { expect } from 'vitest';
import path from 'node:path';
import { DEFAULT_BODY_LIMIT_BYTES, type ServerConfig } from '../../../src/app/config.js';
import { createServer, type RunningServer } from '../../../src/app/server.js';

export const tokens = {
  manager: 'manager-token-0123456789abcdef',
  /** A second manager (the other department): a transfer one manager proposes, another approves. */
  manager2: 'manager2-token-0123456789abcdef',
  finance: 'finance-token-0123456789abcdef',
  auditor: 'auditor-token-0123456789abcdef',
  partner1: 'partner1-token-0123456789abcdef',
  partner2: 'partner2-token-0123456789abcdef',
} as const;
export type TokenName = keyof typeof tokens;

export const tokensFileJson = JSON.stringify({
  tokens: [
    { token: tokens.manager, role: 'manager', name: 'mgr-alice' },
    { token: tokens.manager2, role: 'manager', name: 'mgr-dave' },
    { token: tokens.finance, role: 'finance', name: 'fin-bob' },
    { token: tokens.auditor, role: 'auditor', name: 'aud-carol' },
    { token: tokens.partner1, role: 'partner', partnerId: 'P-001' },
    { token: tokens.partner2, role: 'partner', partnerId: 'P-002' },
  ],
});

export interface ApiServer {
  readonly url: string;
  readonly dataDir: string;
  readonly running: RunningServer;
  lines: string[];
  /** Closes the server and starts it again on the same data directory; `whileStopped` runs in between (a test leaving the files as another version would). */
  restart(whileStopped?: () => void | Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export function testConfig(dataDir: string, tokensFile: string, lines: string[], overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    tokensFile,
    demo: false,
    policyFile: null,
    eventStoreConnectionString: null,
    bodyLimitBytes: DEFAULT_BODY_LIMIT_BYTES,
    requestLog: true,
    print: (line) => lines.push(line),
    ...overrides,
  };
}

export async function startApiServer(overrides: Partial<ServerConfig> = {}): Promise<ApiServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ledger-api-'));
  const tokensFile = path.join(dataDir, 'tokens.json');
  writeFileSync(tokensFile, tokensFileJson, { mode: 0o600 });
  const lines: string[] = [];
  let running = await createServer(testConfig(dataDir, tokensFile, lines, overrides), { logger: false });
  return {
    get url() {
      return running.url;
    },
    dataDir,
    get running() {
      return running;
    },
    lines,
    async restart(whileStopped) {
      await running.close();
      await whileStopped?.();
      running = await createServer(testConfig(dataDir, tokensFile, lines, overrides), { logger: false });
    },
    async stop() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface CallOptions {
  token?: TokenName | null;
  rawToken?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  query?: Record<string, string | undefined>;
}

/** One HTTP call with global fetch; the body parsed as JSON when there is one. */
export async function call<T = any>(server: ApiServer, method: 'GET' | 'POST', route: string, options: CallOptions = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.rawToken ?? (options.token ? tokens[options.token] : undefined);
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) search.set(k, v);
  const url = `${server.url}${route}${search.size > 0 ? `?${search.toString()}` : ''}`;
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

export const get = <T = any>(server: ApiServer, route: string, token: TokenName | null, query?: Record<string, string | undefined>) =>
  call<T>(server, 'GET', route, { token, query });
export const post = <T = any>(server: ApiServer, route: string, token: TokenName | null, body: unknown, headers?: Record<string, string>) =>
  call<T>(server, 'POST', route, { token, body, headers });

/** The log's head position (the auditor's /health). */
export const headPosition = async (server: ApiServer): Promise<number> => (await get(server, '/health', 'auditor')).body.position as number;

/** The events the log holds after a position (GET /events, up to 100), in the form a dry run predicts them. */
export async function eventsAfter(server: ApiServer, position: number) {
  const page = await get(server, '/events', 'auditor', { from: String(position + 1), limit: '100' });
  expect(page.status).toBe(200);
  return (page.body.events as any[]).map((e) => ({
    stream: e.stream,
    revision: e.revision,
    eventId: e.eventId,
    type: e.type,
    data: e.data,
    occurredAt: e.occurredAt,
    actor: e.actor,
    commandId: e.commandId,
    correlationId: e.correlationId,
    causationId: e.causationId,
    policyVersion: e.policyVersion,
  }));
}

/** A problem+json refusal with this status (and rule) that wrote nothing; answers its body. */
export async function refusedWithoutWriting(server: ApiServer, answer: Promise<Answer>, status: number, rule?: string) {
  const before = await headPosition(server);
  const a = await answer;
  expect(a.status, JSON.stringify(a.body)).toBe(status);
  expect(a.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  if (rule) expect(a.body.rule).toBe(rule);
  expect(await headPosition(server)).toBe(before);
  return a.body;
}
