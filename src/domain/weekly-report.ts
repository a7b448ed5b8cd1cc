// The weekly pipeline report (DOMAIN.md "Deals and the weekly pipeline"): per partner and ISO
// week, as of that week's review (policy.weeklyReview, default Thursday 10:00 in the policy's
// time zone). Pure: the week's instants from the policy, and the report from the deal facts the
// read model holds up to the review (registrations, stage advances, losses, forecast revisions),
// the signed contracts' ports and the deals' first payments.
//
// The rules:
// - the review instant: the policy's day and time of the ISO week, in the policy's time zone;
// - "this week" is the review window: after the previous week's review, up to this review, so
//   every fact falls in exactly one week's report;
// - new this week: deals registered in the window; progress on last week's: stage advances in
//   the window on deals registered before it;
// - support needed: key deals, stage solution or trial (stage 3 and above, not closed);
// - the month's port forecast: the expected ports of every open deal (not signed, not lost);
// - the month's sales achieved: deals signed in the review's month (up to the review) with cash
//   received by the review; their ports are the contract's, else the deal's expectedPorts.
import { refuse } from './errors.js';
import type { Policy } from './policy.js';
import { startOfLocalDay } from './quarter.js';

export const reviewDays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type ReviewDay = (typeof reviewDays)[number];
export interface WeeklyReview {
  day: ReviewDay;
  /** Local wall-clock time, "HH:MM". */
  time: string;
}
export const defaultWeeklyReview: WeeklyReview = { day: 'thursday', time: '10:00' };

export interface IsoWeek {
  year: number;
  week: number;
}

const DAY_MS = 86_400_000;

/** The number of ISO weeks in a year: 53 when 1 January is a Thursday, or a Wednesday in a leap year. */
export function isoWeeksInYear(year: number): number {
  const jan1 = new Date(Date.UTC(year, 0, 1)).getUTCDay(); // 0 Sunday … 6 Saturday
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return jan1 === 4 || (leap && jan1 === 3) ? 53 : 52;
}

/** "2025-W14" → {year: 2025, week: 14}; null when it is not an ISO week of that year. */
export function parseIsoWeek(text: string): IsoWeek | null {
  const m = /^(\d{4})-W(\d{2})$/.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const week = Number(m[2]);
  if (week < 1 || week > isoWeeksInYear(year)) return null;
  return { year, week };
}

/** Parses an ISO week or refuses it (400) naming the form expected. */
export function requireIsoWeek(text: string): IsoWeek {
  const week = parseIsoWeek(text);
  if (week === null) refuse('week-invalid', `"${text}" is not an ISO week: expected a week like 2025-W14 (weeks 01 to 52, or 53 in a long year)`, { week: text }, 'invalid');
  return week;
}

export function formatIsoWeek(w: IsoWeek): string {
  return `${String(w.year).padStart(4, '0')}-W${String(w.week).padStart(2, '0')}`;
}

/** The Monday of an ISO week as a calendar date (UTC arithmetic on dates, no zone). */
export function isoWeekMonday(w: IsoWeek): string {
  const jan4 = Date.UTC(w.year, 0, 4);
  const jan4Weekday = (new Date(jan4).getUTCDay() + 6) % 7; // 0 Monday … 6 Sunday
  const monday = jan4 - jan4Weekday * DAY_MS + (w.week - 1) * 7 * DAY_MS;
  return new Date(monday).toISOString().slice(0, 10);
}

export function previousIsoWeek(w: IsoWeek): IsoWeek {
  return w.week > 1 ? { year: w.year, week: w.week - 1 } : { year: w.year - 1, week: isoWeeksInYear(w.year - 1) };
}

