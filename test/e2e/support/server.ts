// The real server (the Nest app the `serve` command runs) on 127.0.0.1, port 0, over a
// temporary data directory with its own tokens file; the demo data set stays off.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer, type RunningServer } from '../../../src/app/server.js';
import { testConfig } from '../../api/support/server.js';

export interface TestServer {
  url: string;
  dataDir: string;
  running: RunningServer;
  stop(): Promise<void>;
}

export async function startTestServer(tokensJson: string): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ledger-e2e-'));
  const tokensFile = path.join(dataDir, 'tokens.json');
  writeFileSync(tokensFile, tokensJson, { mode: 0o600 });
  const running = await createServer(testConfig(dataDir, tokensFile, [], { requestLog: false, print: () => undefined }), { logger: false });
  return {
    url: running.url,
    dataDir,
    running,
    async stop() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
