// The answers' shapes (2xx bodies), as zod schemas for the OpenAPI document: a route spec names
// one as its `response`. Each is checked against the TypeScript type the handler returns
// (`documents<T>()` below fails to compile when a field is missing, extra or of another type),
// and test/api/openapi.test.ts checks real answers against them. Money is integer fen, positions
// are numbers (1-based places in the whole log), instants ISO-8601 UTC strings.
import { z } from 'zod';
import type { BalanceView } from '../../../projections/balances.js';
import type { OwnershipView } from '../../../projections/ownership.js';
import type { PipelineReport } from '../../../projections/pipeline.js';
import type { WeeklyReport } from '../../domain/weekly-report.js';
import { Actor, eventSchemas, eventTypes, type EventType } from '../../domain/events.js';
import type { LedgerCommands } from '../../ledger/commands/index.js';
import type { AuditAnswer, EventsPage, PartnerAnswer, TierAnswer, VersionedStatement } from '../../ledger/queries.js';
import type { CertificateRow } from '../../../projections/readers.js';
import type { AwardAnswer, RebatesAnswer } from '../../ledger/rebate-queries.js';
import type { VerifyAnswer } from '../audit/audit.queries.js';
import type { BalancesReport, CommissionByQuarterReport, ConflictsReport, TiersReport, TimelineReport } from '../../ledger/report-queries.js';

/**
 * Compiles only when every value of T fits the schema and T has no top-level field the schema
 * leaves out: the document can neither miss a field nor promise one the answer lacks.
 */
type Documents<T, S extends z.ZodType> = [T] extends [z.output<S>] ? ([Exclude<keyof T, keyof z.output<S>>] extends [never] ? true : false) : false;
const documents =
  <T>() =>
  <S extends z.ZodType>(schema: S, ..._proof: Documents<T, S> extends true ? [] : [never]): S =>
    schema;

/** What a command's run answers (before the ledger adds `position`). */
type CommandAnswerOf<N extends keyof LedgerCommands> = Awaited<ReturnType<LedgerCommands[N]['run']>>['answer'];

const Instant = z.string().meta({ format: 'date-time', description: 'ISO-8601 instant in UTC' });
const Fen = z.number().int().meta({ description: 'Integer fen (CNY minor units)' });
const Position = z.number().int().min(1).meta({ description: "A place in the whole log: 1 for the first event, growing by one (EventStoreDB: the event's commit position + 1)" });

export const Cut = z
  .object({
    position: z.number().int().min(0).meta({ description: 'The last log position the answer includes (0: none)' }),
    asOf: Instant.nullable(),
    validAt: Instant.nullable(),
  })
  .meta({ id: 'Cut', description: 'Where an answer stands: the log cut it was read from' });

// ---- commands -------------------------------------------------------------------------------

/** Every command answer: the command's own figures, the position of its last event, and a degraded read model if it stopped. */
export const commandEnvelopeShape = {
  position: Position.nullable().meta({ description: 'The log position of the last event written; null when the command wrote nothing (a retry, an evaluation with no change)' }),
  readModel: z
    .object({ status: z.literal('degraded'), reason: z.string() })
    .optional()
    .meta({ description: 'Present when the command was written but the read model could not apply it: reads stand before it until `ledger replay`' }),
};

/** What every command route answers around the command's own figures. */
export const CommandEnvelope = z
  .object(commandEnvelopeShape)
  .catchall(z.unknown())
  .meta({ id: 'CommandAnswer', description: "The command's own figures (where the operation names them) with the position of its last event" });

const DepositFigures = {
  partnerId: z.string(),
  depositFen: Fen,
  debtFen: Fen,
  depositRequiredFen: Fen,
  shortfallFen: Fen,
};

export const SignPartnerAnswer = documents<CommandAnswerOf<'signPartner'>>()(
  z
    .object({
      partnerId: z.string(),
      name: z.string(),
      kind: z.string(),
      tier: z.string(),
      parentPartnerId: z.string().nullable(),
      territory: z.string().nullable(),
      signedAt: Instant.nullable(),
    })
    .meta({ id: 'PartnerSignedAnswer' }),
);

export const DepositAnswer = documents<CommandAnswerOf<'postDeposit'>>()(z.object(DepositFigures).meta({ id: 'DepositAnswer' }));

