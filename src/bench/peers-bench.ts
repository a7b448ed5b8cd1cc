// `ledger bench peers`: the ledger beside a peer, Emmett on emmett-sqlite (peer-emmett.ts), on the
// workload of `ledger bench commands` (each client owns a partner stream and alternates a
// deposit on it with a deal on a new customer stream that reads the partner's stream;
// read-fold-decide-append; a file database in WAL mode, fsync per commit), one at a time and
// with 64 in flight, in-process and behind HTTP (the ledger's own server in a child process;
// the peer behind Fastify in a child process; both driven by the client of `ledger bench
// http`), all in one run beside the raw SQLite limits of the same disk. Only commands
// acknowledged after their commit count. Ratios are ledger ÷ peer.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { defaultLedgerBin, listeningUrlOf, processCpuMs, request, startChild } from './http-bench.js';
import { type CommandRun, runCommandsBench } from './commands-bench.js';
import { cpuNow, cpuPerUnitSince } from './cpu.js';
import { openPeerApp, type PeerApp, peerUnavailable } from './peer-emmett.js';
import { type DiskLimits, measureDiskLimits } from './store-bench.js';

export interface PeersBenchOptions {
  quick: boolean;
  /** Commands per in-process run (default 1,000 one at a time and 6,400 in flight; quick 300 and 1,280). */
  sequential?: number;
  concurrent?: number;
  /** Milliseconds per HTTP run (default 5,000; quick 2,000). */
  httpMs?: number;
  log?: (line: string) => void;
}

export interface PeerRun {
  commands: number;
  /** Commands refused or failed (not counted in perSec). */
  failed: number;
  clients: number;
  seconds: number;
  perSec: number;
  latencyMs: { p50: number; p99: number };
  /** Main-thread and whole-process CPU µs per acknowledged command (in-process runs). */
  cpuPerCommand?: { mainThreadUs: number | null; processUs: number };
  /** The server process's CPU ms per acknowledged request (HTTP runs). */
  serverCpuMsPerRequest?: number | null;
  /** The server's main thread alone, CPU ms per acknowledged request (HTTP runs). */
  serverMainThreadCpuMsPerRequest?: number | null;
}

interface Pair {
  sequential: PeerRun;
  concurrent: PeerRun;
}

export interface PeersBenchReport {
  suite: 'peers';
  peer: string;
  loadAverage: { start: number; end: number };
  /** Raw SQLite on the same disk, measured at the start of this run. */
  limits: DiskLimits;
  inProcess: { ledger: Pair; peer: Pair | { error: string }; ratio: { sequential: number; concurrent: number } | null };
  http: { ledger: Pair; peer: Pair | { error: string }; ratio: { sequential: number; concurrent: number } | null };
}

const CLIENTS = 64;

