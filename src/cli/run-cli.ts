// The `ledger` command line without the process around it: picks the command, answers --help
// for every command, and turns what a command throws into the exit codes of ExitCode. main.ts
// runs it on process.argv; tests call it in-process.
import { DomainRuleError } from '../domain/errors.js';
import { UsageError } from './cli-args.js';
import { IncompatibleStoreError, StoreUnavailableError } from '../store/event-store.js';
import { ProjectionRebuildingError } from '../../projections/rebuild-beside.js';
import { DemoRefusedError } from '../demo/generate.js';
import { ExitCode, type CliCommand } from './command.js';
import { commands } from './commands/index.js';
import { safeLines } from './format/terminal.js';

const HELP_FLAGS = new Set(['--help', '-h']);

export function helpText(list: readonly CliCommand[] = commands): string {
  const width = Math.max(...list.map((c) => c.name.length));
  return [
    'Usage: ledger <command> [options]',
    '',
    'Commands:',
    ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `ledger <command> --help` (or `ledger help <command>`) for a command's options.",
    'Most commands print a table by default, and take --json or --csv for scripts.',
    '',
    'Exit codes: 0 done; 1 a check failed or nothing found; 2 bad usage; 3 refused or unavailable; 4 unexpected failure.',
    '',
  ].join('\n');
}

/** Runs one command line; resolves with the exit code. Output goes to process.stdout/stderr. */
export async function runCli(argv: readonly string[], list: readonly CliCommand[] = commands): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(helpText(list));
    return ExitCode.usage;
  }
  if (HELP_FLAGS.has(name) || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic === undefined) {
      process.stdout.write(helpText(list));
      return ExitCode.ok;
    }
    const command = list.find((c) => c.name === topic);
    if (!command) return unknownCommand(topic, list);
    process.stdout.write(`${command.usage}\n`);
    return ExitCode.ok;
  }
  const command = list.find((c) => c.name === name);
  if (!command) return unknownCommand(name, list);
  if (rest.some((arg) => HELP_FLAGS.has(arg))) {
    process.stdout.write(`${command.usage}\n`);
    return ExitCode.ok;
  }
  try {
    return await command.run([...rest]);
  } catch (error) {
    return failure(command, error);
  }
}

function unknownCommand(name: string, list: readonly CliCommand[]): number {
  process.stderr.write(`ledger: unknown command "${name}"\n\n${helpText(list)}`);
  return ExitCode.usage;
}

/** What a command threw, as a message on stderr and an exit code. */
function failure(command: CliCommand, error: unknown): number {
  // A refusal's message can quote the log (a customer's name): printed terminal-safe.
  const message = safeLines(error instanceof Error ? error.message : String(error));
  if (error instanceof UsageError) {
    process.stderr.write(`ledger ${command.name}: ${message}\n\n${command.usage}\n`);
    return ExitCode.usage;
  }
  if (error instanceof DomainRuleError) {
    process.stderr.write(`ledger ${command.name}: refused (${error.rule}): ${message}\n`);
    return ExitCode.refused;
  }
  if (error instanceof StoreUnavailableError || error instanceof IncompatibleStoreError || error instanceof DemoRefusedError || error instanceof ProjectionRebuildingError) {
    process.stderr.write(`ledger ${command.name}: ${message}\n`);
    return ExitCode.refused;
  }
  process.stderr.write(`ledger ${command.name}: failed: ${message}\n`);
  if (process.env.LEDGER_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return ExitCode.failed;
}