export const DeductionAnswer = documents<CommandAnswerOf<'deductDeposit'>>()(
  z.object({ ...DepositFigures, requestedFen: Fen, deductedFen: Fen, addedDebtFen: Fen }).meta({ id: 'DeductionAnswer' }),
);

/** A customer bill as the partner's stream holds it after the command (src/domain/customer-bills.ts). */
const CustomerBillFigures = {
  partnerId: z.string(),
  billId: z.string(),
  dealId: z.string(),
  customerKey: z.string(),
  amountFen: Fen,
  dueAt: Instant,
  collectedFen: Fen,
  outstandingFen: Fen.meta({ description: 'What is still uncollected' }),
  deductibleFrom: Instant.meta({ description: "dueAt plus the policy's grace period: from then the uncollected arrears may be deducted from the deposit" }),
  exempt: z.boolean().meta({ description: "A manager recorded the vendor's service-quality fault: never deducted" }),
  deducted: z.boolean().meta({ description: 'The arrears were deducted from the deposit: the bill is closed' }),
  recorded: z.boolean().meta({ description: 'false when the same command was recorded before (nothing written)' }),
};

export const CustomerBillAnswer = documents<CommandAnswerOf<'recordCustomerBill'>>()(z.object(CustomerBillFigures).meta({ id: 'CustomerBillAnswer' }));

export const CollectionAnswer = documents<CommandAnswerOf<'collectCustomerBill'>>()(z.object({ collectionId: z.string(), ...CustomerBillFigures }).meta({ id: 'CollectionAnswer' }));

export const ExemptionAnswer = documents<CommandAnswerOf<'exemptArrears'>>()(z.object({ ...CustomerBillFigures, exemptReason: z.string().nullable() }).meta({ id: 'ExemptionAnswer' }));

export const ArrearsDeductionAnswer = documents<CommandAnswerOf<'deductArrears'>>()(
  z
    .object({
      asOf: Instant,
      graceDays: z.number().int(),
      deductions: z.array(z.object({ partnerId: z.string(), billId: z.string(), requestedFen: Fen, deductedFen: Fen, addedDebtFen: Fen })),
    })
    .meta({ id: 'ArrearsDeductionAnswer', description: 'One line per bill deducted now (none when every deductible bill was deducted before)' }),
);

export const TierChangeAnswer = documents<CommandAnswerOf<'changeTier'>>()(
  z.object({ ...DepositFigures, from: z.string().nullable(), tier: z.string().nullable() }).meta({ id: 'TierChangeAnswer' }),
);

const ClaimStatus = z.enum(['owner', 'competing', 'lost']);
const CustomerMatch = z.object({ by: z.enum(['taxId', 'name']), input: z.string(), normalised: z.string() });

export const DealRegisteredAnswer = documents<CommandAnswerOf<'registerDeal'>>()(
  z
    .object({
      dealId: z.string(),
      customerKey: z.string(),
      match: CustomerMatch,
      ownership: z.object({ ownerDealId: z.string().nullable(), ownerPartnerId: z.string().nullable(), status: ClaimStatus }),
      rule: z.string().nullable(),
    })
    .meta({ id: 'DealRegisteredAnswer', description: "A partner's answer names the owning deal and partner only when they are its own" }),
);

const OwnershipSummary = z.object({ ownerDealId: z.string().nullable(), ownerPartnerId: z.string().nullable(), status: ClaimStatus, rule: z.string().nullable() });

export const StageAnswer = documents<CommandAnswerOf<'advanceStage'>>()(
  z.object({ dealId: z.string(), customerKey: z.string(), stage: z.string(), ownership: OwnershipSummary }).meta({ id: 'StageAnswer' }),
);

export const ForecastAnswer = documents<CommandAnswerOf<'reviseForecast'>>()(
  z
    .object({
      dealId: z.string(),
      customerKey: z.string(),
      expectedPorts: z.number().int().nullable().meta({ description: 'The revised ports; null: unchanged' }),
      expectedRevenueFen: Fen.nullable().meta({ description: 'The revised revenue estimate; null: unchanged' }),
      revisedAt: Instant,
    })
    .meta({ id: 'ForecastAnswer' }),
);

