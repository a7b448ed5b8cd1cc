// The OpenAPI document against a standard validator (@seriousme/openapi-schema-validator, OpenAPI
// 3.1 and its JSON Schema 2020-12 dialect) and against the server itself: every $ref resolves,
// every route documents a typed answer and every error status the server gives it, the errors the
// server really answers (provoked here) are the documented ones, and real answers fit the
// documented schemas field for field.
import { request as httpRequest } from 'node:http';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { allRoutes } from '../../src/app/openapi/all-routes.js';
import { openApiPath } from '../../src/app/openapi/openapi.js';
import type { RouteSpec } from '../../src/app/http/route.js';
import { contestedKey, seedProgramme } from './support/programme.js';
import { type ApiServer, call, get, post, startApiServer, type TokenName } from './support/server.js';

let server: ApiServer;
let doc: any;
/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) over the whole document, so refs resolve inside it. */
let ajv: Ajv2020;
beforeAll(async () => {
  server = await startApiServer({ requestLog: false });
  await seedProgramme(server);
  doc = (await get(server, '/openapi.json', null)).body;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema(doc, 'openapi.json');
});
afterAll(async () => {
  await server?.stop();
});

const operationOf = (route: RouteSpec) => doc.paths[openApiPath(route.path)][route.method.toLowerCase()];
const routeById = (id: string): RouteSpec => {
  const route = allRoutes.find((r) => r.id === id);
  if (!route) throw new Error(`no route ${id}`);
  return route;
};

/** Every "$ref" of a JSON value, with where it was found. */
function refsOf(value: unknown, at = '#', out: Array<[string, string]> = []): Array<[string, string]> {
  if (Array.isArray(value)) value.forEach((v, i) => refsOf(v, `${at}/${i}`, out));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push([at, v]);
      else refsOf(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
    }
  }
  return out;
}

function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: any = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

