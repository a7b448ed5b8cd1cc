// Access: who may call what, over every route the server serves, and what a partner's token may
// see of another partner. test/api/routes.test.ts holds the role matrix of API.md's routes; this
// spec adds (1) an access table for every route of allRoutes, checked against the route specs so
// that a route added or widened without a decision fails here, (2) the role matrix over the
// routes test/api does not cover (report page, traffic, rebates, awards), (3) own versus other
// partner on every route a partner may call, with a canary (the other partner's exclusive
// customer and amount) that must never appear in a partner's answer, and (4) the secrets: no
// token in any log line or answer, a warning for a tokens file others can read, failed
// authentication slowed down per address while the right token is not.
// CI: the matrix once; LEDGER_STRESS=1 repeats the own/other sweep 20 times over a larger programme.
import { chmodSync } from 'node:fs';
import type { LoggerService } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELAY_STEP_MS, FREE_FAILURES } from '../../src/app/auth/auth-failures.js';
import { TokenRegistry } from '../../src/app/auth/tokens.js';
import { allRoutes } from '../../src/app/openapi/all-routes.js';
import { allTokens, api, command, type DataDir, type InProcessServer, newDataDir, readLog, startInProcess, tokens } from './support/ledger-server.js';
import { contestedTaxId, writeSmallProgramme } from './support/small-programme.js';

const STRESS = process.env.LEDGER_STRESS === '1';
const SWEEPS = STRESS ? 20 : 1;
const EXTRA_CUSTOMERS = STRESS ? 200 : 5;

type Role = 'manager' | 'finance' | 'auditor' | 'partner';
const ROLES: Role[] = ['manager', 'finance', 'auditor', 'partner'];
const tokenOf: Record<Role, string> = { manager: tokens.manager, finance: tokens.finance, auditor: tokens.auditor, partner: tokens.partner1 };

/** Who may call each route: API.md's roles table, and the decisions for the routes added since. */
const ACCESS: Record<string, readonly Role[] | 'anyone'> = {
  signPartner: ['manager'],
  postDeposit: ['finance'],
  deductDeposit: ['finance'],
  changeTier: ['manager'],
  evaluateTiers: ['manager'],
  getPartner: ['manager', 'finance', 'auditor', 'partner'],
  getBalance: ['manager', 'finance', 'auditor', 'partner'],
  getTiers: ['manager', 'finance', 'auditor'],
  registerDeal: ['manager', 'partner'],
  advanceDealStage: ['manager', 'partner'],
  transferDeal: ['manager'],
  approveTransfer: ['manager'],
  rejectTransfer: ['manager'],
  ruleOwnership: ['manager'],
  submitContract: ['manager', 'partner'],
  confirmContract: ['manager'],
  rejectContract: ['manager'],
  reviseForecast: ['manager', 'partner'],
  getOwnership: ['manager', 'auditor', 'partner'],
  receivePayment: ['finance'],
  issueRefund: ['finance'],
  payOut: ['finance'],
  getStatement: ['finance', 'auditor', 'partner'],
  getPipeline: ['manager', 'auditor', 'partner'],
  auditCustomer: ['auditor', 'manager'],
  verifyChain: ['auditor'],
  events: ['auditor'],
  health: 'anyone',
  // Added after API.md (traffic, rebates, the report page's reads):
  billTraffic: ['finance'],
  settleTraffic: ['finance'],
  setCommitment: ['manager'],
  recordPurchase: ['finance'],
  lockToDistributor: ['manager'],
  evaluateRebates: ['finance'],
  payRebate: ['finance'],
  getRebates: ['manager', 'finance', 'auditor', 'partner'],
  getCertificates: ['manager', 'finance', 'auditor', 'partner'],
  recordCustomerBill: ['finance'],
  collectCustomerBill: ['finance'],
  exemptArrears: ['manager'],
  deductArrears: ['finance'],
  getAwards: ['manager', 'finance', 'auditor'],
  reportSession: ['manager', 'finance', 'auditor', 'partner'],
  reportTimeline: ['manager', 'finance', 'auditor', 'partner'],
  reportTiers: ['manager', 'finance', 'auditor', 'partner'],
  reportBalances: ['manager', 'finance', 'auditor', 'partner'],
  reportCommissionByQuarter: ['manager', 'finance', 'auditor', 'partner'],
  reportConflicts: ['manager', 'auditor', 'partner'],
  getWeeklyReport: ['manager', 'auditor', 'partner'],
  // Policy versions (issue #20): a manager adopts; the programme's readers read them.
  adoptPolicy: ['manager'],
  listPolicies: ['manager', 'finance', 'auditor'],
  getPolicy: ['manager', 'finance', 'auditor'],
  diffPolicy: ['manager', 'finance', 'auditor'],
};

