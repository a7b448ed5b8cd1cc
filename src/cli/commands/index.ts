// Every `ledger` subcommand, in the order `ledger --help` lists them.
import type { CliCommand } from '../command.js';

export const commands: CliCommand[] = [];
import { verifyCommand } from './verify.js'; commands.push(verifyCommand);
import { benchCommand } from './bench.js'; commands.push(benchCommand);
import { exportCommand } from './export.js'; commands.push(exportCommand);
import { importCommand } from './import.js'; commands.push(importCommand);
import { replayCommand } from './replay.js'; commands.push(replayCommand);
import { disputeCommand } from './dispute.js'; commands.push(disputeCommand);
import { reportCommand } from './report.js'; commands.push(reportCommand);
import { statementCommand } from './statement.js'; commands.push(statementCommand);
import { awardsCommand, rebatesCommand } from './rebates.js'; commands.push(rebatesCommand, awardsCommand);
import { policyCommand } from './policy.js'; commands.push(policyCommand);
import { serveCommand } from './serve.js'; commands.push(serveCommand);
import { demoCommand } from './demo.js'; commands.push(demoCommand);