export async function runPeersBench(options: PeersBenchOptions): Promise<PeersBenchReport> {
  const log = options.log ?? (() => undefined);
  const sequential = options.sequential ?? (options.quick ? 300 : 1_000);
  const concurrent = options.concurrent ?? (options.quick ? 1_280 : 6_400);
  const httpMs = options.httpMs ?? (options.quick ? 2_000 : 5_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ledger-bench-peers-'));
  const start = loadAverage();
  try {
    const limits = measureDiskLimits(dir, options.quick ? 300 : 1_000, options.quick ? 20_000 : 100_000);
    log(`bench peers: raw SQLite ${limits.fsyncCommitsPerSec}/s fsync'd one-row commits, ${limits.oneTransactionInsertsPerSec}/s inserts in one transaction (load ${loadAverage()})`);
    const ours = await runCommandsBench({ quick: options.quick, sequential, concurrent, clients: CLIENTS, tmpRoot: dir });
    const ledgerInProcess: Pair = { sequential: fromCommandRun(ours.sequential), concurrent: fromCommandRun(ours.concurrent) };
    log(`bench peers: ledger in-process ${ledgerInProcess.sequential.perSec}/s one at a time, ${ledgerInProcess.concurrent.perSec}/s with ${CLIENTS} in flight`);
    const unavailable = await peerUnavailable();
    let peerInProcess: Pair | { error: string };
    if (unavailable) peerInProcess = { error: unavailable };
    else {
      const app = await openPeerApp(path.join(dir, 'peer-in-process.db'));
      try {
        for (let c = 0; c < CLIENTS; c++) await app.signPartner(partnerOf(c));
        peerInProcess = { sequential: await peerClients(app, 1, sequential, 'seq'), concurrent: await peerClients(app, CLIENTS, concurrent, 'conc') };
      } finally {
        await app.close();
      }
      log(`bench peers: peer in-process ${peerInProcess.sequential.perSec}/s one at a time, ${peerInProcess.concurrent.perSec}/s with ${CLIENTS} in flight`);
    }
    const ledgerHttp = await ledgerOverHttp(path.join(dir, 'ledger-http'), httpMs);
    log(`bench peers: ledger over HTTP ${ledgerHttp.sequential.perSec}/s on one connection, ${ledgerHttp.concurrent.perSec}/s on ${CLIENTS}`);
    let peerHttp: Pair | { error: string };
    if (unavailable) peerHttp = { error: unavailable };
    else {
      peerHttp = await peerOverHttp(path.join(dir, 'peer-http.db'), httpMs);
      log(`bench peers: peer over HTTP ${peerHttp.sequential.perSec}/s on one connection, ${peerHttp.concurrent.perSec}/s on ${CLIENTS}`);
    }
    return {
      suite: 'peers',
      peer: peerVersions(),
      loadAverage: { start, end: loadAverage() },
      limits,
      inProcess: { ledger: ledgerInProcess, peer: peerInProcess, ratio: ratios(ledgerInProcess, peerInProcess) },
      http: { ledger: ledgerHttp, peer: peerHttp, ratio: ratios(ledgerHttp, peerHttp) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const partnerOf = (c: number): string => `PB-${c}`;

function fromCommandRun(r: CommandRun): PeerRun {
  return { commands: r.commands, failed: 0, clients: r.clients, seconds: r.seconds, perSec: r.perSec, latencyMs: r.latencyMs, cpuPerCommand: r.cpuPerCommand };
}

function ratios(ours: Pair, peer: Pair | { error: string }): { sequential: number; concurrent: number } | null {
  if ('error' in peer) return null;
  const r = (a: number, b: number): number => (b > 0 ? Math.round((a / b) * 100) / 100 : 0);
  return { sequential: r(ours.sequential.perSec, peer.sequential.perSec), concurrent: r(ours.concurrent.perSec, peer.concurrent.perSec) };
}

/** The bench commands' loop on the peer: `clients` clients, each alternating a deposit and a deal. */
async function peerClients(app: PeerApp, clients: number, total: number, tag: string): Promise<PeerRun> {
  const latencies: number[] = [];
  let failed = 0;
  const client = async (c: number, count: number): Promise<void> => {
    const partnerId = partnerOf(c);
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      try {
        if (i % 2 === 0) await app.postDeposit(partnerId, 100);
        else await app.registerDeal(`D-${tag}-${c}-${i}`, partnerId, `Bench Customer ${tag} ${c} ${i}`);
        latencies.push(performance.now() - t);
      } catch {
        failed++;
      }
    }
  };
  const share = (c: number): number => Math.floor(total / clients) + (c < total % clients ? 1 : 0);
  const cpu = cpuNow();
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, (_, c) => client(c, share(c))));
  const seconds = (performance.now() - started) / 1_000;
  return summarise(latencies, failed, clients, seconds, { cpuPerCommand: cpuPerUnitSince(cpu, Math.max(1, latencies.length)) });
}

function summarise(latencies: number[], failed: number, clients: number, seconds: number, extra: Partial<PeerRun>): PeerRun {
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => round3(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return { commands: latencies.length, failed, clients, seconds: round3(seconds), perSec: Math.round(latencies.length / seconds), latencyMs: { p50: at(0.5), p99: at(0.99) }, ...extra };
}

interface HttpTarget {
  url: string;
  child: ChildProcess;
  /** Bearer tokens by role (the peer ignores them). */
  finance: string;
  manager: string;
}

/** `connections` keep-alive connections for `durationMs`, each alternating a deposit and a deal (the bench http client). */
async function driveHttp(target: HttpTarget, connections: number, durationMs: number, tag: string): Promise<PeerRun> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let failed = 0;
  try {
    const endAt = performance.now() + durationMs;
    const worker = async (c: number): Promise<void> => {
      const partnerId = partnerOf(c);
      for (let i = 0; performance.now() < endAt; i++) {
        const t = performance.now();
        const answer =
          i % 2 === 0
            ? await request(agent, target.url, 'POST', `/partners/${partnerId}/deposits`, target.finance, { amount: 100 })
            : await request(agent, target.url, 'POST', '/deals', target.manager, { dealId: `DH-${tag}-${c}-${i}`, partnerId, customer: { name: `Bench Customer ${tag} ${c}-${i}` } });
        if (answer.status === 201) latencies.push(performance.now() - t);
        else failed++;
      }
    };
    const serverBefore = processCpuMs(target.child.pid);
    const mainBefore = processCpuMs(target.child.pid, true);
    const started = performance.now();
    await Promise.all(Array.from({ length: connections }, (_, c) => worker(c)));
    const seconds = (performance.now() - started) / 1_000;
    const serverAfter = processCpuMs(target.child.pid);
    const mainAfter = processCpuMs(target.child.pid, true);
    const per = (before: number | null, after: number | null): number | null => (before === null || after === null ? null : round3((after - before) / Math.max(1, latencies.length)));
    return summarise(latencies, failed, connections, seconds, { serverCpuMsPerRequest: per(serverBefore, serverAfter), serverMainThreadCpuMsPerRequest: per(mainBefore, mainAfter) });
  } finally {
    agent.destroy();
  }
}

async function signOverHttp(target: HttpTarget): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let c = 0; c < CLIENTS; c++) {
      const answer = await request(agent, target.url, 'POST', '/partners', target.manager, { partnerId: partnerOf(c), name: `Bench Partner ${c}`, kind: 'development', tier: 'standard' });
      if (answer.status !== 201) throw new Error(`signing bench partner ${c}: ${answer.status} ${answer.body}`);
    }
  } finally {
    agent.destroy();
  }
}