/** The routes test/api/routes.test.ts already runs every role against. */
const COVERED_BY_API_SPEC = new Set([
  'signPartner', 'postDeposit', 'deductDeposit', 'changeTier', 'evaluateTiers', 'registerDeal', 'advanceDealStage', 'transferDeal', 'ruleOwnership',
  'receivePayment', 'issueRefund', 'payOut', 'getPartner', 'getBalance', 'getTiers', 'getOwnership', 'getPipeline', 'getStatement', 'auditCustomer', 'verifyChain', 'events',
]);

// ---- the server, its logs, and a programme with a canary ---------------------------------------

const OTHER_ONLY_CUSTOMER = 'Canary Only-Two Trading Ltd';
const OTHER_ONLY_DEPOSIT_FEN = 4_321_987;

/** Everything Nest logs, at every level. */
const logged: string[] = [];
const captureLogger: LoggerService = {
  log: (...m: unknown[]) => void logged.push(m.map(String).join(' ')),
  error: (...m: unknown[]) => void logged.push(m.map(String).join(' ')),
  warn: (...m: unknown[]) => void logged.push(m.map(String).join(' ')),
  debug: (...m: unknown[]) => void logged.push(m.map(String).join(' ')),
  verbose: (...m: unknown[]) => void logged.push(m.map(String).join(' ')),
  fatal: (...m: unknown[]) => void logged.push(m.map(String).join(' ')),
};

let dir: DataDir;
let server: InProcessServer;

beforeAll(async () => {
  dir = newDataDir('ledger-access-');
  server = await startInProcess(dir, { requestLog: true }, captureLogger);
  await writeSmallProgramme(server.url);
  await command(server.url, '/deals', tokens.partner2, { dealId: 'D-222', partnerId: 'P-002', customer: { name: OTHER_ONLY_CUSTOMER } });
  await command(server.url, '/partners/P-002/deposits', tokens.finance, { amount: OTHER_ONLY_DEPOSIT_FEN });
  for (let i = 0; i < EXTRA_CUSTOMERS; i++) {
    await command(server.url, '/deals', tokens.partner1, { dealId: `D-1-${i}`, partnerId: 'P-001', customer: { name: `Own Customer ${i}` } });
    await command(server.url, '/deals', tokens.partner2, { dealId: `D-2-${i}`, partnerId: 'P-002', customer: { name: `${OTHER_ONLY_CUSTOMER} ${i}` } });
  }
}, 120_000);
afterAll(async () => {
  await server?.close();
  dir?.remove();
});

const head = async (): Promise<number> => Number(await server.running.ledger.store.headPosition());

// ---- (1) and (2): roles ---------------------------------------------------------------------------

