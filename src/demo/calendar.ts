// Business time for the demo programme: working days and hours in the programme's local time
// (UTC+8, the default policy's Asia/Shanghai, which keeps no daylight saving), the Friday weekly
// report, finance's bookkeeping slots. Instants are epoch milliseconds inside, ISO-8601 outside.
import type { Prng } from './prng.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;
/** Local time = UTC + 8 hours. */
export const LOCAL_OFFSET_MS = 8 * HOUR_MS;

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Whole local days since 1970-01-01 (a Thursday). */
export const localDayOf = (ms: number): number => Math.floor((ms + LOCAL_OFFSET_MS) / DAY_MS);

/** 0 Monday … 6 Sunday. */
export const weekdayOf = (ms: number): number => (localDayOf(ms) + 3) % 7;

/** The instant of a local day's hour:minute. */
export const localAt = (day: number, hour: number, minute = 0): number => day * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS - LOCAL_OFFSET_MS;

/** The first instant at or after `ms` that falls on one of `weekdays` (0 = Monday) at hour:minute local. */
export function nextSlot(ms: number, weekdays: readonly number[], hour: number, minute = 0): number {
  const first = localDayOf(ms);
  for (let day = first; day < first + 8; day++) {
    const at = localAt(day, hour, minute);
    if (at >= ms && weekdays.includes((day + 3) % 7)) return at;
  }
  throw new Error(`no slot on weekdays ${weekdays.join(',')} within a week of ${iso(ms)}`);
}

/** The weekly report: the channel manager records the week's progress on Friday at 17:00. */
export const weeklyReportAfter = (ms: number): number => nextSlot(ms, [4], 17);

/** Finance books the week's bank statements on Wednesday at 15:00. */
export const financeSlotAfter = (ms: number): number => nextSlot(ms, [2], 15);

/** The next working day (Monday to Friday) at or after `ms`, at hour:minute local. */
export const workingDayAt = (ms: number, hour: number, minute = 0): number => nextSlot(ms, [0, 1, 2, 3, 4], hour, minute);

/** A working instant (Monday–Thursday, 09:00–16:59 local, on the minute) at or after `ms`. */
export function workingInstantAfter(rng: Prng, ms: number): number {
  const day = nextSlot(ms, [0, 1, 2, 3], 0);
  const at = day + rng.int(9, 16) * HOUR_MS + rng.int(0, 59) * MINUTE_MS;
  return at >= ms ? at : workingInstantAfter(rng, day + DAY_MS);
}

/** A partner's own registration: on the hour in working hours (the ledger's clock stamps it). */
export function registrationSlotAfter(rng: Prng, ms: number): number {
  const day = nextSlot(ms, [0, 1, 2, 3, 4], 0);
  const at = day + rng.int(9, 17) * HOUR_MS;
  return at >= ms ? at : registrationSlotAfter(rng, day + DAY_MS);
}
