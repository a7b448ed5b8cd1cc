// One @nestjs/cqrs command (and its handler) per ledger command: the controller sends
// `new X.Command(input, call)` through the CommandBus; the handler runs the ledger's command
// with the caller's actor, correlation id and command id, and answers once the read model has
// caught up with what it wrote (Ledger.execute).
import { Inject, type Type } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Ledger } from '../../ledger/ledger.js';
import type { CommandName, LedgerCommands } from '../../ledger/ledger-commands.js';
import { ApiCommand } from './cqrs-base.js';
import { LEDGER } from './ledger.token.js';

export type InputOf<N extends CommandName> = Parameters<LedgerCommands[N]>[0];
export type CommandBody = Record<string, unknown>;

export interface LedgerCommandPair<N extends CommandName> {
  Command: new (input: InputOf<N>, call: ApiCommand<InputOf<N>, CommandBody>['call']) => ApiCommand<InputOf<N>, CommandBody>;
  Handler: Type<ICommandHandler>;
}

const pascal = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

export function ledgerCommand<N extends CommandName>(name: N): LedgerCommandPair<N> {
  class LedgerCommand extends ApiCommand<InputOf<N>, CommandBody> {}
  Object.defineProperty(LedgerCommand, 'name', { value: pascal(name) });

  @CommandHandler(LedgerCommand)
  class LedgerCommandHandler implements ICommandHandler<LedgerCommand> {
    constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}

    execute(command: LedgerCommand): Promise<CommandBody> {
      const { actor, correlationId, commandId } = command.call;
      return this.ledger.execute(name, command.input, { actor, correlationId, commandId });
    }
  }
  Object.defineProperty(LedgerCommandHandler, 'name', { value: `${pascal(name)}Handler` });
  return { Command: LedgerCommand, Handler: LedgerCommandHandler };
}