describe('every route has an access decision', () => {
  it('the table names every route the server serves, with the roles its spec enforces', () => {
    const ids = allRoutes.map((r) => r.id);
    expect(ids.filter((id) => !(id in ACCESS)), 'routes without an access decision in this spec').toEqual([]);
    expect(Object.keys(ACCESS).filter((id) => !ids.includes(id)), 'decisions for routes that no longer exist').toEqual([]);
    for (const spec of allRoutes) {
      const expected = ACCESS[spec.id]!;
      if (expected === 'anyone') expect(spec.roles, spec.id).toBe('anyone');
      else expect([...spec.roles].sort(), spec.id).toEqual([...expected].sort());
    }
  });

  const uncovered = allRoutes.filter((r) => !COVERED_BY_API_SPEC.has(r.id));
  it.each(uncovered.map((r) => [`${r.method} ${r.path}`, r.id] as const))('%s: allowed roles pass the guard, the others get 403, no token 401', async (_name, id) => {
    const spec = allRoutes.find((r) => r.id === id)!;
    const route = spec.path.replace(/:partnerId|:id/g, 'P-001').replace(':key', `tax:${contestedTaxId}`).replace(':year', '2025').replace(':quarter', '2025-Q1');
    const before = await head();
    const body = spec.method === 'POST' ? { zz: 'nothing valid' } : undefined;
    for (const role of ROLES) {
      const answer = await api(server.url, spec.method, route, { token: tokenOf[role], body });
      const allowed = ACCESS[id] === 'anyone' || (ACCESS[id] as readonly Role[]).includes(role);
      if (allowed) expect([200, 400, 404], `${role} ${spec.method} ${route}: ${JSON.stringify(answer.body)}`).toContain(answer.status);
      else expect(answer.status, `${role} ${spec.method} ${route}`).toBe(403);
    }
    const anonymous = await api(server.url, spec.method, route, { body });
    expect(anonymous.status).toBe(ACCESS[id] === 'anyone' ? 200 : 401);
    expect(await head()).toBe(before);
  });
});

// ---- (3): own versus other partner -------------------------------------------------------------------

/** The canary must not appear in anything a partner-1 token is answered. */
function expectNoCanary(route: string, body: unknown): void {
  const text = JSON.stringify(body);
  expect(text, `${route} shows another partner's customer`).not.toContain('Canary Only-Two');
  expect(text, `${route} shows another partner's deposit`).not.toContain(String(OTHER_ONLY_DEPOSIT_FEN));
  expect(text, `${route} shows another partner's deal`).not.toContain('D-222');
}

