// Reading an instant a user typed: strict ISO-8601, the one parser every edge uses (request
// bodies, query strings, CLI flags; projections/cut.ts's canonicalInstant). Pure: no clock.
//
// Accepted: a date-time with seconds and a zone, YYYY-MM-DDTHH:mm:ss[.f{1,3}](Z|±hh:mm), or a
// bare date YYYY-MM-DD (its UTC midnight). Every field is checked against the calendar:
// month 1–12, day within its month (Gregorian leap years), hour 0–23 (no 24:00), minute and
// second 0–59 (no leap second), offset hours 0–23 and minutes 0–59. Years 1000–9999 only, in the
// text and in the UTC instant it names, so the canonical form is always
// YYYY-MM-DDTHH:mm:ss.sssZ (24 characters) and canonical instants sort as strings.
// `Date.parse` is not used for checking: it rolls 2026-06-31 over to 1 July.

/** The earliest and latest year an instant may have, in its text and in UTC. */
export const MIN_INSTANT_YEAR = 1000;
export const MAX_INSTANT_YEAR = 9999;

const EXAMPLE = 'like 2026-07-01T00:00:00Z, 2026-07-01T08:00:00+08:00 or 2026-07-01';
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|([+-])(\d{2}):(\d{2}))$/;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** What reading an instant gave: the canonical UTC form, or why the text is not an instant. */
export type InstantReading = { ok: true; iso: string } | { ok: false; problem: string };

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in a month (1–12) of a Gregorian year. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Why year-month-day is not a calendar date, or null when it is one (year range included). */
function dateProblem(text: string, year: number, month: number, day: number): string | null {
  if (year < MIN_INSTANT_YEAR || year > MAX_INSTANT_YEAR) return `is not a date this ledger keeps: year ${year} is outside ${MIN_INSTANT_YEAR}–${MAX_INSTANT_YEAR} (got "${text}")`;
  if (month < 1 || month > 12) return `is not a calendar date: there is no month ${month} (got "${text}")`;
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) return `is not a calendar date: ${MONTHS[month - 1]} ${year} has ${days} days, not a day ${day} (got "${text}")`;
  return null;
}

/**
 * Reads an ISO-8601 instant (see the top of this file) into its canonical UTC form with
 * milliseconds ("2026-07-01T00:00:00.000Z"), or names what is wrong with it. Surrounding
 * whitespace is ignored. The problem text reads after the field's name: "asOf " + problem.
 */
export function readInstant(input: string): InstantReading {
  const text = input.trim();
  const bare = DATE.exec(text);
  if (bare) {
    const [year, month, day] = [Number(bare[1]), Number(bare[2]), Number(bare[3])];
    const problem = dateProblem(text, year, month, day);
    return problem ? { ok: false, problem } : { ok: true, iso: `${bare[1]}-${bare[2]}-${bare[3]}T00:00:00.000Z` };
  }
  const m = DATE_TIME.exec(text);
  if (!m) {
    const shown = input.length > 60 ? `${input.slice(0, 60)}…` : input;
    const zoneless = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text);
    return { ok: false, problem: `must be an ISO-8601 instant ${EXAMPLE}${zoneless ? ' (a date-time needs its zone: Z or an offset such as +08:00)' : ''}, got "${shown}"` };
  }
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  const problem = dateProblem(text, year!, month!, day!);
  if (problem) return { ok: false, problem };
  if (hour! > 23) return { ok: false, problem: `is not a time of day: hour ${hour} is outside 00–23 (24:00 is written 00:00 of the next day; got "${text}")` };
  if (minute! > 59) return { ok: false, problem: `is not a time of day: minute ${minute} is outside 00–59 (got "${text}")` };
  if (second! > 59) return { ok: false, problem: `is not a time of day: second ${second} is outside 00–59 (got "${text}")` };
  let offsetMinutes = 0;
  if (m[8] !== 'Z') {
    const [offsetHours, offsetMins] = [Number(m[10]), Number(m[11])];
    if (offsetHours > 23 || offsetMins > 59) return { ok: false, problem: `has an offset that is not one: ${m[8]} (hours 00–23, minutes 00–59; got "${text}")` };
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const millis = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  const epochMs = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!, millis) - offsetMinutes * 60_000;
  const iso = new Date(epochMs).toISOString();
  if (!/^\d{4}-/.test(iso) || iso < `${MIN_INSTANT_YEAR}` || iso > `${MAX_INSTANT_YEAR}-12-31T23:59:59.999Z`) {
    return { ok: false, problem: `is not an instant this ledger keeps: it is ${iso} in UTC, outside the years ${MIN_INSTANT_YEAR}–${MAX_INSTANT_YEAR} (got "${text}")` };
  }
  return { ok: true, iso };
}

/** Whether a YYYY-MM-DD text is a calendar date (years 1000–9999). */
export function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  return m !== null && dateProblem(text, Number(m[1]), Number(m[2]), Number(m[3])) === null;
}
