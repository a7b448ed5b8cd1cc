// Dates at the HTTP edge (issue #16, item 4): a date that is not a real calendar instant is a 400
// naming its field and writes nothing; a back-filled occurredAt outside the default policy's range
// (before 2000-01-01 in Asia/Shanghai, more than 60 s past the server's clock) is a 400 too; and no
// report answers 500 about any date a log holds (a signing dated year 1026 made
// GET /reports/commission-by-quarter fail for ever: it walked every quarter since 1026).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LedgerEvent, partnerStream } from '../../src/domain/events.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { type ApiServer, get, post, startApiServer } from './support/server.js';

const NOT_INSTANTS: Array<[string, RegExp]> = [
  ['2026-06-31T00:00:00Z', /June 2026 has 30 days, not a day 31/],
  ['0000-01-01T00:00:00Z', /year 0 is outside 1000–9999/],
  ['2026-01-01T24:00:00Z', /hour 24 is outside 00–23/],
  ['2026-01-01T00:00:00', /a date-time needs its zone/],
  ['2026-02-30', /February 2026 has 28 days/],
  ['2026-13-01T00:00:00Z', /no month 13/],
];

const problemOf = (answer: { status: number; body: any }, status: number) => {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  return answer.body as { title: string; detail: string; errors: Array<{ path: string; message: string }> };
};

/** The whole event feed as the auditor reads it. */
const feed = async (server: ApiServer) => {
  const answer = await get(server, '/events', 'auditor', { from: '1', limit: '1000' });
  expect(answer.status).toBe(200);
  return answer.body.events as Array<{ position: number; type: string; occurredAt: string }>;
};

