// One @nestjs/cqrs command (and its handler) per ledger command: a controller sends
// `new X.Command(input, call)` through the CommandBus, the input being the route's params and
// body merged into the command's own input (commandInputOf); the handler runs the ledger's
// command with the caller's actor, correlation id and command id, and answers once the read
// model has caught up with what it wrote (Ledger.execute).
import { Inject, type Type } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandName, InputOf } from '../../ledger/commands/index.js';
import { dryRunForPartner } from '../../ledger/dry-run.js';
import type { Ledger } from '../../ledger/ledger.js';
import type { CommandRouteSpec } from '../http/command-route.js';
import type { CallContext } from '../http/request-context.js';
import type { RouteInput } from '../http/route.js';
import { ApiCommand } from './cqrs-base.js';
import { LEDGER } from './ledger.token.js';

export type CommandBody = Record<string, unknown>;

/** A command sent by a request: `dryRun` when its query asked for one (src/app/http/dry-run.ts). */
export abstract class LedgerApiCommand<I> extends ApiCommand<I, CommandBody> {
  constructor(
    input: I,
    call: CallContext,
    readonly dryRun = false,
  ) {
    super(input, call);
  }
}

export interface LedgerCommandPair<N extends CommandName> {
  Command: new (input: InputOf<N>, call: CallContext, dryRun?: boolean) => LedgerApiCommand<InputOf<N>>;
  Handler: Type<ICommandHandler>;
}

const pascal = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

export function ledgerCommand<N extends CommandName>(name: N): LedgerCommandPair<N> {
  class LedgerCommand extends LedgerApiCommand<InputOf<N>> {}
  Object.defineProperty(LedgerCommand, 'name', { value: pascal(name) });

  @CommandHandler(LedgerCommand)
  class LedgerCommandHandler implements ICommandHandler<LedgerCommand> {
    constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}

    async execute(command: LedgerCommand): Promise<CommandBody> {
      const { actor, correlationId, commandId, principal } = command.call;
      if (!command.dryRun) return this.ledger.execute(name, command.input, { actor, correlationId, commandId });
      const answer = await this.ledger.dryRun(name, command.input, { actor, correlationId, commandId });
      return { ...(principal.partnerId === null ? answer : dryRunForPartner(answer, principal.partnerId)) };
    }
  }
  Object.defineProperty(LedgerCommandHandler, 'name', { value: `${pascal(name)}Handler` });
  return { Command: LedgerCommand, Handler: LedgerCommandHandler };
}

/** The command a route's request sends: its params (renamed to the input's fields) and body as one input. */
export function commandOf<N extends CommandName>(pair: LedgerCommandPair<N>, route: CommandRouteSpec<N>, input: RouteInput<CommandRouteSpec<N>>, call: CallContext) {
  return new pair.Command(commandInputOf(route, input), call, input.query?.dryRun === true);
}

export function commandInputOf<N extends CommandName>(route: CommandRouteSpec<N>, input: { params: unknown; body: unknown }): InputOf<N> {
  const merged: Record<string, unknown> = { ...(input.body as object) };
  const params = (input.params ?? {}) as Record<string, unknown>;
  for (const [param, field] of Object.entries(route.pathFields)) merged[field] = params[param];
  return merged as InputOf<N>;
}
