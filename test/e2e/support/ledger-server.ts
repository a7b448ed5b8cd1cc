// The real server in this process (createServer, as `ledger serve` builds it) over a data
// directory the test keeps across restarts, with the tokens of test/api (one per role, two
// partners) plus as many extra partner tokens as a test asks for; and a small HTTP client.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LoggerService } from '@nestjs/common';
import type { ServerConfig } from '../../../src/app/config.js';
import { createServer, type RunningServer } from '../../../src/app/server.js';
import { testConfig, tokens } from '../../api/support/server.js';

export { tokens };

/** The token of extra partner n (P-100 + n), for tests with many partners. */
export const partnerToken = (n: number): string => `extra-partner-token-${String(n).padStart(4, '0')}-abcdef`;
export const partnerIdOf = (n: number): string => `P-${100 + n}`;

export interface DataDir {
  dataDir: string;
  tokensFile: string;
  remove(): void;
}

/** A temporary data directory with a tokens file (mode 0600) holding test/api's tokens and `extraPartners` more. */
export function newDataDir(prefix: string, extraPartners = 0): DataDir {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const tokensFile = path.join(dataDir, 'tokens.json');
  const entries: Array<Record<string, string>> = [
    { token: tokens.manager, role: 'manager', name: 'mgr-alice' },
    { token: tokens.finance, role: 'finance', name: 'fin-bob' },
    { token: tokens.auditor, role: 'auditor', name: 'aud-carol' },
    { token: tokens.partner1, role: 'partner', partnerId: 'P-001' },
    { token: tokens.partner2, role: 'partner', partnerId: 'P-002' },
  ];
  for (let n = 1; n <= extraPartners; n++) entries.push({ token: partnerToken(n), role: 'partner', partnerId: partnerIdOf(n) });
  writeFileSync(tokensFile, JSON.stringify({ tokens: entries }), { mode: 0o600 });
  return { dataDir, tokensFile, remove: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** Every secret of the tokens file, to look for in logs. */
export function allTokens(extraPartners = 0): string[] {
  return [...Object.values(tokens), ...Array.from({ length: extraPartners }, (_, i) => partnerToken(i + 1))];
}

export interface InProcessServer {
  url: string;
  running: RunningServer;
  /** What the server printed (start-up lines, the request log). */
  lines: string[];
  close(): Promise<void>;
}

export async function startInProcess(
  dir: Pick<DataDir, 'dataDir' | 'tokensFile'>,
  overrides: Partial<ServerConfig> = {},
  logger: LoggerService | false = false,
): Promise<InProcessServer> {
  const lines: string[] = [];
  const running = await createServer(testConfig(dir.dataDir, dir.tokensFile, lines, { requestLog: false, ...overrides }), { logger });
  return { url: running.url, running, lines, close: () => running.close() };
}

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** One HTTP call; the body parsed as JSON when it is JSON. */
export async function api<T = any>(url: string, method: string, route: string, options: CallOptions = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const response = await fetch(`${url}${route}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/** A POST that must answer 2xx. */
export async function command<T = any>(url: string, route: string, token: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const answer = await api<T>(url, 'POST', route, { token, body, headers });
  if (answer.status < 200 || answer.status >= 300) throw new Error(`POST ${route} ${JSON.stringify(body)} → ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** The log's head position, as /health reports it to an auditor. */
export async function headPosition(url: string): Promise<number> {
  const answer = await api<{ position: number }>(url, 'GET', '/health', { token: tokens.auditor });
  if (answer.status !== 200) throw new Error(`/health → ${answer.status}`);
  return answer.body.position;
}

/** One event of the feed (GET /events), as the auditor sees it. */
export interface FeedEvent {
  position: number;
  type: string;
  stream: string;
  revision: number;
  commandId: string | null;
  occurredAt: string;
  recordedAt: string;
  data: Record<string, any>;
  [field: string]: unknown;
}

/** The log through GET /events from a position (default: all of it), page by page. */
export async function readLog(url: string, pageSize = 1_000, fromPosition = 1): Promise<FeedEvent[]> {
  const events: FeedEvent[] = [];
  for (let from = fromPosition; ; ) {
    const answer = await api<{ events: FeedEvent[] }>(url, 'GET', `/events?from=${from}&limit=${pageSize}`, { token: tokens.auditor });
    if (answer.status !== 200) throw new Error(`/events → ${answer.status}: ${JSON.stringify(answer.body)}`);
    const page = answer.body.events.map((e) => ({ ...e, position: Number(e.position), revision: Number(e.revision) }));
    events.push(...page);
    if (page.length < pageSize) return events;
    from = page[page.length - 1]!.position + 1;
  }
}