describe('dates in commands and queries', () => {
  let server: ApiServer;
  beforeAll(async () => {
    server = await startApiServer({ requestLog: false });
    const signed = await post(server, '/partners', 'manager', { partnerId: 'P-001', name: 'One', kind: 'relationship', tier: 'gold', occurredAt: '2025-01-06T01:00:00Z' });
    expect(signed.status, JSON.stringify(signed.body)).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses an occurredAt that is not a calendar instant with a 400 naming body.occurredAt, on every kind of command, and writes nothing', async () => {
    const before = await feed(server);
    const positions = (await get(server, '/partners/P-001/balance', 'finance')).body;
    const commands: Array<[string, 'manager' | 'finance', Record<string, unknown>]> = [
      ['/partners/P-001/deposits', 'finance', { amount: 100 }],
      ['/partners', 'manager', { partnerId: 'P-009', name: 'Nine', kind: 'development', tier: 'standard' }],
      ['/deals', 'manager', { dealId: 'D-9', partnerId: 'P-001', customer: { name: 'Dated Co' } }],
      ['/partners/P-001/tier', 'manager', { tier: 'silver', reason: 'test' }],
    ];
    for (const [occurredAt, why] of NOT_INSTANTS) {
      for (const [route, token, body] of commands) {
        const problem = problemOf(await post(server, route, token, { ...body, occurredAt }), 400);
        expect(problem.errors, `${route} ${occurredAt}`).toEqual([{ path: 'body.occurredAt', message: expect.stringMatching(why) }]);
      }
    }
    expect(await feed(server)).toEqual(before);
    expect((await get(server, '/partners/P-001/balance', 'finance')).body).toEqual(positions);
    expect((await get(server, '/partners/P-009', 'manager')).status).toBe(404);
  });

  it('refuses a back-filled occurredAt before the policy’s earliest date (2000-01-01 in Asia/Shanghai), and takes that date’s first instant', async () => {
    const before = await feed(server);
    for (const occurredAt of ['1026-03-01T00:00:00Z', '1999-12-31T15:59:59.999Z', '1999-12-31T23:59:59+08:00', '1999-12-31']) {
      const problem = problemOf(await post(server, '/partners', 'manager', { partnerId: 'P-002', name: 'Two', kind: 'development', tier: 'silver', occurredAt }), 400);
      expect(problem.errors, occurredAt).toEqual([{ path: 'body.occurredAt', message: expect.stringMatching(/^must not be before 2000-01-01 in Asia\/Shanghai/) }]);
    }
    expect(await feed(server)).toEqual(before);
    const first = await post(server, '/partners', 'manager', { partnerId: 'P-002', name: 'Two', kind: 'development', tier: 'silver', occurredAt: '2000-01-01T00:00:00+08:00' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect((await feed(server)).at(-1)).toMatchObject({ type: 'PartnerSigned', occurredAt: '1999-12-31T16:00:00.000Z' });
  });

  it('refuses an occurredAt more than 60 s past the server’s clock, and takes one within the skew', async () => {
    const before = await feed(server);
    const later = new Date(Date.now() + 5 * 60_000).toISOString();
    const problem = problemOf(await post(server, '/partners/P-001/deposits', 'finance', { amount: 100, occurredAt: later }), 400);
    expect(problem.errors).toEqual([{ path: 'body.occurredAt', message: 'must not be in the future' }]);
    expect(problemOf(await post(server, '/partners/P-001/deposits', 'finance', { amount: 100, occurredAt: '9999-12-31T23:59:59Z' }), 400).errors).toEqual([
      { path: 'body.occurredAt', message: 'must not be in the future' },
    ]);
    expect(await feed(server)).toEqual(before);
    const withinSkew = await post(server, '/partners/P-001/deposits', 'finance', { amount: 100, occurredAt: new Date(Date.now() + 20_000).toISOString() });
    expect(withinSkew.status, JSON.stringify(withinSkew.body)).toBe(201);
  });

  it('refuses asOf and validAt that are not calendar instants with a 400 naming the parameter, on every kind of read', async () => {
    const asOf = problemOf(await get(server, '/tiers', 'manager', { asOf: '2026-02-30' }), 400);
    expect(asOf.errors).toEqual([{ path: 'query.asOf', message: expect.stringMatching(/February 2026 has 28 days, not a day 30/) }]);
    for (const route of ['/tiers', '/partners/P-001', '/partners/P-001/balance', '/reports/pipeline', '/reports/commission-by-quarter', '/reports/tiers']) {
      for (const [at, why] of NOT_INSTANTS) {
        for (const name of ['asOf', 'validAt']) {
          const problem = problemOf(await get(server, route, 'manager', { [name]: at }), 400);
          expect(problem.errors, `${route} ${name}=${at}`).toEqual([{ path: `query.${name}`, message: expect.stringMatching(why) }]);
        }
      }
    }
  });

  it("reads a bare date as the end of that day in the policy's zone (issue #21 item 3), and an offset as the instant it names", async () => {
    const bare = await get(server, '/tiers', 'manager', { asOf: '2026-02-28' });
    expect(bare.status).toBe(200);
    expect(bare.body).toEqual((await get(server, '/tiers', 'manager', { asOf: '2026-02-28T23:59:59.999+08:00' })).body);
    expect((await get(server, '/tiers', 'manager', { validAt: '2024-02-29T23:59:59.999Z' })).status).toBe(200);
  });
});

describe('reports over a log holding dates from before the checks', () => {
  let dataDir: string;
  let server: ApiServer;
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-old-dates-'));
    const store = openSqliteEventStore({ file: path.join(dataDir, 'events.db') });
    const sign = (partnerId: string, occurredAt: string) => {
      const event: LedgerEvent = { type: 'PartnerSigned', data: { partnerId, name: `Partner ${partnerId}`, kind: 'relationship', tier: 'gold', parentPartnerId: null, territory: null } };
      return store.append(partnerStream(partnerId), [{ ...event, eventId: randomUUID(), occurredAt, actor: { role: 'manager', id: 'm-1' } }], 'any');
    };
    // What main let in: a signing dated year 1026, one dated 0000-01-01, one dated 2026-06-31 (stored as 1 July).
    await sign('P-1026', '1026-03-01T00:00:00.000Z');
    await sign('P-0000', '0000-01-01T00:00:00.000Z');
    await sign('P-0701', '2026-07-01T00:00:00.000Z');
    await store.close();
    server = await startApiServer({ requestLog: false, dataDir });
  });
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers commission-by-quarter with the last 12 quarters, not a 500', async () => {
    const answer = await get(server, '/reports/commission-by-quarter', 'manager', { validAt: '2026-09-30T00:00:00Z' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const quarters = (answer.body.quarters as Array<{ quarter: string }>).map((q) => q.quarter);
    expect(quarters).toEqual(['2023-Q4', '2024-Q1', '2024-Q2', '2024-Q3', '2024-Q4', '2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2', '2026-Q3']);
    expect(answer.body.quarters.every((q: any) => q.accrued === 0 && q.clawedBack === 0 && q.paidOut === 0)).toBe(true);
    const now = await get(server, '/reports/commission-by-quarter', 'manager');
    expect(now.status, JSON.stringify(now.body)).toBe(200);
    expect(now.body.quarters).toHaveLength(12);
  });

  it('answers every report at the first and last instants the parser admits, and about the years those signings carry', async () => {
    const instants = ['1000-01-01T00:00:00Z', '1026-03-01T00:00:00Z', '1026-06-30T12:00:00Z', '9999-12-31T23:59:59.999Z', '9999-12-31T15:59:59.999Z'];
    for (const route of ['/reports/commission-by-quarter', '/reports/tiers', '/reports/balances', '/reports/timeline', '/reports/conflicts', '/reports/pipeline', '/tiers']) {
      for (const validAt of instants) {
        const answer = await get(server, route, 'manager', { validAt });
        expect(answer.status, `${route} validAt=${validAt}: ${JSON.stringify(answer.body)}`).toBe(200);
      }
      const asOf = await get(server, route, 'manager', { asOf: '9999-12-31T23:59:59Z' });
      expect(asOf.status, `${route} asOf: ${JSON.stringify(asOf.body)}`).toBe(200);
    }
    // 1026-06-30 20:05 in Shanghai (local mean time, +08:05:43): the quarters since P-0000's signing in year 0, the last 12.
    const in1026 = await get(server, '/reports/commission-by-quarter', 'manager', { validAt: '1026-06-30T12:00:00Z' });
    expect(in1026.status, JSON.stringify(in1026.body)).toBe(200);
    expect(in1026.body.quarters.map((q: { quarter: string }) => q.quarter)).toEqual(
      ['1023-Q3', '1023-Q4', '1024-Q1', '1024-Q2', '1024-Q3', '1024-Q4', '1025-Q1', '1025-Q2', '1025-Q3', '1025-Q4', '1026-Q1', '1026-Q2'],
    );
    const tiers = await get(server, '/reports/tiers', 'manager', { validAt: '9999-12-31T23:59:59.999Z' });
    expect(tiers.body).toMatchObject({ quarter: '10000-Q1', previousQuarter: '9999-Q4', previousQuarterEnd: '9999-12-31T15:59:59.999Z' });
    expect(tiers.body.partners.map((p: { partnerId: string }) => p.partnerId).sort()).toEqual(['P-0000', 'P-0701', 'P-1026']);
    const early = await get(server, '/reports/tiers', 'manager', { validAt: '1000-01-01T00:00:00Z' });
    expect(early.body).toMatchObject({ quarter: '1000-Q1', previousQuarter: '0999-Q4' });
    expect(early.body.partners.map((p: { partnerId: string }) => p.partnerId)).toEqual(['P-0000']);
  });
});
