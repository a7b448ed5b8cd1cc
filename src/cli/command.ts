// The shape of one `ledger` subcommand.
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code: 0 success, 1 a check failed, 2 bad usage, 3 refused or unavailable. */
  run(argv: string[]): Promise<number>;
}

/** Exit codes scripts can rely on. */
export const ExitCode = { ok: 0, checkFailed: 1, usage: 2, refused: 3 } as const;
