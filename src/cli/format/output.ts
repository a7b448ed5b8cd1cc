// The three output formats every `ledger` command offers: a human table (default), --csv and
// --json. Money is fen (exact) in CSV and JSON, CNY in tables.
import { UsageError } from '../cli-args.js';
import { toCsv } from './csv.js';
import { flattenRecord, formatRecord, formatTable, type Row } from './table.js';
import { safeJson } from './terminal.js';

export type OutputFormat = 'table' | 'csv' | 'json';

/** The format named by --csv / --json (both at once is a usage error). */
export function outputFormatOf(flags: ReadonlySet<string>): OutputFormat {
  if (flags.has('csv') && flags.has('json')) throw new UsageError('choose one of --csv and --json');
  return flags.has('csv') ? 'csv' : flags.has('json') ? 'json' : 'table';
}

/** JSON with bigints as numbers when safe, else strings; control and bidi characters as JSON escapes. */
export function toJson(value: unknown): string {
  return `${safeJson(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString()) : v), 2))}\n`;
}

/** A list of rows in the format asked for (`json` defaults to the rows themselves). */
export function renderRows(format: OutputFormat, rows: readonly Row[], json: unknown = rows): string {
  switch (format) {
    case 'table':
      return formatTable(rows);
    case 'csv':
      return toCsv(rows);
    case 'json':
      return toJson(json);
    default: {
      const never: never = format;
      throw new Error(`unknown output format ${String(never)}`);
    }
  }
}

/** One result record (a summary): field/value lines, a one-row CSV with dotted columns, or JSON. */
export function renderRecord(format: OutputFormat, record: Record<string, unknown>): string {
  switch (format) {
    case 'table':
      return formatRecord(record);
    case 'csv':
      return toCsv([flattenRecord(record)]);
    case 'json':
      return toJson(record);
    default: {
      const never: never = format;
      throw new Error(`unknown output format ${String(never)}`);
    }
  }
}