/** The ISO week a calendar date ("YYYY-MM-DD") falls in. */
export function isoWeekOfDate(date: string): IsoWeek {
  const t = Date.parse(`${date}T00:00:00.000Z`);
  const weekday = (new Date(t).getUTCDay() + 6) % 7;
  const thursday = new Date(t + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return { year, week };
}

/** The calendar date of an instant in a time zone. */
export function localDateOf(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00.000Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The review instant of a week: the policy's review day and local time, in the policy's zone. */
export function reviewInstant(w: IsoWeek, review: WeeklyReview, timeZone: string): string {
  const date = addDays(isoWeekMonday(w), reviewDays.indexOf(review.day));
  const [hours, minutes] = review.time.split(':').map(Number) as [number, number];
  return new Date(Date.parse(startOfLocalDay(date, timeZone)) + (hours * 60 + minutes) * 60_000).toISOString();
}

export interface WeekWindow {
  week: string;
  /** The review the report is taken at. */
  review: string;
  /** The previous week's review: "this week" is after it, up to `review`. */
  previousReview: string;
  /** The review's month in the policy's zone ("2025-04") and its first instant. */
  month: string;
  monthStart: string;
}

/** The instants one week's report is built on. */
export function weekWindow(week: IsoWeek, policy: Pick<Policy, 'timeZone'> & { weeklyReview?: WeeklyReview }): WeekWindow {
  const review = policy.weeklyReview ?? defaultWeeklyReview;
  const at = reviewInstant(week, review, policy.timeZone);
  const month = localDateOf(at, policy.timeZone).slice(0, 7);
  return {
    week: formatIsoWeek(week),
    review: at,
    previousReview: reviewInstant(previousIsoWeek(week), review, policy.timeZone),
    month,
    monthStart: startOfLocalDay(`${month}-01`, policy.timeZone),
  };
}

// ---- the report -----------------------------------------------------------------------------

export type WeeklyStage = 'registered' | 'interest' | 'meeting' | 'solution' | 'trial' | 'signed' | 'lost';

/** What the read model knows of one deal up to the review, in log order. */
export type WeeklyFact =
  | { kind: 'registered'; occurredAt: string; dealId: string; customerKey: string; customerName: string; partnerId: string; expectedPorts: number; expectedRevenueFen: number }
  | { kind: 'advanced'; occurredAt: string; dealId: string; stage: WeeklyStage }
  | { kind: 'lost'; occurredAt: string; dealId: string }
  | { kind: 'forecast'; occurredAt: string; dealId: string; expectedPorts: number | null; expectedRevenueFen: number | null };

export interface WeeklyDeal {
  dealId: string;
  customerKey: string;
  customerName: string;
  stage: WeeklyStage;
  expectedPorts: number;
  expectedRevenueFen: number;
  registeredAt: string;
  /** When the latest forecast revision was made (occurredAt), or null: the registration's figures. */
  forecastRevisedAt: string | null;
  signedAt: string | null;
}

export interface WeeklyProgress {
  dealId: string;
  customerName: string;
  /** The stage at the previous review, and the stage now. */
  from: WeeklyStage;
  to: WeeklyStage;
}

export interface WeeklySale {
  dealId: string;
  customerName: string;
  signedAt: string;
  ports: number;
  /** Where the ports come from: the confirmed contract, else the deal's estimate. */
  portsFrom: 'contract' | 'estimate';
}

export interface PartnerWeek {
  partnerId: string;
  deals: WeeklyDeal[];
  /** Key deals the vendor must support: stage solution or trial. */
  supportNeeded: WeeklyDeal[];
  newThisWeek: WeeklyDeal[];
  progressOnEarlier: WeeklyProgress[];
  monthPortForecast: number;
  monthSales: { ports: number; deals: WeeklySale[] };
}

export interface WeeklyReport extends WeekWindow {
  partners: PartnerWeek[];
}

const keyStages: ReadonlySet<WeeklyStage> = new Set(['solution', 'trial']);
const isOpen = (stage: WeeklyStage) => stage !== 'signed' && stage !== 'lost';

/** Support needed: a key deal (stage 3, solution, and above) that is not closed. */
export function needsSupport(stage: WeeklyStage): boolean {
  return keyStages.has(stage);
}

interface DealTrack extends WeeklyDeal {
  partnerId: string;
  stageAtPreviousReview: WeeklyStage;
  advancedInWindow: boolean;
}

/**
 * The weekly report from the facts known at the review (facts after `review` are ignored).
 * `contractPorts`: the confirmed contract's ports by deal; `firstPaymentAt`: each deal's first cash.
 */
export function weeklyReport(
  window: WeekWindow,
  facts: Iterable<WeeklyFact>,
  contractPorts: ReadonlyMap<string, number>,
  firstPaymentAt: ReadonlyMap<string, string>,
  onlyPartnerId?: string,
): WeeklyReport {
  const deals = new Map<string, DealTrack>();
  for (const f of facts) {
    if (f.occurredAt > window.review) continue;
    if (f.kind === 'registered') {
      deals.set(f.dealId, {
        dealId: f.dealId,
        customerKey: f.customerKey,
        customerName: f.customerName,
        partnerId: f.partnerId,
        stage: 'registered',
        expectedPorts: f.expectedPorts,
        expectedRevenueFen: f.expectedRevenueFen,
        registeredAt: f.occurredAt,
        forecastRevisedAt: null,
        signedAt: null,
        stageAtPreviousReview: 'registered',
        advancedInWindow: false,
      });
      continue;
    }
    const d = deals.get(f.dealId);
    if (!d) continue;
    const inWindow = f.occurredAt > window.previousReview;
    switch (f.kind) {
      case 'advanced':
        d.stage = f.stage;
        if (f.stage === 'signed') d.signedAt = f.occurredAt;
        if (inWindow) d.advancedInWindow = true;
        else d.stageAtPreviousReview = f.stage;
        break;
      case 'lost':
        d.stage = 'lost';
        if (!inWindow) d.stageAtPreviousReview = 'lost';
        break;
      case 'forecast':
        if (f.expectedPorts !== null) d.expectedPorts = f.expectedPorts;
        if (f.expectedRevenueFen !== null) d.expectedRevenueFen = f.expectedRevenueFen;
        d.forecastRevisedAt = f.occurredAt;
        break;
    }
  }
  const byPartner = new Map<string, DealTrack[]>();
  for (const d of deals.values()) {
    if (onlyPartnerId !== undefined && d.partnerId !== onlyPartnerId) continue;
    byPartner.set(d.partnerId, [...(byPartner.get(d.partnerId) ?? []), d]);
  }
  const partners = [...byPartner.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([partnerId, tracks]): PartnerWeek => {
      const sorted = tracks.sort((a, b) => (a.dealId < b.dealId ? -1 : a.dealId > b.dealId ? 1 : 0));
      const line = (d: DealTrack): WeeklyDeal => ({
        dealId: d.dealId,
        customerKey: d.customerKey,
        customerName: d.customerName,
        stage: d.stage,
        expectedPorts: d.expectedPorts,
        expectedRevenueFen: d.expectedRevenueFen,
        registeredAt: d.registeredAt,
        forecastRevisedAt: d.forecastRevisedAt,
        signedAt: d.signedAt,
      });
      const sales: WeeklySale[] = [];
      for (const d of sorted) {
        if (d.stage !== 'signed' || d.signedAt === null || d.signedAt < window.monthStart) continue;
        const paidAt = firstPaymentAt.get(d.dealId);
        if (paidAt === undefined || paidAt > window.review) continue;
        const ports = contractPorts.get(d.dealId);
        sales.push({ dealId: d.dealId, customerName: d.customerName, signedAt: d.signedAt, ports: ports ?? d.expectedPorts, portsFrom: ports === undefined ? 'estimate' : 'contract' });
      }
      return {
        partnerId,
        deals: sorted.map(line),
        supportNeeded: sorted.filter((d) => needsSupport(d.stage)).map(line),
        newThisWeek: sorted.filter((d) => d.registeredAt > window.previousReview).map(line),
        progressOnEarlier: sorted
          .filter((d) => d.registeredAt <= window.previousReview && d.advancedInWindow)
          .map((d) => ({ dealId: d.dealId, customerName: d.customerName, from: d.stageAtPreviousReview, to: d.stage })),
        monthPortForecast: sorted.filter((d) => isOpen(d.stage)).reduce((sum, d) => sum + d.expectedPorts, 0),
        monthSales: { ports: sales.reduce((sum, s) => sum + s.ports, 0), deals: sales },
      };
    });
  return { ...window, partners };
}
