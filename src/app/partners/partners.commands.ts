// The partners capability's commands (CommandBus → Ledger.execute → src/ledger/commands.ts).
import { ledgerCommand } from '../core/ledger-command.js';

export const SignPartner = ledgerCommand('signPartner');
export const PostDeposit = ledgerCommand('postDeposit');
export const DeductDeposit = ledgerCommand('deductDeposit');
export const ChangeTier = ledgerCommand('changeTier');
export const EvaluateTiers = ledgerCommand('evaluateTiers');

export const partnersCommandHandlers = [SignPartner, PostDeposit, DeductDeposit, ChangeTier, EvaluateTiers].map((c) => c.Handler);