describe(`a partner's token and another partner's data (${SWEEPS} sweep${SWEEPS > 1 ? 's' : ''})`, () => {
  it('reads its own partner, balance, statement and rebates; 403 for the other partner', async () => {
    for (let sweep = 0; sweep < SWEEPS; sweep++) {
      for (const route of ['/partners/:p', '/partners/:p/balance', '/statements/:p/2025-Q1', '/partners/:p/rebates?year=2025', '/partners/:p/certificates']) {
        const own = await api(server.url, 'GET', route.replace(':p', 'P-001'), { token: tokens.partner1 });
        expect(own.status, `${route} own: ${JSON.stringify(own.body)}`).toBe(200);
        expectNoCanary(route, own.body);
        const other = await api(server.url, 'GET', route.replace(':p', 'P-002'), { token: tokens.partner1 });
        expect(other.status, `${route} other`).toBe(403);
        expectNoCanary(route, other.body);
        const unknown = await api(server.url, 'GET', route.replace(':p', 'P-404'), { token: tokens.partner1 });
        expect(unknown.status, `${route} unknown partner: the same 403, no existence oracle`).toBe(403);
      }
    }
  });

  it('sees a customer where it has a claim; the other partner\'s customer and an unknown one alike are refused', async () => {
    for (let sweep = 0; sweep < SWEEPS; sweep++) {
      const contested = await api(server.url, 'GET', `/customers/tax:${contestedTaxId}/ownership`, { token: tokens.partner1 });
      expect(contested.status).toBe(200);
      const others = await api(server.url, 'GET', `/customers/${encodeURIComponent(OTHER_ONLY_CUSTOMER)}/ownership`, { token: tokens.partner1 });
      expect(others.status).toBe(403);
      expectNoCanary('ownership (other)', others.body);
      const nobody = await api(server.url, 'GET', `/customers/${encodeURIComponent('Nobody Registered This Ltd')}/ownership`, { token: tokens.partner1 });
      expect([403, 404]).toContain(nobody.status);
      expectNoCanary('ownership (unknown)', nobody.body);
    }
  });

  it('every report a partner may read shows only its own partner', async () => {
    const reports = allRoutes.filter((r) => r.method === 'GET' && r.path.startsWith('/reports/') && (ACCESS[r.id] as readonly Role[]).includes('partner'));
    expect(reports.length).toBeGreaterThanOrEqual(2);
    for (let sweep = 0; sweep < SWEEPS; sweep++) {
      for (const report of reports) {
        const answer = await api(server.url, 'GET', report.path, { token: tokens.partner1 });
        expect([200, 400], `${report.path}: ${JSON.stringify(answer.body).slice(0, 300)}`).toContain(answer.status);
        expectNoCanary(report.path, answer.body);
        const manager = await api(server.url, 'GET', report.path, { token: tokens.manager });
        expect(manager.status).toBe(answer.status);
      }
    }
  });

  it('writes for itself only: its own deal and stage; not for the other partner, not as direct sales, not on the other\'s deal', async () => {
    const before = await head();
    const own = await api(server.url, 'POST', '/deals', { token: tokens.partner1, body: { dealId: 'D-OWN-1', partnerId: 'P-001', customer: { name: 'Own New Customer' } } });
    expect(own.status).toBe(201);
    expect((await api(server.url, 'POST', '/deals/D-OWN-1/stage', { token: tokens.partner1, body: { stage: 'interest' } })).status).toBe(201);
    const after = await head();
    expect(after).toBe(before + 2);
    const refusals: Array<[string, unknown]> = [
      ['/deals', { dealId: 'D-OTHER-1', partnerId: 'P-002', customer: { name: 'For Someone Else' } }],
      ['/deals', { dealId: 'D-DIRECT-1', partnerId: 'direct', customer: { name: 'As Direct Sales' } }],
    ];
    for (const [route, body] of refusals) {
      const answer = await api(server.url, 'POST', route, { token: tokens.partner1, body });
      expect(answer.status, `${route} ${JSON.stringify(body)}: ${JSON.stringify(answer.body)}`).toBe(403);
      // The refusal names what was asked (the deal or partner id), nothing of its owner.
      expect(JSON.stringify(answer.body)).not.toContain('Canary Only-Two');
    }
    expect(await head()).toBe(after);
  });

  it('another partner\'s deal answers exactly like an unknown deal: 404, the same problem, nothing written', async () => {
    const before = await head();
    const unknown = await api(server.url, 'POST', '/deals/D-404/stage', { token: tokens.partner1, body: { stage: 'meeting' } });
    expect(unknown.status, JSON.stringify(unknown.body)).toBe(404);
    const shapeOf = (body: Record<string, unknown>, dealId: string) => ({
      keys: Object.keys(body).sort(),
      type: body.type,
      title: body.title,
      status: body.status,
      detail: String(body.detail).replaceAll(dealId, '<id>'),
    });
    for (const dealId of ['D-222', 'D-201']) {
      const other = await api(server.url, 'POST', `/deals/${dealId}/stage`, { token: tokens.partner1, body: { stage: 'meeting' } });
      expect(other.status, `${dealId}: ${JSON.stringify(other.body)}`).toBe(404);
      expect(shapeOf(other.body, dealId), dealId).toEqual(shapeOf(unknown.body, 'D-404'));
      expect(JSON.stringify(other.body)).not.toContain('Canary Only-Two');
      expect(JSON.stringify(other.body)).not.toContain('P-002');
    }
    // A deal id is unique across the ledger: registering the other partner's id is a 409 that
    // names only the id asked for, nothing of the deal's customer, stream or position.
    const taken = await api(server.url, 'POST', '/deals', { token: tokens.partner1, body: { dealId: 'D-201', partnerId: 'P-001', customer: { name: 'Probing Co' } } });
    expect(taken.status, JSON.stringify(taken.body)).toBe(409);
    expect(taken.body).toMatchObject({ rule: 'deal-id-taken', detail: 'deal-id-taken: deal id D-201 is already taken: choose another', figures: { id: 'D-201' } });
    expect(JSON.stringify(taken.body)).not.toMatch(/customer-|position|stream|P-002/);
    // A manager still learns 404 only for an id that does not exist.
    const managerUnknown = await api(server.url, 'POST', '/deals/D-404/stage', { token: tokens.manager, body: { stage: 'meeting' } });
    expect(managerUnknown.status, JSON.stringify(managerUnknown.body)).toBe(404);
    expect(await head(), 'nothing written by any refusal').toBe(before);
  });
});

// ---- (4): secrets ----------------------------------------------------------------------------------------

