// Calendar quarters in a time zone, pure (Intl only, no clock). A quarter is named "2026-Q3";
// its start is the first instant of its first local day, its end the last millisecond before
// the next quarter starts (inclusive: cash at the end instant belongs to the quarter).

const QUARTER = /^(\d{4})-Q([1-4])$/;

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
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function localParts(epochMs: number, timeZone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(epochMs)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

function parseInstant(instant: string): number {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new RangeError(`"${instant}" is not an instant`);
  return ms;
}

/** The time zone's offset from UTC at an instant, in ms (Asia/Shanghai: +8 h). */
function offsetMs(epochMs: number, timeZone: string): number {
  const p = localParts(epochMs, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

/** The instant of a local wall-clock midnight in a time zone. */
function localMidnight(year: number, month: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, 1);
  let guess = wall - offsetMs(wall, timeZone);
  guess = wall - offsetMs(guess, timeZone);
  return guess;
}

export function parseQuarter(quarter: string): { year: number; q: number } {
  const m = QUARTER.exec(quarter);
  if (!m) throw new RangeError(`"${quarter}" is not a quarter like 2026-Q3`);
  return { year: Number(m[1]), q: Number(m[2]) };
}

/** The quarter an instant falls in, in the time zone. */
export function quarterOf(instant: string, timeZone: string): string {
  const p = localParts(parseInstant(instant), timeZone);
  return `${p.year}-Q${Math.floor((p.month - 1) / 3) + 1}`;
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
  return q === 4 ? `${year + 1}-Q1` : `${year}-Q${q + 1}`;
}

/** Whether an instant lies in [start, end] of the quarter. */
export function inQuarter(instant: string, quarter: string, timeZone: string): boolean {
  return quarterOf(instant, timeZone) === quarter;
}

/** Compares quarter names ("2026-Q3" < "2026-Q4" < "2027-Q1"). */
export function compareQuarters(a: string, b: string): number {
  parseQuarter(a);
  parseQuarter(b);
  return a < b ? -1 : a > b ? 1 : 0;
}
