// Balances: per partner, the sums of the domain's double-entry postings on its accounts
// (src/domain/accounts.ts). Nothing here is a stored counter: a balance is always a sum of
// postings, and payable / shortfall are derived from those sums.
//
// balance_rows: one row per (partner, money event): the deltas, the running sums in log order,
// the running maximum of occurredAt and whether the row is late (occurred before an earlier row
// of the partner). validAt answers = running sum at the last in-order prefix + the late rows
// after it. max_lag_ms: the running maximum of how far a late row lies behind the running
// maximum (ms), so the late rows that can still count are found in a window of occurredAt.
import type Database from 'better-sqlite3';
import { type AccountTotals, type PartnerAccount, partnerAccounts, sumAccountTotals, zeroAccountTotals } from '../src/domain/accounts.js';
import type { EventEnvelope } from '../src/domain/events.js';
import type { LogCut } from './cut.js';
import { projectionModule } from './projection.js';
import { stmt } from './sql.js';

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
const lastSums = `SELECT ${sumColumns} FROM balance_rows WHERE partner_id = ? AND position <= ? ORDER BY position DESC LIMIT 1`;
type SumsRow = Record<string, number>;

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
}

/** How far (ms) an instant lies behind a later one; both ISO-8601 UTC. */
function lagMs(later: string, earlier: string): number {
  const ms = Date.parse(later) - Date.parse(earlier);
  if (!Number.isSafeInteger(ms) || ms < 0) throw new Error(`invariant: ${earlier} is not an instant at or before ${later}`);
  return ms;
}

export const balancesProjection = projectionModule({
  version: 1,
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
    const headOf = (partnerId: string): BalanceHead | null => {
      const cached = heads.get(partnerId);
      if (cached) return cached;
      drain();
      const row = headRow.get(partnerId) as (SumsRow & { max_occurred_at: string }) | undefined;
      if (!row) return null;
      const head = { position: row.position!, maxOccurredAt: row.max_occurred_at, maxLagMs: row.max_lag_ms!, totals: totalsOfRow(row) };
      heads.set(partnerId, head);
      return head;
    };
    return {
      apply(e) {
        const deltas = rules.deltasOf(e);
        const position = Number(e.position);
        for (const { partnerId, deltas: d } of deltas) {
          const previous = headOf(partnerId);
          const totals = addTotals(previous?.totals ?? zeroAccountTotals(), d);
          const previousMax = previous?.maxOccurredAt ?? '';
          const late = e.occurredAt < previousMax ? 1 : 0;
          const maxOccurredAt = late ? previousMax : e.occurredAt;
          const maxLagMs = Math.max(previous?.maxLagMs ?? 0, late ? lagMs(previousMax, e.occurredAt) : 0);
          const row: unknown[] = [partnerId, position, e.occurredAt, e.recordedAt, maxOccurredAt, late];
          for (const account of partnerAccounts) row.push(d[account], totals[account]);
          row.push(maxLagMs);
          write('balance', row);
          heads.set(partnerId, { position, maxOccurredAt, maxLagMs, totals });
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
 * below the cut (one seek). With validAt: the rows up to the last one whose running maximum of
 * occurredAt is ≤ validAt all count (one seek for the running sums); after it only late rows
 * (back-dated) can still have occurredAt ≤ validAt, and they are read from a partial index.
 */
export function balanceTotalsAt(db: Db, partnerId: string, cut: LogCut): AccountTotals {
  if (cut.validAt === null) {
    const row = stmt(db, lastSums).get(partnerId, cut.position) as SumsRow | undefined;
    return row ? totalsOfRow(row) : zeroAccountTotals();
  }
  const prefix = stmt(
    db,
    'SELECT position FROM balance_rows WHERE partner_id = ? AND max_occurred_at <= ? ORDER BY max_occurred_at DESC, position DESC LIMIT 1',
  ).get(partnerId, cut.validAt) as { position: number } | undefined;
  const prefixEnd = Math.min(prefix?.position ?? 0, cut.position);
  const head = stmt(db, lastSums).get(partnerId, prefixEnd) as SumsRow | undefined;
  if (prefixEnd === cut.position) return head ? totalsOfRow(head) : zeroAccountTotals();
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
  return addTotals(head ? totalsOfRow(head) : zeroAccountTotals(), totalsOfRow(tail));
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
