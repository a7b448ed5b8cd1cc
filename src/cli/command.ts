// The shape of one `ledger` subcommand.
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code (see ExitCode). */
  run(argv: string[]): Promise<number>;
}

/**
 * Exit codes scripts can rely on, the same for every command (README, "Command line"):
 * 0 done; 1 a check failed or nothing was found (a broken chain, a refused import file, a
 * customer or partner the ledger does not know: like grep, "no match" is 1); 2 bad usage
 * (unknown command or option, malformed value, naming the flag); 3 refused or unavailable (a
 * business rule, a non-empty data directory, the store cannot be opened); 4 an unexpected
 * failure (a bug or an I/O error: the message says which). A reader that stops reading
 * (`ledger export | head`) ends the command quietly with 0.
 */
export const ExitCode = { ok: 0, checkFailed: 1, notFound: 1, usage: 2, refused: 3, failed: 4 } as const;
