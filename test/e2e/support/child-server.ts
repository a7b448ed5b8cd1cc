// The real `ledger` command in a child process, for tests that kill it or start it on a damaged
// data directory. Running the TypeScript sources needs a build; `tsc -p tsconfig.build.json`
// takes 10–20 s on the shared 2-core machine, so buildLedger() compiles src/ and projections/
// with SWC instead (the same options as vitest.config.ts, decorator metadata included) into a
// temporary directory in about a second, copies the files that are not TypeScript (the default
// policy JSON, the report page), and links node_modules. A child is then plain
// `node <build>/src/cli/main.js serve`: no loader, no type check (the suite's tsc does that).
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import swc from '@swc/core';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const swcOptions: swc.Options = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
    experimental: { keepImportAttributes: true },
  },
  module: { type: 'es6' },
  sourceMaps: false,
};

/** Source trees compiled into the build, relative to the repository. */
const SOURCE_DIRS = ['src', 'projections'] as const;
/** Upper bound on files compiled (a guard against walking somewhere unexpected). */
const MAX_BUILD_FILES = 5_000;

export interface LedgerBuild {
  /** The build's root: src/, projections/, package.json, node_modules → the repository's. */
  dir: string;
  /** <dir>/src/cli/main.js */
  main: string;
  files: number;
  buildMs: number;
}

let built: LedgerBuild | null = null;

/** Compiles the ledger once per test process (memoised); removed at exit. */
export function buildLedger(): LedgerBuild {
  if (built) return built;
  const startedAtMs = performance.now();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ledger-build-'));
  let files = 0;
  const walk = (relative: string): void => {
    for (const entry of readdirSync(path.join(repoRoot, relative), { withFileTypes: true })) {
      const rel = path.join(relative, entry.name);
      if (entry.isDirectory()) {
        walk(rel);
        continue;
      }
      if (++files > MAX_BUILD_FILES) throw new Error(`buildLedger: more than ${MAX_BUILD_FILES} files under ${SOURCE_DIRS.join(', ')}`);
      mkdirSync(path.join(dir, relative), { recursive: true });
      if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const source = path.join(repoRoot, rel);
        const output = swc.transformFileSync(source, { ...swcOptions, filename: source });
        writeFileSync(path.join(dir, rel.slice(0, -3) + '.js'), output.code);
      } else {
        copyFileSync(path.join(repoRoot, rel), path.join(dir, rel));
      }
    }
  };
  for (const source of SOURCE_DIRS) walk(source);
  copyFileSync(path.join(repoRoot, 'package.json'), path.join(dir, 'package.json'));
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  built = { dir, main: path.join(dir, 'src', 'cli', 'main.js'), files, buildMs: Math.round(performance.now() - startedAtMs) };
  return built;
}

/** The environment of a child: the test's own LEDGER_* settings never leak in. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LEDGER_') && k !== 'PORT' && k !== 'EVENTSTORE_CONNECTION_STRING'));
  return { ...base, LEDGER_DEMO: 'off', ...env };
}

export interface LedgerRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `ledger <args>` to its end (verify, replay, or a serve that refuses to start). */
export function runLedger(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<LedgerRun> {
  const build = buildLedger();
  const child = spawn(process.execPath, [build.main, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ledger ${args.join(' ')} did not end within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      // 'exit' may come before the pipes are drained: wait for 'close'.
      child.on('close', () => resolve({ code, signal, stdout, stderr }));
    });
  });
}

export interface ChildServer {
  url: string;
  pid: number;
  /** Everything the child wrote to stdout and stderr so far. */
  output(): string;
  /** Sends the signal and resolves once the process is gone. */
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ChildServerOptions {
  dataDir: string;
  tokensFile: string;
  env?: Record<string, string>;
  args?: string[];
  startTimeoutMs?: number;
}

/** `ledger serve` on a free loopback port; resolves once it prints where it listens. */
export function startChildServer(options: ChildServerOptions): Promise<ChildServer> {
  const build = buildLedger();
  const env = childEnv({ PORT: '0', LEDGER_HOST: '127.0.0.1', LEDGER_DATA_DIR: options.dataDir, LEDGER_TOKENS_FILE: options.tokensFile, ...options.env });
  const child: ChildProcess = spawn(process.execPath, [build.main, 'serve', ...(options.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ledger serve did not listen within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1] && child.pid !== undefined) {
        clearTimeout(timer);
        const url = match[1];
        const pid = child.pid;
        resolve({
          url,
          pid,
          output: () => output,
          kill: async (signal) => {
            child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`ledger serve exited (code ${code}, signal ${signal}) before listening:\n${output}`));
    });
  });
}
