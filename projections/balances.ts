// Balances: per partner, the sums of the domain's double-entry postings on its accounts
// (src/domain/accounts.ts). Nothing here is a stored counter: a balance is always a sum of
// postings, and payable / shortfall are derived from those sums.
//
// balance_rows: one row per (partner, money event): the deltas, the running sums in log order,
// the running maximum of occurredAt and whether the row is late (occurred before an earlier row
// of the partner). validAt answers = running sum at the last in-order prefix + the late rows
// after it. max_lag_ms: the running maximum of how far a late row lies behind the running
// maximum (ms), so the late rows that can still count are found in a window of occurredAt.
// A commission line (an accrual or clawback moving only its own account) that is not late has no
// row of its own unless it is the LINE_ROW_EVERY-th in a row: the statements projection's
// commission_lines row already holds its delta, so an answer adds the lines after the last row
// (fewer than LINE_ROW_EVERY, all in order: they count when they occurred by validAt).
import type Database from 'better-sqlite3';
import { type AccountTotals, type PartnerAccount, partnerAccounts, sumAccountTotals, zeroAccountTotals } from '../src/domain/accounts.js';
import type { EventEnvelope, LedgerEvent } from '../src/domain/events.js';
import type { LogCut } from './cut.js';
import { projectionModule } from './projection.js';
import { endOfTime, stmt } from './sql.js';

type Db = Database.Database;

/** One event's effect on one partner's accounts. */
export interface PartnerDelta {
  partnerId: string;
  deltas: AccountTotals;
}

/** Turns an event into account deltas; supplied from the domain's postings (see domain-bridge.ts). */
export type DeltasOf = (e: EventEnvelope) => PartnerDelta[];

/** a + b, account by account; a sum outside the safe-integer range is an error. */
export function addTotals(a: AccountTotals, b: AccountTotals): AccountTotals {
  return sumAccountTotals(a, b, (sum, account) => {
    if (!Number.isSafeInteger(sum)) throw new RangeError(`balance ${account} left the safe-integer range`);
    return sum;
  });
}

/** Each account's column in balance_rows: d_<column> its delta, c_<column> its running sum. */
const accountColumn: Record<PartnerAccount, string> = {
  accrued: 'accrued',
  clawedBack: 'clawed_back',
  paidOut: 'paid_out',
  deposit: 'deposit',
  debt: 'debt',
  trafficOutstanding: 'traffic',
  rebate: 'rebate',
};
const sumColumns = partnerAccounts.map((a) => `c_${accountColumn[a]}`).join(', ');
/** The deltas of the rows read, summed under the running sums' names. */
const deltaSums = partnerAccounts.map((a) => `coalesce(sum(d_${accountColumn[a]}), 0) AS c_${accountColumn[a]}`).join(', ');
type SumsRow = Record<string, number>;

/** At most this many in-order commission lines of a partner in a row without a balance row (the last of them gets one). */
export const LINE_ROW_EVERY = 16;

/**
 * The accounts of the partner's commission lines (projections/statements.ts) after a balance row and up
 * to a position that occurred by validAt: accruals move accrued, clawbacks clawedBack (stored negative).
 */
const lineSums = `SELECT coalesce(sum(CASE WHEN kind = 'accrual' THEN commission_fen ELSE 0 END), 0) AS accrued,
    coalesce(sum(CASE WHEN kind = 'clawback' THEN 0 - commission_fen ELSE 0 END), 0) AS clawed_back
  FROM commission_lines WHERE partner_id = ? AND position > ? AND position <= ? AND occurred_at <= ? AND commission_fen <> 0`;

function withLines(totals: AccountTotals, r: { accrued: number; clawed_back: number }): AccountTotals {
  if (r.accrued === 0 && r.clawed_back === 0) return totals;
  const lines = zeroAccountTotals();
  lines.accrued = r.accrued;
  lines.clawedBack = r.clawed_back;
  return addTotals(totals, lines);
}

/** True when the event is a commission line whose only effect is on its own account of this partner (its line row holds it). */
function lineOnly(ev: LedgerEvent, partnerId: string, d: AccountTotals): boolean {
  let account: PartnerAccount;
  if (ev.type === 'CommissionAccrued') account = 'accrued';
  else if (ev.type === 'CommissionClawedBack') account = 'clawedBack';
  else return false;
  if (ev.data.partnerId !== partnerId) return false;
  for (const a of partnerAccounts) if (d[a] !== (a === account ? ev.data.commissionFen : 0)) return false;
  return true;
}

