// The credit capability's commands (CommandBus → Ledger.execute → src/ledger/traffic-commands.ts).
import { ledgerCommand } from '../core/ledger-command.js';

export const BillTraffic = ledgerCommand('billTraffic');
export const SettleTraffic = ledgerCommand('settleTraffic');

export const creditCommandHandlers = [BillTraffic, SettleTraffic].map((c) => c.Handler);
