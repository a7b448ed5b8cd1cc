// The server's bootstrap: opens the ledger over the data directory, loads (or creates) the
// tokens, loads the demo data set into an empty log, builds the Nest app on Fastify with the
// request context, body limit and problem filter, and listens on loopback. close() stops
// accepting, lets in-flight requests finish, then closes the app, the read model and the store.
// Before any of that, the hash chain is checked (integrity/chain-check.ts): a broken chain stops
// the start unless the server is started read-only for forensics.
import 'reflect-metadata';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Logger, type LoggerService } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { openLedger, type Ledger } from '../ledger/ledger.js';
import { AppModule } from './app.module.js';
import { loadOrCreateTokens, readableByOthers, TokenRegistry, type LoadedTokens } from './auth/tokens.js';
import { earlyAuthHook } from './auth/early-auth.js';
import { httpLimitsOf, type ServerConfig } from './config.js';
import { announceServer, withdrawServer } from './server-presence.js';
import { preparePrivateDataDir, tightenDataFiles } from './data-dir.js';
import { healthVisibilityHook } from './health/health-visibility.js';
import { capConnectionsPerAddress, clientErrorHandler, expectationFailedHandler, frameworkErrorsHandler, MethodTable, methodNotAllowedHook } from './http/hostile-clients.js';
import { nestLoggerOf, printLog } from './log.js';
import { type BodyParsingHost, InFlight, installJsonBodies, requestContextMiddleware, requireJsonMiddleware } from './http/http-setup.js';
import { ReportRateLimiter } from './http/report-rate.js';
import { allRoutes } from './openapi/all-routes.js';
import { ProblemFilter } from './http/problem.filter.js';
import { LeanCommands } from './http/lean-commands.js';
import { IdempotencyStore } from './idempotency/idempotency-store.js';
import { ChainBrokenError, type ChainCheck, checkChainAtStart, checkpointFileFor, readAnchoredCheckpoint, writeCheckpoint } from './integrity/chain-check.js';
import { CommandGate, LedgerIntegrity } from './integrity/command-gate.js';
import { sqliteFileFor } from '../store/open-store.js';
import { openSqliteEventStore } from '../store/sqlite/sqlite-event-store.js';

/** How long a stop waits for in-flight requests before closing anyway. */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningServer {
  /** http://host:port */
  url: string;
  port: number;
  ledger: Ledger;
  tokens: LoadedTokens;
  /** True when this start loaded the demo data set. */
  demoLoaded: boolean;
  /** Requests being answered right now. */
  inFlight(): number;
  /** Whether commands are refused (forensics, a broken chain). */
  integrity: LedgerIntegrity;
  /** The chain check made before the start (null: EventStoreDB, or no log file yet). */
  startCheck: ChainCheck | null;
  /** The full verify that follows an incremental start check (resolves at once otherwise). */
  backgroundVerify: Promise<void>;
  close(): Promise<void>;
}

/** The part of Fastify's instance the hooks are added to. */
interface HookHost {
  addHook(name: string, hook: (...args: never[]) => unknown): unknown;
}

/** Seeds an empty ledger (the demo data set); supplied by src/demo/demo-seed.ts. */
export type DemoLoader = (ledger: Ledger) => Promise<{ events: number }>;

export interface CreateServerOptions {
  /** Loads the demo data set into an empty log when config.demo is on. */
  loadDemo?: DemoLoader;
  /** Nest's own log (errors and warnings by default). */
  logger?: LoggerService | false;
}

function packageVersion(): string {
  try {
    const text = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? '0.0.0';
  } catch {
    try {
      const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
      return (JSON.parse(text) as { version?: string }).version ?? '0.0.0';
    } catch {
      return '0.0.0';
    }
  }
}