async function ledgerOverHttp(dataDir: string, durationMs: number): Promise<Pair> {
  const { child, url } = await startChild(defaultLedgerBin(), dataDir, 'off');
  try {
    const tokens = (JSON.parse(readFileSync(path.join(dataDir, 'tokens.json'), 'utf8')) as { tokens: Array<{ token: string; role: string }> }).tokens;
    const tokenOf = (role: string): string => tokens.find((t) => t.role === role)?.token ?? '';
    const target: HttpTarget = { url, child, finance: tokenOf('finance'), manager: tokenOf('manager') };
    await signOverHttp(target);
    return { sequential: await driveHttp(target, 1, durationMs, 'seq'), concurrent: await driveHttp(target, CLIENTS, durationMs, 'conc') };
  } finally {
    await stop(child);
  }
}

async function peerOverHttp(file: string, durationMs: number): Promise<Pair> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'peer-server.js');
  const child = spawn(process.execPath, [script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const { url } = await listeningUrlOf(child);
  try {
    const target: HttpTarget = { url, child, finance: 'peer', manager: 'peer' };
    await signOverHttp(target);
    return { sequential: await driveHttp(target, 1, durationMs, 'seq'), concurrent: await driveHttp(target, CLIENTS, durationMs, 'conc') };
  } finally {
    await stop(child);
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

function peerVersions(): string {
  const version = (name: string): string => {
    try {
      const dir = path.dirname(fileURLToPath(import.meta.resolve(name)));
      for (let d = dir, i = 0; i < 4; i++, d = path.dirname(d)) {
        try {
          const pkg = JSON.parse(readFileSync(path.join(d, 'package.json'), 'utf8')) as { name?: string; version?: string };
          if (pkg.name === name) return pkg.version ?? '?';
        } catch {
          // not here: one level up
        }
      }
    } catch {
      // not installed
    }
    return 'not installed';
  };
  return `@event-driven-io/emmett ${version('@event-driven-io/emmett')}, @event-driven-io/emmett-sqlite ${version('@event-driven-io/emmett-sqlite')}, sqlite3 ${version('sqlite3')}`;
}

function loadAverage(): number {
  return Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
}

const round3 = (x: number): number => Math.round(x * 1_000) / 1_000;
