// `ledger dispute <customer> [--as-of T] [--valid-at T] [--json] [--data-dir D]`: the auditor's
// account of one customer from the record alone: every event in order with its position, both
// times, actor and hash, the ownership after it and the rule applied, and which facts recorded
// later changed the answer.
import { chooseCustomerKey } from '../../domain/customer-key.js';
import { DomainRuleError } from '../../domain/errors.js';
import { ExitCode, type CliCommand } from '../command.js';
import { parseArgs, UsageError } from '../cli-args.js';
import type { AuditAnswer, AuditEntry } from '../../ledger/queries.js';
import { openReadSideFromEnv } from '../../ledger/read-side.js';
import type { TimeQuery } from '../../../projections/cut.js';
import type { OwnershipView } from '../../../projections/ownership.js';
import { formatLocalInstant } from '../../domain/quarter.js';
import { policyZone, rowsTable, toCsv, writeXlsx } from '../format/csv.js';
import { outputFormatOf, type OutputFormat } from '../format/output.js';
import { safeJson, safeLines, safeText } from '../format/terminal.js';
import { formatFen } from '../../domain/money.js';
import { timeQueryOfFlags } from '../time-flags.js';

const usage = `Usage: ledger dispute <customer> [--as-of T] [--valid-at T] [--json|--csv] [--xlsx FILE] [--data-dir D]

<customer> is a customer key, or a name or tax id as registered (normalised like the ledger does).
--as-of T     what the ledger knew at instant T (transaction time)
--valid-at T  the business as it stood at instant T (valid time), as known now or at --as-of
              T: an instant with its zone, or a date: the end of that day in the policy's time zone
--json        the account as JSON (GET /audit/customers/:key's shape)
--csv         the events as CSV, one a line, with the owner and the rule after each
--xlsx FILE   the same events as an Excel workbook
Times are shown in the policy's time zone with their offset (2026-07-01 00:00:00 +08:00).`;

export const disputeCommand: CliCommand = {
  name: 'dispute',
  summary: "the auditor's account of who owns a customer and why",
  usage,
  async run(argv) {
    let input: string;
    let query: TimeQuery;
    let format: OutputFormat;
    let dataDir: string | undefined;
    let xlsxFile: string | undefined;
    try {
      const args = parseArgs(argv, ['as-of', 'valid-at', 'data-dir', 'xlsx'], ['json', 'csv']);
      if (args.positionals.length !== 1) throw new UsageError('name exactly one customer');
      input = args.positionals[0]!;
      query = timeQueryOfFlags(args.values);
      format = outputFormatOf(args.flags);
      dataDir = args.values.get('data-dir');
      xlsxFile = args.values.get('xlsx');
    } catch (error) {
      if (!(error instanceof UsageError || error instanceof RangeError)) throw error;
      process.stderr.write(`ledger dispute: ${error.message}\n\n${usage}\n`);
      return ExitCode.usage;
    }
    const side = await openReadSideFromEnv(dataDir);
    try {
      const keys = side.lookups.customerKeysMatching(input);
      let key: string;
      try {
        key = chooseCustomerKey(input, keys, 'query');
      } catch (error) {
        if (!(error instanceof DomainRuleError)) throw error;
        if (error.kind === 'not-found') {
          process.stderr.write(`ledger dispute: no customer matches "${safeText(input)}" (tried it as a key, a name and a tax id)\n`);
          return ExitCode.notFound;
        }
        process.stderr.write(`ledger dispute: "${safeText(input)}" matches several customers; name one by key:\n${keys.map((k) => `  ${safeText(k)}\n`).join('')}`);
        return ExitCode.usage;
      }
      const account = await side.queries.auditCustomer(key, query);
      if (account === null) {
        process.stderr.write(`ledger dispute: the ledger knew nothing of customer ${safeText(key)} at ${query.asOf ?? 'that time'}\n`);
        return ExitCode.checkFailed;
      }
      const zone = side.timeZone;
      if (xlsxFile) {
        await writeXlsx(xlsxFile, [rowsTable(`dispute ${key}`.slice(0, 31), accountRows(account), zone)]);
        process.stdout.write(`dispute ${safeText(key)}: ${account.events.length} events written to ${safeText(xlsxFile)}\n`);
        return ExitCode.ok;
      }
      process.stdout.write(format === 'json' ? `${safeJson(JSON.stringify(account, null, 2))}\n` : format === 'csv' ? accountCsv(account, zone) : renderAccount(account, zone));
      return ExitCode.ok;
    } finally {
      await side.close();
    }
  },
};