export const TransferAnswer = documents<CommandAnswerOf<'transferDeal'>>()(
  z
    .object({
      transferId: z.string(),
      status: z.literal('proposed'),
      customerKey: z.string(),
      fromDealId: z.string(),
      toDealId: z.string(),
      ownerIdleDays: z.number().int().nullable(),
      proposedBy: z.string(),
      ownership: OwnershipSummary,
    })
    .meta({ id: 'TransferAnswer', description: 'A proposal: nothing moved yet; the ownership is still the proposing deal\'s. Approve or reject it at /transfers/{transferId}' }),
);

export const TransferApprovalAnswer = documents<CommandAnswerOf<'approveTransfer'>>()(
  z
    .object({
      transferId: z.string(),
      status: z.literal('approved'),
      customerKey: z.string(),
      fromDealId: z.string(),
      toDealId: z.string(),
      ownerIdleDays: z.number().int().nullable(),
      proposedBy: z.string(),
      approvedBy: z.string(),
      ownership: OwnershipSummary,
    })
    .meta({ id: 'TransferApprovalAnswer', description: 'The handover: the ownership is now the receiving deal\'s' }),
);

export const TransferRejectionAnswer = documents<CommandAnswerOf<'rejectTransfer'>>()(
  z
    .object({
      transferId: z.string(),
      status: z.literal('rejected'),
      customerKey: z.string(),
      fromDealId: z.string(),
      toDealId: z.string(),
      reason: z.string().nullable(),
      proposedBy: z.string(),
      rejectedBy: z.string(),
      ownership: OwnershipSummary,
    })
    .meta({ id: 'TransferRejectionAnswer' }),
);

export const SubmitContractAnswer = documents<CommandAnswerOf<'submitContract'>>()(
  z
    .object({
      dealId: z.string(),
      customerKey: z.string(),
      contract: z.object({ status: z.literal('submitted'), ports: z.number().int(), contractValueFen: Fen, submittedAt: Instant }),
    })
    .meta({ id: 'SubmitContractAnswer' }),
);

export const ConfirmContractAnswer = documents<CommandAnswerOf<'confirmContract'>>()(
  z
    .object({ dealId: z.string(), customerKey: z.string(), stage: z.string().nullable(), signedAt: Instant.nullable(), ownership: OwnershipSummary })
    .meta({ id: 'ConfirmContractAnswer', description: 'The signing: the deal is signed at signedAt' }),
);

export const RejectContractAnswer = documents<CommandAnswerOf<'rejectContract'>>()(
  z.object({ dealId: z.string(), customerKey: z.string(), contract: z.object({ status: z.literal('rejected'), reason: z.string() }) }).meta({ id: 'RejectContractAnswer' }),
);

export const RulingAnswer = documents<CommandAnswerOf<'ruleOwnership'>>()(
  z
    .object({ customerKey: z.string(), ownerDealId: z.string().nullable(), ownerPartnerId: z.string().nullable(), rule: z.string(), ruleDetail: z.string() })
    .meta({ id: 'RulingAnswer' }),
);

export const PayoutAnswer = documents<CommandAnswerOf<'payOut'>>()(
  z
    .object({
      quarter: z.string(),
      payouts: z.array(
        z.object({ partnerId: z.string(), lines: z.number().int(), netFen: Fen, debtRecoveredFen: Fen, paidFen: Fen, deductedFen: Fen, addedDebtFen: Fen }),
      ),
    })
    .meta({ id: 'PayoutAnswer' }),
);

export const PaymentAnswer = documents<CommandAnswerOf<'receivePayment'>>()(
  z
    .object({
      paymentId: z.string(),
      customerKey: z.string(),
      dealId: z.string(),
      amountFen: Fen,
      ownerDealId: z.string().nullable(),
      ownerPartnerId: z.string().nullable(),
      noCommissionReason: z.string().nullable(),
      commission: z
        .object({ partnerId: z.string(), tier: z.string(), commissionYear: z.number().int(), rateBps: z.number().int(), commissionFen: Fen })
        .nullable(),
    })
    .meta({ id: 'PaymentAnswer' }),
);

export const RefundAnswer = documents<CommandAnswerOf<'issueRefund'>>()(
  z
    .object({
      refundId: z.string(),
      paymentId: z.string(),
      customerKey: z.string(),
      amountFen: Fen,
      clawback: z.object({ partnerId: z.string(), rateBps: z.number().int(), commissionFen: Fen }).nullable(),
    })
    .meta({ id: 'RefundAnswer' }),
);

