// HTTP → credit commands. Nothing here decides anything.
import { Controller, Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { commandOf } from '../core/ledger-command.js';
import { Caller, type CallContext } from '../http/request-context.js';
import { Input, Route, type RouteInput } from '../http/route.js';
import { BillTraffic, SettleTraffic } from './credit.commands.js';
import { billTrafficRoute, settleTrafficRoute } from './credit.routes.js';

@Controller()
export class CreditController {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  @Route(billTrafficRoute)
  bill(@Input() input: RouteInput<typeof billTrafficRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(BillTraffic, billTrafficRoute, input, call));
  }

  @Route(settleTrafficRoute)
  settle(@Input() input: RouteInput<typeof settleTrafficRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(SettleTraffic, settleTrafficRoute, input, call));
  }
}
