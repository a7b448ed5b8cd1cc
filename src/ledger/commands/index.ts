// Every command of the ledger by name: HTTP routes, the CLI and the demo dispatch through this
// one table (Ledger.execute), each with the input its schema gives.
import type { z } from 'zod';
import type { CommandCtx, CommandDeps, CommandSpec } from '../command-handling.js';
import { confirmContract, rejectContract, submitContract } from './contracts.js';
import { advanceStage, registerDeal, reviseForecast, ruleOwnership } from './deals.js';
import { issueRefund, receivePayment } from './money.js';
import { changeTier, deductDeposit, postDeposit, signPartner } from './partners.js';
import { payOut } from './payouts.js';
import { adoptPolicy } from './policies.js';
import { evaluateRebates, lockToDistributor, payRebate, recordPurchase, setCommitment } from './rebates.js';
import { evaluateTiers } from './tiers.js';
import { billTraffic, settleTraffic } from './traffic.js';
import { collectCustomerBill, deductArrears, exemptArrears, recordCustomerBill } from './arrears.js';
import { approveTransfer, rejectTransfer, transferDeal } from './transfers.js';

export const ledgerCommands = {
  signPartner,
  postDeposit,
  deductDeposit,
  changeTier,
  evaluateTiers,
  registerDeal,
  advanceStage,
  reviseForecast,
  transferDeal,
  approveTransfer,
  rejectTransfer,
  ruleOwnership,
  submitContract,
  confirmContract,
  rejectContract,
  receivePayment,
  issueRefund,
  payOut,
  billTraffic,
  settleTraffic,
  recordCustomerBill,
  collectCustomerBill,
  exemptArrears,
  deductArrears,
  setCommitment,
  recordPurchase,
  lockToDistributor,
  evaluateRebates,
  payRebate,
  adoptPolicy,
} as const;

export type LedgerCommands = typeof ledgerCommands;
export type CommandName = keyof LedgerCommands;
/** A command's input as its schema gives it (after parsing: defaults applied, instants canonical). */
export type InputOf<N extends CommandName> = z.output<LedgerCommands[N]['input']>;
/** A command's input as a caller writes it (before parsing). */
export type RawInputOf<N extends CommandName> = z.input<LedgerCommands[N]['input']>;

for (const [name, spec] of Object.entries(ledgerCommands) as Array<[string, CommandSpec]>) {
  if (spec.name !== name) throw new Error(`invariant: command ${name} is registered as ${spec.name}`);
}

/** A command's outcome as its run gives it. */
export type OutcomeOf<N extends CommandName> = Awaited<ReturnType<LedgerCommands[N]['run']>>;

/** Runs one command on its (parsed) input: the one door from every caller to the handlers. */
export function runCommand<N extends CommandName>(name: N, deps: CommandDeps, input: InputOf<N>, ctx: CommandCtx): Promise<OutcomeOf<N>> {
  const spec = ledgerCommands[name] as unknown as { run(deps: CommandDeps, input: InputOf<N>, ctx: CommandCtx): Promise<OutcomeOf<N>> };
  // An adoption runs alone in this process (policy-book.ts): every decision is made before it or under it.
  if (deps.policies) return deps.policies.gate(name === 'adoptPolicy', () => spec.run(deps, input, ctx));
  return spec.run(deps, input, ctx);
}
