// The server's log: pino (the logger Fastify ships), one record per line with a level. JSON lines
// when NODE_ENV=production or LEDGER_LOG_FORMAT=json (for a log collector); otherwise the same
// records as plain lines ("2026-07-01T09:30:00.000Z INFO  GET /tiers 200 1.2ms <id>") for a person
// at a terminal. A request's record keeps method, path, status, ms and the correlation id, never
// a header (so never a token). Tests hand in `print` and get the plain message lines alone.
import type { LoggerService } from '@nestjs/common';
import { pino, type Logger as PinoLogger } from 'pino';

export type LogFormat = 'json' | 'plain';
export const logLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof logLevels)[number];

/** One answered request (or a connection refused before any request: method and path "-"). */
export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  /** Milliseconds from the request's arrival to the answer; null when no request was read. */
  ms: number | null;
  correlationId: string;
  /** Why, for an answer given below the routes (a client error code and address). */
  note?: string;
}

export interface LedgerLog {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  request(record: RequestRecord): void;
}

/** "GET /tiers 200 1.2ms 5f0c…": the request line both formats carry as the message. */
export function requestLineOf(r: RequestRecord): string {
  return `${r.method} ${r.path} ${r.status} ${r.ms === null ? '-' : `${r.ms.toFixed(1)}ms`} ${r.correlationId}${r.note ? ` (${r.note})` : ''}`;
}

/** JSON for production (NODE_ENV=production) or when LEDGER_LOG_FORMAT=json; plain lines otherwise. */
export function logFormatOf(env: Readonly<Record<string, string | undefined>>): LogFormat {
  const asked = env.LEDGER_LOG_FORMAT?.trim().toLowerCase();
  if (asked === 'json') return 'json';
  if (asked === 'plain' || asked === 'pretty') return 'plain';
  return env.NODE_ENV === 'production' ? 'json' : 'plain';
}

/**
 * A log that prints message lines through `print`, as the server did before it had levels: a
 * warning starts "warning: ", an error "error: " (tests collect these lines).
 */
export function printLog(print: (line: string) => void, level: LogLevel = 'info'): LedgerLog {
  const at = logLevels.indexOf(level);
  const line = (l: LogLevel, prefix: string) => (message: string) => {
    if (logLevels.indexOf(l) >= at) print(`${prefix}${message}`);
  };
  return {
    debug: line('debug', 'debug: '),
    info: line('info', ''),
    warn: line('warn', 'warning: '),
    error: line('error', 'error: '),
    request: (record) => line('info', '')(requestLineOf(record)),
  };
}

/** What pino writes to: anything with write(line). */
export interface LogDestination {
  write(text: string): unknown;
}

const PINO_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'kind', 'method', 'path', 'status', 'ms', 'correlationId', 'note']);

/** pino's JSON line as a plain one: time, level, message, then any other fields as key=value. */
export function plainLineOf(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = String(record.level ?? 'info').toUpperCase().padEnd(5);
  const extra = Object.entries(record)
    .filter(([k]) => !PINO_FIELDS.has(k))
    .map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('');
  return `${String(record.time ?? '')} ${level} ${String(record.msg ?? '')}${extra}\n`;
}

/** Writes pino's JSON lines as plain lines to `out`. */
export function plainDestination(out: LogDestination): LogDestination {
  return { write: (text: string) => out.write(plainLineOf(text)) };
}

export interface PinoLogOptions {
  format: LogFormat;
  level?: LogLevel;
  /** Default: standard output. */
  destination?: LogDestination;
}

/** The server's pino log (level names, ISO times, no pid or hostname: a container knows those). */
export function pinoLog(options: PinoLogOptions): LedgerLog {
  const out = options.destination ?? process.stdout;
  const logger: PinoLogger = pino(
    {
      level: options.level ?? 'info',
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.format === 'json' ? out : plainDestination(out),
  );
  const at = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (fields) logger[level](fields, message);
    else logger[level](message);
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    request: (record) => logger.info({ kind: 'request', ...record }, requestLineOf(record)),
  };
}

/**
 * `print` over a log: a line starting "warning: " or "error: " (the server's messages before it
 * had levels) goes out at that level without the prefix, anything else as info.
 */
export function printOf(log: LedgerLog): (line: string) => void {
  return (line) => {
    if (line.startsWith('warning: ')) log.warn(line.slice('warning: '.length));
    else if (line.startsWith('error: ')) log.error(line.slice('error: '.length));
    else log.info(line);
  };
}

/** Nest's logger over the ledger's log (errors and warnings; Nest's own chatter is debug). */
export function nestLoggerOf(log: LedgerLog): LoggerService {
  const text = (message: unknown, context: unknown[]): string => {
    const where = typeof context.at(-1) === 'string' ? `[${String(context.at(-1))}] ` : '';
    return `${where}${message instanceof Error ? (message.stack ?? message.message) : String(message)}`;
  };
  return {
    log: (message: unknown, ...context: unknown[]) => log.debug(text(message, context)),
    warn: (message: unknown, ...context: unknown[]) => log.warn(text(message, context)),
    error: (message: unknown, ...context: unknown[]) => log.error(text(message, context)),
    debug: (message: unknown, ...context: unknown[]) => log.debug(text(message, context)),
    verbose: (message: unknown, ...context: unknown[]) => log.debug(text(message, context)),
    fatal: (message: unknown, ...context: unknown[]) => log.error(text(message, context)),
  };
}
