// Two policy versions field by field: every leaf (a number, text, flag, or an array's element by
// index) whose value differs, with its path and both values; a field only one of them has
// appears with null on the other side. Pure.

export interface PolicyDifference {
  /** Dotted path, e.g. commission.ratesBps.port.gold.0. */
  path: string;
  /** The value in the version compared against (null: absent there). */
  from: unknown;
  /** The value in the version asked about (null: absent there). */
  to: unknown;
}

/** Fields that name the version rather than a rule: left out of the comparison. */
const IDENTITY_FIELDS = new Set(['version', 'effectiveFrom', 'name']);

export function policyDifferences(from: unknown, to: unknown): PolicyDifference[] {
  const out: PolicyDifference[] = [];
  walk(from, to, [], out);
  return out.filter((d) => !IDENTITY_FIELDS.has(d.path));
}

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return v !== null && typeof v === 'object';
}

function walk(a: unknown, b: unknown, path: string[], out: PolicyDifference[]): void {
  if (isContainer(a) && isContainer(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(byKey);
    for (const k of keys) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], [...path, k], out);
    return;
  }
  if (a === undefined && b === undefined) return;
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  out.push({ path: path.join('.'), from: a ?? null, to: b ?? null });
}

/** Array indexes in numeric order, other keys alphabetically. */
function byKey(x: string, y: string): number {
  const nx = /^\d+$/.test(x) ? Number(x) : NaN;
  const ny = /^\d+$/.test(y) ? Number(y) : NaN;
  if (!Number.isNaN(nx) && !Number.isNaN(ny)) return nx - ny;
  return x < y ? -1 : x > y ? 1 : 0;
}
