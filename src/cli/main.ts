// The `ledger` command line: one module per command under ./commands, each with its own --help
// (see run-cli.ts for the dispatch and the exit codes).
import { runCli } from './run-cli.js';

process.exitCode = await runCli(process.argv.slice(2));