export async function createServer(config: ServerConfig, options: CreateServerOptions = {}): Promise<RunningServer> {
  preparePrivateDataDir(config.dataDir, config.print);
  const tokens = loadOrCreateTokens(config.tokensFile, config.dataDir);
  if (readableByOthers(tokens.file)) config.print(`warning: the tokens file ${tokens.file} is readable by other users; chmod 600 it`);
  const integrity = new LedgerIntegrity(config.forensics ?? false);
  const startCheck = await checkChainBeforeStart(config, integrity);
  const ledger = await openLedger({
    dataDir: config.dataDir,
    policyFile: config.policyFile,
    eventStoreConnectionString: config.eventStoreConnectionString,
  });
  integrity.watchReadModel(() => ledger.readModelFailure());
  const idempotency = IdempotencyStore.inDataDir(config.dataDir);
  // The databases (and their -wal/-shm files) were created with the process's umask: owner-only now.
  tightenDataFiles(config.dataDir);
  let app: NestFastifyApplication | null = null;
  try {
    let demoLoaded = false;
    if (config.demo && !integrity.forensics && options.loadDemo && (await ledger.store.headPosition()) === 0n) {
      const seeded = await options.loadDemo(ledger);
      demoLoaded = true;
      config.print(`loaded the demo data set: ${seeded.events} events`);
    }
    const limits = httpLimitsOf(config);
    const log = config.log ?? printLog(config.print);
    const requestLog = config.requestLog ? log.request : null;
    // Fastify rather than Express: the same routes at about a third of the CPU per request.
    // Node checks the header and request timeouts every connectionsCheckingInterval (30 s by
    // default): a fraction of the header timeout, so a slow client is cut off near its limit.
    const adapter = new FastifyAdapter({
      bodyLimit: config.bodyLimitBytes,
      routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1_000 },
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      http: {
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        connectionsCheckingInterval: Math.max(25, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
      },
      frameworkErrors: frameworkErrorsHandler(requestLog) as never,
      clientErrorHandler: clientErrorHandler(requestLog),
    });
    const registry = new TokenRegistry(tokens.tokens);
    app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot({ ledger, tokens: registry, idempotency, version: packageVersion(), integrity }),
      adapter,
      { bodyParser: false, logger: options.logger ?? (config.log ? nestLoggerOf(config.log) : ['error', 'warn']), abortOnError: false },
    );
    const inFlight = new InFlight();
    const instance = app.getHttpAdapter().getInstance() as unknown as BodyParsingHost & HookHost;
    installJsonBodies(instance, config.bodyLimitBytes);
    const methods = new MethodTable();
    instance.addHook('onRoute', (route: { method: string | string[]; url: string }) => methods.add(route.method, route.url));
    app.use(requestContextMiddleware(requestLog, inFlight));
    app.use(requireJsonMiddleware());
    // After the middleware above (correlation id, log line), before the body is read.
    instance.addHook('onRequest', methodNotAllowedHook(methods));
    instance.addHook('onRequest', earlyAuthHook(registry, allRoutes, new ReportRateLimiter(limits.reportRatePerMin)));
    instance.addHook('preSerialization', healthVisibilityHook());
    const filter = new ProblemFilter({ bodyLimitBytes: config.bodyLimitBytes });
    app.useGlobalFilters(filter);
    app.useGlobalGuards(new CommandGate(integrity));
    // Command routes answered without Nest's per-request pipeline, by the same code (lean-commands.ts).
    const lean = new LeanCommands({ idempotency, integrity, filter });
    instance.addHook('preHandler', lean.hook());
    await app.init();
    lean.collect(app.get(ModulesContainer));
    capConnectionsPerAddress(app.getHttpServer() as Server, limits.maxConnectionsPerIp, config.print);
    // Node answers an Expect header other than 100-continue itself (a bare 417): a problem instead.
    (app.getHttpServer() as Server).on('checkExpectation', expectationFailedHandler(requestLog));
    await app.listen(config.port, config.host);
    const server = app.getHttpServer() as Server;
    const port = (server.address() as AddressInfo).port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    // Never the tokens themselves (stdout ends up in logs, terminals are shared): where they are.
    if (tokens.created || demoLoaded) {
      config.print(`API tokens: one per role in ${tokens.file} (${tokens.created ? 'generated now, ' : ''}readable by its owner only); they are never printed`);
    }
    tightenDataFiles(config.dataDir);
    announceServer(config.dataDir, url);
    const opened = app;
    let closing: Promise<void> | null = null;
    const backgroundVerify = startCheck?.ok && startCheck.mode === 'incremental' ? verifyInBackground(ledger, config, integrity, () => closing !== null) : Promise.resolve();
    const close = (): Promise<void> => {
      closing ??= (async () => {
        inFlight.draining = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await inFlight.settle(SHUTDOWN_GRACE_MS);
        server.closeAllConnections();
        await stopped;
        await opened.close();
        idempotency.close();
        await ledger.close();
        withdrawServer(config.dataDir);
      })();
      return closing;
    };
    return { url, port, ledger, tokens, demoLoaded, inFlight: () => inFlight.size, integrity, startCheck, backgroundVerify, close };
  } catch (error) {
    if (app) await app.close().catch(() => undefined);
    idempotency.close();
    await ledger.close();
    throw error;
  }
}

