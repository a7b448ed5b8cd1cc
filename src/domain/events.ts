// The event catalogue: one zod schema per event type, their union, their versions, and the
// upcasting hook that lifts an old stored version to the current one on read.
// Pure: no I/O, no clock. Money is integer fen, rates are basis points, times are ISO-8601 UTC.
import { z } from 'zod';

/** An integer number of fen (CNY minor units) that JavaScript represents exactly. */
export const Fen = z.number().int().refine(Number.isSafeInteger, 'must be a safe integer number of fen');
export const NonNegativeFen = Fen.refine((n) => n >= 0, 'must not be negative');
export const PositiveFen = Fen.refine((n) => n > 0, 'must be greater than zero');
export const Bps = z.number().int().min(0).max(1_000_000);

/** An instant as ISO-8601 in UTC with milliseconds, the form Date#toISOString writes. */
export const Instant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'must be an ISO-8601 UTC instant like 2026-07-01T00:00:00.000Z')
  .refine((s) => isCalendarInstant(s) || (!Number.isNaN(Date.parse(s)) && new Date(s).toISOString() === s), 'must be a real calendar instant');

const ISO_INSTANT_FIELDS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{3}Z$/;

/**
 * Instant's pattern, and a day, hour, minute and second that exist: accepts a subset of what
 * Instant's Date round trip accepts (test/unit/store/prepare-append.test.ts), without the Date,
 * so the schema asks the Date only about what this refuses (the bulk paths validate every
 * instant of a history).
 */
export function isCalendarInstant(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = ISO_INSTANT_FIELDS.exec(value);
  if (m === null) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return day <= days;
}

export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be 1–64 letters, digits, ".", "_", ":" or "-", starting with a letter or digit');
export const Text = z.string().trim().min(1).max(500);
export const Quarter = z.string().regex(/^\d{4}-Q[1-4]$/, 'must be a quarter like 2026-Q3');

export const TierName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a tier name like gold');
export const PartnerKind = z.enum([
  'wholesale-voice',
  'virtual-operator',
  'relationship',
  'development',
  'distributor',
  'value-added-agent',
]);
export const Stage = z.enum(['interest', 'meeting', 'solution', 'trial', 'signed']);
/** The revenue lines commission is earned on; `asp`: the customers' ASP service (src/domain/asp-line.ts). */
export const RevenueLine = z.enum(['port', 'conference', 'long-distance', 'asp']);
export const Channel = z.enum(['partner', 'direct']);
export const Role = z.enum(['manager', 'finance', 'auditor', 'partner', 'system']);

/** How a customer's key was formed, kept in the event so an auditor sees why two claims met. */
export const CustomerMatch = z.object({
  by: z.enum(['taxId', 'name']),
  input: z.string(),
  normalised: z.string().min(1),
});

export const CustomerRef = z.object({
  name: Text,
  taxId: z.string().nullable(),
});

// ---- partner stream: partner-<partnerId> -------------------------------------------------

export const PartnerSigned = z.object({
  partnerId: Id,
  name: Text,
  kind: PartnerKind,
  tier: TierName,
  parentPartnerId: Id.nullable(),
  territory: Text.nullable(),
});

export const DepositPosted = z.object({
  partnerId: Id,
  amountFen: PositiveFen,
});

/** Deposits never go negative: `deductedFen` left the deposit, `debtFen` is what it could not cover. */
export const DepositDeducted = z.object({
  partnerId: Id,
  requestedFen: PositiveFen,
  deductedFen: NonNegativeFen,
  debtFen: NonNegativeFen,
  reason: Text,
  reference: Text.nullable(),
});

export const TierChanged = z.object({
  partnerId: Id,
  from: TierName,
  to: TierName,
  reason: Text,
  source: z.enum(['manual', 'evaluation']),
  quarter: Quarter.nullable(),
  /** The figures the change was decided on, e.g. {signedCustomers: 11}. */
  figures: z.record(z.string(), z.number().int()),
});

/** What a quarter's tier evaluation counts (the policy's tierEvaluation.metric). */
export const TierMetric = z.enum(['signedCustomers', 'newPorts']);

