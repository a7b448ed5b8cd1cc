// The policies capability's command (CommandBus → Ledger.execute → src/ledger/commands/policies.ts).
import { ledgerCommand } from '../core/ledger-command.js';

export const AdoptPolicy = ledgerCommand('adoptPolicy');

export const policiesCommandHandlers = [AdoptPolicy.Handler];
