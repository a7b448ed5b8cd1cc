// HTTP throughput and latency against the real server on loopback: the compiled `ledger serve`
// in a child process over a temporary data directory (demo data loaded), driven by keep-alive
// connections from this process with a mixed load (default 70% reads, 30% commands). Each
// connection writes to its own partner and its own customers, so commands do not queue on one
// stream. Meant for `ledger bench http`; the answer is JSON-ready figures.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface HttpBenchOptions {
  connections?: number;
  durationMs?: number;
  /** Share of reads in the mix, 0..1. */
  readShare?: number;
  /** The `ledger` entry (bin/ledger.js); found from this module by default. */
  ledgerBin?: string;
}

export interface HttpBenchResult {
  connections: number;
  durationMs: number;
  readShare: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** The same split by kind: reads (GETs) and commands (POSTs). */
  readLatencyMs: { p50: number; p99: number };
  commandLatencyMs: { p50: number; p99: number };
  /** Answers that were not 2xx, by status. */
  errors: Record<string, number>;
  /**
   * CPU the server process spent per request during the measured window (user + system, all its
   * threads; null where /proc is not readable). Steadier than req/s on a shared machine.
   */
  serverCpuMsPerRequest: number | null;
  /** The server's main thread alone (its event loop: routing, auth, deciding, the read model), CPU ms per request. */
  serverMainThreadCpuMsPerRequest: number | null;
  /** CPU this load generator spent per request during the measured window. */
  clientCpuMsPerRequest: number;
}

const MAX_CONNECTIONS = 1_024;
const MAX_DURATION_MS = 600_000;
const START_TIMEOUT_MS = 60_000;

export function defaultLedgerBin(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let step = 0; step < 8; step++) {
    const candidate = path.join(dir, 'bin', 'ledger.js');
    try {
      readFileSync(candidate);
      return candidate;
    } catch {
      dir = path.dirname(dir);
    }
  }
  throw new Error('bin/ledger.js not found above the bench module');
}

/** Starts `ledger serve` on a free loopback port and resolves with its URL once it listens. */
export function startChild(ledgerBin: string, dataDir: string, demo: 'on' | 'off' = 'on'): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [ledgerBin, 'serve'], {
    env: { ...process.env, PORT: '0', LEDGER_HOST: '127.0.0.1', LEDGER_DATA_DIR: dataDir, LEDGER_DEMO: demo, LEDGER_LOG: 'off', LEDGER_TOKENS_FILE: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return listeningUrlOf(child);
}

/** Resolves with the URL a child prints as "listening on http://127.0.0.1:PORT". */
export function listeningUrlOf(child: ChildProcess): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with code ${code} before listening:\n${output}`));
    });
  });
}

export interface Answer {
  status: number;
  body: string;
}

export function request(agent: http.Agent, url: string, method: 'GET' | 'POST', route: string, token: string, body?: unknown): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${route}`,
      {
        method,
        agent,
        headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/**
 * A process's CPU time so far (user + system, every thread) from /proc, in ms; with
 * `mainThreadOnly` its main thread's alone. Null where that is not readable.
 */
export function processCpuMs(pid: number | undefined, mainThreadOnly = false): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    return Number.isFinite(ticks) ? ticks * CLOCK_TICK_MS : null;
  } catch {
    return null;
  }
}

/** USER_HZ is 100 on every Linux the ledger runs on. */
const CLOCK_TICK_MS = 10;

const percentile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
const round = (ms: number): number => Math.round(ms * 100) / 100;

