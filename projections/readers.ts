// The query side's one door to the read model: every projection's readers, each defined beside
// its projection's tables and apply (one file per projection). Per-entity answers read an index
// range of that entity's rows; none of them scans the whole log.
export { balanceTotalsAt } from './balances.js';
export { positionRecordedBy, resolveCut } from './clock.js';
export {
  claimEventsAt,
  type ClaimEventRow,
  contractPortsAt,
  customerExists,
  customerKeyOfDeal,
  customerKeyOfTransfer,
  customerKeysNamed,
} from './ownership.js';
export {
  certificatesAt,
  type CertificateRow,
  partnerAt,
  type PartnerRow,
  partnersAt,
  partnersContentKey,
  tierAt,
  tierHistoryAt,
  tiersAt,
} from './partners.js';
export { dealFactsAt, signingsInQuarter } from './pipeline.js';
export { forgetStatements } from './sql.js';
export { customerKeyOfPayment, firstPaymentsAt, payoutAt, statementAdjustmentsAt, statementLinesAt, unsettledLinesOf } from './statements.js';
