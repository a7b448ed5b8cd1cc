// The server's log (src/app/log.ts): pino records with levels, JSON in production
// (NODE_ENV=production or LEDGER_LOG_FORMAT=json) and plain lines otherwise; a request's record
// carries method, path, status, ms and the correlation id, never a token.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '../../src/app/config.js';
import { logFormatOf, pinoLog, plainLineOf, printOf } from '../../src/app/log.js';
import { createServer, type RunningServer } from '../../src/app/server.js';
import { testConfig, tokens, tokensFileJson } from './support/server.js';

describe('the log format', () => {
  it('is JSON in production or when asked, plain lines otherwise', () => {
    expect(logFormatOf({})).toBe('plain');
    expect(logFormatOf({ NODE_ENV: 'development' })).toBe('plain');
    expect(logFormatOf({ NODE_ENV: 'production' })).toBe('json');
    expect(logFormatOf({ LEDGER_LOG_FORMAT: 'json' })).toBe('json');
    expect(logFormatOf({ NODE_ENV: 'production', LEDGER_LOG_FORMAT: 'plain' })).toBe('plain');
    expect(configFromEnv({ LEDGER_LOG_FORMAT: 'json', LEDGER_LOG_LEVEL: 'warn' }).log).toBeDefined();
    try {
      configFromEnv({ LEDGER_LOG_FORMAT: 'xml', LEDGER_LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['LEDGER_LOG_FORMAT', 'LEDGER_LOG_LEVEL']);
    }
  });

  it('writes one record a line with its level; plain lines read time, level, message', () => {
    const json: string[] = [];
    const log = pinoLog({ format: 'json', destination: { write: (t: string) => json.push(t) } });
    log.warn('the tokens file is readable by others', { file: '/x/tokens.json' });
    log.request({ method: 'GET', path: '/tiers', status: 200, ms: 1.25, correlationId: 'c-1' });
    const [warning, request] = json.map((l) => JSON.parse(l));
    expect(warning).toMatchObject({ level: 'warn', msg: 'the tokens file is readable by others', file: '/x/tokens.json', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(request).toMatchObject({ level: 'info', kind: 'request', method: 'GET', path: '/tiers', status: 200, ms: 1.25, correlationId: 'c-1' });
    expect(request.msg).toBe('GET /tiers 200 1.3ms c-1');
    expect(plainLineOf(json[0]!)).toMatch(/^\d{4}-\d\d-\d\dT\S+ WARN  the tokens file is readable by others file=\/x\/tokens\.json\n$/);
    expect(plainLineOf(json[1]!)).toMatch(/ INFO  GET \/tiers 200 1\.3ms c-1\n$/);
    const plain: string[] = [];
    const print = printOf(pinoLog({ format: 'plain', level: 'info', destination: { write: (t: string) => plain.push(t) } }));
    print('warning: the data directory was open');
    print('ledger listening on http://127.0.0.1:3000');
    expect(plain[0]).toMatch(/ WARN  the data directory was open\n$/);
    expect(plain[1]).toMatch(/ INFO  ledger listening on/);
  });
});

describe('a server logging JSON', () => {
  let dataDir: string;
  let running: RunningServer;
  const records: Array<Record<string, unknown>> = [];
  let raw = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'ledger-log-'));
    const tokensFile = path.join(dataDir, 'tokens.json');
    writeFileSync(tokensFile, tokensFileJson, { mode: 0o644 }); // readable by others: the start warns
    const log = pinoLog({
      format: 'json',
      destination: {
        write: (line: string) => {
          raw += line;
          records.push(JSON.parse(line) as Record<string, unknown>);
        },
      },
    });
    running = await createServer(testConfig(dataDir, tokensFile, [], { log, print: printOf(log) }));
  });
  afterAll(async () => {
    await running?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs each request as a record with method, path, status, ms and correlation id, never the token', async () => {
    await fetch(`${running.url}/tiers`, { headers: { authorization: `Bearer ${tokens.manager}`, 'x-correlation-id': 'log-check-1' } });
    await fetch(`${running.url}/tiers`, { headers: { authorization: 'Bearer not-a-token-of-this-ledger', 'x-correlation-id': 'log-check-2' } });
    await expect.poll(() => records.filter((r) => r.kind === 'request').length).toBeGreaterThanOrEqual(2);
    const ok = records.find((r) => r.correlationId === 'log-check-1');
    expect(ok).toMatchObject({ level: 'info', kind: 'request', method: 'GET', path: '/tiers', status: 200, ms: expect.any(Number) });
    expect(records.find((r) => r.correlationId === 'log-check-2')).toMatchObject({ status: 401 });
    expect(raw).not.toContain(tokens.manager);
    expect(raw).not.toContain('not-a-token-of-this-ledger');
    expect(records.find((r) => /tokens file .* is readable by other users/.test(String(r.msg)))).toMatchObject({ level: 'warn' });
  });
});