export async function benchHttp(options: HttpBenchOptions = {}): Promise<HttpBenchResult> {
  const connections = options.connections ?? 64;
  const durationMs = options.durationMs ?? 10_000;
  const readShare = options.readShare ?? 0.7;
  if (!Number.isInteger(connections) || connections < 1 || connections > MAX_CONNECTIONS) throw new RangeError(`connections must be 1..${MAX_CONNECTIONS}`);
  if (!Number.isInteger(durationMs) || durationMs < 100 || durationMs > MAX_DURATION_MS) throw new RangeError(`durationMs must be 100..${MAX_DURATION_MS}`);
  if (!(readShare >= 0 && readShare <= 1)) throw new RangeError('readShare must be 0..1');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ledger-bench-http-'));
  const { child, url } = await startChild(options.ledgerBin ?? defaultLedgerBin(), dataDir);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  try {
    const tokens = (JSON.parse(readFileSync(path.join(dataDir, 'tokens.json'), 'utf8')) as { tokens: Array<{ token: string; role: string }> }).tokens;
    const tokenOf = (role: string): string => {
      const t = tokens.find((x) => x.role === role);
      if (!t) throw new Error(`no ${role} token`);
      return t.token;
    };
    const [manager, finance] = [tokenOf('manager'), tokenOf('finance')];
    for (let c = 0; c < connections; c++) {
      const answer = await request(agent, url, 'POST', '/partners', manager, { partnerId: `PB-${c}`, name: `Bench Partner ${c}`, kind: 'development', tier: 'standard' });
      if (answer.status !== 201) throw new Error(`signing bench partner ${c}: ${answer.status} ${answer.body}`);
    }
    const latencies: number[] = [];
    const readLatencies: number[] = [];
    const commandLatencies: number[] = [];
    const errors: Record<string, number> = {};
    const endAt = performance.now() + durationMs;
    const worker = async (c: number): Promise<void> => {
      const partnerId = `PB-${c}`;
      for (let i = 0; performance.now() < endAt; i++) {
        const read = (i * 7919 + c * 104_729) % 1000 < readShare * 1000;
        const startedAt = performance.now();
        const answer = read
          ? await request(agent, url, 'GET', i % 2 === 0 ? `/partners/${partnerId}/balance` : '/tiers', finance)
          : i % 2 === 0
            ? await request(agent, url, 'POST', `/partners/${partnerId}/deposits`, finance, { amount: 100 })
            : await request(agent, url, 'POST', '/deals', manager, { dealId: `DB-${c}-${i}`, partnerId, customer: { name: `Bench Customer ${c}-${i}` } });
        const latencyMs = performance.now() - startedAt;
        latencies.push(latencyMs);
        (read ? readLatencies : commandLatencies).push(latencyMs);
        if (answer.status < 200 || answer.status >= 300) errors[answer.status] = (errors[answer.status] ?? 0) + 1;
      }
    };
    const serverCpuBeforeMs = processCpuMs(child.pid);
    const serverMainBeforeMs = processCpuMs(child.pid, true);
    const clientCpuBefore = process.cpuUsage();
    const startedAt = performance.now();
    await Promise.all(Array.from({ length: connections }, (_, c) => worker(c)));
    const elapsedMs = performance.now() - startedAt;
    const clientCpu = process.cpuUsage(clientCpuBefore);
    const serverCpuAfterMs = processCpuMs(child.pid);
    const serverMainAfterMs = processCpuMs(child.pid, true);
    const perRequest = (ms: number): number => Math.round((ms / Math.max(1, latencies.length)) * 1000) / 1000;
    latencies.sort((a, b) => a - b);
    readLatencies.sort((a, b) => a - b);
    commandLatencies.sort((a, b) => a - b);
    return {
      connections,
      durationMs: Math.round(elapsedMs),
      readShare,
      requests: latencies.length,
      requestsPerSecond: Math.round((latencies.length * 1000) / elapsedMs),
      latencyMs: { p50: round(percentile(latencies, 0.5)), p99: round(percentile(latencies, 0.99)), max: round(latencies.at(-1) ?? 0) },
      readLatencyMs: { p50: round(percentile(readLatencies, 0.5)), p99: round(percentile(readLatencies, 0.99)) },
      commandLatencyMs: { p50: round(percentile(commandLatencies, 0.5)), p99: round(percentile(commandLatencies, 0.99)) },
      errors,
      serverCpuMsPerRequest: serverCpuBeforeMs === null || serverCpuAfterMs === null ? null : perRequest(serverCpuAfterMs - serverCpuBeforeMs),
      serverMainThreadCpuMsPerRequest: serverMainBeforeMs === null || serverMainAfterMs === null ? null : perRequest(serverMainAfterMs - serverMainBeforeMs),
      clientCpuMsPerRequest: perRequest((clientCpu.user + clientCpu.system) / 1000),
    };
  } finally {
    agent.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}
