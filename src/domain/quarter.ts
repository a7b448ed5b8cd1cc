// Calendar quarters in a time zone, pure (Intl only, no clock). A quarter is named "2026-Q3";
// its start is the first instant of its first local day, its end the last millisecond before
// the next quarter starts (inclusive: cash at the end instant belongs to the quarter).
// Any instant a Date holds has a quarter: commands name quarters of four-digit years, but the log
// may hold (and a query may ask about) an instant whose local year is 0999 or 10000 (year 1000 or
// 9999 in UTC, seen from a zone off UTC), or older ones imported or written before dates were
// checked. Such years are named with at least four digits and a sign below year 0 ("0999-Q4",
// "10000-Q1", "-0001-Q4": astronomical years), and quarters compare by number, not as text.

const QUARTER = /^(-?\d{4,6})-Q([1-4])$/;
/** 400 Gregorian years in ms: the calendar repeats, and Date.UTC reads years 0–99 as 1900–1999. */
const FOUR_CENTURIES_MS = 146_097 * 86_400_000;

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function localParts(epochMs: number, timeZone: string): LocalParts {
  const parts: Record<string, number> = {};
  let era = 'AD';
  for (const p of formatterFor(timeZone).formatToParts(epochMs)) {
    if (p.type === 'era') era = p.value;
    else if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    // en-US counts years before year 1 as 1 BC, 2 BC, …: astronomical year 0, -1, …
    year: era === 'BC' ? 1 - parts.year! : parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** Date.UTC for every year, 0–99 included (Date.UTC would read them as 1900–1999). */
function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  return Date.UTC(year + 400, month - 1, day, hour, minute, second) - FOUR_CENTURIES_MS;
}

/** A year as a quarter or date names it: at least four digits, a sign below year 0. */
function yearText(year: number): string {
  return year < 0 ? `-${String(-year).padStart(4, '0')}` : String(year).padStart(4, '0');
}

function parseInstant(instant: string): number {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new RangeError(`"${instant}" is not an instant`);
  return ms;
}

/** The time zone's offset from UTC at an instant, in ms (Asia/Shanghai: +8 h). */
function offsetMs(epochMs: number, timeZone: string): number {
  const p = localParts(epochMs, timeZone);
  const asUtc = utcMs(p.year, p.month, p.day, p.hour, p.minute, p.second);
  return asUtc - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

/** The instant of a local wall-clock midnight in a time zone (the first of the month by default). */
function localMidnight(year: number, month: number, timeZone: string, day = 1): number {
  const wall = utcMs(year, month, day);
  let guess = wall - offsetMs(wall, timeZone);
  guess = wall - offsetMs(guess, timeZone);
  const localWall = (epochMs: number) => epochMs + offsetMs(epochMs, timeZone);
  if (localWall(guess) === wall) return guess;
  // The zone skips that midnight (clocks moved from 00:00 to 01:00): the day starts at the
  // change, the first second whose local time is on or after the midnight (offsets are whole seconds).
  let [lo, hi] = localWall(guess) < wall ? [guess, guess + 86_400_000] : [guess - 86_400_000, guess];
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (localWall(mid) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

export function parseQuarter(quarter: string): { year: number; q: number } {
  const m = QUARTER.exec(quarter);
  if (!m) throw new RangeError(`"${quarter}" is not a quarter like 2026-Q3`);
  return { year: Number(m[1]), q: Number(m[2]) };
}

/** The quarter an instant falls in, in the time zone. */
export function quarterOf(instant: string, timeZone: string): string {
  const p = localParts(parseInstant(instant), timeZone);
  return `${yearText(p.year)}-Q${Math.floor((p.month - 1) / 3) + 1}`;
}

/** The first instant of the quarter (ISO, UTC). */
export function quarterStart(quarter: string, timeZone: string): string {
  const { year, q } = parseQuarter(quarter);
  return new Date(localMidnight(year, (q - 1) * 3 + 1, timeZone)).toISOString();
}

/** The last instant (millisecond) of the quarter (ISO, UTC). */
export function quarterEnd(quarter: string, timeZone: string): string {
  const next = nextQuarter(quarter);
  return new Date(Date.parse(quarterStart(next, timeZone)) - 1).toISOString();
}

export function nextQuarter(quarter: string): string {
  const { year, q } = parseQuarter(quarter);
  return q === 4 ? `${yearText(year + 1)}-Q1` : `${yearText(year)}-Q${q + 1}`;
}

export function previousQuarter(quarter: string): string {
  const { year, q } = parseQuarter(quarter);
  return q === 1 ? `${yearText(year - 1)}-Q4` : `${yearText(year)}-Q${q - 1}`;
}

/** Whether an instant lies in [start, end] of the quarter. */
export function inQuarter(instant: string, quarter: string, timeZone: string): boolean {
  return quarterOf(instant, timeZone) === quarter;
}

/** Compares quarter names ("2026-Q3" < "2026-Q4" < "2027-Q1"). */
export function compareQuarters(a: string, b: string): number {
  const x = parseQuarter(a);
  const y = parseQuarter(b);
  const by = x.year !== y.year ? x.year - y.year : x.q - y.q;
  return Math.sign(by);
}

/**
 * The first instant (ISO, UTC) of a local calendar date ("2000-01-01") in a time zone: its
 * local midnight (or, where the zone skips midnight, the first instant of that day).
 */
export function startOfLocalDay(date: string, timeZone: string): string {
  const m = /^(-?\d{4,6})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`"${date}" is not a date like 2026-01-01`);
  return new Date(localMidnight(Number(m[1]), Number(m[2]), timeZone, Number(m[3]))).toISOString();
}

/**
 * The last millisecond (ISO, UTC) of a local calendar date in a time zone: the instant before the
 * next day's first instant ("2026-01-01" in Asia/Shanghai → 2026-01-01T15:59:59.999Z).
 */
export function endOfLocalDay(date: string, timeZone: string): string {
  const start = Date.parse(startOfLocalDay(date, timeZone));
  const nextDay = new Date(start + 36 * 3_600_000); // past the next midnight whatever the zone does that day
  const p = localParts(nextDay.getTime(), timeZone);
  return new Date(localMidnight(p.year, p.month, timeZone, p.day) - 1).toISOString();
}

/**
 * An instant as local time in a zone with its offset, to the second: "2026-07-01 00:00:00 +08:00"
 * (the CLI's and the page's one way of showing an instant; milliseconds with `withMs`).
 */
export function formatLocalInstant(instant: string, timeZone: string, withMs = false): string {
  const epochMs = parseInstant(instant);
  const p = localParts(epochMs, timeZone);
  const offsetMinutes = Math.round(offsetMs(epochMs, timeZone) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const two = (n: number) => String(n).padStart(2, '0');
  const ms = withMs ? `.${String(((epochMs % 1000) + 1000) % 1000).padStart(3, '0')}` : '';
  return `${yearText(p.year)}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}:${two(p.second)}${ms} ${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}