/**
 * A quarter's tier certificate (src/domain/tier-certificate.ts): every partner evaluated for the
 * quarter gets one, whether or not its tier moved, valid for one quarter: the next.
 */
export const TierCertified = z.object({
  partnerId: Id,
  /** The quarter evaluated. */
  quarter: Quarter,
  /** The tier certified (the tier after the evaluation). */
  tier: TierName,
  /** The tier before the evaluation (the same as `tier` when it did not move). */
  previousTier: TierName,
  /** The quarter the certificate is valid for, from its first instant to its last. */
  validFor: Quarter,
  validFrom: Instant,
  validTo: Instant,
  metric: TierMetric,
  /** The figures it was decided on, e.g. {signedCustomers: 6, goldAtLeast: 10, silverAtLeast: 5}. */
  figures: z.record(z.string(), z.number().int()),
});

/** One commission line settled by a payout, by the event that produced it. */
export const SettledLine = z.object({
  eventId: z.uuid(),
  commissionFen: Fen,
});

export const CommissionPaidOut = z.object({
  partnerId: Id,
  quarter: Quarter,
  /** Lines with cash on or before this instant (the quarter's end) and not yet paid are settled. */
  quarterEnd: Instant,
  /** The log position up to which lines were known when the payout was decided. */
  throughPosition: z.string().regex(/^\d+$/),
  lines: z.array(SettledLine),
  /** Σ lines: accruals minus clawbacks. */
  netFen: Fen,
  /** Debt carried from earlier payouts that this payout recovered. */
  debtRecoveredFen: NonNegativeFen,
  /** What the partner is paid: never negative. */
  paidFen: NonNegativeFen,
});

// ---- wholesale-voice traffic (partner stream): the deposit is the reseller's credit limit ----

/** A billing period: the month the traffic was carried in, e.g. "2026-07". */
export const BillingPeriod = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month like 2026-07');

/** Traffic billed to a wholesale-voice reseller: always recorded (a bill is a fact, even past the limit). */
export const TrafficBilled = z.object({
  billId: Id,
  partnerId: Id,
  amountFen: PositiveFen,
  period: BillingPeriod,
  /** The decision's figures: the deposit (credit limit) and the unpaid traffic after this bill. */
  creditLimitFen: NonNegativeFen,
  outstandingFen: NonNegativeFen,
  /** True when the bill was recorded while the reseller's credit was suspended (absent before suspension existed: false). */
  whileSuspended: z.boolean().optional(),
});

/** The reseller paid billed traffic; never more than what is outstanding. */
export const TrafficSettled = z.object({
  settlementId: Id,
  partnerId: Id,
  amountFen: PositiveFen,
  /** Unpaid traffic after this settlement. */
  outstandingFen: NonNegativeFen,
});

/** What moved the reseller's figures across its limit: the event the status change follows. */
export const CreditCause = z.enum(['TrafficBilled', 'TrafficSettled', 'DepositPosted', 'DepositDeducted']);

/** Outstanding traffic reached the deposit: the reseller's service stops (src/domain/credit-suspension.ts). */
export const CreditSuspended = z.object({
  partnerId: Id,
  creditLimitFen: NonNegativeFen,
  outstandingFen: NonNegativeFen,
  cause: CreditCause,
});

/** A top-up or a settlement brought outstanding traffic back under the deposit: service resumes. */
export const CreditResumed = z.object({
  partnerId: Id,
  creditLimitFen: NonNegativeFen,
  outstandingFen: NonNegativeFen,
  cause: CreditCause,
});

// ---- customer bills and arrears (partner stream): what the partner must collect -------------

/** A bill to one of the partner's signed customers that the partner is to collect (src/domain/customer-bills.ts). */
export const CustomerBillIssued = z.object({
  partnerId: Id,
  billId: Id,
  /** The partner's signed deal the bill is for, and its customer. */
  dealId: Id,
  customerKey: z.string().min(1),
  amountFen: PositiveFen,
  /** When the customer was to pay; arrears are deductible from the deposit after the policy's grace period. */
  dueAt: Instant,
});

