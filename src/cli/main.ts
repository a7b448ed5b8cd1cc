// The `ledger` command line: one module per command under ./commands, each with its own --help.
import { commands } from './commands/index.js';

function printHelp(): void {
  const width = Math.max(...commands.map((c) => c.name.length));
  process.stdout.write('Usage: ledger <command> [options]\n\nCommands:\n');
  for (const c of commands) process.stdout.write(`  ${c.name.padEnd(width)}  ${c.summary}\n`);
  process.stdout.write('\nRun `ledger <command> --help` for a command\'s options.\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    printHelp();
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`ledger: unknown command "${name}"\n`);
    printHelp();
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  return command.run(rest);
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`ledger: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
});
