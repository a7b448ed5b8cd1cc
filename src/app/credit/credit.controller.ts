// HTTP → credit commands. Nothing here decides anything.
import { Controller, Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Caller, type CallContext } from '../http/request-context.js';
import { Input, Route, type RouteInput } from '../http/route.js';
import { BillTraffic, SettleTraffic } from './credit.commands.js';
import { billTrafficRoute, settleTrafficRoute } from './credit.routes.js';

@Controller()
export class CreditController {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  @Route(billTrafficRoute)
  bill(@Input() { params, body }: RouteInput<typeof billTrafficRoute>, @Caller() call: CallContext) {
    const input = { partnerId: params.id, billId: body.billId, amountFen: body.amount, period: body.period, occurredAt: body.occurredAt };
    return this.commands.execute(new BillTraffic.Command(input, call));
  }

  @Route(settleTrafficRoute)
  settle(@Input() { params, body }: RouteInput<typeof settleTrafficRoute>, @Caller() call: CallContext) {
    const input = { partnerId: params.id, settlementId: body.settlementId, amountFen: body.amount, occurredAt: body.occurredAt };
    return this.commands.execute(new SettleTraffic.Command(input, call));
  }
}