const short = (hash: string): string => `${hash.slice(0, 12)}…`;
const who = (partnerId: string | null, dealId: string | null): string =>
  dealId === null ? 'nobody' : `deal ${dealId} (${partnerId === null ? 'direct sales' : `partner ${partnerId}`})`;

/** One event in words. */
export function describeEvent(e: Pick<AuditEntry, 'type' | 'data'>): string {
  const d = e.data as Record<string, unknown>;
  const s = (k: string): string => String(d[k] ?? '');
  const fen = (k: string): string => formatFen(Number(d[k] ?? 0));
  switch (e.type) {
    case 'DealRegistered': {
      const customer = d.customer as { name?: string; taxId?: string | null } | undefined;
      const by = d.partnerId === null ? 'direct sales' : `partner ${s('partnerId')}`;
      const tax = customer?.taxId ? `, tax id ${customer.taxId}` : '';
      return `${by} registered deal ${s('dealId')} for "${customer?.name ?? ''}"${tax}`;
    }
    case 'DealStageAdvanced':
      return `deal ${s('dealId')} advanced to ${s('stage')}`;
    case 'DealLost':
      return `deal ${s('dealId')} was lost${d.reason ? `: ${s('reason')}` : ''}`;
    case 'DealTransferred': {
      const agreed = d.transferId ? ` (transfer ${s('transferId')} proposed by ${s('proposedBy')}, approved by ${s('approvedBy')}${d.approvalReason ? `: ${s('approvalReason')}` : ''})` : '';
      return `transferred from deal ${s('fromDealId')} to deal ${s('toDealId')} after ${s('ownerIdleDays')} idle days: ${s('reason')}${agreed}`;
    }
    case 'TransferProposed':
      return `transfer ${s('transferId')} proposed by ${s('proposedBy')}: from deal ${s('fromDealId')} to deal ${s('toDealId')} after ${s('ownerIdleDays')} idle days: ${s('reason')} (nothing moves until another manager approves)`;
    case 'TransferRejected':
      return `transfer ${s('transferId')} (deal ${s('fromDealId')} to deal ${s('toDealId')}) rejected by ${s('rejectedBy')}${d.reason ? `: ${s('reason')}` : ''}`;
    case 'OwnershipRuled':
      return `ruling: deal ${s('ownerDealId')} owns the customer: ${s('reason')}`;
    case 'ContractSubmitted':
      return `contract of deal ${s('dealId')} submitted to the vendor: ${s('ports')} ports, ${fen('contractValueFen')}`;
    case 'ContractConfirmed':
      return `contract of deal ${s('dealId')} confirmed by the vendor: signed ${s('signedAt')} (${s('ports')} ports, ${fen('contractValueFen')})`;
    case 'ContractRejected':
      return `contract of deal ${s('dealId')} rejected by the vendor: ${s('reason')}`;
    case 'PaymentReceived':
      return `payment ${s('paymentId')} received: ${fen('amountFen')} (${s('line')}), owner then ${who((d.ownerPartnerId as string | null) ?? null, s('ownerDealId'))}`;
    case 'CommissionAccrued':
      return `commission ${fen('commissionFen')} accrued to partner ${s('partnerId')} (${s('tier')}, year ${s('commissionYear')}, ${s('rateBps')} bps)`;
    case 'RefundIssued':
      return `refund ${s('refundId')} of payment ${s('paymentId')}: ${fen('amountFen')}: ${s('reason')}`;
    case 'CommissionClawedBack':
      return `commission ${fen('commissionFen')} clawed back from partner ${s('partnerId')} (${s('rateBps')} bps)`;
    default:
      return e.type;
  }
}

