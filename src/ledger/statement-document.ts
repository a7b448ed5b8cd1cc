// A partner's quarterly statement as a document: the statement (projections/statements.ts) with
// the partner's name, the cut it was read at and the chain head at that cut, as a table for CSV
// and .xlsx (the page's export module) and as a PDF in Chinese with an embedded CJK font. Both
// GET /statements/:partnerId/:quarter?format=pdf and `ledger statement … --pdf` write it here.
// Every line names the cash it comes from (payment id, refund id, the cash date), so a reader can
// trace it to the bank; the head hash lets anyone check the statement against the log
// (`ledger verify --anchor <hash>@<position>`).
import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import type { Statement, StatementLine } from '../../projections/statements.js';
import { quarterEnd, quarterStart } from '../domain/quarter.js';
import type { EventStore } from '../store/event-store.js';
import type { CutInfo, LedgerQueries } from './queries.js';
import { type ExportTable, webFormat } from './web-modules.js';
import type { TimeQuery } from '../../projections/cut.js';

export interface StatementDocument {
  statement: Statement;
  partnerName: string;
  cut: CutInfo;
  /** The last event of the log inside the cut: the chain head the statement was read at. */
  head: { position: number; hash: string } | null;
  timeZone: string;
  quarterStart: string;
  quarterEnd: string;
  generatedAt: string;
  /**
   * For a partner's token: no log positions (a global position tells how much everyone else
   * recorded; src/app/auth/partner-answers.ts): the lines without their positions, the chain
   * head by its hash alone.
   */
  hidePositions: boolean;
}

/** The statement with what a document needs around it; null when the partner is unknown at the cut. */
export async function statementDocument(
  side: { queries: LedgerQueries; store: EventStore; timeZone: string },
  partnerId: string,
  quarter: string,
  query: TimeQuery,
  nowIso: () => string = () => new Date().toISOString(),
  options: { hidePositions?: boolean } = {},
): Promise<StatementDocument | null> {
  const statement = await side.queries.statement(partnerId, quarter, query);
  if (!statement) return null;
  const partner = await side.queries.partner(partnerId, query);
  const cut = side.queries.cutInfo(query);
  let head: StatementDocument['head'] = null;
  if (cut.position > 0) {
    const at = BigInt(cut.position);
    for await (const e of side.store.readAll({ fromPosition: at, toPosition: at, batchSize: 1 })) head = { position: Number(e.position), hash: e.hash };
  }
  return {
    statement,
    partnerName: partner?.name ?? partnerId,
    cut,
    head,
    timeZone: side.timeZone,
    quarterStart: quarterStart(quarter, side.timeZone),
    quarterEnd: quarterEnd(quarter, side.timeZone),
    generatedAt: nowIso(),
    hidePositions: options.hidePositions ?? false,
  };
}

const kindText = (l: StatementLine): string => (l.kind === 'accrual' ? '计提 accrual' : '追回 clawback');
const settledText = (l: StatementLine): string =>
  `${l.settledBy ? `${l.settledBy.quarter}` : '未结算 open'}${l.priorPeriodAdjustment ? ' · 前期调整 prior-period' : ''}`;

/** The statement's lines as a table (CSV, .xlsx): each with its cash event, amounts in fen. */
export function statementTable(doc: StatementDocument): ExportTable {
  const table = fullStatementTable(doc);
  if (!doc.hidePositions) return table;
  const keep = table.columns.map((c) => c.title !== 'position' && c.title !== 'sourcePosition');
  return { ...table, columns: table.columns.filter((_c, i) => keep[i]), rows: table.rows.map((r) => r.filter((_v, i) => keep[i])) };
}

function fullStatementTable(doc: StatementDocument): ExportTable {
  const s = doc.statement;
  return {
    name: `${s.partnerId} ${s.quarter}`,
    timeZone: doc.timeZone,
    columns: [
      { title: 'position', kind: 'count' },
      { title: 'kind', kind: 'text' },
      { title: 'cashAt', kind: 'instant' },
      { title: 'cashQuarter', kind: 'text' },
      { title: 'customerKey', kind: 'text' },
      { title: 'paymentId', kind: 'text' },
      { title: 'refundId', kind: 'text' },
      { title: 'sourcePosition', kind: 'count' },
      { title: 'revenueLine', kind: 'text' },
      { title: 'cash (CNY)', kind: 'money' },
      { title: 'rateBps', kind: 'count' },
      { title: 'commission (CNY)', kind: 'money' },
      { title: 'settledBy', kind: 'text' },
      { title: 'priorPeriodAdjustment', kind: 'text' },
      { title: 'recordedAt', kind: 'instant' },
    ],
    rows: s.lines.map((l) => [
      l.position,
      l.kind,
      l.cashAt,
      l.cashQuarter,
      l.customerKey,
      l.paymentId,
      l.refundId,
      l.sourcePosition,
      l.revenueLine,
      l.cashFen,
      l.rateBps,
      l.commissionFen,
      l.settledBy?.quarter ?? null,
      String(l.priorPeriodAdjustment),
      l.recordedAt,
    ]).concat(
      // A back-dated policy version's adjustments (issue #20): the kind names the line's kind and both versions.
      s.adjustments.map((a) => [
        a.position,
        `adjustment ${a.kind} ${a.fromVersion}→${a.toVersion}`,
        a.cashAt,
        a.cashQuarter,
        null,
        a.paymentId,
        a.refundId,
        null,
        a.revenueLine,
        null,
        a.toRateBps,
        a.commissionFen,
        a.settledBy?.quarter ?? null,
        'true',
        a.recordedAt,
      ]),
    ),
  };
}