function totalsOfRow(r: SumsRow): AccountTotals {
  const totals = {} as AccountTotals;
  for (const account of partnerAccounts) totals[account] = r[`c_${accountColumn[account]}`]!;
  return totals;
}

interface BalanceHead {
  position: number;
  maxOccurredAt: string;
  /** The most any late row so far lay behind maxOccurredAt, in ms. */
  maxLagMs: number;
  totals: AccountTotals;
  /** Commission lines since the partner's last row (no row of their own). */
  lines: number;
}

/** How far (ms) an instant lies behind a later one; both ISO-8601 UTC. */
function lagMs(later: string, earlier: string): number {
  const ms = Date.parse(later) - Date.parse(earlier);
  if (!Number.isSafeInteger(ms) || ms < 0) throw new Error(`invariant: ${earlier} is not an instant at or before ${later}`);
  return ms;
}

export const balancesProjection = projectionModule({
  version: 2,
  // version 1 wrote a row per commission line; version 2's answers add the lines after the last
  // row, so they would count version 1's rows twice: its tables do not answer during a rebuild
  compatibleSince: 2,
  // an answer adds the partner's commission lines after its last row (statements' commission_lines)
  reads: ['statements'],
  tables: ['balance_rows'],
  create: `
CREATE TABLE IF NOT EXISTS balance_rows (
  partner_id TEXT NOT NULL, position INTEGER NOT NULL, occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL,
  max_occurred_at TEXT NOT NULL, late INTEGER NOT NULL,
  d_accrued INTEGER NOT NULL, d_clawed_back INTEGER NOT NULL, d_paid_out INTEGER NOT NULL, d_deposit INTEGER NOT NULL, d_debt INTEGER NOT NULL,
  c_accrued INTEGER NOT NULL, c_clawed_back INTEGER NOT NULL, c_paid_out INTEGER NOT NULL, c_deposit INTEGER NOT NULL, c_debt INTEGER NOT NULL,
  d_traffic INTEGER NOT NULL DEFAULT 0, c_traffic INTEGER NOT NULL DEFAULT 0, d_rebate INTEGER NOT NULL DEFAULT 0, c_rebate INTEGER NOT NULL DEFAULT 0,
  max_lag_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (partner_id, position)) WITHOUT ROWID;`,
  indexes: [
    'CREATE INDEX IF NOT EXISTS balance_rows_by_max ON balance_rows (partner_id, max_occurred_at, position);',
    'CREATE INDEX IF NOT EXISTS balance_rows_late_by_time ON balance_rows (partner_id, occurred_at, position) WHERE late = 1;',
  ],
  writeSql: {
    // Per account its delta, then its running sum.
    balance: `INSERT OR REPLACE INTO balance_rows (partner_id, position, occurred_at, recorded_at, max_occurred_at, late, ${partnerAccounts
      .map((a) => `d_${accountColumn[a]}, c_${accountColumn[a]}`)
      .join(', ')}, max_lag_ms) VALUES (${Array.from({ length: 7 + 2 * partnerAccounts.length }, () => '?').join(', ')})`,
  },
  applier({ write, drain, db, rules }) {
    /** Each partner's last row (loaded from the file on first use and kept current). */
    const heads = new Map<string, BalanceHead>();
    const headRow = db.prepare(`SELECT position, max_occurred_at, max_lag_ms, ${sumColumns} FROM balance_rows WHERE partner_id = ? ORDER BY position DESC LIMIT 1`);
    // The lines after the last row that moved money (a zero commission moves none: it never was a balance event).
    const linesAfterRow = db.prepare(
      `SELECT count(*) AS lines, max(occurred_at) AS max_occurred_at, coalesce(max(position), 0) AS position,
              coalesce(sum(CASE WHEN kind = 'accrual' THEN commission_fen ELSE 0 END), 0) AS accrued,
              coalesce(sum(CASE WHEN kind = 'clawback' THEN 0 - commission_fen ELSE 0 END), 0) AS clawed_back
         FROM commission_lines WHERE partner_id = ? AND position > ? AND position < ? AND commission_fen <> 0`,
    );
    /** The partner's head before the event at `position` (its rows and the lines after the last one). */
    const headOf = (partnerId: string, position: number): BalanceHead | null => {
      const cached = heads.get(partnerId);
      if (cached) return cached;
      drain();
      const row = headRow.get(partnerId) as (SumsRow & { max_occurred_at: string }) | undefined;
      const after = linesAfterRow.get(partnerId, row?.position ?? 0, position) as {
        lines: number;
        max_occurred_at: string | null;
        position: number;
        accrued: number;
        clawed_back: number;
      };
      if (!row && after.lines === 0) return null;
      const head: BalanceHead = {
        position: Math.max(row?.position ?? 0, after.position),
        // Lines without a row are in order: the last one occurred latest.
        maxOccurredAt: after.max_occurred_at !== null && after.max_occurred_at > (row?.max_occurred_at ?? '') ? after.max_occurred_at : (row?.max_occurred_at ?? ''),
        maxLagMs: row?.max_lag_ms ?? 0,
        totals: withLines(row ? totalsOfRow(row) : zeroAccountTotals(), after),
        lines: after.lines,
      };
      heads.set(partnerId, head);
      return head;
    };
    return {
      apply(e, ev) {
        const deltas = rules.deltasOf(e);
        const position = Number(e.position);
        for (const { partnerId, deltas: d } of deltas) {
          const previous = headOf(partnerId, position);
          const totals = addTotals(previous?.totals ?? zeroAccountTotals(), d);
          const previousMax = previous?.maxOccurredAt ?? '';
          const late = e.occurredAt < previousMax ? 1 : 0;
          const maxOccurredAt = late ? previousMax : e.occurredAt;
          const maxLagMs = Math.max(previous?.maxLagMs ?? 0, late ? lagMs(previousMax, e.occurredAt) : 0);
          const lines = previous?.lines ?? 0;
          if (!late && lines < LINE_ROW_EVERY - 1 && lineOnly(ev, partnerId, d)) {
            heads.set(partnerId, { position, maxOccurredAt, maxLagMs, totals, lines: lines + 1 });
            continue;
          }
          const row: unknown[] = [partnerId, position, e.occurredAt, e.recordedAt, maxOccurredAt, late];
          for (const account of partnerAccounts) row.push(d[account], totals[account]);
          row.push(maxLagMs);
          write('balance', row);
          heads.set(partnerId, { position, maxOccurredAt, maxLagMs, totals, lines: 0 });
        }
        return deltas.length;
      },
      forget() {
        heads.clear();
      },
      accountTotals(partnerId) {
        return heads.get(partnerId)?.totals;
      },
    };
  },
});