describe('the document', () => {
  it('is a valid OpenAPI 3.1 document by a standard validator, and every $ref resolves', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)?.slice(0, 4_000)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(() => validator.resolveRefs()).not.toThrow();
    const refs = refsOf(doc);
    expect(refs.length).toBeGreaterThan(100);
    const dangling = refs.filter(([, ref]) => resolvePointer(doc, ref) === undefined);
    expect(dangling).toEqual([]);
    expect(JSON.stringify(doc)).not.toContain('#/definitions/');
    expect(JSON.stringify(doc)).not.toContain('#/$defs/');
  });

  it('holds only JSON Schema 2020-12 schemas (the validator above leaves schema objects to their dialect)', () => {
    const schemas: Array<[string, unknown]> = Object.entries(doc.components.schemas);
    for (const [path, ops] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        for (const p of op.parameters) if (p.schema) schemas.push([`${method} ${path} ${p.name}`, p.schema]);
        for (const [status, r] of Object.entries<any>(op.responses)) if (r.content) schemas.push([`${method} ${path} ${status}`, r.content['application/json'].schema]);
        if (op.requestBody) schemas.push([`${method} ${path} body`, op.requestBody.content['application/json'].schema]);
      }
    }
    expect(schemas.length).toBeGreaterThan(80);
    for (const [where, schema] of schemas) expect(ajv.validateSchema(schema as object), `${where}: ${ajv.errorsText()}`).toBe(true);
  });

  it('documents every route with a typed answer (no bare {"type":"object"}), generated from its response schema', () => {
    expect(Object.values(doc.paths).flatMap((ops: any) => Object.keys(ops)).length).toBe(allRoutes.length);
    const undescribed: string[] = [];
    for (const route of allRoutes) {
      const operation = operationOf(route);
      expect(operation, route.id).toBeDefined();
      const schema = operation.responses[String(route.successStatus)].content['application/json'].schema;
      expect(schema, route.id).not.toEqual({ type: 'object' });
      if (route.response === undefined) undescribed.push(route.id);
      else expect(JSON.stringify(schema).length, route.id).toBeGreaterThan(20);
    }
    // Every command route answers at least the command envelope; these reads name their own shapes.
    const described = allRoutes.filter((r) => r.method === 'POST').map((r) => r.id);
    described.push('getPartner', 'getBalance', 'getTiers', 'getOwnership', 'getStatement', 'auditCustomer', 'verifyChain', 'events', 'getPipeline', 'health');
    described.push('reportSession', 'reportTimeline', 'reportTiers', 'reportBalances', 'reportCommissionByQuarter', 'reportConflicts', 'getRebates', 'getAwards');
    expect(undescribed.filter((id) => described.includes(id))).toEqual([]);
    if (undescribed.length > 0) console.warn(`OpenAPI: routes without a response schema (RouteSpec.response), documented as "not described yet": ${undescribed.join(', ')}`);
    // Command answers: the command's own figures and the log position.
    expect(operationOf(routeById('postDeposit')).responses['201'].content['application/json'].schema).toEqual({
      allOf: [{ $ref: '#/components/schemas/DepositAnswer' }, { $ref: '#/components/schemas/CommandAnswer' }],
    });
    expect(doc.components.schemas.CommandAnswer.properties.position.anyOf).toEqual([expect.objectContaining({ type: 'integer', minimum: 1 }), { type: 'null' }]);
    // Every command route documents ?dryRun (only true or false) and the dry run's 200 answer.
    const deposit = operationOf(routeById('postDeposit'));
    expect(deposit.parameters).toContainEqual(expect.objectContaining({ name: 'dryRun', in: 'query', required: false, schema: { type: 'string', enum: ['true', 'false'] } }));
    expect(deposit.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/DryRunAnswer' });
    expect(doc.components.schemas.DryRunAnswer.required).toEqual(expect.arrayContaining(['dryRun', 'events', 'balances']));
    expect(doc.components.schemas.Balance.required).toEqual(expect.arrayContaining(['payable', 'deposit', 'debt']));
  });

  it('documents, for every operation, the problem answer of every error status the server gives it', () => {
    const everywhere = ['400', '408', '417', '431', '500', '503'];
    for (const route of allRoutes) {
      const responses = operationOf(route).responses;
      const expected = [...everywhere];
      if (route.roles !== 'anyone') expected.push('401', '403');
      if (route.method === 'POST') expected.push('404', '409', '413', '415', '422');
      // every command route takes ?dryRun=true, answered 200
      if (route.method === 'POST') expected.push('200');
      if (route.params) expected.push('404');
      if (/:[a-zA-Z]/.test(route.path)) expected.push('414');
      if (route.path.startsWith('/reports/')) expected.push('429');
      expect(Object.keys(responses).sort(), route.id).toEqual([...new Set([String(route.successStatus), ...expected])].sort());
    }
    for (const [name, response] of Object.entries<any>(doc.components.responses)) {
      expect(name).toMatch(/^Problem\d{3}$/);
      expect(response.content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
      expect(response.headers['X-Correlation-Id']).toBeDefined();
    }
    expect(doc.components.responses.Problem405.headers.Allow).toBeDefined();
    expect(doc.components.responses.Problem429.headers['Retry-After']).toBeDefined();
    expect(doc.components.schemas.Problem.required).toEqual(['type', 'title', 'status', 'detail']);
  });
});

/** A raw request (headers fetch will not send: Expect, oversized ones). */
function rawRequest(path: string, headers: Record<string, string>): Promise<{ status: number; body: any; headers: Record<string, unknown> }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: 'GET', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the errors the server answers are the documented ones', () => {
  const documented = (route: RouteSpec, status: number): void => {
    expect(Object.keys(operationOf(route).responses), `${route.id} documents ${status}`).toContain(String(status));
  };
  const isProblem = (answer: { status: number; body: any }, status: number): void => {
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ status, type: expect.stringMatching(/^urn:ledger:problem:/), title: expect.any(String), detail: expect.any(String) });
    expect(Object.keys(doc['x-problem-types'])).toContain(answer.body.type);
  };

  it('400, 401, 403, 404, 413, 414, 415, 417, 422, 431 on the routes that document them; 405 as components.responses.Problem405', async () => {
    const badId = await call(server, 'GET', '/health', { headers: { 'x-correlation-id': 'not ok' } });
    isProblem(badId, 400);
    documented(routeById('health'), 400);
    isProblem(await get(server, '/tiers', null), 401);
    documented(routeById('getTiers'), 401);
    isProblem(await get(server, '/tiers', 'partner1'), 403);
    documented(routeById('getTiers'), 403);
    isProblem(await get(server, '/partners/P-404', 'manager'), 404);
    documented(routeById('getPartner'), 404);
    isProblem(await post(server, '/partners/P-001/deposits', 'finance', { amount: 1, note: 'x'.repeat(70_000) }), 413);
    documented(routeById('postDeposit'), 413);
    isProblem(await get(server, `/partners/${'x'.repeat(1_001)}`, 'manager'), 414);
    documented(routeById('getPartner'), 414);
    isProblem(await call(server, 'POST', '/payments', { token: 'finance', rawBody: 'amount=1', headers: { 'content-type': 'text/plain' } }), 415);
    documented(routeById('receivePayment'), 415);
    isProblem(await post(server, '/refunds', 'finance', { refundId: 'R-X', paymentId: 'PAY-1', amount: 999_999_999, reason: 'too much' }), 422);
    documented(routeById('issueRefund'), 422);
    const expectation = await rawRequest('/tiers', { expect: 'something-else' });
    isProblem(expectation, 417);
    expect(expectation.headers['x-correlation-id']).toEqual(expect.any(String));
    documented(routeById('getTiers'), 417);
    isProblem(await rawRequest('/tiers', { 'x-large': 'y'.repeat(20_000) }), 431);
    documented(routeById('getTiers'), 431);
    const wrongMethod = await post(server, '/tiers', 'manager', {});
    isProblem(wrongMethod, 405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD');
    expect(doc.components.responses.Problem405).toBeDefined();
  });
});

