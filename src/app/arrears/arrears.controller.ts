// HTTP → arrears commands. Nothing here decides anything.
import { Controller, Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { commandOf } from '../core/ledger-command.js';
import { Caller, type CallContext } from '../http/request-context.js';
import { Input, Route, type RouteInput } from '../http/route.js';
import { CollectCustomerBill, DeductArrears, ExemptArrears, RecordCustomerBill } from './arrears.commands.js';
import { collectCustomerBillRoute, deductArrearsRoute, exemptArrearsRoute, recordCustomerBillRoute } from './arrears.routes.js';

@Controller()
export class ArrearsController {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  @Route(recordCustomerBillRoute)
  bill(@Input() input: RouteInput<typeof recordCustomerBillRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(RecordCustomerBill, recordCustomerBillRoute, input, call));
  }

  @Route(collectCustomerBillRoute)
  collect(@Input() input: RouteInput<typeof collectCustomerBillRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(CollectCustomerBill, collectCustomerBillRoute, input, call));
  }

  @Route(exemptArrearsRoute)
  exempt(@Input() input: RouteInput<typeof exemptArrearsRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(ExemptArrears, exemptArrearsRoute, input, call));
  }

  @Route(deductArrearsRoute)
  deduct(@Input() input: RouteInput<typeof deductArrearsRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(DeductArrears, deductArrearsRoute, input, call));
  }
}