/** Fonts tried for the PDF's Chinese text, in order (LEDGER_PDF_FONT first): [file, name inside a collection]. */
export const CJK_FONT_CANDIDATES: ReadonlyArray<readonly [string, string | undefined]> = [
  ['/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', 'WenQuanYiMicroHei'],
  ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', 'NotoSansCJKsc-Regular'],
  ['/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', 'WenQuanYiZenHei'],
  ['/usr/share/fonts/truetype/arphic/uming.ttc', 'AR PL UMing CN'],
];

export class NoCjkFontError extends Error {
  override readonly name = 'NoCjkFontError';
}

/** The CJK font the PDF embeds: LEDGER_PDF_FONT (a .ttf/.otf, or file.ttc#PostScriptName), else the first installed candidate. */
export function cjkFont(env: NodeJS.ProcessEnv = process.env): { file: string; family: string | undefined } {
  const configured = env.LEDGER_PDF_FONT;
  if (configured) {
    const [file, family] = configured.split('#') as [string, string | undefined];
    if (!existsSync(file)) throw new NoCjkFontError(`LEDGER_PDF_FONT names ${file}, which does not exist`);
    return { file, family };
  }
  for (const [file, family] of CJK_FONT_CANDIDATES) if (existsSync(file)) return { file, family };
  throw new NoCjkFontError(
    `no CJK font for the statement PDF: install Debian's fonts-wqy-microhei (the image does) or set LEDGER_PDF_FONT to a .ttf/.otf file (or file.ttc#PostScriptName)`,
  );
}

