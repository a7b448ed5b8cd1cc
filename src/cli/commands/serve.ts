// `ledger serve`: the HTTP API (npm start). Configuration comes from the environment (PORT,
// LEDGER_HOST, LEDGER_DATA_DIR, LEDGER_TOKENS_FILE, LEDGER_DEMO, LEDGER_POLICY_FILE,
// EVENTSTORE_CONNECTION_STRING, LEDGER_BODY_LIMIT_BYTES, LEDGER_LOG); a bad value is exit code 2.
import { ConfigError, configFromEnv } from '../../app/config.js';
import { TokensFileError } from '../../app/auth/tokens.js';
import { startServer } from '../../app/server.js';
import { PolicyError } from '../../domain/policy.js';
import { IncompatibleStoreError, StoreUnavailableError } from '../../store/event-store.js';
import { loadDemoSeed } from '../../ledger/demo-seed.js';
import { ExitCode, type CliCommand } from '../command.js';

const usage = [
  'Usage: ledger serve',
  '',
  'Serves the HTTP API on 127.0.0.1:$PORT (default 3000) over the data directory.',
  'On an empty log it loads the demo data set and prints one token per role (LEDGER_DEMO=off: start empty).',
  '',
  'Environment:',
  '  PORT                          port to listen on (default 3000; 0 picks a free one)',
  '  LEDGER_HOST                   address to listen on (default 127.0.0.1)',
  '  LEDGER_DATA_DIR               data directory (default ./data)',
  '  LEDGER_TOKENS_FILE            API tokens (default: $LEDGER_DATA_DIR/tokens.json, generated on first start)',
  '  LEDGER_DEMO=off               start with an empty ledger',
  '  LEDGER_POLICY_FILE            a company\'s own programme policy (JSON)',
  '  EVENTSTORE_CONNECTION_STRING  esdb://… to use EventStoreDB instead of the embedded store',
  '  LEDGER_BODY_LIMIT_BYTES       largest request body (default 65536)',
  '  LEDGER_LOG=off                no request log lines',
].join('\n');

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'serve the HTTP API (npm start)',
  usage,
  async run(argv) {
    if (argv.length > 0) {
      process.stderr.write(`ledger serve: unexpected argument ${argv[0]}\n${usage}\n`);
      return ExitCode.usage;
    }
    let serving;
    try {
      serving = await startServer(configFromEnv(process.env), { loadDemo: loadDemoSeed });
    } catch (error) {
      if (error instanceof ConfigError || error instanceof TokensFileError || error instanceof PolicyError) {
        process.stderr.write(`ledger serve: ${error.message}\n`);
        return ExitCode.usage;
      }
      if (error instanceof StoreUnavailableError || error instanceof IncompatibleStoreError) {
        process.stderr.write(`ledger serve: ${error.message}\n`);
        return ExitCode.refused;
      }
      if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
        process.stderr.write(`ledger serve: the port is in use (${error.message})\n`);
        return ExitCode.refused;
      }
      throw error;
    }
    return serving.stopped;
  },
};