// ---- partners -------------------------------------------------------------------------------

const TierStep = z.object({
  tier: z.string(),
  from: z.string().nullable(),
  since: Instant,
  recordedAt: Instant,
  position: Position,
  eventId: z.string(),
  reason: z.string(),
  source: z.enum(['signing', 'manual', 'evaluation']),
  quarter: z.string().nullable(),
  figures: z.record(z.string(), z.number()),
});

export const PartnerAnswerSchema = documents<PartnerAnswer>()(
  z
    .object({
      partnerId: z.string(),
      name: z.string(),
      kind: z.string(),
      tier: z.string().nullable(),
      parentPartnerId: z.string().nullable(),
      territory: z.string().nullable(),
      signedAt: Instant,
      tierHistory: z.array(TierStep),
    })
    .meta({ id: 'Partner' }),
);

const balanceShape = {
  partnerId: z.string(),
  accrued: Fen,
  clawedBack: Fen,
  paidOut: Fen,
  payable: Fen.meta({ description: 'accrued − clawedBack − paidOut, never negative' }),
  pendingClawback: Fen.meta({ description: 'Clawbacks above the unsettled commission, waiting for the next payout' }),
  deposit: Fen,
  debt: Fen,
  depositRequired: Fen,
  shortfall: Fen,
  creditLimit: Fen.nullable().meta({ description: 'Wholesale-voice resellers: the deposit held (null for other kinds)' }),
  trafficOutstanding: Fen,
  creditAvailable: Fen.nullable(),
  creditStatus: z.enum(['active', 'suspended']).meta({ description: "A reseller's service: suspended once outstanding traffic reaches the deposit (always active for other kinds)" }),
  rebateBalance: Fen,
};
export const BalanceAnswer = documents<BalanceView>()(z.object(balanceShape).meta({ id: 'Balance' }));

export const TiersAnswer = documents<TierAnswer[]>()(z.array(z.object({ partnerId: z.string(), tier: z.string(), since: Instant })).meta({ id: 'Tiers' }));

/** GET /partners/:id/certificates: one per evaluated quarter, by quarter. */
export const CertificatesAnswer = documents<CertificateRow[]>()(
  z
    .array(
      z.object({
        quarter: z.string().meta({ description: 'The quarter evaluated, e.g. 2026-Q1' }),
        tier: z.string().meta({ description: 'The tier certified (after the evaluation)' }),
        previousTier: z.string().meta({ description: 'The tier before the evaluation (the same when it did not move)' }),
        validFor: z.string().meta({ description: 'The quarter the certificate is valid for: the one after the quarter evaluated' }),
        validFrom: Instant,
        validTo: Instant,
        metric: z.string().meta({ description: "What the evaluation counted: signedCustomers or newPorts (the policy's tierEvaluation.metric)" }),
        figures: z.record(z.string(), z.number().int()).meta({ description: 'The figure and the thresholds it was decided on, e.g. {signedCustomers: 6, goldAtLeast: 10, silverAtLeast: 5}' }),
        certifiedAt: Instant,
        recordedAt: Instant,
      }),
    )
    .meta({ id: 'Certificates' }),
);

// ---- deals ----------------------------------------------------------------------------------

const ClaimView = z.object({
  dealId: z.string(),
  partnerId: z.string().nullable(),
  channel: z.enum(['partner', 'direct']),
  registeredAt: Instant,
  recordedAt: Instant,
  stage: z.string().nullable(),
  status: z.string(),
});

const ownershipShape = {
  customerKey: z.string(),
  ownerDealId: z.string().nullable(),
  ownerPartnerId: z.string().nullable(),
  claims: z.array(ClaimView),
  rule: z.string().meta({ description: 'first-registration, tie-to-partner, lost-claim-passed-on, transfer, ruling, …' }),
  explanation: z.string(),
};
export const OwnershipAnswer = documents<OwnershipView>()(z.object(ownershipShape).meta({ id: 'Ownership' }));

// ---- money ----------------------------------------------------------------------------------

