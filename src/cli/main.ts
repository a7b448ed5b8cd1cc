// The `ledger` command line: one module per command under ./commands, each with its own --help
// (see run-cli.ts for the dispatch and the exit codes).
import { runCli } from './run-cli.js';

// Whatever the ledger writes (the data directory's databases, checkpoints, tokens, exports) is
// for its owner only, whatever umask the shell had.
process.umask(0o077);

// A reader that stops reading (`ledger export | head`, a pager closed early) is not a failure: the
// command stops quietly with 0 rather than dying on EPIPE with a stack trace. stderr's own write
// errors are dropped (there is nowhere left to say anything).
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
process.stderr.on('error', () => undefined);

process.exitCode = await runCli(process.argv.slice(2));