/**
 * The chain check before the start, over the SQLite file opened read-only (nothing of the
 * ledger is opened yet, so nothing folds a damaged log). Broken: ChainBrokenError, or with the
 * forensics flag a warning and an integrity that refuses commands. Sound: a new checkpoint.
 */
async function checkChainBeforeStart(config: ServerConfig, integrity: LedgerIntegrity): Promise<ChainCheck | null> {
  if (config.eventStoreConnectionString) return null;
  const file = sqliteFileFor(config.dataDir);
  if (!existsSync(file)) return null;
  const store = openSqliteEventStore({ file, readOnly: true });
  try {
    const checkpointFile = checkpointFileFor(config.dataDir);
    const reading = readAnchoredCheckpoint(checkpointFile, config.anchorKey);
    const check: ChainCheck =
      reading.status === 'forged'
        ? { ok: false, mode: 'incremental', firstBadPosition: reading.position, problem: reading.problem, checkedEvents: 0 }
        : await checkChainAtStart(store, reading.status === 'none' ? null : reading.checkpoint);
    if (reading.status === 'none' && config.anchorKey && check.ok && check.mode === 'full') {
      config.print(
        `warning: there was no chain checkpoint: the whole log (${check.events} events) verifies, but nothing here vouches that it is the log that was here before; ` +
          'compare its head with one published elsewhere (ledger verify --anchor <hash>@<position>)',
      );
    }
    if (!check.ok) {
      if (!integrity.forensics) throw new ChainBrokenError(check.firstBadPosition, check.problem);
      integrity.markBroken({ firstBadPosition: check.firstBadPosition, problem: check.problem });
      config.print(`warning: the event log's hash chain is broken at position ${check.firstBadPosition}: ${check.problem}`);
      return check;
    }
    config.print(`hash chain: ${check.mode} check, ${check.checkedEvents} events hashed, sound up to position ${check.events}`);
    if (!integrity.forensics && check.mode !== 'empty') {
      writeCheckpoint(checkpointFile, { position: check.events, hash: check.headHash, verifiedAt: new Date().toISOString(), by: check.mode === 'full' ? 'full' : 'incremental' }, config.anchorKey ?? null);
    }
    return check;
  } finally {
    await store.close();
  }
}

/**
 * After an incremental start check, the whole chain once more while serving (the store's verify
 * yields between pages): a broken chain then refuses commands; a sound one advances the checkpoint.
 */
async function verifyInBackground(ledger: Ledger, config: ServerConfig, integrity: LedgerIntegrity, closing: () => boolean): Promise<void> {
  try {
    const result = await ledger.store.verify();
    if (closing()) return;
    if (!result.ok) {
      const firstBadPosition = result.firstBadPosition ?? 0n;
      integrity.markBroken({ firstBadPosition, problem: result.problem ?? 'the chain does not verify' });
      rmSync(checkpointFileFor(config.dataDir), { force: true }); // the next start verifies everything, and refuses
      config.print(`error: the full verify after the start found the event log's hash chain broken at position ${firstBadPosition}: ${result.problem}; commands are refused`);
      return;
    }
    if (!integrity.forensics) {
      writeCheckpoint(checkpointFileFor(config.dataDir), { position: result.events, hash: result.headHash, verifiedAt: new Date().toISOString(), by: 'full' }, config.anchorKey ?? null);
    }
  } catch (error) {
    if (closing()) return; // the store closed under the walk
    config.print(`error: the full verify after the start failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export interface ServingServer extends RunningServer {
  /** Resolves with the exit code once a SIGTERM / SIGINT has closed everything. */
  stopped: Promise<number>;
}

/** `ledger serve` / `npm start`: starts the server, prints where, and stops cleanly on SIGTERM / SIGINT. */
export async function startServer(config: ServerConfig, options: CreateServerOptions = {}): Promise<ServingServer> {
  const running = await createServer(config, options);
  config.print(`ledger listening on ${running.url} (store: ${running.ledger.store.kind}, data: ${config.dataDir})`);
  config.print(`API docs: ${running.url}/docs · report page: ${running.url}/`);
  let resolveStopped: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((resolve) => {
    resolveStopped = resolve;
  });
  const stop = (signal: string): void => {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    config.print(`${signal}: finishing in-flight requests, then closing the store`);
    running.close().then(
      () => resolveStopped(0),
      (error: unknown) => {
        new Logger('ledger').error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        resolveStopped(1);
      },
    );
  };
  const onTerm = (): void => stop('SIGTERM');
  const onInt = (): void => stop('SIGINT');
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onInt);
  return { ...running, stopped };
}