function ownershipLine(o: OwnershipView): string {
  return `owner: ${who(o.ownerPartnerId, o.ownerDealId)} [${o.rule}]`;
}

/** The account's events as rows (CSV, .xlsx). */
function accountRows(a: AuditAnswer) {
  return a.events.map((e) => ({
      position: Number(e.position),
      occurredAt: e.occurredAt,
      recordedAt: e.recordedAt,
      actor: `${e.actor.role}:${e.actor.id}`,
      type: e.type,
      description: describeEvent(e),
      counts: e.inValidTime,
      ownerDealId: e.ownership.ownerDealId,
      ownerPartnerId: e.ownership.ownerPartnerId,
      rule: e.ownership.rule,
      hash: e.hash,
    }));
}

/** The account's events as CSV (instants as local time in the policy's zone with the offset). */
export function accountCsv(a: AuditAnswer, timeZone: string = policyZone()): string {
  return toCsv(accountRows(a), timeZone);
}

/**
 * The readable account (terminal-safe: a name's control characters are shown escaped). Instants
 * are local time in the policy's zone with the offset: 2026-07-01 00:00:00 +08:00.
 */
export function renderAccount(a: AuditAnswer, timeZone: string = policyZone()): string {
  const at = (iso: string, ms = false) => formatLocalInstant(iso, timeZone, ms);
  const lines: string[] = [];
  lines.push(`Customer ${a.customerKey}`);
  const known = a.cut.asOf === null ? `as the ledger knows it now (log position ${a.cut.position})` : `as the ledger knew it at ${at(a.cut.asOf, true)} (log position ${a.cut.position})`;
  const valid = a.cut.validAt === null ? '' : `, about the business at ${at(a.cut.validAt, true)}`;
  lines.push(`${known}${valid}; times in ${timeZone}`, '');
  let previousOwner: string | null | undefined;
  for (const e of a.events) {
    const mark = e.inValidTime ? '' : '  (occurred after the instant asked about: does not count)';
    lines.push(`#${e.position}  occurred ${at(e.occurredAt)}  recorded ${at(e.recordedAt, true)}  by ${e.actor.role} ${e.actor.id}${mark}`);
    lines.push(`    ${describeEvent(e)}`);
    if (e.ownership.ownerDealId !== previousOwner || e.type !== 'PaymentReceived') {
      lines.push(`    → ${ownershipLine(e.ownership)}`);
    }
    lines.push(`    hash ${short(e.hash)}  prev ${short(e.prevHash)}`);
    previousOwner = e.ownership.ownerDealId;
  }
  lines.push('', 'Claims (in ownership order):');
  for (const c of a.ownership.claims) {
    lines.push(
      `  ${c.dealId.padEnd(14)} ${(c.partnerId ?? 'direct').padEnd(10)} registered ${at(c.registeredAt)} (recorded ${at(c.recordedAt, true)})  stage ${c.stage ?? '-'}  ${c.status}`,
    );
  }
  lines.push('', `Owner: ${who(a.ownership.ownerPartnerId, a.ownership.ownerDealId)}`, `Rule: ${a.ownership.rule}: ${a.ownership.explanation}`);
  if (a.cut.asOf !== null) {
    lines.push('');
    if (a.laterChanges.length === 0) lines.push(`Nothing recorded after ${at(a.cut.asOf, true)} changed this answer.`);
    else {
      lines.push(`Facts recorded after ${at(a.cut.asOf, true)} that changed the answer:`);
      for (const c of a.laterChanges) {
        lines.push(`  #${c.position} ${c.type} recorded ${at(c.recordedAt, true)} (occurred ${at(c.occurredAt)}) → owner ${c.ownerAfter ?? 'nobody'} [${c.rule}]`);
      }
    }
  }
  return `${safeLines(lines.join('\n'))}\n`;
}