/** The statement as an A4 landscape PDF in Chinese (with English beside the labels), the CJK font embedded (subset). */
export async function statementPdf(doc: StatementDocument, env: NodeJS.ProcessEnv = process.env): Promise<Buffer> {
  const font = cjkFont(env);
  const s = doc.statement;
  const zone = doc.timeZone;
  const when = (iso: string | null | undefined, ms = false) => (iso ? webFormat.formatInstantWithOffset(iso, zone, ms) : '—');
  const yuan = (fen: number) => webFormat.formatFen(fen);
  const pdf = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 36,
    info: {
      Title: `佣金结算单 ${doc.partnerName} ${s.quarter}`,
      Author: 'channel ledger',
      Subject: `statement ${s.partnerId} ${s.quarter}`,
      // The chain head in the document's metadata too, where a script finds it without reading the page.
      Keywords: doc.head ? `chain-head ${doc.head.hash}${doc.hidePositions ? '' : `@${doc.head.position}`}` : 'chain-head none',
      CreationDate: new Date(doc.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  pdf.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  if (font.family) pdf.registerFont('cjk', font.file, font.family);
  else pdf.registerFont('cjk', font.file);
  pdf.font('cjk');

  const left = pdf.page.margins.left;
  const width = pdf.page.width - left - pdf.page.margins.right;
  pdf.fontSize(16).text('合作伙伴季度佣金结算单  Partner commission statement', { width });
  pdf.moveDown(0.3);
  pdf.fontSize(10);
  const facts: Array<[string, string]> = [
    ['合作伙伴 Partner', `${doc.partnerName}（${s.partnerId}）`],
    ['季度 Quarter', `${s.quarter}：${when(doc.quarterStart)} 至 ${when(doc.quarterEnd, true)}（${zone}）`],
    ['账本截至 As known at', `${doc.cut.asOf ? when(doc.cut.asOf, true) : '最新 latest'}${doc.hidePositions ? '' : `（位置 position ${doc.cut.position}）`}`],
    ['业务时间 Valid at', doc.cut.validAt ? when(doc.cut.validAt, true) : '现在 now'],
    ['生成时间 Generated', when(doc.generatedAt)],
  ];
  for (const [label, value] of facts) pdf.text(`${label}：${value}`, { width });
  pdf.moveDown(0.6);

  const columns: Array<{ title: string; width: number; align?: 'right' }> = [
    { title: '#', width: 34 },
    { title: '类型 Kind', width: 78 },
    { title: '现金日期 Cash date', width: 118 },
    { title: '客户 Customer', width: 120 },
    { title: '回款 Payment', width: 66 },
    { title: '退款 Refund', width: 58 },
    { title: '业务线 Line', width: 62 },
    { title: '现金 Cash (元)', width: 80, align: 'right' },
    { title: '费率 bps', width: 44, align: 'right' },
    { title: '佣金 Commission (元)', width: 84, align: 'right' },
    { title: '结算 Settled', width: 0 },
  ];
  const fixed = columns.reduce((sum, c) => sum + c.width, 0);
  columns[columns.length - 1]!.width = Math.max(60, width - fixed);
  const row = (cells: string[], bold = false) => {
    const y = pdf.y;
    let x = left;
    let height = 0;
    pdf.fontSize(bold ? 8.5 : 8);
    cells.forEach((text, i) => {
      const c = columns[i]!;
      height = Math.max(height, pdf.heightOfString(text, { width: c.width - 4 }));
      pdf.text(text, x + 2, y, { width: c.width - 4, align: c.align ?? 'left', lineBreak: true });
      x += c.width;
    });
    pdf.y = y + height + 4;
    pdf.moveTo(left, pdf.y - 2).lineTo(left + width, pdf.y - 2).lineWidth(0.3).strokeColor('#bbbbbb').stroke();
    if (pdf.y > pdf.page.height - pdf.page.margins.bottom - 40) {
      pdf.addPage();
      pdf.font('cjk');
    }
  };
  row(columns.map((c) => c.title), true);
  if (s.lines.length === 0) row(['', '本季度没有佣金行 No commission lines this quarter', '', '', '', '', '', '', '', '', '']);
  for (const l of s.lines) {
    row([
      doc.hidePositions ? String(s.lines.indexOf(l) + 1) : String(l.position),
      kindText(l),
      when(l.cashAt),
      l.customerKey,
      l.paymentId,
      l.refundId ?? '—',
      l.revenueLine,
      yuan(l.cashFen),
      String(l.rateBps),
      yuan(l.commissionFen),
      settledText(l),
    ]);
  }
  // A back-dated policy version's adjustments (issue #20): each names both versions and both rates (in the
  // customer column, which an adjustment leaves free); settled like a prior-period line.
  s.adjustments.forEach((a, i) => {
    row([
      doc.hidePositions ? String(s.lines.length + i + 1) : String(a.position),
      '调整 adjustment',
      when(a.cashAt),
      `${a.fromVersion}→${a.toVersion} (${a.fromRateBps}→${a.toRateBps} bps)`,
      a.paymentId,
      a.refundId ?? '—',
      a.revenueLine,
      '',
      String(a.toRateBps),
      yuan(a.commissionFen),
      a.settledBy ? a.settledBy.quarter : '未结算 open',
    ]);
  });
  pdf.moveDown(0.6);
  pdf.x = left;
  pdf.fontSize(10);
  pdf.text(`应计佣金 Accrued：${yuan(s.accruedFen)}    追回 Clawed back：${yuan(s.clawedBackFen)}${s.adjustmentsFen === 0 ? '' : `    政策调整 Policy adjustments：${yuan(s.adjustmentsFen)}`}    净额 Net：${yuan(s.netFen)}`, left, pdf.y, { width });
  pdf.text(
    s.payout
      ? `本季度支付 Payout：${yuan(s.payout.paidFen)}（净额 net ${yuan(s.payout.netFen)}，抵扣欠款 debt recovered ${yuan(s.payout.debtRecoveredFen)}），${when(s.payout.occurredAt)}${doc.hidePositions ? '' : `，位置 position ${s.payout.position}`}`
      : '本季度尚未支付 Not paid out yet',
    { width },
  );
  pdf.moveDown(0.6);
  pdf.fontSize(8.5);
  pdf.text(
    doc.hidePositions
      ? '每一行可追溯到现金：回款编号（PaymentReceived）或退款编号（RefundIssued）及现金日期。Each line traces to its cash: the payment or refund id and the cash date.'
      : '每一行可追溯到现金：回款编号（PaymentReceived）或退款编号（RefundIssued）及其在日志中的位置。Each line traces to its cash: the payment or refund id and its log position.',
    { width },
  );
  pdf.moveDown(0.3);
  pdf.fontSize(9);
  pdf.text(
    doc.head
      ? `哈希链头 Chain head：${doc.hidePositions ? '' : `位置 position ${doc.head.position}  `}${doc.head.hash}`
      : '哈希链头 Chain head：日志为空 the log is empty',
    { width },
  );
  pdf.fontSize(8);
  if (doc.head && !doc.hidePositions) pdf.text(`核对 Check：ledger verify --anchor ${doc.head.hash}@${doc.head.position}`, { width });
  pdf.end();
  return done;
}