const StatementLine = z.object({
  eventId: z.string(),
  position: Position,
  kind: z.enum(['accrual', 'clawback']),
  partnerId: z.string(),
  customerKey: z.string(),
  paymentId: z.string(),
  refundId: z.string().nullable(),
  sourceEventId: z.string(),
  sourcePosition: Position,
  revenueLine: z.string(),
  cashAt: Instant,
  cashQuarter: z.string(),
  cashFen: Fen,
  rateBps: z.number().int(),
  commissionFen: Fen.meta({ description: 'Positive for an accrual, negative for a clawback' }),
  tier: z.string().nullable(),
  commissionYear: z.number().int().nullable(),
  occurredAt: Instant,
  recordedAt: Instant,
  settledBy: z.object({ quarter: z.string(), eventId: z.string(), position: Position }).nullable(),
  priorPeriodAdjustment: z.boolean(),
  policyVersion: z.string().nullable().meta({ description: 'The policy version the recorded figure was decided under (an adjustment below names the version that replaced it)' }),
});

const StatementAdjustment = z.object({
  eventId: z.string(),
  position: Position,
  lineEventId: z.string().meta({ description: 'The line adjusted' }),
  kind: z.enum(['accrual', 'clawback']),
  paymentId: z.string(),
  refundId: z.string().nullable(),
  revenueLine: z.string(),
  cashAt: Instant,
  cashQuarter: z.string(),
  fromVersion: z.string(),
  toVersion: z.string(),
  fromRateBps: z.number().int(),
  toRateBps: z.number().int(),
  fromFen: Fen,
  toFen: Fen,
  commissionFen: Fen.meta({ description: 'Signed as the partner sees it: more commission positive, a larger clawback negative' }),
  occurredAt: Instant,
  recordedAt: Instant,
  settledBy: z.object({ quarter: z.string(), eventId: z.string(), position: Position }).nullable(),
});

export const StatementAnswer = documents<VersionedStatement>()(
  z
    .object({
      partnerId: z.string(),
      quarter: z.string(),
      lines: z.array(StatementLine),
      adjustments: z.array(StatementAdjustment).meta({ description: 'Prior-period adjustments by a back-dated policy version (CommissionAdjusted): each names the line, both versions and both amounts' }),
      accruedFen: Fen,
      clawedBackFen: Fen,
      adjustmentsFen: Fen,
      netFen: Fen.meta({ description: 'accruedFen − clawedBackFen + adjustmentsFen' }),
      payout: z
        .object({
          partnerId: z.string(),
          quarter: z.string(),
          eventId: z.string(),
          position: Position,
          occurredAt: Instant,
          recordedAt: Instant,
          netFen: Fen,
          paidFen: Fen,
          debtRecoveredFen: Fen,
        })
        .nullable(),
    })
    .meta({ id: 'Statement' }),
);

// ---- audit ----------------------------------------------------------------------------------

export const AuditAccountAnswer = documents<AuditAnswer>()(
  z
    .object({
      customerKey: z.string(),
      cut: Cut,
      events: z.array(
        z.object({
          position: Position,
          revision: z.number().int().min(0),
          eventId: z.string(),
          type: z.string(),
          occurredAt: Instant,
          recordedAt: Instant,
          actor: z.object({ role: z.string(), id: z.string() }),
          commandId: z.string().nullable(),
          prevHash: z.string(),
          hash: z.string(),
          data: z.unknown(),
          inValidTime: z.boolean().meta({ description: 'false: the event occurred after validAt and does not count' }),
          ownership: z.object(ownershipShape),
        }),
      ),
      ownership: z.object(ownershipShape),
      laterChanges: z.array(
        z.object({ position: Position, type: z.string(), recordedAt: Instant, occurredAt: Instant, ownerAfter: z.string().nullable(), rule: z.string() }),
      ),
    })
    .meta({ id: 'AuditAccount' }),
);

export const VerifyAnswerSchema = documents<VerifyAnswer>()(z
  .object({
    ok: z.boolean(),
    events: z.number().int().min(0),
    headHash: z.string().meta({ description: 'sha-256 (hex) of the last event' }),
    firstBadPosition: Position.optional(),
    problem: z.string().optional(),
  })
  .meta({ id: 'ChainCheck' }));

const envelopeShape = {
  eventId: z.string(),
  schemaVersion: z.number().int(),
  stream: z.string(),
  revision: z.number().int().min(0).meta({ description: '0-based place of the event in its stream' }),
  position: Position,
  occurredAt: Instant,
  recordedAt: Instant,
  actor: Actor,
  commandId: z.string().nullable(),
  correlationId: z.string().nullable(),
  causationId: z.string().nullable(),
  policyVersion: z.string().nullable(),
  prevHash: z.string(),
  hash: z.string(),
};

