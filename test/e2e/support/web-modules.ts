// The page's plain-JavaScript modules (src/web, checked by src/web/tsconfig.json), loaded into
// the tests with the few signatures the tests use: the root TypeScript project reads no .js.
const webDir = new URL('../../../src/web/', import.meta.url);

export interface FormatModule {
  formatFen(amountFen: number): string;
  fenToYuanDecimal(amountFen: number): string;
  endOfBusinessDay(isoDate: string, timeZone: string): string;
  quarterOf(instant: string | number, timeZone: string): string;
}
export interface CsvModule {
  csvField(value: string | number | null | undefined): string;
  toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string;
}
export interface Change {
  partnerId: string;
  field: string;
  before: string | number | null;
  after: string | number | null;
  delta: number | null;
}
export interface CompareModule {
  diffSnapshots(before: unknown, after: unknown): Change[];
}
export interface PipelineModule {
  normalisePipeline(answer: unknown): { partners: unknown[]; deals: Array<{ dealId: string }> };
  pipelineCounts(pipeline: unknown): unknown[];
  conflictOwner(row: { owner?: 'self' | 'other' | 'none'; ownerDealId: string | null; ownerPartnerId: string | null }): { kind: string; partnerId?: string };
}
export interface I18nModule {
  messages: { zh: Record<string, unknown>; en: Record<string, unknown> };
}

export async function webModule<T>(file: string): Promise<T> {
  return (await import(new URL(file, webDir).href)) as T;
}