// ---- readers ----------------------------------------------------------------------------------

/**
 * A partner's account sums over a cut. Without validAt: the running sums of the last row at or
 * below the cut and the commission lines after it (three seeks). With validAt: the rows up to the
 * last one whose running maximum of occurredAt is ≤ validAt all count (the same seeks for the
 * running sums and the lines after that row that occurred by validAt); after it only late rows
 * (back-dated) can still have occurredAt ≤ validAt, and they are read from a partial index.
 */
export function balanceTotalsAt(db: Db, partnerId: string, cut: LogCut): AccountTotals {
  if (cut.validAt === null) return withLinesAfter(db, partnerId, cut.position, cut.position, endOfTime);
  const prefix = stmt(
    db,
    'SELECT position FROM balance_rows WHERE partner_id = ? AND max_occurred_at <= ? ORDER BY max_occurred_at DESC, position DESC LIMIT 1',
  ).get(partnerId, cut.validAt) as { position: number } | undefined;
  const prefixEnd = Math.min(prefix?.position ?? 0, cut.position);
  const head = withLinesAfter(db, partnerId, prefixEnd, cut.position, cut.validAt);
  if (prefixEnd === cut.position) return head;
  // A late row after the prefix lies at most max_lag_ms behind its running maximum, which is
  // past validAt: only late rows that occurred inside (validAt - max lag, validAt] can count.
  // (+position keeps the planner on the late rows' occurredAt index, not the position range.)
  const lag = stmt(db, 'SELECT max_lag_ms FROM balance_rows WHERE partner_id = ? AND position <= ? ORDER BY position DESC LIMIT 1').pluck().get(partnerId, cut.position) as
    | number
    | undefined;
  const from = new Date(Date.parse(cut.validAt) - (lag ?? 0)).toISOString();
  const tail = stmt(
    db,
    `SELECT ${deltaSums} FROM balance_rows
      WHERE partner_id = ? AND late = 1 AND occurred_at >= ? AND occurred_at <= ? AND +position > ? AND +position <= ?`,
  ).get(partnerId, from, cut.validAt, prefixEnd, cut.position) as SumsRow;
  return addTotals(head, totalsOfRow(tail));
}