/** One event of the feed: the envelope and, by its type, that event's data (the event catalogue's own schemas). */
const WireEvent = z.discriminatedUnion(
  'type',
  eventTypes.map((type: EventType) => z.object({ ...envelopeShape, type: z.literal(type), data: eventSchemas[type] })) as unknown as [
    z.ZodObject<z.ZodRawShape>,
    ...z.ZodObject<z.ZodRawShape>[],
  ],
);

export const EventsPageAnswer = z
  .object({
    events: z.array(WireEvent),
    next: Position.nullable().meta({ description: 'The position to ask from next; null at the head of the log' }),
  })
  .meta({ id: 'EventsPage' });
// The feed's events are typed by the catalogue; the page itself must stay what the query answers.
const _eventsPage: [EventsPage['next']] extends [z.output<typeof EventsPageAnswer>['next']] ? true : never = true;
void _eventsPage;

// ---- reports --------------------------------------------------------------------------------

const DealLine = z.object({
  dealId: z.string(),
  customerKey: z.string(),
  customerName: z.string(),
  channel: z.enum(['partner', 'direct']),
  stage: z.string(),
  expectedPorts: z.number(),
  expectedRevenueFen: Fen,
  registeredAt: Instant,
  lastProgressAt: Instant,
  idleDays: z.number().int(),
  key: z.boolean().meta({ description: 'A key deal: stage 3 (solution) or later' }),
  stale: z.boolean().meta({ description: 'An open claim without progress for the idle window' }),
});

export const PipelineAnswer = documents<PipelineReport>()(
  z
    .object({
      at: Instant,
      idleWindowDays: z.number().int(),
      partners: z.array(
        z.object({
          partnerId: z.string(),
          byStage: z.array(z.object({ stage: z.string(), deals: z.number().int(), expectedPorts: z.number(), expectedRevenueFen: Fen })),
          keyDeals: z.array(DealLine),
          staleClaims: z.array(DealLine),
          deals: z.array(DealLine),
        }),
      ),
    })
    .meta({ id: 'Pipeline' }),
);

const WeeklyDealLine = z.object({
  dealId: z.string(),
  customerKey: z.string(),
  customerName: z.string(),
  stage: z.enum(['registered', 'interest', 'meeting', 'solution', 'trial', 'signed', 'lost']),
  expectedPorts: z.number().int().meta({ description: 'Ports needed, as known at the review' }),
  expectedRevenueFen: Fen.meta({ description: 'The revenue estimate, as known at the review' }),
  registeredAt: Instant,
  forecastRevisedAt: Instant.nullable().meta({ description: 'The latest forecast revision by the review; null: the registration\'s figures' }),
  signedAt: Instant.nullable(),
});

export const WeeklyAnswer = documents<WeeklyReport & { position: number }>()(
  z
    .object({
      week: z.string().meta({ description: 'The ISO week, e.g. 2025-W14' }),
      review: Instant.meta({ description: "The week's review (policy.weeklyReview, default Thursday 10:00 in the policy's zone): the report is as of it" }),
      previousReview: Instant.meta({ description: 'The previous week\'s review: "this week" is after it, up to review' }),
      month: z.string().meta({ description: "The review's month in the policy's zone, e.g. 2025-04" }),
      monthStart: Instant,
      position: z.number().int().min(0).meta({ description: 'The last log position the report includes' }),
      partners: z.array(
        z.object({
          partnerId: z.string(),
          deals: z.array(WeeklyDealLine),
          supportNeeded: z.array(WeeklyDealLine).meta({ description: 'Key deals the vendor must support: stage solution or trial' }),
          newThisWeek: z.array(WeeklyDealLine).meta({ description: 'Deals registered after the previous review, up to this one' }),
          progressOnEarlier: z
            .array(z.object({ dealId: z.string(), customerName: z.string(), from: z.string(), to: z.string() }))
            .meta({ description: 'Stage advances this week on deals registered before it: the stage at the previous review and now' }),
          monthPortForecast: z.number().int().meta({ description: "The expected ports of the partner's open deals" }),
          monthSales: z
            .object({
              ports: z.number().int(),
              deals: z.array(z.object({ dealId: z.string(), customerName: z.string(), signedAt: Instant, ports: z.number().int(), portsFrom: z.enum(['contract', 'estimate']) })),
            })
            .meta({ description: "Ports signed in the review's month and paid by the review: the contract's ports, else the deal's estimate" }),
        }),
      ),
    })
    .meta({ id: 'WeeklyReport' }),
);

