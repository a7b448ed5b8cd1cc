// The instants a reader asks about (asOf, validAt; the CLI's --as-of, --valid-at) and the one
// time-zone rule for them: a date-time names its instant (src/domain/instant.ts); a bare date
// (2026-01-01) names the END of that day in the policy's time zone (2026-01-01T23:59:59.999+08:00
// for Asia/Shanghai): "as of 1 January" includes everything of 1 January, on the page, the API
// and the CLI alike. The edges keep a bare date as written (the zone is the ledger's, known to
// the read side); the read side resolves it with resolveQueryTime before it cuts the log.
// Commands' occurredAt is not a query: a bare date there keeps meaning its UTC midnight.
import { isCalendarDate, readInstant } from './instant.js';
import { endOfLocalDay } from './quarter.js';

/** What reading a query instant gave: a canonical instant, a bare date kept as written, or why neither. */
export type QueryInstantReading = { ok: true; value: string } | { ok: false; problem: string };

const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether a query value is a bare date (YYYY-MM-DD), to be resolved in the policy's zone. */
export function isBareDate(value: string): boolean {
  return BARE_DATE.test(value);
}

/**
 * Reads asOf / validAt text: a date-time becomes its canonical UTC form, a bare calendar date
 * stays as written ("2026-01-01"); anything else is the instant reader's problem.
 */
export function readQueryInstant(input: string): QueryInstantReading {
  const text = input.trim();
  const reading = readInstant(text);
  if (!reading.ok) return reading;
  return { ok: true, value: isBareDate(text) && isCalendarDate(text) ? text : reading.iso };
}

/** One query instant resolved: a bare date → the last millisecond of that day in `timeZone`; an instant as it is. */
export function resolveQueryInstant(value: string, timeZone: string): string {
  if (!isBareDate(value)) return value;
  if (!isCalendarDate(value)) throw new RangeError(`"${value}" is not a calendar date`);
  return endOfLocalDay(value, timeZone);
}

/** A {asOf, validAt} with every bare date resolved in the policy's zone (the same object when nothing changes). */
export function resolveQueryTime<T extends { asOf?: string | undefined | null; validAt?: string | undefined | null }>(query: T, timeZone: string): T {
  const asOf = query.asOf ? resolveQueryInstant(query.asOf, timeZone) : query.asOf;
  const validAt = query.validAt ? resolveQueryInstant(query.validAt, timeZone) : query.validAt;
  return asOf === query.asOf && validAt === query.validAt ? query : { ...query, asOf, validAt };
}