/** The partner collected (part of) the bill. */
export const CustomerBillCollected = z.object({
  partnerId: Id,
  billId: Id,
  collectionId: Id,
  amountFen: PositiveFen,
  /** What is left uncollected after this collection. */
  outstandingFen: NonNegativeFen,
});

/** A manager found the bill's arrears come from the vendor's own service-quality fault: never deducted from the deposit. */
export const ArrearsExempted = z.object({
  partnerId: Id,
  billId: Id,
  reason: Text,
  /** The uncollected amount exempted. */
  outstandingFen: NonNegativeFen,
});

// ---- rebate programmes (partner stream): commitments, purchases, step rebates ---------------

export const RebateYear = z.number().int().min(2000).max(2999);
export const ProductLine = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a product line like high-end');

/** A partner's yearly purchase commitment (set again before the year's first evaluation to change it). */
export const CommitmentSet = z.object({
  partnerId: Id,
  year: RebateYear,
  amountFen: PositiveFen,
  /** The commitment it replaces, or null. */
  previousFen: PositiveFen.nullable(),
});

/** A purchase from the vendor (its occurredAt places it in a quarter). Bids climb steps, earn nothing. */
export const PurchaseRecorded = z.object({
  purchaseId: Id,
  partnerId: Id,
  amountFen: PositiveFen,
  productLine: ProductLine,
  bid: z.boolean(),
  /** The distributor a locked agent bought through, or null. */
  distributorId: Id.nullable(),
});

/** A value-added agent buys through this one distributor from now on; the distributor owes its rebates. */
export const LockedToDistributor = z.object({
  partnerId: Id,
  distributorId: Id,
  /** true: a three-party agreement makes the agent a second-level agent (its own 2 steps, paid by the distributor); absent: an ordinary lock. */
  secondLevel: z.literal(true).optional(),
});

/** One quarter's evaluation of a partner's step rebate, with every figure it was decided on. */
export const RebateEarned = z.object({
  partnerId: Id,
  year: RebateYear,
  quarter: Quarter,
  /** Who owes it: null for the vendor, else the distributor the agent is locked to. */
  payerPartnerId: Id.nullable(),
  commitmentFen: PositiveFen,
  cumulativeTargetFen: NonNegativeFen,
  cumulativePurchasesFen: NonNegativeFen,
  /** Cumulative purchases that earn rebate (bids excluded). */
  cumulativeEligibleFen: NonNegativeFen,
  /** 0 when no step is reached; 1-based otherwise. */
  step: z.number().int().min(0).max(20),
  stepThresholdFen: NonNegativeFen,
  rateBps: Bps,
  /** rate × cumulative eligible purchases, rounded once. */
  cumulativeRebateFen: NonNegativeFen,
  /** Rebates of the same year earned in earlier quarters. */
  earnedBeforeFen: NonNegativeFen,
  /** max(0, cumulativeRebateFen − earnedBeforeFen): a rebate once earned is never taken back. */
  amountFen: NonNegativeFen,
  /**
   * A distributor: its locked agents' purchases through it in the year up to this quarter (bids
   * included), per agent. They are part of cumulativePurchasesFen (they climb its steps) and not
   * of cumulativeEligibleFen (the agent earns the rebate on them). Absent when there are none.
   */
  lockedAgentPurchases: z.array(z.object({ partnerId: Id, cumulativePurchasesFen: PositiveFen })).min(1).optional(),
});

/** A rebate paid to the partner, by the vendor (payer null) or by its distributor. */
export const RebatePaid = z.object({
  rebatePaymentId: Id,
  partnerId: Id,
  payerPartnerId: Id.nullable(),
  amountFen: PositiveFen,
});

// ---- customer stream: customer-<customerKey> ---------------------------------------------

export const DealRegistered = z.object({
  dealId: Id,
  customerKey: z.string().min(1),
  customer: CustomerRef,
  match: CustomerMatch,
  channel: Channel,
  /** null for the direct sales team. */
  partnerId: Id.nullable(),
  expectedPorts: z.number().int().min(0).max(10_000_000).nullable(),
  expectedRevenueFen: NonNegativeFen.nullable(),
});

