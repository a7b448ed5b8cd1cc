// Money: integer fen (CNY minor units) that JavaScript represents exactly, rates in basis
// points, and the one rounding rule: half away from zero, to the fen, per line.

export const BPS_PER_UNIT = 10_000;

/** Asserts a safe integer number of fen and returns it. */
export function fen(amountFen: number, what = 'amount'): number {
  if (!Number.isSafeInteger(amountFen)) throw new RangeError(`${what} must be a safe integer number of fen, got ${amountFen}`);
  return amountFen;
}

export function assertBps(rateBps: number, what = 'rate'): number {
  if (!Number.isSafeInteger(rateBps) || rateBps < 0) throw new RangeError(`${what} must be a non-negative integer of basis points, got ${rateBps}`);
  return rateBps;
}

/** Integer division of a by b (b > 0), rounded half away from zero. Exact for any size. */
export function divideHalfAwayFromZero(a: bigint, b: bigint): bigint {
  if (b <= 0n) throw new RangeError('divisor must be positive');
  const negative = a < 0n;
  const magnitude = negative ? -a : a;
  const quotient = magnitude / b;
  const rounded = (magnitude % b) * 2n >= b ? quotient + 1n : quotient;
  return negative ? -rounded : rounded;
}

/** amountFen × rateBps / 10,000, rounded half away from zero to the fen (exact integer arithmetic). */
export function applyRateBps(amountFen: number, rateBps: number): number {
  fen(amountFen);
  assertBps(rateBps);
  const result = divideHalfAwayFromZero(BigInt(amountFen) * BigInt(rateBps), BigInt(BPS_PER_UNIT));
  return fen(Number(result), 'rated amount');
}

/** Sum of fen amounts, asserting each and the total stay safe integers. */
export function sumFen(amounts: Iterable<number>): number {
  let total = 0;
  for (const a of amounts) total = fen(total + fen(a), 'sum');
  return total;
}

/** Asserts that the postings of one event (or one command) sum to zero. */
export function assertPostingsBalance(postings: ReadonlyArray<{ amountFen: number }>, what = 'postings'): void {
  const total = sumFen(postings.map((p) => p.amountFen));
  if (total !== 0) throw new Error(`${what} do not balance: they sum to ${total} fen`);
}

/** Formats fen as CNY for sentences, e.g. 1234500 → "12,345.00 CNY" (no floats involved). */
export function formatFen(amountFen: number): string {
  fen(amountFen);
  const sign = amountFen < 0 ? '-' : '';
  const abs = BigInt(Math.abs(amountFen));
  const yuan = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${sign}${yuan}.${cents} CNY`;
}
