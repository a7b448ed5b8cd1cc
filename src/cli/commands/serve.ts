// `ledger serve`: the HTTP API (npm start). Configuration comes from the environment (PORT,
// LEDGER_HOST, LEDGER_DATA_DIR, LEDGER_TOKENS_FILE, LEDGER_DEMO, LEDGER_POLICY_FILE,
// EVENTSTORE_CONNECTION_STRING, LEDGER_BODY_LIMIT_BYTES, LEDGER_LOG, LEDGER_LOG_FORMAT,
// LEDGER_LOG_LEVEL, LEDGER_FORENSICS, the client
// timeouts and limits LEDGER_*_TIMEOUT_MS, LEDGER_MAX_CONNECTIONS_PER_IP and
// LEDGER_REPORT_RATE_PER_MIN); a bad value is exit code 2. A broken hash chain refuses the start
// (exit code 1) unless the server is started read-only for forensics (--read-only-forensics or
// LEDGER_FORENSICS=on).
import { ConfigError, configFromEnv } from '../../app/config.js';
import { preparePrivateDataDir } from '../../app/data-dir.js';
import { TokensFileError } from '../../app/auth/tokens.js';
import { ChainBrokenError } from '../../app/integrity/chain-check.js';
import { startServer } from '../../app/server.js';
import { defaultPolicy, PolicyError } from '../../domain/policy.js';
import { IncompatibleStoreError, StoreUnavailableError } from '../../store/event-store.js';
import { loadDemoSeed, seedDemoDataDir } from '../../demo/demo-seed.js';
import { loadPolicyFile } from '../../ledger/policy-file.js';
import { ExitCode, type CliCommand } from '../command.js';

const usage = [
  'Usage: ledger serve [--read-only-forensics]',
  '',
  'Serves the HTTP API on 127.0.0.1:$PORT (default 3000) over the data directory.',
  'On an empty log it loads the demo data set; the tokens, one per role, are in the tokens file it names',
  '(never printed; LEDGER_DEMO=off: start empty).',
  'The hash chain is checked first (from the last verified checkpoint); a broken chain refuses the start.',
  '',
  'Options:',
  '  --read-only-forensics         start even on a broken chain; every command answers 503, reads answer',
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
  '  LEDGER_LOG_FORMAT             json (the default when NODE_ENV=production) or plain (otherwise)',
  '  LEDGER_LOG_LEVEL              debug, info (default), warn or error',
  '  LEDGER_FORENSICS=on           the same as --read-only-forensics',
  '  LEDGER_REQUEST_TIMEOUT_MS     slowest whole request a client may send (default 30000)',
  '  LEDGER_HEADERS_TIMEOUT_MS     slowest request headers (default 10000)',
  '  LEDGER_KEEPALIVE_TIMEOUT_MS   idle keep-alive connections are closed after this (default 5000)',
  '  LEDGER_MAX_CONNECTIONS_PER_IP open connections one address may hold (default 256)',
  '  LEDGER_REPORT_RATE_PER_MIN    /reports/* per token and minute; /reports/conflicts counts 5 (default 600)',
  '  LEDGER_ANCHOR_KEY             key of the HMAC over the chain checkpoint (at least 32 characters)',
  '  LEDGER_ANCHOR_KEY_FILE        or a file holding that key, outside the data directory'
].join('\n');

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'serve the HTTP API (npm start)',
  usage,
  async run(argv) {
    const unexpected = argv.find((arg) => arg !== '--read-only-forensics');
    if (unexpected !== undefined) {
      process.stderr.write(`ledger serve: unexpected argument ${unexpected}\n${usage}\n`);
      return ExitCode.usage;
    }
    let serving;
    try {
      const config = configFromEnv(process.env);
      if (argv.includes('--read-only-forensics')) config.forensics = true;
      preparePrivateDataDir(config.dataDir, config.print);
      if (config.demo && !config.forensics && config.eventStoreConnectionString === null) {
        // An empty data directory gets the demo programme recorded along its own timeline
        // (the report page's slider has a history); a non-empty one is left as it is.
        const policy = config.policyFile ? loadPolicyFile(config.policyFile) : defaultPolicy;
        const seeded = await seedDemoDataDir(config.dataDir, policy, Date.now());
        if (seeded) config.print(`loaded the demo data set: ${seeded.events} events, ${seeded.partners.total} partners, ${seeded.customers} customers, quarters ${seeded.quarters[0]}..${seeded.quarters.at(-1)}`);
      }
      serving = await startServer(config, { loadDemo: loadDemoSeed });
    } catch (error) {
      if (error instanceof ChainBrokenError) {
        process.stderr.write(`ledger serve: ${error.message}\n`);
        return ExitCode.checkFailed;
      }
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
