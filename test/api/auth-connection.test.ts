// The guard remembers, per keep-alive connection, the last Authorization header that named a
// token. These pin that another header on the same connection is checked afresh: an unknown
// token is still a 401 and another role's token gets that role's answer.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer, tokens } from './support/server.js';

let server: ApiServer;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
beforeAll(async () => {
  server = await startApiServer({ requestLog: false });
});
afterAll(async () => {
  agent.destroy();
  await server?.stop();
});

/** A GET over the one kept-alive connection; answers the status and the connection's local port. */
function getOnOneConnection(route: string, authorization: string): Promise<{ status: number; localPort: number | undefined }> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${server.url}${route}`, { agent, headers: { authorization } }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, localPort: request.socket?.localPort }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('authentication on one keep-alive connection', () => {
  it('checks every new Authorization header: unknown tokens 401, another role its own answer', async () => {
    const first = await getOnOneConnection('/tiers', `Bearer ${tokens.manager}`);
    expect(first.status).toBe(200);
    const unknown = await getOnOneConnection('/tiers', 'Bearer not-a-token-of-this-ledger');
    expect(unknown.status).toBe(401);
    const again = await getOnOneConnection('/tiers', `Bearer ${tokens.manager}`);
    expect(again.status).toBe(200);
    const partner = await getOnOneConnection('/tiers', `Bearer ${tokens.partner1}`);
    expect(partner.status).toBe(403);
    const partnerOwn = await getOnOneConnection('/partners/P-001/balance', `Bearer ${tokens.partner1}`);
    const partnerOther = await getOnOneConnection('/partners/P-002/balance', `Bearer ${tokens.partner1}`);
    expect(partnerOther.status).toBe(403);
    expect([200, 404]).toContain(partnerOwn.status);
    const back = await getOnOneConnection('/tiers', `Bearer ${tokens.manager}`);
    expect(back.status).toBe(200);
    // All of it went over one connection (the same local port).
    expect(new Set([first, unknown, again, partner, partnerOwn, partnerOther, back].map((a) => a.localPort)).size).toBe(1);
  });
});