describe('real answers fit the documented schemas, field for field', () => {
  /** Parses with the route's response schema: parsing keeps only documented fields, so an equal result means none is missing or extra. */
  const fits = (id: string, body: unknown): void => {
    const schema = routeById(id).response as z.ZodType;
    const parsed = schema.safeParse(body);
    expect(parsed.success, `${id}: ${parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 5))}`).toBe(true);
    expect(parsed.data, `${id} answers a field its schema does not document`).toEqual(body);
    // And the document's own JSON Schema (what a client generates code from) accepts it too.
    const route = routeById(id);
    const pointer = `openapi.json#/paths/${openApiPath(route.path).replace(/~/g, '~0').replace(/\//g, '~1')}/${route.method.toLowerCase()}/responses/${route.successStatus}/content/application~1json/schema`;
    const validate = ajv.getSchema(pointer);
    expect(validate, pointer).toBeDefined();
    expect(validate!(body), `${id}: ${ajv.errorsText(validate!.errors)}`).toBe(true);
  };
  const read = async (id: string, path: string, token: TokenName, query?: Record<string, string>) => {
    const answer = await get(server, path, token, query);
    expect(answer.status, `${id}: ${JSON.stringify(answer.body)}`).toBe(200);
    fits(id, answer.body);
    return answer.body;
  };
  const write = async (id: string, path: string, token: TokenName, body: unknown) => {
    const answer = await post(server, path, token, body);
    expect(answer.status, `${id}: ${JSON.stringify(answer.body)}`).toBe(routeById(id).successStatus);
    fits(id, answer.body);
    return answer.body;
  };

  it('commands: the answer and its position (a number)', async () => {
    const signed = await write('signPartner', '/partners', 'manager', { partnerId: 'P-OA', name: 'OpenAPI Check', kind: 'development', tier: 'standard' });
    expect(signed.position).toEqual(expect.any(Number));
    await write('postDeposit', '/partners/P-OA/deposits', 'finance', { amount: 50_000 });
    await write('deductDeposit', '/partners/P-OA/deposit-deductions', 'finance', { amount: 70_000, reason: 'penalty' });
    await write('changeTier', '/partners/P-OA/tier', 'manager', { tier: 'silver', reason: 'certificate' });
    await write('registerDeal', '/deals', 'manager', { dealId: 'D-OA', partnerId: 'P-OA', customer: { name: 'Schema Check Co' } });
    await write('advanceDealStage', '/deals/D-OA/stage', 'manager', { stage: 'signed' });
    await write('receivePayment', '/payments', 'finance', { paymentId: 'PAY-OA', dealId: 'D-OA', line: 'port', amount: 1_000_000 });
    await write('issueRefund', '/refunds', 'finance', { refundId: 'R-OA', paymentId: 'PAY-OA', amount: 100_000, reason: 'returned ports' });
    const proposal = await write('transferDeal', '/deals/D-101/transfer', 'manager', { toDealId: 'D-201', reason: 'P-001 went quiet', occurredAt: '2025-06-01T00:00:00Z' });
    await write('approveTransfer', `/transfers/${proposal.transferId}/approve`, 'manager2', { occurredAt: '2025-06-02T00:00:00Z' });
    await write('registerDeal', '/deals', 'manager', { dealId: 'D-OB', partnerId: 'P-OA', customer: { name: 'Contract Schema Co' } });
    await write('submitContract', '/deals/D-OB/contract', 'manager', { ports: 10, contractValue: 1_200_000 });
    await write('rejectContract', '/deals/D-OB/contract/reject', 'manager', { reason: 'unsigned annex' });
    await write('submitContract', '/deals/D-OB/contract', 'manager', { ports: 10, contractValue: 1_200_000 });
    await write('confirmContract', '/deals/D-OB/contract/confirm', 'manager', { signedAt: new Date().toISOString() });
    await write('registerDeal', '/deals', 'manager', { dealId: 'D-OC1', partnerId: 'P-OA', customer: { name: 'Handover Schema Co' }, occurredAt: '2025-01-02T00:00:00Z' });
    await write('registerDeal', '/deals', 'manager', { dealId: 'D-OC2', partnerId: 'direct', customer: { name: 'Handover Schema Co' }, occurredAt: '2025-01-05T00:00:00Z' });
    const second = await write('transferDeal', '/deals/D-OC1/transfer', 'manager', { toDealId: 'D-OC2', reason: 'quiet', occurredAt: '2025-03-01T00:00:00Z' });
    await write('rejectTransfer', `/transfers/${second.transferId}/reject`, 'manager2', { reason: 'the partner has a trial booked' });
    await write('ruleOwnership', `/customers/${contestedKey}/ruling`, 'manager', { ownerDealId: 'D-101', reason: 'the contract names P-001' });
    await write('evaluateTiers', '/tier-evaluations', 'manager', { quarter: '2025-Q1' });
    await write('payOut', '/payouts', 'finance', { quarter: '2025-Q1' });
    const again = await write('payOut', '/payouts', 'finance', { quarter: '2025-Q1' });
    expect(again.position).toBeNull(); // the quarter is paid: nothing written
  });

  it('reads: partners, balances, tiers, ownership, statements, audit, events, reports, health', async () => {
    await read('getPartner', '/partners/P-001', 'manager');
    const balance = await read('getBalance', '/partners/P-001/balance', 'finance');
    const balanceSchema = ajv.getSchema('openapi.json#/components/schemas/Balance')!;
    expect(balanceSchema(balance)).toBe(true);
    expect(balanceSchema({ ...balance, payable: '12.00' })).toBe(false); // the schema really checks
    expect(balanceSchema({ ...balance, deposit: undefined })).toBe(false);
    await read('getTiers', '/tiers', 'finance');
    await read('getOwnership', `/customers/${contestedKey}/ownership`, 'auditor');
    await read('getStatement', '/statements/P-001/2025-Q1', 'finance');
    const account = await read('auditCustomer', `/audit/customers/${contestedKey}`, 'auditor', { validAt: '2025-06-01T00:00:00Z' });
    expect(account.events[0].position).toEqual(expect.any(Number));
    await read('verifyChain', '/audit/verify', 'auditor');
    const page = await read('events', '/events', 'auditor', { from: '1', limit: '5' });
    expect(page.events.map((e: { position: number }) => e.position).slice(0, 3)).toEqual([1, 2, 3]);
    expect(page.next).toBe(6);
    await read('getPipeline', '/reports/pipeline', 'manager');
    await read('reportSession', '/reports/session', 'partner1');
    const timeline = await read('reportTimeline', '/reports/timeline', 'manager');
    expect(timeline.headPosition).toBe(timeline.events);
    await read('reportTiers', '/reports/tiers', 'manager');
    await read('reportBalances', '/reports/balances', 'manager');
    await read('reportCommissionByQuarter', '/reports/commission-by-quarter', 'manager');
    await read('reportConflicts', '/reports/conflicts', 'auditor');
    await read('getRebates', '/partners/P-001/rebates', 'manager', { year: '2025' });
    await read('getAwards', '/awards/2025', 'manager');
    const health = await read('health', '/health', 'auditor');
    expect(health.details.store.position).toBe(health.position);
    fits('health', (await get(server, '/health', null)).body);
  });
});
