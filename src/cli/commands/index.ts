// Every `ledger` subcommand, in the order `ledger --help` lists them.
import type { CliCommand } from '../command.js';

export const commands: CliCommand[] = [];