export const DealStageAdvanced = z.object({
  dealId: Id,
  customerKey: z.string().min(1),
  from: Stage.nullable(),
  stage: Stage,
});

export const DealLost = z.object({
  dealId: Id,
  customerKey: z.string().min(1),
  reason: Text.nullable(),
});

/**
 * The week's revised estimates of an open deal (src/domain/weekly-report.ts): each revision is
 * an event, so a weekly report as of any review shows the figures known then. null: unchanged.
 */
export const ForecastRevised = z.object({
  dealId: Id,
  customerKey: z.string().min(1),
  expectedPorts: z.number().int().min(0).max(10_000_000).nullable(),
  expectedRevenueFen: NonNegativeFen.nullable(),
});

/** A manager's id as the ledger records it: the token's name (src/app/auth/tokens.ts). */
export const ManagerId = z.string().min(1).max(128);

/**
 * The handover itself: ownership moves to toDealId. Since two departments agree on a handover
 * (src/domain/transfers.ts) it is the approval of a TransferProposed, which it names; a transfer
 * recorded before proposals existed has none of the three optional fields.
 */
export const DealTransferred = z.object({
  customerKey: z.string().min(1),
  fromDealId: Id,
  toDealId: Id,
  reason: Text,
  /** Whole days between the owner's last progress and the transfer. */
  ownerIdleDays: z.number().int().min(0),
  /** The proposal this approval carries out. */
  transferId: Id.optional(),
  proposedBy: ManagerId.optional(),
  approvedBy: ManagerId.optional(),
  /** The approving manager's own words, when given. */
  approvalReason: Text.optional(),
});

/** A manager proposes handing the customer to another live claim; nothing moves until another manager approves. */
export const TransferProposed = z.object({
  transferId: Id,
  customerKey: z.string().min(1),
  fromDealId: Id,
  toDealId: Id,
  reason: Text,
  /** Whole days between the owner's last progress and the proposal. */
  ownerIdleDays: z.number().int().min(0),
  proposedBy: ManagerId,
});

/** Another manager refused the proposed transfer: ownership stays. */
export const TransferRejected = z.object({
  transferId: Id,
  customerKey: z.string().min(1),
  fromDealId: Id,
  toDealId: Id,
  reason: Text.nullable(),
  rejectedBy: ManagerId,
});

export const OwnershipRuled = z.object({
  customerKey: z.string().min(1),
  ownerDealId: Id,
  reason: Text,
});

export const PaymentReceived = z.object({
  paymentId: Id,
  customerKey: z.string().min(1),
  dealId: Id,
  line: RevenueLine,
  amountFen: PositiveFen,
  /** The claim that owned the customer when the cash was received, and its partner (null: direct sales). */
  ownerDealId: Id,
  ownerPartnerId: Id.nullable(),
  /** Why no CommissionAccrued follows, when none does (direct sales, outside the two-year window). */
  noCommissionReason: Text.nullable(),
});

export const CommissionAccrued = z.object({
  paymentId: Id,
  customerKey: z.string().min(1),
  dealId: Id,
  partnerId: Id,
  line: RevenueLine,
  cashFen: PositiveFen,
  tier: TierName,
  commissionYear: z.number().int().min(1),
  rateBps: Bps,
  commissionFen: NonNegativeFen,
});

export const RefundIssued = z.object({
  refundId: Id,
  paymentId: Id,
  customerKey: z.string().min(1),
  amountFen: PositiveFen,
  reason: Text,
});

export const CommissionClawedBack = z.object({
  refundId: Id,
  paymentId: Id,
  customerKey: z.string().min(1),
  partnerId: Id,
  line: RevenueLine,
  refundedCashFen: PositiveFen,
  rateBps: Bps,
  commissionFen: NonNegativeFen,
});

// ---- contracts (customer stream): the vendor's paper (src/domain/contracts.ts) ---------------

export const ContractPorts = z.number().int().min(1).max(10_000_000);