/**
 * The running sums of the partner's last row at or below `rowBound`, plus its commission lines
 * after that row (those without a row: up to the partner's next row, at most up to `cutPosition`)
 * that occurred by `valid`. Lines without a row are in order, so past the last row whose running
 * maximum is ≤ valid only a prefix of them occurred by it; late lines always have a row.
 */
function withLinesAfter(db: Db, partnerId: string, rowBound: number, cutPosition: number, valid: string): AccountTotals {
  const head = stmt(db, `SELECT position, ${sumColumns} FROM balance_rows WHERE partner_id = ? AND position <= ? ORDER BY position DESC LIMIT 1`).get(
    partnerId,
    rowBound,
  ) as SumsRow | undefined;
  const from = head?.position ?? 0;
  const next = stmt(db, 'SELECT position FROM balance_rows WHERE partner_id = ? AND position > ? ORDER BY position LIMIT 1').pluck().get(partnerId, from) as
    | number
    | undefined;
  const to = next === undefined ? cutPosition : Math.min(cutPosition, next - 1);
  const totals = head ? totalsOfRow(head) : zeroAccountTotals();
  if (to <= from) return totals;
  return withLines(totals, stmt(db, lineSums).get(partnerId, from, to, valid) as { accrued: number; clawed_back: number });
}

// ---- the answer -------------------------------------------------------------------------------

/** The API shape of GET /partners/:id/balance, money in fen. */
export interface BalanceView {
  partnerId: string;
  accrued: number;
  clawedBack: number;
  paidOut: number;
  payable: number;
  /**
   * Clawbacks larger than the commission still unsettled, waiting for the next payout to take them
   * from the deposit and then as debt (so payable, never negative, does not hide them).
   */
  pendingClawback: number;
  deposit: number;
  debt: number;
  depositRequired: number;
  shortfall: number;
  /** Wholesale-voice resellers: the deposit is the credit limit for billed traffic (null for other kinds). */
  creditLimit: number | null;
  /** Traffic billed and not yet settled. */
  trafficOutstanding: number;
  /** creditLimit − trafficOutstanding, never below 0 (null for other kinds). */
  creditAvailable: number | null;
  /** A reseller's service: suspended once outstanding traffic reaches the deposit (always active for other kinds). */
  creditStatus: 'active' | 'suspended';
  /** Rebate owed to the partner and not yet paid; negative when a distributor owes its locked agents more. */
  rebateBalance: number;
}

/** What clawbacks exceed the unsettled commission by: accrued − clawed back − paid out below zero. */
export function pendingClawbackOf(totals: AccountTotals): number {
  return Math.max(0, totals.clawedBack + totals.paidOut - totals.accrued);
}

/**
 * Derives the reported balance from account sums. Earned but not yet settled commission is
 * accrued − clawed back − paid out − what payouts settled against the deposit or as debt;
 * payable never goes negative, and debt is reported apart.
 */
export function balanceView(
  partnerId: string,
  totals: AccountTotals,
  payableOf: (t: AccountTotals) => number,
  depositRequiredFen: number,
  /** The credit limit of a wholesale-voice reseller (its deposit), or null for other kinds. */
  creditLimitFen: number | null = null,
  /** The domain's credit status for these figures (src/domain/credit-suspension.ts). */
  creditStatus: 'active' | 'suspended' = 'active',
): BalanceView {
  const payable = payableOf(totals);
  if (payable < 0) throw new RangeError(`payable of ${partnerId} is negative (${payable} fen)`);
  if (totals.deposit < 0) throw new RangeError(`deposit of ${partnerId} is negative (${totals.deposit} fen)`);
  return {
    partnerId,
    accrued: totals.accrued,
    clawedBack: totals.clawedBack,
    paidOut: totals.paidOut,
    payable,
    pendingClawback: pendingClawbackOf(totals),
    deposit: totals.deposit,
    debt: totals.debt,
    depositRequired: depositRequiredFen,
    shortfall: Math.max(0, depositRequiredFen - totals.deposit),
    creditLimit: creditLimitFen,
    trafficOutstanding: totals.trafficOutstanding,
    creditAvailable: creditLimitFen === null ? null : Math.max(0, creditLimitFen - totals.trafficOutstanding),
    creditStatus,
    rebateBalance: totals.rebate,
  };
}