describe('secrets', () => {
  it('no token appears in any log line, answer, stored event or the tokens-file-free idempotency record', async () => {
    const wrong = 'wrong-token-that-should-never-be-echoed-0001';
    const answer = await api(server.url, 'GET', '/tiers', { token: wrong });
    expect(answer.status).toBe(401);
    expect(JSON.stringify(answer.body)).not.toContain(wrong);
    await api(server.url, 'POST', '/partners/P-001/deposits', { token: tokens.finance, body: { amount: 5 }, headers: { 'Idempotency-Key': 'secret-check-1' } });
    const log = JSON.stringify(await readLog(server.url));
    const everything = [...server.lines, ...logged].join('\n');
    expect(server.lines.length).toBeGreaterThan(20); // the request log was on
    for (const token of [...allTokens(), wrong]) {
      expect(everything, 'a token in the logs').not.toContain(token);
      expect(log, 'a token in the events').not.toContain(token);
    }
  });

  it('tokens are compared by their sha-256 digests against every entry: near misses are unknown', () => {
    const registry = new TokenRegistry({ tokens: [{ token: tokens.manager, role: 'manager' }, { token: tokens.partner1, role: 'partner', partnerId: 'P-001' }] });
    expect(registry.find(tokens.manager)?.role).toBe('manager');
    expect(registry.find(tokens.partner1)?.partnerId).toBe('P-001');
    for (const nearMiss of [tokens.manager.slice(0, -1), `${tokens.manager}x`, tokens.manager.toUpperCase(), ` ${tokens.manager}`, `${tokens.manager.slice(0, -1)}g`, '']) {
      expect(registry.find(nearMiss)).toBeNull();
    }
  });

  it('warns at start when the tokens file is readable by the group or others, and not when it is 0600', async () => {
    const warning = /warning: the tokens file .* is readable by other users; chmod 600 it/;
    for (const [mode, warns] of [[0o644, true], [0o640, true], [0o604, true], [0o600, false], [0o400, false]] as const) {
      const other = newDataDir('ledger-access-mode-');
      try {
        chmodSync(other.tokensFile, mode);
        const started = await startInProcess(other);
        await started.close();
        expect(started.lines.some((l) => warning.test(l)), `mode ${mode.toString(8)}`).toBe(warns);
        expect(started.lines.join('\n')).not.toContain(tokens.manager);
      } finally {
        other.remove();
      }
    }
  });

  it('slows repeated failed authentication from one address, not the right token', async () => {
    const other = newDataDir('ledger-access-limiter-');
    const limited = await startInProcess(other);
    try {
      for (let i = 0; i < FREE_FAILURES; i++) expect((await api(limited.url, 'GET', '/tiers', { token: `guess-${i}-0123456789abcdef` })).status).toBe(401);
      const startedMs = performance.now();
      const slowed = await api(limited.url, 'GET', '/tiers', { token: 'guess-after-the-free-ones-0123456789' });
      const waitedMs = performance.now() - startedMs;
      expect(slowed.status).toBe(401);
      // A lower bound only (the delay is a sleep before the answer): never flaky.
      expect(waitedMs).toBeGreaterThanOrEqual(DELAY_STEP_MS - 5);
      const malformed = await api(limited.url, 'GET', '/tiers', { headers: { authorization: 'Basic bWFuYWdlcjpwYXNz' } });
      expect(malformed.status).toBe(401); // a malformed header counts as a failure too
      expect((await api(limited.url, 'GET', '/tiers', { token: tokens.manager })).status).toBe(200);
    } finally {
      await limited.close();
      other.remove();
    }
  });
});

// ---- GET /health: the status for anyone, the details for managers and auditors ----------------------------

describe('GET /health', () => {
  it('tells anyone only whether the ledger is ok or degraded; the store, positions and lag only to a manager or an auditor', async () => {
    const position = await head();
    for (const token of [null, tokens.finance, tokens.partner1, 'not-a-token-of-this-ledger-0003']) {
      const answer = await api(server.url, 'GET', '/health', { token });
      expect(answer.status, String(token)).toBe(200);
      expect(answer.body, String(token)).toEqual({ status: 'ok' });
    }
    for (const token of [tokens.manager, tokens.auditor]) {
      const answer = await api(server.url, 'GET', '/health', { token });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ status: 'ok', commands: 'accepted', store: 'sqlite', position, readModelPosition: expect.any(Number), projectionLag: expect.any(Number) });
    }
  });
});
