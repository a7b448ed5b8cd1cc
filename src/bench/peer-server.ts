// The peer behind HTTP for `ledger bench peers`: Fastify (the ledger's own HTTP engine, under
// Nest) on loopback in a process of its own, serving the peer's commands (peer-emmett.ts) with
// the ledger's command routes' shapes. Run as `node peer-server.js <database file>`; it prints
// "listening on http://127.0.0.1:PORT" and serves until SIGTERM.
import { openPeerApp } from './peer-emmett.js';

async function main(file: string): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const app = await openPeerApp(file);
  const server = Fastify({ logger: false });
  const fail = (reply: { code(n: number): { send(b: unknown): unknown } }, error: unknown) =>
    reply.code(422).send({ error: error instanceof Error ? error.message : String(error) });
  server.post<{ Body: { partnerId: string } }>('/partners', async (req, reply) => {
    try {
      await app.signPartner(String(req.body.partnerId));
      return reply.code(201).send({ partnerId: req.body.partnerId });
    } catch (error) {
      return fail(reply, error);
    }
  });
  server.post<{ Params: { partnerId: string }; Body: { amount: number } }>('/partners/:partnerId/deposits', async (req, reply) => {
    try {
      return reply.code(201).send(await app.postDeposit(req.params.partnerId, Number(req.body.amount)));
    } catch (error) {
      return fail(reply, error);
    }
  });
  server.post<{ Body: { dealId: string; partnerId: string; customer: { name: string } } }>('/deals', async (req, reply) => {
    try {
      return reply.code(201).send(await app.registerDeal(String(req.body.dealId), String(req.body.partnerId), String(req.body.customer?.name)));
    } catch (error) {
      return fail(reply, error);
    }
  });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`listening on ${url}\n`);
  process.once('SIGTERM', () => {
    void server
      .close()
      .then(() => app.close())
      .finally(() => process.exit(0));
  });
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node peer-server.js <database file>\n');
  process.exit(2);
}
main(file).catch((error: unknown) => {
  process.stderr.write(`peer server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
