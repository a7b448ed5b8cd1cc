// The rule: "the same time" is the same reporting window. DOMAIN.md: if a partner and direct
// sales register the same customer at the same time, the partner wins; registrations arrive
// through weekly reports, so "the same time" is a reporting window, not the same millisecond.
// The window is policy data (ownership.tieWindow, default "same-day"):
//  - "exact": the same instant only;
//  - "same-day": the same calendar day in the policy's time zone;
//  - "same-week": the same calendar week (Monday to Sunday) in the policy's time zone.
// Ownership order (customer.ts, compareClaims): the window a registration's occurredAt falls in
// first, then a partner before direct sales inside one window, then the earlier occurredAt, then
// the earlier recorded position. So inside one window a partner beats direct sales whichever
// registered first; two partners (or two direct claims) in one window are still ordered by their
// instants, and a claim of an earlier window always comes first.
import { defaultPolicy, type Policy, type TieWindowKind } from './policy.js';
import { startOfLocalDay } from './quarter.js';

export interface TieWindow {
  kind: TieWindowKind;
  timeZone: string;
}

/** The reporting window an instant falls in: its first instant (sortable ISO) and its name. */
export interface ReportingWindow {
  /** The window's first instant (ISO, UTC); for "exact", the instant itself. */
  start: string;
  /** The window in words: the local date ("2026-01-05"), the week ("week of 2026-01-05"), or the instant. */
  label: string;
}

export function tieWindowOf(policy: Pick<Policy, 'ownership' | 'timeZone'>): TieWindow {
  return { kind: policy.ownership.tieWindow, timeZone: policy.timeZone };
}

/** The default programme's window: the same day in Asia/Shanghai. */
export const defaultTieWindow: TieWindow = tieWindowOf(defaultPolicy);

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

function localDate(epochMs: number, timeZone: string): { year: number; month: number; day: number } {
  let f = dateFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', era: 'short' });
    dateFormatters.set(timeZone, f);
  }
  const parts: Record<string, number> = {};
  let era = 'AD';
  for (const p of f.formatToParts(epochMs)) {
    if (p.type === 'era') era = p.value;
    else if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return { year: era === 'BC' ? 1 - parts.year! : parts.year!, month: parts.month!, day: parts.day! };
}

const two = (n: number): string => String(n).padStart(2, '0');
const yearText = (year: number): string => (year < 0 ? `-${String(-year).padStart(4, '0')}` : String(year).padStart(4, '0'));
const dateText = (d: { year: number; month: number; day: number }): string => `${yearText(d.year)}-${two(d.month)}-${two(d.day)}`;

/** The Monday on or before a calendar date (proleptic Gregorian). */
function mondayOf(d: { year: number; month: number; day: number }): { year: number; month: number; day: number } {
  const t = new Date(0);
  t.setUTCFullYear(d.year, d.month - 1, d.day);
  const back = (t.getUTCDay() + 6) % 7;
  t.setUTCDate(t.getUTCDate() - back);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** Window starts by (zone, local date): a replay asks for the same few days again and again. */
const starts = new Map<string, string>();

function startOf(date: string, timeZone: string): string {
  const key = `${timeZone}|${date}`;
  let start = starts.get(key);
  if (start === undefined) {
    start = startOfLocalDay(date, timeZone);
    if (starts.size >= 4096) starts.clear();
    starts.set(key, start);
  }
  return start;
}

/** The reporting window a registration at `instant` falls in. */
export function reportingWindowOf(instant: string, window: TieWindow): ReportingWindow {
  if (window.kind === 'exact') return { start: instant, label: instant };
  const epochMs = Date.parse(instant);
  if (Number.isNaN(epochMs)) throw new RangeError(`"${instant}" is not an instant`);
  const day = localDate(epochMs, window.timeZone);
  if (window.kind === 'same-day') {
    const date = dateText(day);
    return { start: startOf(date, window.timeZone), label: date };
  }
  const monday = dateText(mondayOf(day));
  return { start: startOf(monday, window.timeZone), label: `week of ${monday}` };
}

/** "at the same instant 2026-…Z" / "on the same day (2026-01-05 in Asia/Shanghai)" / "in the same week (…)". */
export function sameWindowWords(window: TieWindow, at: ReportingWindow): string {
  switch (window.kind) {
    case 'exact':
      return `at the same instant ${at.label}`;
    case 'same-day':
      return `on the same day (${at.label} in ${window.timeZone})`;
    case 'same-week':
      return `in the same week (${at.label} in ${window.timeZone})`;
  }
}
