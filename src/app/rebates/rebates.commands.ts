// The rebate capability's commands (CommandBus → Ledger.execute → src/ledger/rebate-commands.ts).
import { ledgerCommand } from '../core/ledger-command.js';

export const SetCommitment = ledgerCommand('setCommitment');
export const RecordPurchase = ledgerCommand('recordPurchase');
export const LockToDistributor = ledgerCommand('lockToDistributor');
export const EvaluateRebates = ledgerCommand('evaluateRebates');
export const PayRebate = ledgerCommand('payRebate');

export const rebatesCommandHandlers = [SetCommitment, RecordPurchase, LockToDistributor, EvaluateRebates, PayRebate].map((c) => c.Handler);
