// GET /statements/:partnerId/:quarter.pdf (and .xlsx, .csv): a partner's quarterly statement as a
// file, written by the same code as `ledger statement … --pdf/--xlsx/--csv`
// (src/ledger/statement-document.ts, the page's export module for the table). Same roles and the
// same own-partner rule as the JSON statement; asOf and validAt as on every read.
import { Controller, Inject, Res } from '@nestjs/common';
import { z } from 'zod';
import type { Ledger } from '../../ledger/ledger.js';
import { NoCjkFontError, statementDocument, statementPdf, statementTable } from '../../ledger/statement-document.js';
import { webExport } from '../../ledger/web-modules.js';
import { EntityId, Quarter } from '../../ledger/commands/fields.js';
import { requireOwnPartner } from '../auth/scope.js';
import { LEDGER } from '../core/ledger.token.js';
import { TimeQuery } from '../http/api-schemas.js';
import { notFound, ProblemError } from '../http/problem.js';
import { Caller, type CallContext } from '../http/request-context.js';
import { defineRoute, Input, Route, type RouteInput } from '../http/route.js';
import ExcelJS from 'exceljs';

export const statementFileRoute = defineRoute({
  id: 'getStatementFile',
  method: 'GET',
  path: '/statements/:partnerId/:quarter(^\\d{4}-Q[1-4]).:format(^(pdf|xlsx|csv)$)',
  tag: 'money',
  summary: "A partner's quarterly statement as a PDF (Chinese, every line with its payment or refund, the chain head hash), an .xlsx workbook or CSV",
  roles: ['finance', 'auditor', 'partner'],
  params: z.strictObject({ partnerId: EntityId, quarter: Quarter, format: z.enum(['pdf', 'xlsx', 'csv']) }),
  query: TimeQuery,
  successStatus: 200,
});

/** The few methods of Fastify's reply used here. */
interface FileReply {
  header(name: string, value: string): FileReply;
}

const contentTypes = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
} as const;

@Controller()
export class StatementFileController {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}

  @Route(statementFileRoute)
  async file(@Input() input: RouteInput<typeof statementFileRoute>, @Caller() call: CallContext, @Res({ passthrough: true }) reply: FileReply): Promise<Buffer> {
    const { partnerId, quarter, format } = input.params;
    requireOwnPartner(call.principal, partnerId);
    const side = this.ledger.readSide;
    // A partner's token gets no log positions (auth/partner-answers.ts): its statement names lines by their cash, the head by its hash.
    const hidePositions = call.principal.role === 'partner';
    const doc = await statementDocument({ queries: side.queries, store: side.store, timeZone: this.ledger.timeZone }, partnerId, quarter, input.query, this.ledger.nowIso, { hidePositions });
    if (!doc) throw notFound(`no partner ${partnerId}${input.query.asOf ? ` as of ${input.query.asOf}` : ''}`);
    let body: Buffer;
    if (format === 'pdf') {
      try {
        body = await statementPdf(doc);
      } catch (error) {
        if (error instanceof NoCjkFontError) throw new ProblemError('unavailable', error.message);
        throw error;
      }
    } else if (format === 'xlsx') body = Buffer.from(await webExport.workbookBytes(ExcelJS, [statementTable(doc)]));
    else body = Buffer.from(webExport.tableCsv(statementTable(doc)), 'utf8');
    reply.header('content-type', contentTypes[format]).header('content-disposition', `attachment; filename="statement-${partnerId}-${quarter}.${format}"`);
    return body;
  }
}