export const SessionAnswer = z
  .object({ role: z.enum(['manager', 'finance', 'auditor', 'partner']), partnerId: z.string().nullable() })
  .meta({ id: 'Session' });

export const TimelineAnswer = documents<TimelineReport>()(
  z
    .object({
      events: z.number().int().min(0),
      headPosition: z.number().int().min(0),
      firstRecordedAt: Instant.nullable(),
      lastRecordedAt: Instant.nullable(),
      knownEvents: z.number().int().min(0),
      timeZone: z.string(),
    })
    .meta({ id: 'Timeline' }),
);

export const TiersReportAnswer = documents<TiersReport>()(
  z
    .object({
      quarter: z.string(),
      previousQuarter: z.string(),
      previousQuarterEnd: Instant,
      counts: z.record(z.string(), z.number().int()),
      partners: z.array(
        z.object({
          partnerId: z.string(),
          name: z.string(),
          kind: z.string(),
          parentPartnerId: z.string().nullable(),
          tier: z.string(),
          since: Instant,
          previousTier: z.string().nullable(),
        }),
      ),
    })
    .meta({ id: 'TiersReport' }),
);

const { partnerId: _partnerId, creditStatus: _creditStatus, ...totalsShape } = balanceShape;
void _partnerId;
void _creditStatus;
export const BalancesReportAnswer = documents<BalancesReport>()(
  z
    .object({
      partners: z.array(z.object({ ...balanceShape, name: z.string(), tier: z.string().nullable() })),
      totals: z.object({ ...totalsShape, creditLimit: Fen, creditAvailable: Fen }).meta({ description: "Column totals; a credit column of a partner that is not a reseller counts 0" }),
    })
    .meta({ id: 'BalancesReport' }),
);

export const CommissionByQuarterAnswer = documents<CommissionByQuarterReport>()(
  z
    .object({ quarters: z.array(z.object({ quarter: z.string(), accrued: Fen, clawedBack: Fen, paidOut: Fen })) })
    .meta({ id: 'CommissionByQuarter' }),
);

export const ConflictsAnswer = documents<ConflictsReport>()(
  z.object({ customers: z.array(z.object({ ...ownershipShape, customerName: z.string() })) }).meta({ id: 'Conflicts' }),
);

// ---- rebates --------------------------------------------------------------------------------

export const RebatesAnswerSchema = documents<RebatesAnswer>()(
  z
    .object({
      partnerId: z.string(),
      kind: z.string(),
      year: z.number().int(),
      cut: Cut,
      commitment: Fen.nullable(),
      distributorId: z.string().nullable(),
      secondLevel: z.boolean(),
      steps: z.array(z.object({ step: z.number().int(), ofTargetBps: z.number().int(), rateBps: z.number().int() })),
      illustrative: z.boolean(),
      quarters: z.array(
        z.object({
          quarter: z.string(),
          cumulativeTarget: Fen,
          purchases: Fen,
          bidPurchases: Fen,
          agentPurchases: Fen,
          cumulativePurchases: Fen,
          evaluated: z.boolean(),
          step: z.number().int(),
          rateBps: z.number().int(),
          rebate: Fen,
          payerPartnerId: z.string().nullable(),
        }),
      ),
      earned: Fen,
      paid: Fen,
      unpaid: Fen,
      owedToAgents: z.object({ total: Fen, lines: z.array(z.object({ agentId: z.string(), quarter: z.string(), amount: Fen })) }),
    })
    .meta({ id: 'Rebates' }),
);

export const AwardsAnswer = documents<AwardAnswer>()(
  z
    .object({
      year: z.number().int(),
      productLine: z.string(),
      topN: z.number().int(),
      cut: Cut,
      ranking: z.array(z.object({ rank: z.number().int(), partnerId: z.string(), name: z.string().nullable(), purchases: Fen })),
    })
    .meta({ id: 'Awards' }),
);
