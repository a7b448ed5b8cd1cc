// Starting and stopping: the demo data set on an empty data directory (and LEDGER_DEMO=off),
// and a graceful stop that lets in-flight commands finish: every acknowledged command is in
// the log after the files are reopened.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createServer } from '../../src/app/server.js';
import { loadDemoSeed } from '../../src/demo/demo-seed.js';
import { testConfig } from './support/server.js';

async function withDataDir<T>(work: (dataDir: string) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ledger-api-life-'));
  try {
    return await work(dataDir);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const tokenOfRole = (running: { tokens: { tokens: { tokens: Array<{ role: string; token: string }> } } }, role: string): string =>
  running.tokens.tokens.tokens.find((t) => t.role === role)!.token;

describe('the demo data set', () => {
  it('loads into an empty data directory through the commands and prints where the tokens are, never the tokens; not again on restart', async () => {
    await withDataDir(async (dataDir) => {
      const lines: string[] = [];
      const config = testConfig(dataDir, '', lines, { tokensFile: null, demo: true, requestLog: false });
      const first = await createServer(config, { loadDemo: loadDemoSeed, logger: false });
      expect(first.demoLoaded).toBe(true);
      const manager = first.tokens.tokens.tokens.find((t) => t.role === 'manager')!.token;
      const partner = first.tokens.tokens.tokens.find((t) => t.role === 'partner')!;
      expect(lines.join('\n')).not.toContain(manager);
      expect(lines.join('\n')).toContain(first.tokens.file);
      const tiers = await (await fetch(`${first.url}/tiers`, { headers: bearer(manager) })).json();
      expect(tiers.length).toBeGreaterThanOrEqual(4);
      const own = await fetch(`${first.url}/partners/${partner.partnerId}/balance`, { headers: bearer(partner.token) });
      expect(own.status).toBe(200);
      const verify = await (await fetch(`${first.url}/health`, { headers: bearer(tokenOfRole(first, 'auditor')) })).json();
      const events = verify.position;
      expect(events).toBeGreaterThan(20);
      await first.close();
      const second = await createServer(config, { loadDemo: loadDemoSeed, logger: false });
      expect(second.demoLoaded).toBe(false);
      expect((await (await fetch(`${second.url}/health`, { headers: bearer(tokenOfRole(second, 'auditor')) })).json()).position).toBe(events);
      await second.close();
    });
  });

  it('starts empty with LEDGER_DEMO=off', async () => {
    await withDataDir(async (dataDir) => {
      const running = await createServer(testConfig(dataDir, '', [], { tokensFile: null, demo: false }), { loadDemo: loadDemoSeed, logger: false });
      expect(running.demoLoaded).toBe(false);
      expect((await (await fetch(`${running.url}/health`, { headers: bearer(tokenOfRole(running, 'auditor')) })).json()).position).toBe(0);
      await running.close();
    });
  });
});

describe('graceful stop', () => {
  it('finishes in-flight commands before closing the store; every acknowledged one is kept', async () => {
    await withDataDir(async (dataDir) => {
      const config = testConfig(dataDir, '', [], { tokensFile: null, requestLog: false });
      const running = await createServer(config, { logger: false });
      const tokenOf = (role: string) => running.tokens.tokens.tokens.find((t) => t.role === role)!.token;
      const post = (route: string, role: string, body: unknown) =>
        fetch(`${running.url}${route}`, { method: 'POST', headers: { ...bearer(tokenOf(role)), 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post('/partners', 'manager', { partnerId: 'P-001', name: 'Stop Co', kind: 'development', tier: 'standard' })).status).toBe(201);
      const inFlight = Array.from({ length: 30 }, () =>
        post('/partners/P-001/deposits', 'finance', { amount: 100 }).then(
          (r) => r.status,
          () => 'refused' as const,
        ),
      );
      for (let spins = 0; running.inFlight() === 0 && spins < 10_000; spins++) await new Promise((resolve) => setImmediate(resolve));
      const caught = running.inFlight();
      expect(caught).toBeGreaterThan(0);
      const closing = running.close();
      const statuses = await Promise.all(inFlight);
      await closing;
      expect(statuses.every((s) => s === 201 || s === 'refused')).toBe(true);
      const acknowledged = statuses.filter((s) => s === 201).length;
      expect(acknowledged).toBeGreaterThanOrEqual(caught);
      const reopened = await createServer(config, { logger: false });
      const balance = await (await fetch(`${reopened.url}/partners/P-001/balance`, { headers: bearer(tokenOf('finance')) })).json();
      expect(balance.deposit).toBeGreaterThanOrEqual(acknowledged * 100);
      expect((await (await fetch(`${reopened.url}/audit/verify`, { headers: bearer(tokenOf('auditor')) })).json()).ok).toBe(true);
      await reopened.close();
    });
  });
});
