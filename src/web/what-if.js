// @ts-check
// "What would this policy change do": a manager pastes or uploads a policy document, names the
// date it takes effect, and the page runs its adoption as a dry run (POST /policies?dryRun=true):
// nothing is written. It shows, per partner, each account the adoption would move (before,
// after, the change) and the events it would write, with the CSV download every table has.

import { ApiError } from './api.js';
import { h, replace } from './dom.js';
import { formatFen } from './format.js';
import { dataTable } from './table.js';

/** @typedef {{ beforeFen: number, afterFen: number, deltaFen: number }} AccountChange */
/** @typedef {{ partnerId: string, accounts: Record<string, AccountChange> }} PartnerChange */
/** @typedef {{ dryRun: true, events: Array<{ type: string, stream: string, data: any }>, balances: { partners: PartnerChange[], totals: Record<string, AccountChange> }, wouldReplay?: true }} DryRunAnswer */
/** @typedef {{ partnerId: string, account: string, beforeFen: number, afterFen: number, deltaFen: number }} WhatIfRow */
/** @typedef {{ documentText: string, version: string, effectiveFrom: string, reason: string }} WhatIfForm */
/** @typedef {{ version: string, effectiveFrom: string, document: Record<string, unknown>, reason: string }} AdoptionBody */
/** @typedef {'document-empty' | 'document-not-json' | 'document-not-object' | 'version-missing' | 'effective-from-missing'} FormProblem */

/**
 * The adoption a form asks for, or the first problem with it: the document must be a JSON
 * object; the version is the form's, else the document's own; effectiveFrom a date.
 * @param {WhatIfForm} form
 * @returns {{ ok: true, body: AdoptionBody } | { ok: false, problem: FormProblem }}
 */
export function adoptionBodyOf(form) {
  const text = form.documentText.trim();
  if (!text) return { ok: false, problem: 'document-empty' };
  /** @type {unknown} */
  let document;
  try {
    document = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'document-not-json' };
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return { ok: false, problem: 'document-not-object' };
  const doc = /** @type {Record<string, unknown>} */ (document);
  const version = form.version.trim() || (typeof doc.version === 'string' ? doc.version : '');
  if (!version) return { ok: false, problem: 'version-missing' };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.effectiveFrom)) return { ok: false, problem: 'effective-from-missing' };
  return { ok: true, body: { version, effectiveFrom: form.effectiveFrom, document: doc, reason: form.reason.trim() || 'what-if' } };
}

/**
 * Every account that would move, partner by partner in the answer's order, then (with more than
 * one partner) the totals under partnerId "total".
 * @param {DryRunAnswer} answer
 * @returns {WhatIfRow[]}
 */
export function whatIfRows(answer) {
  const partners = [...answer.balances.partners, ...(answer.balances.partners.length > 1 ? [{ partnerId: 'total', accounts: answer.balances.totals }] : [])];
  return partners.flatMap(({ partnerId, accounts }) =>
    Object.entries(accounts)
      .filter(([, change]) => change.deltaFen !== 0)
      .map(([account, change]) => ({ partnerId, account, beforeFen: change.beforeFen, afterFen: change.afterFen, deltaFen: change.deltaFen })),
  );
}

/**
 * How many events of each type the adoption would write, in first-seen order.
 * @param {DryRunAnswer} answer
 * @returns {Array<[string, number]>}
 */
export function eventCounts(answer) {
  /** @type {Map<string, number>} */
  const counts = new Map();
  for (const e of answer.events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  return [...counts];
}

/**
 * What the view needs of the page.
 * @typedef {{
 *   api: ReturnType<typeof import('./api.js').createApi>,
 *   m: any,
 *   table: Record<string, unknown>,
 *   partnerLabel: (partnerId: string) => string,
 *   body: HTMLElement,
 *   errorText: (error: unknown) => string,
 * }} WhatIfView
 */

/** @type {{ answer: DryRunAnswer | null, error: unknown, problem: FormProblem | null, version: string, serial: number }} */
const shown = { answer: null, error: null, problem: null, version: '', serial: 0 };

/**
 * The form's fields as they are now.
 * @param {HTMLFormElement} form
 * @returns {WhatIfForm}
 */
function formValues(form) {
  /** @param {string} name */
  const value = (name) => /** @type {HTMLInputElement | HTMLTextAreaElement} */ (form.elements.namedItem(name)).value;
  return { documentText: value('document'), version: value('version'), effectiveFrom: value('effectiveFrom'), reason: value('reason') };
}

/**
 * Wires the form: a chosen file fills the document; submitting runs the dry run.
 * @param {HTMLFormElement} form
 * @param {() => WhatIfView} view
 */
export function wireWhatIf(form, view) {
  const file = /** @type {HTMLInputElement} */ (form.elements.namedItem('documentFile'));
  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    /** @type {HTMLTextAreaElement} */ (form.elements.namedItem('document')).value = await chosen.text();
    form.setAttribute('data-file', chosen.name);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void runWhatIf(formValues(form), view);
  });
}