/** The owning claim's customer agreement, submitted to the vendor (by its partner or a manager). */
export const ContractSubmitted = z.object({
  customerKey: z.string().min(1),
  dealId: Id,
  ports: ContractPorts,
  contractValueFen: PositiveFen,
});

/**
 * The vendor confirmed the pending contract: the signing. The deal is signed at `signedAt` (the
 * event's occurredAt), with the same effect as DealStageAdvanced to signed (commission years, tiers).
 */
export const ContractConfirmed = z.object({
  customerKey: z.string().min(1),
  dealId: Id,
  /** The stage the deal was at before the signing. */
  from: Stage.nullable(),
  ports: ContractPorts,
  contractValueFen: PositiveFen,
  signedAt: Instant,
});

/** The vendor refused the pending contract; the claim may submit another. */
export const ContractRejected = z.object({
  customerKey: z.string().min(1),
  dealId: Id,
  reason: Text,
  /** The refused contract's figures. */
  ports: ContractPorts,
  contractValueFen: PositiveFen,
});

// ---- the programme's policy versions (the policy stream) ------------------------------------

/** A version of the programme's policy, adopted: the whole document (checked by policy.ts loadPolicy). */
export const PolicyAdopted = z.object({
  version: z.string().min(1).max(64),
  /** The first date (in the policy's time zone) the version is in force. */
  effectiveFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-01-01'),
  /** The policy document as adopted (the shape of a policy file). */
  document: z.record(z.string(), z.unknown()),
  reason: Text,
});

/**
 * A commission line re-decided under the version now in force at its cash date (a back-dated
 * adoption, src/domain/policy-adoption.ts): what was recorded and what the version gives, and
 * the difference, which the next payout settles as a prior-period adjustment.
 */
export const CommissionAdjusted = z.object({
  /** The adoption that caused it. */
  adoptedVersion: z.string().min(1).max(64),
  partnerId: Id,
  customerKey: z.string().min(1),
  paymentId: Id,
  refundId: Id.nullable(),
  /** The line adjusted: its CommissionAccrued or CommissionClawedBack event. */
  lineEventId: z.uuid(),
  kind: z.enum(['accrual', 'clawback']),
  line: RevenueLine,
  /** When the cash the line earns on was received (the business time that picks the version). */
  cashAt: Instant,
  /** When the line's own fact happened: the cash (accrual) or the refund (clawback). */
  lineAt: Instant,
  fromVersion: z.string().min(1).max(64),
  toVersion: z.string().min(1).max(64),
  fromRateBps: Bps,
  toRateBps: Bps,
  fromFen: NonNegativeFen,
  toFen: NonNegativeFen,
  /** toFen − fromFen: added to accrued (accrual) or clawedBack (clawback). */
  adjustmentFen: Fen,
});

// ---- the catalogue ------------------------------------------------------------------------

/** Each event type with the schema of its current version. */
export const eventSchemas = {
  PartnerSigned,
  DepositPosted,
  DepositDeducted,
  TierChanged,
  TierCertified,
  CommissionPaidOut,
  DealRegistered,
  DealStageAdvanced,
  DealLost,
  ForecastRevised,
  DealTransferred,
  OwnershipRuled,
  PaymentReceived,
  CommissionAccrued,
  RefundIssued,
  CommissionClawedBack,
  ContractSubmitted,
  ContractConfirmed,
  ContractRejected,
  TransferProposed,
  TransferRejected,
  TrafficBilled,
  TrafficSettled,
  CreditSuspended,
  CreditResumed,
  CustomerBillIssued,
  CustomerBillCollected,
  ArrearsExempted,
  CommitmentSet,
  PurchaseRecorded,
  LockedToDistributor,
  RebateEarned,
  RebatePaid,
  PolicyAdopted,
  CommissionAdjusted,
} as const;

export type EventType = keyof typeof eventSchemas;
export const eventTypes = Object.keys(eventSchemas) as EventType[];
export const EventTypeSchema = z.enum(eventTypes as [EventType, ...EventType[]]);

export type EventDataOf<T extends EventType> = z.infer<(typeof eventSchemas)[T]>;

