// `--dry-run` for any `ledger` command that runs a ledger command: the flag, its help line, and
// how a dry run's answer (src/ledger/dry-run.ts) prints: the events it would write and each
// affected partner's accounts before, after and the change (CNY in the table, fen in CSV and
// JSON). Running it is `ledger.dryRun(name, input, ctx)` instead of `ledger.execute(...)`; the
// exit code is the real command's (a refusal is 3 either way).
import type { DryRunAnswer } from '../ledger/dry-run.js';
import { type OutputFormat, toJson } from './format/output.js';
import { toCsv } from './format/csv.js';
import { formatTable, type Row } from './format/table.js';

export const DRY_RUN_FLAG = 'dry-run';

export const dryRunHelp = `--dry-run     write nothing: print the events the command would write and each affected
              partner's accounts before and after (a refusal is the real command's)`;

/** One row per event the command would write, in order. */
export function dryRunEventRows(answer: DryRunAnswer): Row[] {
  return answer.events.map((e) => ({ stream: e.stream, type: e.type, occurredAt: e.occurredAt, eventId: e.eventId }));
}

/** One row per partner and account that moves (then the totals, partnerId "total"): before, after, delta in fen. */
export function dryRunBalanceRows(answer: DryRunAnswer): Row[] {
  const rows: Row[] = [];
  const partners = [...answer.balances.partners, ...(answer.balances.partners.length > 1 ? [{ partnerId: 'total', accounts: answer.balances.totals }] : [])];
  for (const { partnerId, accounts } of partners) {
    for (const [account, change] of Object.entries(accounts)) {
      if (change.deltaFen !== 0) rows.push({ partnerId, account, beforeFen: change.beforeFen, afterFen: change.afterFen, deltaFen: change.deltaFen });
    }
  }
  return rows;
}

/** The dry run as the format asks: a table of events and one of balances; the balance rows as CSV; the whole answer as JSON. */
export function renderDryRun(format: OutputFormat, answer: DryRunAnswer): string {
  if (format === 'json') return toJson(answer);
  const balances = dryRunBalanceRows(answer);
  if (format === 'csv') return toCsv(balances);
  const head = answer.wouldReplay ? 'Dry run: this command was already run with this id; it would write nothing.' : `Dry run: nothing was written. The command would write ${answer.events.length} event(s).`;
  const events = answer.events.length > 0 ? `\n\n${formatTable(dryRunEventRows(answer))}` : '';
  const moves = balances.length > 0 ? `\nBalances it would change:\n\n${formatTable(balances)}` : '\nNo balance would change.\n';
  return `${head}${events}${events ? '' : '\n'}${moves}`;
}
