// HTTP → a proposed transfer's approval or rejection (managers only; the proposer may do neither).
import { Controller, Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { commandOf } from '../core/ledger-command.js';
import { Caller, type CallContext } from '../http/request-context.js';
import { Input, Route, type RouteInput } from '../http/route.js';
import { ApproveTransfer, RejectTransfer } from './transfers.commands.js';
import { approveTransferRoute, rejectTransferRoute } from './transfers.routes.js';

@Controller()
export class TransfersController {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  @Route(approveTransferRoute)
  approve(@Input() input: RouteInput<typeof approveTransferRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(ApproveTransfer, approveTransferRoute, input, call));
  }

  @Route(rejectTransferRoute)
  reject(@Input() input: RouteInput<typeof rejectTransferRoute>, @Caller() call: CallContext) {
    return this.commands.execute(commandOf(RejectTransfer, rejectTransferRoute, input, call));
  }
}