/** A ledger event as the domain sees it: a discriminated union on `type`. */
export type LedgerEvent = { [T in EventType]: { type: T; data: EventDataOf<T> } }[EventType];
export type EventOf<T extends EventType> = Extract<LedgerEvent, { type: T }>;

/** The current schema version of every event type. A type's version goes up when its shape changes. */
export const currentSchemaVersion: Record<EventType, number> = Object.fromEntries(
  eventTypes.map((t) => [t, 1]),
) as Record<EventType, number>;

/**
 * Upcasters: `upcasters[type][v]` lifts version v's data to version v + 1. Stored events are
 * never rewritten; reading an old version runs the chain up to the current version.
 */
export type Upcaster = (data: unknown) => unknown;
export const upcasters: Partial<Record<EventType, Record<number, Upcaster>>> = {};

export class SchemaViolationError extends Error {
  override readonly name = 'SchemaViolation';
  constructor(
    readonly eventType: string,
    readonly issues: ReadonlyArray<{ path: string; message: string }>,
  ) {
    super(`${eventType} violates its schema: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
  }
}

export function zodIssues(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/** Validates an event's data against its type's current schema; throws SchemaViolationError. */
export function parseEvent(type: string, data: unknown): LedgerEvent {
  const parsedType = EventTypeSchema.safeParse(type);
  if (!parsedType.success) {
    throw new SchemaViolationError(type, [{ path: 'type', message: `unknown event type "${type}"` }]);
  }
  const result = eventSchemas[parsedType.data].safeParse(data);
  if (!result.success) throw new SchemaViolationError(type, zodIssues(result.error));
  return { type: parsedType.data, data: result.data } as LedgerEvent;
}

/** Lifts stored data of `schemaVersion` to the current version, then validates it. */
export function upcastEvent(type: string, schemaVersion: number, data: unknown): LedgerEvent {
  const parsedType = EventTypeSchema.safeParse(type);
  if (!parsedType.success) {
    throw new SchemaViolationError(type, [{ path: 'type', message: `unknown event type "${type}"` }]);
  }
  const target = currentSchemaVersion[parsedType.data];
  if (schemaVersion > target) {
    throw new SchemaViolationError(type, [
      { path: 'schemaVersion', message: `version ${schemaVersion} is newer than this ledger knows (${target})` },
    ]);
  }
  let lifted = data;
  for (let v = schemaVersion; v < target; v++) {
    const up = upcasters[parsedType.data]?.[v];
    if (!up) {
      throw new SchemaViolationError(type, [{ path: 'schemaVersion', message: `no upcaster from version ${v}` }]);
    }
    lifted = up(lifted);
  }
  return parseEvent(type, lifted);
}

// ---- the envelope -------------------------------------------------------------------------

export const Actor = z.object({
  role: Role,
  /** The token's partner id for partners, the token's name otherwise; "ledger" for the system. */
  id: z.string().min(1).max(128),
});
export type Actor = z.infer<typeof Actor>;

/** Stream names: partner-<partnerId> and customer-<customerKey>. */
export const partnerStream = (partnerId: string): string => `partner-${partnerId}`;
export const customerStream = (customerKey: string): string => `customer-${customerKey}`;
/** The programme's policy versions and the adjustments their adoptions caused. */
export const POLICY_STREAM = 'policy';

/** A stored event: the domain event inside the envelope of DESIGN.md. */
export interface EventEnvelope<E extends LedgerEvent = LedgerEvent> {
  eventId: string;
  type: E['type'];
  schemaVersion: number;
  stream: string;
  /** 0-based position of the event in its stream. */
  revision: bigint;
  /** 1-based position of the event in the whole log; only grows. */
  position: bigint;
  occurredAt: string;
  recordedAt: string;
  actor: Actor;
  commandId: string | null;
  correlationId: string | null;
  causationId: string | null;
  policyVersion: string | null;
  prevHash: string;
  hash: string;
  data: E['data'];
}

export type StoredEvent<T extends EventType = EventType> = EventEnvelope<EventOf<T>>;
