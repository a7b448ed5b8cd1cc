// The deals capability's commands (CommandBus → Ledger.execute → src/ledger/commands.ts).
import { ledgerCommand } from '../core/ledger-command.js';

export const RegisterDeal = ledgerCommand('registerDeal');
export const AdvanceStage = ledgerCommand('advanceStage');
export const ReviseForecast = ledgerCommand('reviseForecast');
export const TransferDeal = ledgerCommand('transferDeal');
export const RuleOwnership = ledgerCommand('ruleOwnership');

export const dealsCommandHandlers = [RegisterDeal, AdvanceStage, ReviseForecast, TransferDeal, RuleOwnership].map((c) => c.Handler);
