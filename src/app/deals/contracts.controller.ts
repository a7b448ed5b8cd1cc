// HTTP → the contracts' commands. A partner submits only for its own deal (another's reads as an
// unknown deal) and never back-dates: the domain's own-partner rule.
import { Controller, Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { commandOf } from '../core/ledger-command.js';
import { Caller, type CallContext } from '../http/request-context.js';
import { Input, Route, type RouteInput } from '../http/route.js';
import { ConfirmContract, RejectContract, SubmitContract } from './contracts.commands.js';
import { confirmContractRoute, rejectContractRoute, submitContractRoute } from './contracts.routes.js';

@Controller()
export class ContractsController {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  @Route(submitContractRoute)
  submit(@Input() input: RouteInput<typeof submitContractRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(SubmitContract, submitContractRoute, input, call));
  }

  @Route(confirmContractRoute)
  confirm(@Input() input: RouteInput<typeof confirmContractRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(ConfirmContract, confirmContractRoute, input, call));
  }

  @Route(rejectContractRoute)
  reject(@Input() input: RouteInput<typeof rejectContractRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(RejectContract, rejectContractRoute, input, call));
  }
}
