// How request bodies are read before any route runs (src/app/http/http-setup.ts and the problem
// filter): strict JSON, an empty body as {}, UTF-8 only, the size limit named in the 413, and the
// same answers whatever slash ends the path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, call, get, startApiServer } from './support/server.js';

const BODY_LIMIT_BYTES = 4_096;
let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer({ requestLog: false, bodyLimitBytes: BODY_LIMIT_BYTES });
});
afterAll(async () => {
  await server?.stop();
});

const problemOf = (answer: { status: number; body: any; headers: Headers }, status: number) => {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  return answer.body as { type: string; title: string; detail: string; errors?: Array<{ path: string; message: string }> };
};

describe('request bodies', () => {
  it('names the limit in a 413', async () => {
    const big = JSON.stringify({ partnerId: 'P-9', name: 'x'.repeat(BODY_LIMIT_BYTES) });
    const problem = problemOf(await call(server, 'POST', '/partners', { token: 'manager', rawBody: big }), 413);
    expect(problem.detail).toBe(`the body is larger than ${BODY_LIMIT_BYTES} bytes`);
  });

  it('takes only an object or an array at the top level (strict JSON)', async () => {
    for (const rawBody of ['"P-9"', '5', 'null', 'true']) {
      const problem = problemOf(await call(server, 'POST', '/partners', { token: 'manager', rawBody }), 400);
      expect(problem.title).toBe('Malformed JSON');
    }
  });

  it('reads an empty JSON body as {} (every required field named) and application/*+json as JSON', async () => {
    const empty = problemOf(await call(server, 'POST', '/partners/P-001/deposits', { token: 'finance', rawBody: '' }), 400);
    expect(empty.errors).toEqual([{ path: 'body.amount', message: 'required' }]);
    const plusJson = problemOf(
      await call(server, 'POST', '/partners/P-001/deposits', { token: 'finance', rawBody: '{"amount":"5"}', headers: { 'content-type': 'application/merge-patch+json' } }),
      400,
    );
    expect(plusJson.errors?.map((e) => e.path)).toEqual(['body.amount']);
  });

  it('refuses a compressed body with 415 naming the Content-Encoding, and writes nothing', async () => {
    const before = (await get(server, '/partners/P-001/balance', 'finance')).body;
    const problem = problemOf(
      await call(server, 'POST', '/partners/P-001/deposits', { token: 'finance', rawBody: '{"amount":5}', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }),
      415,
    );
    expect(problem.detail).toMatch(/Content-Encoding "gzip"/);
    expect((await get(server, '/partners/P-001/balance', 'finance')).body).toEqual(before);
  });

  it('refuses a charset other than UTF-8 with 415', async () => {
    const problem = problemOf(
      await call(server, 'POST', '/partners/P-001/deposits', { token: 'finance', rawBody: '{"amount":5}', headers: { 'content-type': 'application/json; charset=latin1' } }),
      415,
    );
    expect(problem.detail).toMatch(/charset/);
  });

  it('refuses names and reasons holding control characters, bidi overrides, NUL or lone surrogates, naming the field, and writes nothing', async () => {
    const before = await server.running.ledger.store.headPosition();
    const hostile = ['Evil\u001b[2J Co', 'Evil\u0000Co', 'Evil\u202eoC', 'Evil\u2066Co', 'Evil\ud800Co', 'Evil\u0085Co'];
    for (const name of hostile) {
      const problem = problemOf(await call(server, 'POST', '/partners', { token: 'manager', body: { partnerId: 'P-EVIL', name, kind: 'relationship', tier: 'gold' } }), 400);
      expect(problem.errors).toEqual([{ path: 'body.name', message: 'must not contain control characters, bidi overrides or lone surrogates' }]);
      const deal = problemOf(await call(server, 'POST', '/deals', { token: 'manager', body: { dealId: 'D-EVIL', partnerId: 'direct', customer: { name } } }), 400);
      expect(deal.errors?.map((e) => e.path)).toEqual(['body.customer.name']);
    }
    // Printable text in any script is fine: Chinese, emoji (a surrogate pair), accents.
    const ok = await call(server, 'POST', '/partners', { token: 'manager', body: { partnerId: 'P-OK', name: '华东通信 😀 Société', kind: 'relationship', tier: 'gold' } });
    expect(ok.status).toBe(201);
    expect(await server.running.ledger.store.headPosition()).toBe(before + 1n);
  });

  it('answers a path with a trailing slash like the path without it', async () => {
    const answer = await get(server, '/tiers/', 'manager');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual((await get(server, '/tiers', 'manager')).body);
  });
});
