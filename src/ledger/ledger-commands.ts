// The command side as the app and the CLI see it: one method per API command, taking the
// validated input (money in fen, ids, optional occurredAt) and the caller's context, answering
// with the JSON body of the 2xx answer and the log position the read model must reach before
// that answer leaves (read-your-writes). src/ledger/ledger.ts builds it over commands.ts.
import type { CommandContext } from './ledger.js';

/** Every command may carry the business time; absent means "now" (the ledger's clock). */
interface Timed {
  occurredAt?: string | undefined;
}

export interface SignPartnerInput extends Timed {
  partnerId: string;
  name: string;
  kind: 'wholesale-voice' | 'virtual-operator' | 'relationship' | 'development' | 'distributor' | 'value-added-agent';
  tier: string;
  parentPartnerId: string | null;
  territory: string | null;
}
export interface PostDepositInput extends Timed {
  partnerId: string;
  amountFen: number;
}
export interface DeductDepositInput extends Timed {
  partnerId: string;
  amountFen: number;
  reason: string;
  reference: string | null;
}
export interface ChangeTierInput extends Timed {
  partnerId: string;
  tier: string;
  reason: string;
}
export interface EvaluateTiersInput extends Timed {
  quarter: string;
}
export interface RegisterDealInput extends Timed {
  dealId: string;
  /** null: the direct sales team. */
  partnerId: string | null;
  customer: { name: string; taxId: string | null };
  expectedPorts: number | null;
  expectedRevenueFen: number | null;
}
export interface AdvanceStageInput extends Timed {
  dealId: string;
  stage: 'interest' | 'meeting' | 'solution' | 'trial' | 'signed' | 'lost';
  reason: string | null;
}
export interface TransferDealInput extends Timed {
  fromDealId: string;
  toDealId: string;
  reason: string;
}
export interface RuleOwnershipInput extends Timed {
  customerKey: string;
  ownerDealId: string;
  reason: string;
}
export interface ReceivePaymentInput extends Timed {
  paymentId: string;
  dealId: string;
  line: 'port' | 'conference' | 'long-distance';
  amountFen: number;
}
export interface IssueRefundInput extends Timed {
  refundId: string;
  paymentId: string;
  amountFen: number;
  reason: string;
}
export interface PayOutInput extends Timed {
  quarter: string;
}

export interface BillTrafficInput extends Timed {
  partnerId: string;
  billId: string;
  amountFen: number;
  period: string;
}
export interface SettleTrafficInput extends Timed {
  partnerId: string;
  settlementId: string;
  amountFen: number;
}

export interface SetCommitmentInput extends Timed {
  partnerId: string;
  year: number;
  amountFen: number;
}
export interface RecordPurchaseInput extends Timed {
  purchaseId: string;
  partnerId: string;
  amountFen: number;
  productLine: string;
  bid: boolean;
}
export interface LockToDistributorInput extends Timed {
  partnerId: string;
  distributorId: string;
}
export interface EvaluateRebatesInput extends Timed {
  quarter: string;
}
export interface PayRebateInput extends Timed {
  partnerId: string;
  rebatePaymentId: string;
  amountFen: number;
  /** "vendor" or the distributor's id; absent: the agent's distributor, else the vendor. */
  payer: string | null;
}

export interface CommandAnswer {
  /** The answer's JSON body (API.md's shape where it fixes one). */
  body: Record<string, unknown>;
  /** The highest log position the command wrote, or null when it wrote nothing. */
  position: bigint | null;
}

export interface LedgerCommands {
  signPartner(input: SignPartnerInput, ctx: CommandContext): Promise<CommandAnswer>;
  postDeposit(input: PostDepositInput, ctx: CommandContext): Promise<CommandAnswer>;
  deductDeposit(input: DeductDepositInput, ctx: CommandContext): Promise<CommandAnswer>;
  changeTier(input: ChangeTierInput, ctx: CommandContext): Promise<CommandAnswer>;
  evaluateTiers(input: EvaluateTiersInput, ctx: CommandContext): Promise<CommandAnswer>;
  registerDeal(input: RegisterDealInput, ctx: CommandContext): Promise<CommandAnswer>;
  advanceStage(input: AdvanceStageInput, ctx: CommandContext): Promise<CommandAnswer>;
  transferDeal(input: TransferDealInput, ctx: CommandContext): Promise<CommandAnswer>;
  ruleOwnership(input: RuleOwnershipInput, ctx: CommandContext): Promise<CommandAnswer>;
  receivePayment(input: ReceivePaymentInput, ctx: CommandContext): Promise<CommandAnswer>;
  issueRefund(input: IssueRefundInput, ctx: CommandContext): Promise<CommandAnswer>;
  payOut(input: PayOutInput, ctx: CommandContext): Promise<CommandAnswer>;
  billTraffic(input: BillTrafficInput, ctx: CommandContext): Promise<CommandAnswer>;
  settleTraffic(input: SettleTrafficInput, ctx: CommandContext): Promise<CommandAnswer>;
  setCommitment(input: SetCommitmentInput, ctx: CommandContext): Promise<CommandAnswer>;
  recordPurchase(input: RecordPurchaseInput, ctx: CommandContext): Promise<CommandAnswer>;
  lockToDistributor(input: LockToDistributorInput, ctx: CommandContext): Promise<CommandAnswer>;
  evaluateRebates(input: EvaluateRebatesInput, ctx: CommandContext): Promise<CommandAnswer>;
  payRebate(input: PayRebateInput, ctx: CommandContext): Promise<CommandAnswer>;
}

export type CommandName = keyof LedgerCommands;
