// The `ledger` command line: one module per command under ./commands, each with its own --help
// (see run-cli.ts for the dispatch and the exit codes).
import { runCli } from './run-cli.js';

// Whatever the ledger writes (the data directory's databases, checkpoints, tokens, exports) is
// for its owner only, whatever umask the shell had.
process.umask(0o077);

process.exitCode = await runCli(process.argv.slice(2));
