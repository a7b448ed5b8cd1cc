// @ts-check
// Pure formatting for the report page: money, instants, business dates, quarters.
// Money is integer fen and is formatted with string arithmetic only: never divided as a float.

/**
 * Formats an integer number of fen as CNY with thousands separators: 123456789 → "¥1,234,567.89".
 * @param {number} amountFen a safe integer
 * @returns {string}
 */
export function formatFen(amountFen) {
  if (!Number.isSafeInteger(amountFen)) throw new TypeError(`not an integer number of fen: ${String(amountFen)}`);
  const negative = amountFen < 0;
  const digits = String(negative ? -amountFen : amountFen).padStart(3, '0');
  const yuanDigits = digits.slice(0, -2);
  const fenDigits = digits.slice(-2);
  return `${negative ? '-' : ''}¥${groupThousands(yuanDigits)}.${fenDigits}`;
}

/**
 * The exact decimal yuan of an integer number of fen, without separators: 123456789 → "1234567.89".
 * Used in CSV files, where a spreadsheet must read the number back exactly.
 * @param {number} amountFen
 * @returns {string}
 */
export function fenToYuanDecimal(amountFen) {
  if (!Number.isSafeInteger(amountFen)) throw new TypeError(`not an integer number of fen: ${String(amountFen)}`);
  const negative = amountFen < 0;
  const digits = String(negative ? -amountFen : amountFen).padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/**
 * "1234567" → "1,234,567".
 * @param {string} digits
 * @returns {string}
 */
export function groupThousands(digits) {
  if (!/^\d+$/.test(digits)) throw new TypeError(`not a string of digits: ${digits}`);
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Formats a count with thousands separators.
 * @param {number} count
 * @returns {string}
 */
export function formatCount(count) {
  if (!Number.isSafeInteger(count)) throw new TypeError(`not an integer count: ${String(count)}`);
  return count < 0 ? `-${groupThousands(String(-count))}` : groupThousands(String(count));
}

/**
 * The offset of a time zone from UTC at an instant, in minutes (Asia/Shanghai → 480).
 * @param {string} timeZone
 * @param {number} epochMs
 * @returns {number}
 */
export function zoneOffsetMinutes(timeZone, epochMs) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(epochMs));
  /** @param {string} type */
  const part = (type) => Number(parts.find((p) => p.type === type)?.value ?? NaN);
  const wallMs = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  const truncatedMs = epochMs - (((epochMs % 1000) + 1000) % 1000);
  return Math.round((wallMs - truncatedMs) / 60_000);
}

/**
 * The UTC instant of a wall-clock time in a zone.
 * @param {string} timeZone
 * @param {number} year
 * @param {number} monthIndex 0-based
 * @param {number} day
 * @returns {number} epoch milliseconds of that day's 00:00 in the zone
 */
export function zoneMidnightMs(timeZone, year, monthIndex, day) {
  const guessMs = Date.UTC(year, monthIndex, day);
  const firstMs = guessMs - zoneOffsetMinutes(timeZone, guessMs) * 60_000;
  return guessMs - zoneOffsetMinutes(timeZone, firstMs) * 60_000;
}

/**
 * The last millisecond of a business date ("2026-06-30") in the policy's zone, as ISO-8601 UTC:
 * the state of the business at the close of that day.
 * @param {string} isoDate YYYY-MM-DD
 * @param {string} timeZone
 * @returns {string}
 */
export function endOfBusinessDay(isoDate, timeZone) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match) throw new RangeError(`not a date like 2026-06-30: ${isoDate}`);
  const nextMidnightMs = zoneMidnightMs(timeZone, Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1);
  return new Date(nextMidnightMs - 1).toISOString();
}

/**
 * The business date (YYYY-MM-DD) of an instant in a zone.
 * @param {string | number} instant ISO-8601 or epoch milliseconds
 * @param {string} timeZone
 * @returns {string}
 */
export function businessDateOf(instant, timeZone) {
  const epochMs = typeof instant === 'number' ? instant : Date.parse(instant);
  const shifted = new Date(epochMs + zoneOffsetMinutes(timeZone, epochMs) * 60_000);
  return shifted.toISOString().slice(0, 10);
}

/**
 * The calendar quarter ("2026-Q3") of an instant in a zone.
 * @param {string | number} instant
 * @param {string} timeZone
 * @returns {string}
 */
export function quarterOf(instant, timeZone) {
  const date = businessDateOf(instant, timeZone);
  const month = Number(date.slice(5, 7));
  return `${date.slice(0, 4)}-Q${Math.floor((month - 1) / 3) + 1}`;
}

/**
 * A zone's offset as text: 480 → "+08:00", -240 → "-04:00".
 * @param {number} offsetMinutes
 * @returns {string}
 */
export function offsetText(offsetMinutes) {
  const abs = Math.abs(offsetMinutes);
  return `${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * An instant as local time in the policy's zone with its offset, the page's and the CLI's one way
 * of showing an instant: "2026-07-01 00:00:00 +08:00" (src/domain/quarter.ts formatLocalInstant
 * writes the same for the CLI's text).
 * @param {string | null | undefined} iso
 * @param {string} timeZone
 * @param {boolean} [withMs]
 * @returns {string}
 */
export function formatInstantWithOffset(iso, timeZone, withMs = false) {
  if (!iso) return '—';
  const epochMs = Date.parse(iso);
  if (Number.isNaN(epochMs)) return iso;
  return `${formatInstant(iso, timeZone, withMs)} ${offsetText(zoneOffsetMinutes(timeZone, epochMs))}`;
}

/**
 * The policy zone as the page names it: "Asia/Shanghai (UTC+08:00)", the offset at `epochMs` (now by default).
 * @param {string} timeZone
 * @param {number} [epochMs]
 * @returns {string}
 */
export function zoneLabel(timeZone, epochMs = Date.now()) {
  return `${timeZone} (UTC${offsetText(zoneOffsetMinutes(timeZone, epochMs))})`;
}

/**
 * An instant shown in the policy's zone, to the second ("2026-06-30 23:59:59") or to the
 * millisecond ("2026-06-30 23:59:59.999").
 * @param {string | null | undefined} iso
 * @param {string} timeZone
 * @param {boolean} [withMs]
 * @returns {string}
 */
export function formatInstant(iso, timeZone, withMs = false) {
  if (!iso) return '—';
  const epochMs = Date.parse(iso);
  if (Number.isNaN(epochMs)) return iso;
  const shifted = new Date(epochMs + zoneOffsetMinutes(timeZone, epochMs) * 60_000).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, withMs ? 23 : 19)}`;
}