/**
 * @param {WhatIfForm} form
 * @param {() => WhatIfView} view
 */
async function runWhatIf(form, view) {
  const serial = ++shown.serial;
  const body = view().body;
  const adoption = adoptionBodyOf(form);
  shown.answer = null;
  shown.error = null;
  shown.problem = adoption.ok ? null : adoption.problem;
  if (!adoption.ok) return finish(view, 'ready');
  body.setAttribute('data-state', 'loading');
  replace(body, h('p', { class: 'hint' }, view().m.loading));
  try {
    const answer = /** @type {DryRunAnswer} */ (await view().api.dryRun('/policies', adoption.body));
    if (serial !== shown.serial) return;
    shown.answer = answer;
    shown.version = adoption.body.version;
  } catch (error) {
    if (serial !== shown.serial) return;
    shown.error = error;
  }
  finish(view, 'ready');
}

/**
 * @param {() => WhatIfView} view
 * @param {string} state
 */
function finish(view, state) {
  renderWhatIf(view());
  view().body.setAttribute('data-state', state);
}

/**
 * The result of the last dry run (or its refusal), in the page's language.
 * @param {WhatIfView} view
 */
export function renderWhatIf(view) {
  const { m, body } = view;
  if (shown.problem) return replace(body, h('p', { class: 'error', role: 'alert' }, m.whatIfProblems[shown.problem]));
  if (shown.error) return replace(body, h('p', { class: 'error', role: 'alert' }, `${m.whatIfRefused}: ${refusalText(shown.error, view)}`));
  const answer = shown.answer;
  if (!answer) return replace(body);
  const counts = eventCounts(answer);
  const summary = answer.wouldReplay
    ? m.whatIfAlreadyAdopted
    : `${m.whatIfNothingWritten} ${m.whatIfWouldWrite}: ${counts.length === 0 ? '0' : counts.map(([type, n]) => `${n} × ${type}`).join(', ')}`;
  /** @param {WhatIfRow} r */
  const delta = (r) => `${r.deltaFen > 0 ? '+' : ''}${formatFen(r.deltaFen)}`;
  replace(
    body,
    h('p', { class: 'hint', 'data-role': 'what-if-summary' }, summary),
    dataTable({
      id: 'table-what-if',
      caption: `${m.whatIf}: ${shown.version}`,
      rows: whatIfRows(answer),
      rowKey: (r) => `${r.partnerId}:${r.account}`,
      csvName: `ledger-what-if-${shown.version.replace(/[^A-Za-z0-9._-]/g, '-')}.csv`,
      .../** @type {any} */ (view.table),
      emptyText: m.whatIfNoChange,
      columns: [
        { key: 'partnerId', label: m.partnerId, kind: 'text', value: (r) => (r.partnerId === 'total' ? m.total : r.partnerId) },
        { key: 'name', label: m.name, kind: 'text', value: (r) => (r.partnerId === 'total' ? '' : view.partnerLabel(r.partnerId)) },
        { key: 'account', label: m.what, kind: 'text', value: (r) => m.accounts[r.account] ?? r.account },
        { key: 'before', label: m.before, kind: 'money', value: (r) => r.beforeFen },
        { key: 'after', label: m.after, kind: 'money', value: (r) => r.afterFen },
        { key: 'change', label: m.change, kind: 'money', value: (r) => r.deltaFen, render: delta },
      ],
    }),
  );
}

/**
 * A refusal as the ledger names it: the problem's detail and every invalid field.
 * @param {unknown} error
 * @param {WhatIfView} view
 */
function refusalText(error, view) {
  if (!(error instanceof ApiError)) return view.errorText(error);
  const fields = (error.errors ?? []).map((e) => `${e.path}: ${e.message}`).join('; ');
  return `${error.status} ${error.title}${error.detail ? `: ${error.detail}` : ''}${fields ? ` (${fields})` : ''}`;
}
