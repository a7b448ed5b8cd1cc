// @ts-check
// The time-travel report page: sign-in, the two clocks, and the panels.
import { ApiError, createApi } from './api.js';
import { quarterlyChart } from './chart.js';
import { diffSnapshots } from './compare.js';
import { byId, h, replace } from './dom.js';
import { businessDateOf, endOfBusinessDay, formatCount, formatFen, formatInstantWithOffset, zoneLabel } from './format.js';
import { downloadFile } from './csv.js';
import { chooseLang, labelOf, messages } from './i18n.js';
import { conflictOwner, isoWeekOfDate, normalisePipeline, normaliseWeekly, pipelineCounts, pipelineStages } from './pipeline.js';
import { dataTable } from './table.js';
import { renderWhatIf, wireWhatIf } from './what-if.js';

/** @typedef {import('./i18n.js').Lang} Lang */
/** @typedef {{ role: 'manager' | 'finance' | 'auditor' | 'partner', partnerId: string | null }} Session */
/** @typedef {{ events: number, headPosition: string, firstRecordedAt: string | null, lastRecordedAt: string | null, knownEvents: number, timeZone: string }} Timeline */
/** @typedef {{ partnerId: string, name: string | null, kind: string | null, parentPartnerId: string | null, tier: string, since: string | null, previousTier: string | null }} TierRow */
/** @typedef {{ previousQuarter: string, previousQuarterEnd: string, counts: Record<string, number>, partners: TierRow[] }} TiersReport */
/** @typedef {{ partnerId: string, name: string | null, tier: string | null, accrued: number, clawedBack: number, paidOut: number, payable: number, pendingClawback?: number, deposit: number, debt: number, shortfall?: number, creditLimit?: number | null, trafficOutstanding?: number, creditAvailable?: number | null, creditStatus?: 'active' | 'suspended' }} BalanceRow */
/** @typedef {{ partners: BalanceRow[], totals: Record<string, number> }} BalancesReport */ // totals: every money column summed (credit columns count 0 for non-resellers)
/** @typedef {{ quarters: Array<{ quarter: string, accrued: number, clawedBack: number, paidOut: number }> }} QuartersReport */
/** @typedef {{ dealId: string, partnerId: string | null, channel: string, registeredAt: string, stage: string | null, status: string }} Claim */
/** @typedef {{ customerKey: string, customerName: string, owner?: 'self' | 'other' | 'none', ownerDealId: string | null, ownerPartnerId: string | null, rule: string, explanation?: string, claims: Claim[] }} Conflict */
/** @typedef {{ customers: Conflict[] }} ConflictsReport */
/** @typedef {'tiers' | 'pipeline' | 'conflicts' | 'balances' | 'rebates' | 'compare' | 'whatif'} PanelName */

const TOKEN_KEY = 'ledger.token';
const LANG_KEY = 'ledger.lang';
const DEFAULT_ZONE = 'Asia/Shanghai';
const MAX_SLIDER_STEPS = 1000;
const LOAD_DELAY_MS = 150;
const PAGE_SIZE = 10;
/** @type {ReadonlyArray<PanelName>} */
const PANELS = ['tiers', 'pipeline', 'conflicts', 'balances', 'rebates', 'compare', 'whatif'];

/**
 * The view as the address names it (?asOf=…&validAt=…&panel=…&lang=…), so that a copied link
 * opens the same view: asOf an ISO-8601 instant, validAt a business date (YYYY-MM-DD).
 * @returns {{ asOf: string | null, validDate: string, panel: PanelName | null, lang: Lang | null }}
 */
function viewFromUrl() {
  const params = new URLSearchParams(location.search);
  const asOf = params.get('asOf');
  const validAt = params.get('validAt') ?? '';
  const panel = /** @type {PanelName | null} */ (params.get('panel'));
  const lang = params.get('lang');
  return {
    asOf: asOf && !Number.isNaN(Date.parse(asOf)) ? new Date(Date.parse(asOf)).toISOString() : null,
    validDate: /^\d{4}-\d{2}-\d{2}$/.test(validAt) ? validAt : '',
    panel: panel && PANELS.includes(panel) ? panel : null,
    lang: lang === 'en' || lang === 'zh' ? lang : null,
  };
}
const initialView = viewFromUrl();

/** Which panels each role may see; the server enforces the same and filters a partner's rows. */
const panelsByRole = /** @type {const} */ ({
  manager: ['tiers', 'pipeline', 'conflicts', 'balances', 'rebates', 'compare', 'whatif'],
  auditor: ['tiers', 'pipeline', 'conflicts', 'balances', 'rebates', 'compare'],
  finance: ['tiers', 'balances', 'rebates', 'compare'],
  partner: ['tiers', 'pipeline', 'conflicts', 'balances', 'rebates', 'compare'],
});

const state = {
  /** @type {Lang} */
  lang: initialView.lang ?? chooseLang(localStorage.getItem(LANG_KEY)),
  /** @type {string | null} */
  token: sessionStorage.getItem(TOKEN_KEY),
  /** @type {Session | null} */
  session: null,
  /** @type {Timeline | null} */
  timeline: null,
  sliderSteps: 1,
  /** @type {string | null} null: the latest */
  asOf: initialView.asOf,
  /** @type {string} YYYY-MM-DD, or '' for now */
  validDate: initialView.validDate,
  /** @type {PanelName | null} the panel last chosen (kept in the address) */
  panel: initialView.panel,
  /** @type {Record<string, number>} the page each paged table shows */
  pages: {},
  /** the conflicts search text */
  conflictSearch: '',
  /** @type {Record<string, unknown>} */
  data: {},
  /** @type {Record<string, Error>} */
  errors: {},
  /** @type {import('./compare.js').Change[] | null} */
  changes: null,
  /** @type {{ from: string, to: string } | null} the dates of the changes shown */
  compared: null,
  loadSerial: 0,
  compareSerial: 0,
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  loadTimer: undefined,
};

const t = () => messages[state.lang];
const zone = () => state.timeline?.timeZone ?? DEFAULT_ZONE;
const validAt = () => (state.validDate ? endOfBusinessDay(state.validDate, zone()) : null);
const api = () => createApi(/** @type {string} */ (state.token));
/** @returns {ReadonlyArray<PanelName>} */
const visiblePanels = () => (state.session ? panelsByRole[state.session.role] : []);

// ---- static labels and language ------------------------------------------------------------

function applyLabels() {
  const m = t();
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
  document.title = m.title;
  for (const element of document.querySelectorAll('[data-i18n]')) {
    const key = /** @type {keyof typeof m} */ (element.getAttribute('data-i18n'));
    const text = m[key];
    if (typeof text === 'string') element.textContent = text;
  }
  const toggle = byId('lang-toggle');
  toggle.textContent = m.switchLang;
  toggle.setAttribute('aria-label', m.switchLangLabel);
  toggle.setAttribute('lang', state.lang === 'zh' ? 'en' : 'zh-CN');
  renderWho();
  renderTimelineValue();
}

/** @param {Lang} lang */
function setLang(lang) {
  state.lang = lang;
  localStorage.setItem(LANG_KEY, lang);
  applyLabels();
  renderPanels();
  if (state.session) writeUrl();
}

/**
 * Shows a panel: remembers it in the address and scrolls to it.
 * @param {PanelName} name
 * @param {boolean} [scroll]
 */
function choosePanel(name, scroll = true) {
  state.panel = name;
  for (const item of document.querySelectorAll('.panel-nav li')) {
    const link = item.querySelector('a');
    if (item.getAttribute('data-panel') === name) link?.setAttribute('aria-current', 'true');
    else link?.removeAttribute('aria-current');
  }
  writeUrl();
  if (scroll) byId(`panel-${name}`).scrollIntoView({ block: 'start' });
}

function renderWho() {
  const who = byId('who');
  if (!state.session) {
    who.hidden = true;
    return;
  }
  const m = t();
  who.hidden = false;
  const role = labelOf(m.roles, state.session.role);
  replace(who, h('span', { class: `badge role-${state.session.role}` }, role), state.session.partnerId ? ` ${state.session.partnerId}` : '');
}

// ---- sign-in -------------------------------------------------------------------------------

/** @param {string} token */
async function signIn(token) {
  state.token = token;
  try {
    state.session = await api().get('/reports/session');
  } catch (error) {
    state.token = null;
    state.session = null;
    sessionStorage.removeItem(TOKEN_KEY);
    showSignIn(error instanceof ApiError && error.status === 401 ? t().signInFailed : `${t().failed}: ${errorText(error)}`);
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  byId('sign-in').hidden = true;
  byId('app').hidden = false;
  byId('sign-out').hidden = false;
  for (const element of document.querySelectorAll('[data-panel]')) {
    const name = /** @type {PanelName} */ (element.getAttribute('data-panel'));
    /** @type {HTMLElement} */ (element).hidden = !visiblePanels().includes(name);
  }
  renderWho();
  await loadTimeline();
  /** @type {HTMLInputElement} */ (byId('valid-date')).value = state.validDate;
  setDefaultCompareDates();
  await loadPanels();
  if (state.panel && visiblePanels().includes(state.panel)) choosePanel(state.panel);
  else writeUrl();
  if (visiblePanels().includes('compare')) void runCompare();
  openAuditFromHash();
}

/** @param {string} message */
function showSignIn(message) {
  byId('app').hidden = true;
  byId('sign-out').hidden = true;
  byId('sign-in').hidden = false;
  byId('sign-in-error').textContent = message;
  renderWho();
  /** @type {HTMLInputElement} */ (byId('token')).focus();
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  state.session = null;
  state.data = {};
  state.errors = {};
  state.changes = null;
  /** @type {HTMLInputElement} */ (byId('token')).value = '';
  showSignIn('');
}

// ---- the two clocks ------------------------------------------------------------------------

async function loadTimeline() {
  state.timeline = await api().get('/reports/timeline');
  const timeline = /** @type {Timeline} */ (state.timeline);
  const spanMs = timelineSpanMs(timeline);
  state.sliderSteps = Math.max(1, Math.min(MAX_SLIDER_STEPS, spanMs));
  const slider = /** @type {HTMLInputElement} */ (byId('timeline'));
  slider.max = String(state.sliderSteps);
  slider.value = String(state.sliderSteps);
  slider.disabled = timeline.events === 0;
  // An asOf from the address is kept (the figures are read at exactly that instant); the slider shows the notch at or before it.
  if (state.asOf && timeline.firstRecordedAt && Date.parse(state.asOf) < Date.parse(timeline.lastRecordedAt ?? state.asOf)) {
    slider.value = String(notchFor(state.asOf));
  } else state.asOf = null;
  renderTimelineValue();
}

/**
 * The last notch at or before an instant.
 * @param {string} asOf
 * @returns {number}
 */
function notchFor(asOf) {
  const timeline = /** @type {Timeline} */ (state.timeline);
  const spanMs = timelineSpanMs(timeline);
  if (!timeline.firstRecordedAt || spanMs <= 0) return 0;
  const offsetMs = Date.parse(asOf) - Date.parse(timeline.firstRecordedAt);
  return Math.max(0, Math.min(state.sliderSteps - 1, Math.floor((offsetMs * state.sliderSteps) / spanMs)));
}

/** Writes the view (asOf, validAt, panel, language) into the address, keeping an open account's #audit=. */
function writeUrl() {
  const params = new URLSearchParams();
  if (state.asOf) params.set('asOf', state.asOf);
  if (state.validDate) params.set('validAt', state.validDate);
  if (state.panel) params.set('panel', state.panel);
  params.set('lang', state.lang);
  const search = params.toString();
  const url = `${location.pathname}${search ? `?${search}` : ''}${location.hash}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(history.state, '', url);
}

/** @param {Timeline} timeline */
function timelineSpanMs(timeline) {
  if (!timeline.firstRecordedAt || !timeline.lastRecordedAt) return 0;
  return Date.parse(timeline.lastRecordedAt) - Date.parse(timeline.firstRecordedAt) + 1;
}

/**
 * The slider's notch → an asOf instant; the last notch is "latest" (no asOf).
 * @param {number} notch
 * @returns {string | null}
 */
function asOfForNotch(notch) {
  const timeline = state.timeline;
  if (!timeline?.firstRecordedAt || notch >= state.sliderSteps) return null;
  const offsetMs = Math.floor((notch * timelineSpanMs(timeline)) / state.sliderSteps);
  return new Date(Date.parse(timeline.firstRecordedAt) + offsetMs).toISOString();
}

function renderTimelineValue() {
  const output = byId('timeline-value');
  const slider = byId('timeline');
  const m = t();
  const known = state.timeline ? `${m.eventsKnown}: ${formatCount(state.timeline.knownEvents)} / ${formatCount(state.timeline.events)}` : '';
  const when = state.asOf ? `${m.asKnownAt} ${formatInstantWithOffset(state.asOf, zone(), true)}` : m.latest;
  output.textContent = known ? `${when} · ${known}` : when;
  byId('timeline-first').textContent = state.timeline?.firstRecordedAt ? formatInstantWithOffset(state.timeline.firstRecordedAt, zone(), true) : '';
  byId('timeline-last').textContent = state.timeline?.lastRecordedAt ? formatInstantWithOffset(state.timeline.lastRecordedAt, zone(), true) : '';
  slider.setAttribute('aria-valuetext', when);
  byId('main').setAttribute('data-as-of', state.asOf ?? '');
  const zoneText = byId('zone');
  zoneText.textContent = `${m.timeZone}: ${zoneLabel(zone())}`;
  zoneText.setAttribute('data-zone', zone());
  zoneText.title = m.timeZoneHelp;
  const validHelp = byId('valid-help');
  validHelp.textContent = state.validDate ? `${m.businessDateHelp} (${formatInstantWithOffset(endOfBusinessDay(state.validDate, zone()), zone(), true)})` : m.businessDateHelp;
  if (state.session) writeUrl();
}

function onSliderInput() {
  const slider = /** @type {HTMLInputElement} */ (byId('timeline'));
  state.asOf = asOfForNotch(Number(slider.value));
  state.pages = {};
  renderTimelineValue();
  scheduleLoad();
}

function scheduleLoad() {
  // A load still in flight read the old clocks: it must not render them, nor mark the page ready under the new ones.
  state.loadSerial++;
  byId('main').setAttribute('data-state', 'loading');
  clearTimeout(state.loadTimer);
  state.loadTimer = setTimeout(() => void loadPanels(), LOAD_DELAY_MS);
}

// ---- loading -------------------------------------------------------------------------------

/** @returns {{ asOf: string | null, validAt: string | null }} */
const clocks = () => ({ asOf: state.asOf, validAt: validAt() });

async function loadPanels() {
  const serial = ++state.loadSerial;
  const main = byId('main');
  main.setAttribute('data-state', 'loading');
  main.setAttribute('aria-busy', 'true');
  const params = clocks();
  const panels = visiblePanels();
  /** @type {Array<[string, string, Record<string, string | null>]>} */
  const requests = [['timeline', '/reports/timeline', { asOf: params.asOf }]];
  if (panels.includes('tiers')) requests.push(['tiers', '/reports/tiers', params]);
  if (panels.includes('pipeline')) {
    requests.push(['pipeline', '/reports/pipeline', params]);
    // The weekly report of the week the business date falls in (as of that week's review).
    const week = isoWeekOfDate(businessDateOf(params.validAt ?? params.asOf ?? Date.now(), zone()));
    requests.push(['weekly', '/reports/weekly', { week, asOf: params.asOf }]);
  }
  if (panels.includes('conflicts')) requests.push(['conflicts', '/reports/conflicts', params]);
  if (panels.includes('balances')) {
    requests.push(['balances', '/reports/balances', params], ['quarters', '/reports/commission-by-quarter', params]);
  }
  if (panels.includes('rebates')) {
    // The rebate year of the business date (or of the asOf instant, or now), in the policy's zone.
    const year = rebateYear(params.validAt ?? params.asOf);
    if (state.session?.role === 'partner' && state.session.partnerId) {
      requests.push(['rebates', `/partners/${encodeURIComponent(state.session.partnerId)}/rebates`, { ...params, year }]);
    } else requests.push(['awards', `/awards/${year}`, params]);
  }
  const results = await Promise.allSettled(requests.map(([, path, query]) => api().get(path, query)));
  if (serial !== state.loadSerial) return;
  const timeline = state.timeline;
  state.data = {};
  state.errors = {};
  results.forEach((result, index) => {
    const name = /** @type {[string, string, unknown]} */ (requests[index])[0];
    if (result.status === 'fulfilled') state.data[name] = result.value;
    else state.errors[name] = result.reason instanceof Error ? result.reason : new Error(String(result.reason));
  });
  const known = /** @type {Timeline | undefined} */ (state.data.timeline);
  if (timeline && known) state.timeline = { ...timeline, knownEvents: known.knownEvents };
  if (Object.values(state.errors).some((e) => e instanceof ApiError && e.status === 401)) {
    signOut();
    return;
  }
  renderTimelineValue();
  renderPanels();
  main.setAttribute('data-valid-at', params.validAt ?? '');
  main.removeAttribute('aria-busy');
  main.setAttribute('data-state', 'ready');
}

// ---- panels --------------------------------------------------------------------------------

/** @param {PanelName} name */
const panelBody = (name) => /** @type {HTMLElement} */ (byId(`panel-${name}`).querySelector('.panel-body'));

/** @param {unknown} error */
function errorText(error) {
  if (error instanceof ApiError) return error.status === 403 ? t().forbidden : `${error.status} ${error.title}${error.detail ? `: ${error.detail}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * @param {string} name
 * @returns {HTMLElement | null} an error note when the panel's data failed to load
 */
function failure(name) {
  const error = state.errors[name];
  return error ? h('p', { class: 'error', role: 'alert' }, `${t().failed}: ${errorText(error)}`) : null;
}

function renderPanels() {
  if (!state.session) return;
  const panels = visiblePanels();
  if (panels.includes('tiers')) renderTiers();
  if (panels.includes('pipeline')) renderPipeline();
  if (panels.includes('conflicts')) renderConflicts();
  if (panels.includes('balances')) renderBalances();
  if (panels.includes('rebates')) renderRebates();
  if (panels.includes('compare')) renderCompare();
  if (panels.includes('whatif')) renderWhatIf(whatIfView());
}

/** What the what-if view (what-if.js) uses of the page. */
const whatIfView = () => ({ api: api(), m: t(), table: tableText(), partnerLabel, body: panelBody('whatif'), errorText });

/** Common table options. */
function tableText() {
  const m = t();
  return {
    emptyText: m.empty,
    csvLabel: m.downloadCsv,
    xlsxLabel: m.downloadXlsx,
    scrollLabel: m.scrollMore,
    moneySuffix: 'CNY',
    timeZone: zone(),
    previousLabel: m.previousPage,
    nextLabel: m.nextPage,
    /** @param {number} from @param {number} to @param {number} total */
    pageText: (from, to, total) => m.pageText.replace('{from}', String(from)).replace('{to}', String(to)).replace('{total}', String(total)),
  };
}

/**
 * Paging options of a table whose page the page remembers.
 * @param {string} id
 */
function paging(id) {
  return {
    pageSize: PAGE_SIZE,
    page: state.pages[id] ?? 0,
    /** @param {number} page */
    onPage: (page) => {
      state.pages[id] = page;
      renderPanels();
      byId(id).scrollIntoView({ block: 'nearest' });
    },
  };
}

/** Partner names the page has read (tiers and balances answers): id → name. */
function partnerNames() {
  /** @type {Map<string, string>} */
  const names = new Map();
  const tiers = /** @type {TiersReport | undefined} */ (state.data.tiers);
  const balances = /** @type {BalancesReport | undefined} */ (state.data.balances);
  for (const row of [...(tiers?.partners ?? []), ...(balances?.partners ?? [])]) {
    if (row.name) names.set(row.partnerId, row.name);
  }
  return names;
}

/**
 * A file name for a table's CSV: the table and the clocks it was read at.
 * @param {string} table
 */
function csvName(table) {
  const stamp = (state.asOf ?? 'latest').replace(/[:.]/g, '-');
  return `ledger-${table}-asof-${stamp}${state.validDate ? `-validat-${state.validDate}` : ''}.csv`;
}

/**
 * A partner as people know it: its name (the id when the page has no name for it), direct sales for null.
 * @param {string | null} partnerId
 */
const partnerLabel = (partnerId) => (partnerId === null || partnerId === 'direct' ? t().direct : (partnerNames().get(partnerId) ?? partnerId));

/** @param {Conflict} row */
const conflictOwnerLabel = (row) => {
  const owner = conflictOwner(row);
  if (owner.kind === 'another') return t().anotherClaim;
  if (owner.kind === 'none') return t().noOwner;
  return partnerLabel(owner.kind === 'direct' ? null : owner.partnerId);
};

function renderTiers() {
  const body = panelBody('tiers');
  const report = /** @type {TiersReport | undefined} */ (state.data.tiers);
  if (!report) return replace(body, failure('tiers'));
  const m = t();
  const tierNames = Object.keys(report.counts);
  const cards = h(
    'ul',
    { class: 'tier-cards', 'aria-label': m.tiersCounts },
    tierNames.map((tier) =>
      h(
        'li',
        { class: `tier-card tier-${tier}`, 'data-tier': tier },
        h('span', { class: 'tier-count', 'data-count': report.counts[tier] ?? 0 }, formatCount(report.counts[tier] ?? 0)),
        h('span', { class: 'tier-name' }, labelOf(m.tierNames, tier)),
      ),
    ),
  );
  /** @param {TierRow} row */
  const change = (row) => {
    if (row.previousTier === null) return m.newPartner;
    if (row.previousTier === row.tier) return m.unchanged;
    const order = ['standard', 'silver', 'gold'];
    const direction = order.indexOf(row.tier) > order.indexOf(row.previousTier) ? m.up : m.down;
    return `${direction}: ${labelOf(m.tierNames, row.previousTier)} → ${labelOf(m.tierNames, row.tier)}`;
  };
  const table = dataTable({
    id: 'table-tiers',
    caption: `${m.tiers} · ${m.changeSinceQuarter} (${m.previousQuarter} ${report.previousQuarter})`,
    rows: report.partners,
    rowKey: (row) => row.partnerId,
    rowClass: (row) => (row.previousTier !== row.tier ? 'changed' : null),
    csvName: csvName('tiers'),
    ...tableText(),
    columns: [
      { key: 'partnerId', label: m.partnerId, kind: 'text', value: (r) => r.partnerId },
      { key: 'name', label: m.name, kind: 'text', value: (r) => r.name },
      { key: 'tier', label: m.tier, kind: 'text', value: (r) => r.tier, render: (r) => tierBadge(r.tier), csv: (r) => labelOf(m.tierNames, r.tier) },
      { key: 'since', label: m.since, kind: 'instant', value: (r) => r.since },
      { key: 'parent', label: m.parent, kind: 'text', value: (r) => (r.parentPartnerId ? partnerLabel(r.parentPartnerId) : '') },
      { key: 'change', label: m.changeSinceQuarter, kind: 'text', value: change },
    ],
  });
  replace(body, cards, table);
}

/** @param {string} tier */
function tierBadge(tier) {
  return h('span', { class: `badge tier-${tier}` }, labelOf(t().tierNames, tier));
}

function renderPipeline() {
  const body = panelBody('pipeline');
  const answer = state.data.pipeline;
  if (!answer) return replace(body, failure('pipeline'));
  const m = t();
  const pipeline = normalisePipeline(answer);
  const stageKeys = pipelineStages;
  const byPartner = dataTable({
    id: 'table-pipeline',
    caption: m.pipelineByPartner,
    rows: pipeline.partners,
    rowKey: (row) => row.partnerId ?? 'direct',
    csvName: csvName('pipeline'),
    ...tableText(),
    columns: [
      { key: 'partnerId', label: m.partner, kind: 'text', value: (r) => partnerLabel(r.partnerId) },
      ...stageKeys.map((stage) => /** @type {import('./table.js').Column<typeof pipeline.partners[number]>} */ ({
        key: stage,
        label: m.stages[stage],
        kind: 'count',
        value: (r) => r.counts[stage],
      })),
      { key: 'expectedPorts', label: m.expectedPorts, kind: 'count', value: (r) => r.expectedPorts },
      { key: 'expectedRevenue', label: m.expectedRevenue, kind: 'money', value: (r) => r.expectedRevenueFen },
    ],
  });
  /** @type {Array<import('./table.js').Column<typeof pipeline.deals[number]>>} */
  const dealColumns = [
    { key: 'dealId', label: m.deal, kind: 'text', value: (r) => r.dealId },
    { key: 'partnerId', label: m.partner, kind: 'text', value: (r) => partnerLabel(r.partnerId) },
    { key: 'customer', label: m.customer, kind: 'text', value: (r) => r.customerName },
    { key: 'stage', label: m.stage, kind: 'text', value: (r) => labelOf(m.stages, r.stage) },
    { key: 'lastProgress', label: m.lastProgress, kind: 'instant', value: (r) => r.lastProgressAt },
    {
      key: 'stale',
      label: m.stale,
      kind: 'text',
      value: (r) => (r.stale ? m.yes : m.no),
      render: (r) => (r.stale ? h('span', { class: 'flag' }, m.staleFlag) : ''),
    },
  ];
  // Key deals: open deals (neither signed nor lost) at stage 3 (solution) or further.
  const open = pipeline.deals.filter((d) => d.stage !== 'signed' && d.stage !== 'lost');
  const deals = dataTable({
    id: 'table-key-deals',
    caption: m.openKeyDeals,
    rows: open.filter((d) => d.stage === 'solution' || d.stage === 'trial'),
    rowKey: (row) => row.dealId,
    rowClass: (row) => (row.stale ? 'stale' : null),
    csvName: csvName('key-deals'),
    ...tableText(),
    ...paging('table-key-deals'),
    columns: dealColumns,
  });
  const idle = dataTable({
    id: 'table-stale-claims',
    caption: m.staleClaims,
    rows: open.filter((d) => d.stale && d.stage !== 'solution' && d.stage !== 'trial'),
    rowKey: (row) => row.dealId,
    rowClass: () => 'stale',
    csvName: csvName('stale-claims'),
    ...tableText(),
    ...paging('table-stale-claims'),
    columns: dealColumns,
  });
  replace(body, byPartner, deals, idle, weeklyTable());
}

/** The weekly report per partner (GET /reports/weekly), or a note when it failed to load. */
function weeklyTable() {
  const answer = state.data.weekly;
  if (!answer) return failure('weekly');
  const m = t();
  const weekly = normaliseWeekly(answer);
  return dataTable({
    id: 'table-weekly',
    caption: `${m.weeklyReport} ${weekly.week} (${m.weeklyReview} ${formatInstantWithOffset(weekly.review, zone())})`,
    rows: weekly.partners,
    rowKey: (row) => row.partnerId ?? 'direct',
    csvName: csvName('weekly'),
    ...tableText(),
    columns: [
      { key: 'partnerId', label: m.partner, kind: 'text', value: (r) => partnerLabel(r.partnerId) },
      { key: 'deals', label: m.weeklyDeals, kind: 'count', value: (r) => r.deals },
      { key: 'newThisWeek', label: m.weeklyNew, kind: 'count', value: (r) => r.newThisWeek },
      { key: 'progressed', label: m.weeklyProgressed, kind: 'count', value: (r) => r.progressed },
      { key: 'supportNeeded', label: m.weeklySupport, kind: 'count', value: (r) => r.supportNeeded },
      { key: 'monthPortForecast', label: m.monthPortForecast, kind: 'count', value: (r) => r.monthPortForecast },
      { key: 'monthSalesPorts', label: m.monthSalesPorts, kind: 'count', value: (r) => r.monthSalesPorts },
    ],
  });
}

function renderConflicts() {
  const body = panelBody('conflicts');
  const report = /** @type {ConflictsReport | undefined} */ (state.data.conflicts);
  if (!report) return replace(body, failure('conflicts'));
  const m = t();
  const canAudit = state.session?.role === 'manager' || state.session?.role === 'auditor';
  const needle = state.conflictSearch.trim().toLowerCase();
  /** @param {Conflict} row */
  const haystack = (row) =>
    [row.customerName, row.customerKey, row.ownerDealId ?? '', conflictOwnerLabel(row), ...row.claims.flatMap((c) => [c.dealId, c.partnerId ?? '', partnerLabel(c.partnerId)])]
      .join('\n')
      .toLowerCase();
  const rows = needle ? report.customers.filter((row) => haystack(row).includes(needle)) : report.customers;
  const search = h('input', {
    id: 'conflicts-search',
    type: 'search',
    value: state.conflictSearch,
    placeholder: m.searchConflicts,
    'aria-label': m.searchConflicts,
    oninput: (/** @type {Event} */ event) => {
      state.conflictSearch = /** @type {HTMLInputElement} */ (event.target).value;
      state.pages['table-conflicts'] = 0;
      renderConflicts();
      const input = /** @type {HTMLInputElement} */ (byId('conflicts-search'));
      input.focus();
      input.setSelectionRange(input.value.length, input.value.length);
    },
  });
  const table = dataTable({
    id: 'table-conflicts',
    caption: m.conflictsTable,
    rows,
    rowKey: (row) => row.customerKey,
    csvName: csvName('conflicts'),
    ...tableText(),
    ...paging('table-conflicts'),
    emptyText: needle ? m.noMatches : m.empty,
    columns: [
      { key: 'customer', label: m.customer, kind: 'text', value: (r) => r.customerName },
      { key: 'owner', label: m.owner, kind: 'text', value: (r) => conflictOwnerLabel(r) },
      { key: 'ownerDeal', label: m.ownerDeal, kind: 'text', value: (r) => r.ownerDealId },
      {
        key: 'rule',
        label: m.rule,
        kind: 'text',
        value: (r) => labelOf(m.rules, r.rule),
        render: (r) => h('span', { title: r.explanation ?? null }, labelOf(m.rules, r.rule)),
      },
      { key: 'claims', label: m.claims, kind: 'count', value: (r) => r.claims.length },
      {
        key: 'claimants',
        label: m.claimants,
        kind: 'text',
        wrap: true,
        value: (r) => r.claims.map((c) => `${partnerLabel(c.partnerId)} (${c.dealId}, ${labelOf(m.claimStatus, c.status)})`).join('; '),
      },
      {
        key: 'audit',
        label: m.auditLink,
        kind: 'text',
        exported: false,
        value: () => '',
        render: (r) => (canAudit ? h('a', { href: `#audit=${encodeURIComponent(r.customerKey)}`, class: 'audit-link' }, m.auditLink) : ''),
      },
    ],
  });
  replace(body, h('div', { class: 'row table-tools' }, h('label', { for: 'conflicts-search' }, m.search), search), table);
}

function renderBalances() {
  const body = panelBody('balances');
  const report = /** @type {BalancesReport | undefined} */ (state.data.balances);
  const quarters = /** @type {QuartersReport | undefined} */ (state.data.quarters);
  const m = t();
  const parts = [];
  if (report) {
    parts.push(
      dataTable({
        id: 'table-balances',
        caption: m.balances,
        rows: report.partners,
        rowKey: (row) => row.partnerId,
        totals: report.partners.length > 1 ? report.totals : null,
        totalLabel: m.total,
        csvName: csvName('balances'),
        ...tableText(),
        columns: [
          { key: 'partnerId', label: m.partnerId, kind: 'text', value: (r) => r.partnerId },
          { key: 'name', label: m.name, kind: 'text', value: (r) => r.name },
          { key: 'accrued', label: m.accrued, kind: 'money', value: (r) => r.accrued },
          { key: 'clawedBack', label: m.clawedBack, kind: 'money', value: (r) => r.clawedBack },
          { key: 'paidOut', label: m.paidOut, kind: 'money', value: (r) => r.paidOut },
          { key: 'payable', label: m.payable, kind: 'money', value: (r) => r.payable },
          { key: 'pendingClawback', label: m.pendingClawback, kind: 'money', value: (r) => r.pendingClawback ?? 0 },
          { key: 'deposit', label: m.deposit, kind: 'money', value: (r) => r.deposit },
          { key: 'debt', label: m.debt, kind: 'money', value: (r) => r.debt },
          { key: 'shortfall', label: m.shortfall, kind: 'money', value: (r) => r.shortfall ?? null },
          // Wholesale-voice resellers: billed traffic not yet paid against the deposit (the credit limit), and what is left.
          { key: 'creditUsed', label: m.creditUsed, kind: 'money', value: (r) => (r.creditLimit == null ? null : (r.trafficOutstanding ?? 0)) },
          { key: 'creditAvailable', label: m.creditAvailable, kind: 'money', value: (r) => r.creditAvailable ?? null },
          // Service stops when outstanding traffic reaches the deposit (suspended) and resumes under it.
          { key: 'creditStatus', label: m.creditStatus, kind: 'text', value: (r) => (r.creditLimit == null ? null : r.creditStatus === 'suspended' ? m.creditSuspended : m.creditActive) },
        ],
      }),
    );
  } else parts.push(failure('balances'));
  if (quarters) {
    /** @type {import('./chart.js').Series[]} */
    const series = [
      { key: 'accrued', label: m.accrued, className: 'series-accrued' },
      { key: 'clawedBack', label: m.clawedBack, className: 'series-clawed' },
      { key: 'paidOut', label: m.paidOut, className: 'series-paid' },
    ];
    parts.push(
      h(
        'div',
        { class: 'quarterly' },
        h(
        'figure',
        { class: 'chart-figure' },
        h('figcaption', {}, m.quarterlyChart),
        h('div', { class: 'chart-scroll' }, quarterlyChart(quarters.quarters, series, { title: m.quarterlyChart, formatMoney: formatFen, emptyText: m.empty, unit: m.chartUnit })),
      ),
      dataTable({
        id: 'table-quarters',
        caption: m.quarterlyChart,
        rows: quarters.quarters,
        rowKey: (row) => row.quarter,
        csvName: csvName('commission-by-quarter'),
        ...tableText(),
        columns: [
          { key: 'quarter', label: m.quarter, kind: 'text', value: (r) => r.quarter },
          { key: 'accrued', label: m.accrued, kind: 'money', value: (r) => r.accrued },
          { key: 'clawedBack', label: m.clawedBack, kind: 'money', value: (r) => r.clawedBack },
          { key: 'paidOut', label: m.paidOut, kind: 'money', value: (r) => r.paidOut },
        ],
      }),
      ),
    );
  } else parts.push(failure('quarters'));
  const statement = statementForm(report, quarters);
  if (statement) parts.push(statement);
  replace(body, parts);
}

/**
 * A partner's quarterly statement as a PDF (finance, auditors, the partner itself: the roles of
 * GET /statements/:partnerId/:quarter.pdf), at the page's clocks.
 * @param {BalancesReport | undefined} report
 * @param {QuartersReport | undefined} quarters
 * @returns {HTMLElement | null}
 */
function statementForm(report, quarters) {
  const role = state.session?.role;
  if (!report || !quarters || role === 'manager' || report.partners.length === 0 || quarters.quarters.length === 0) return null;
  const m = t();
  const status = h('span', { class: 'hint', id: 'statement-status', role: 'status' });
  const partner = h('select', { id: 'statement-partner', 'aria-label': m.partner }, report.partners.map((p) => h('option', { value: p.partnerId }, `${p.name ?? p.partnerId} (${p.partnerId})`)));
  const quarter = h('select', { id: 'statement-quarter', 'aria-label': m.quarter }, [...quarters.quarters].reverse().map((q) => h('option', { value: q.quarter }, q.quarter)));
  const download = async () => {
    const partnerId = /** @type {HTMLSelectElement} */ (partner).value;
    const q = /** @type {HTMLSelectElement} */ (quarter).value;
    status.textContent = m.loading;
    try {
      const blob = await api().file(`/statements/${encodeURIComponent(partnerId)}/${encodeURIComponent(q)}.pdf`, clocks());
      downloadFile(`statement-${partnerId}-${q}.pdf`, blob, 'application/pdf');
      status.textContent = '';
    } catch (error) {
      status.textContent = `${m.failed}: ${errorText(error)}`;
    }
  };
  return h(
    'section',
    { class: 'statement', 'aria-labelledby': 'statement-title' },
    h('h3', { id: 'statement-title' }, m.statement),
    h('p', { class: 'hint' }, m.statementHelp),
    h('div', { class: 'row' }, partner, quarter, h('button', { type: 'button', class: 'primary small', id: 'statement-pdf', onclick: () => void download() }, `⤓ ${m.statementPdf}`), status),
  );
}

// ---- rebates -----------------------------------------------------------------------------------

/**
 * @param {string | null} instant
 * @returns {string} the year of the instant (now when null) in the policy's time zone
 */
function rebateYear(instant) {
  const at = instant ? new Date(instant) : new Date();
  return new Intl.DateTimeFormat('en', { timeZone: zone(), year: 'numeric' }).format(at);
}

/** @typedef {{ quarter: string, cumulativeTarget: number, purchases: number, bidPurchases: number, cumulativePurchases: number, evaluated: boolean, step: number, rateBps: number, rebate: number, payerPartnerId: string | null }} RebateQuarterRow */
/** @typedef {{ rank: number, partnerId: string, name: string | null, purchases: number }} AwardRow */

/** A partner sees its own rebate year quarter by quarter; the others see the year's award ranking. */
function renderRebates() {
  const body = panelBody('rebates');
  const m = t();
  const own = /** @type {{ year: number, commitment: number | null, illustrative: boolean, quarters: RebateQuarterRow[] } | undefined} */ (state.data.rebates);
  const awards = /** @type {{ year: number, productLine: string, topN: number, ranking: AwardRow[] } | undefined} */ (state.data.awards);
  const parts = [];
  if (own) {
    parts.push(
      dataTable({
        id: 'table-rebates',
        caption: `${m.rebateYear} ${own.year}${own.illustrative ? ` (${m.illustrativeSteps})` : ''}`,
        rows: own.quarters,
        rowKey: (row) => row.quarter,
        csvName: csvName('rebates'),
        ...tableText(),
        columns: [
          { key: 'quarter', label: m.quarter, kind: 'text', value: (r) => r.quarter },
          { key: 'cumulativeTarget', label: m.cumulativeTarget, kind: 'money', value: (r) => r.cumulativeTarget },
          { key: 'cumulativePurchases', label: m.cumulativePurchases, kind: 'money', value: (r) => r.cumulativePurchases },
          { key: 'bidPurchases', label: m.bidPurchases, kind: 'money', value: (r) => r.bidPurchases },
          { key: 'step', label: m.step, kind: 'text', value: (r) => String(r.step) },
          { key: 'rebate', label: m.rebate, kind: 'money', value: (r) => r.rebate },
          { key: 'evaluated', label: m.evaluated, kind: 'text', value: (r) => (r.evaluated ? m.yes : m.projected) },
        ],
      }),
    );
  } else if (awards) {
    parts.push(
      dataTable({
        id: 'table-awards',
        caption: `${m.awards} ${awards.year}: ${m.topN} ${awards.topN} · ${awards.productLine}`,
        rows: awards.ranking,
        rowKey: (row) => row.partnerId,
        csvName: csvName('awards'),
        ...tableText(),
        columns: [
          { key: 'rank', label: m.rank, kind: 'text', value: (r) => String(r.rank) },
          { key: 'partnerId', label: m.partnerId, kind: 'text', value: (r) => r.partnerId },
          { key: 'name', label: m.name, kind: 'text', value: (r) => r.name },
          { key: 'purchases', label: m.highEndPurchases, kind: 'money', value: (r) => r.purchases },
        ],
      }),
    );
  } else parts.push(failure(state.session?.role === 'partner' ? 'rebates' : 'awards'));
  replace(body, parts);
}

// ---- compare two dates ---------------------------------------------------------------------

function setDefaultCompareDates() {
  const from = /** @type {HTMLInputElement} */ (byId('compare-from'));
  const to = /** @type {HTMLInputElement} */ (byId('compare-to'));
  const today = businessDateOf(Date.now(), zone());
  if (!to.value) to.value = today;
  if (!from.value) {
    const year = Number(today.slice(0, 4));
    const quarterStartMonth = Math.floor((Number(today.slice(5, 7)) - 1) / 3) * 3;
    // The previous quarter's last day: day 0 of the current quarter's first month.
    from.value = new Date(Date.UTC(year, quarterStartMonth, 0)).toISOString().slice(0, 10);
  }
}

/** @param {string | null} at */
async function snapshotAt(at) {
  const params = { asOf: state.asOf, validAt: at };
  const panels = visiblePanels();
  const [tiers, balances, pipeline] = await Promise.all([
    api().get('/reports/tiers', params),
    api().get('/reports/balances', params),
    panels.includes('pipeline') ? api().get('/reports/pipeline', params) : Promise.resolve(null),
  ]);
  return {
    tiers: /** @type {TiersReport} */ (tiers).partners,
    balances: /** @type {BalancesReport} */ (balances).partners,
    pipeline: pipeline ? pipelineCounts(normalisePipeline(pipeline)) : [],
  };
}

/** @param {SubmitEvent} event */
function onCompare(event) {
  event.preventDefault();
  void runCompare();
}

async function runCompare() {
  const serial = ++state.compareSerial;
  const from = /** @type {HTMLInputElement} */ (byId('compare-from')).value;
  const to = /** @type {HTMLInputElement} */ (byId('compare-to')).value;
  if (!from || !to) return;
  const body = panelBody('compare');
  body.setAttribute('data-state', 'loading');
  replace(body, h('p', { class: 'hint' }, t().loading));
  /** @type {import('./compare.js').Change[] | null} */
  let changes = null;
  /** @type {Error | null} */
  let failed = null;
  try {
    const [before, after] = await Promise.all([snapshotAt(endOfBusinessDay(from, zone())), snapshotAt(endOfBusinessDay(to, zone()))]);
    changes = diffSnapshots(before, after);
  } catch (error) {
    failed = error instanceof Error ? error : new Error(String(error));
  }
  if (serial !== state.compareSerial) return;
  state.changes = changes;
  if (failed) state.errors.compare = failed;
  else delete state.errors.compare;
  state.compared = { from, to };
  renderCompare();
  body.setAttribute('data-state', 'ready');
}

function renderCompare() {
  const body = panelBody('compare');
  if (state.errors.compare) return replace(body, failure('compare'));
  if (!state.changes) return replace(body);
  const m = t();
  /** @param {import('./compare.js').Change} c @param {string | number | null} value */
  const cell = (c, value) => (c.kind === 'text' ? (value === null ? null : labelOf(m.tierNames, String(value))) : value);
  /** @param {import('./compare.js').Change} c */
  const delta = (c) => (c.delta === null ? '' : `${c.delta > 0 ? '+' : ''}${c.kind === 'money' ? formatFen(c.delta) : formatCount(c.delta)}`);
  /** @param {import('./compare.js').Change} c @returns {import('./table.js').Kind} */
  const kindOf = (c) => c.kind;
  const { from, to } = state.compared ?? { from: '', to: '' };
  replace(
    body,
    dataTable({
      id: 'table-compare',
      caption: `${m.compare}: ${from} → ${to}`,
      rows: state.changes,
      rowKey: (c) => `${c.partnerId}:${c.field}`,
      csvName: `ledger-compare-${from}-${to}.csv`,
      ...tableText(),
      ...paging('table-compare'),
      emptyText: m.noChanges,
      columns: [
        { key: 'partnerId', label: m.partnerId, kind: 'text', value: (c) => (c.partnerId === 'direct' ? m.direct : c.partnerId) },
        { key: 'name', label: m.name, kind: 'text', value: (c) => c.name || partnerLabel(c.partnerId === 'direct' ? null : c.partnerId) },
        { key: 'what', label: m.what, kind: 'text', value: (c) => labelOf(m.fields, c.field) },
        { key: 'before', label: m.before, kind: 'text', cellKind: kindOf, value: (c) => cell(c, c.before) },
        { key: 'after', label: m.after, kind: 'text', cellKind: kindOf, value: (c) => cell(c, c.after) },
        { key: 'change', label: m.change, kind: 'text', cellKind: (c) => (c.delta === null ? 'text' : c.kind), value: (c) => c.delta, render: delta },
      ],
    }),
  );
}

// ---- the auditor's account -----------------------------------------------------------------

function openAuditFromHash() {
  const match = /^#audit=(.+)$/.exec(location.hash);
  if (!match || !state.session) return;
  void openAudit(decodeURIComponent(/** @type {string} */ (match[1])));
}

/**
 * The customer's name as registered (the conflicts report's, else the first registration's), never the internal key when a name is known.
 * @param {string} customerKey
 * @param {any} [answer]
 * @returns {string}
 */
function customerNameOf(customerKey, answer) {
  const conflicts = /** @type {ConflictsReport | undefined} */ (state.data.conflicts);
  const known = conflicts?.customers.find((c) => c.customerKey === customerKey)?.customerName;
  if (known) return known;
  const registered = (answer?.events ?? []).find((/** @type {any} */ e) => e.type === 'DealRegistered' && e.data?.customer?.name);
  return registered?.data.customer.name ?? customerKey;
}

/**
 * The owner as people read it: "华东通信有限公司 (D-101)", direct sales, or nobody.
 * @param {string | null} partnerId
 * @param {string | null} dealId
 */
const ownerText = (partnerId, dealId) => (dealId ? `${partnerLabel(partnerId)} (${dealId})` : '—');

/**
 * Why the owner owns the customer, in the page's language: the owner, the rule and its reason,
 * the claims in ownership order, and (as of a past instant) what was recorded later: what
 * `ledger dispute` prints.
 * @param {any} answer
 * @returns {HTMLElement}
 */
function auditWhy(answer) {
  const m = t();
  const o = answer?.ownership ?? {};
  const cut = answer?.cut ?? {};
  const reason = state.lang === 'en' && o.explanation ? o.explanation : labelOf(m.ruleWhy, o.rule);
  const known = cut.asOf ? `${m.auditAsKnown} ${formatInstantWithOffset(cut.asOf, zone(), true)}` : m.auditNow;
  const valid = cut.validAt ? `, ${m.auditValidAt} ${formatInstantWithOffset(cut.validAt, zone(), true)}` : '';
  const later = /** @type {any[]} */ (answer?.laterChanges ?? []);
  return h(
    'section',
    { class: 'audit-why', 'aria-label': m.auditWhy },
    h('h3', {}, m.auditWhy),
    h('p', { class: 'hint' }, `${known}${valid}`),
    h(
      'dl',
      {},
      h('dt', {}, m.auditOwnerIs),
      h('dd', { 'data-why': 'owner' }, ownerText(o.ownerPartnerId ?? null, o.ownerDealId ?? null)),
      h('dt', {}, m.auditRuleIs),
      h('dd', { 'data-why': 'rule' }, `${labelOf(m.rules, o.rule)}: ${reason}`),
    ),
    h('h4', {}, m.auditClaimsOrder),
    h(
      'ol',
      { class: 'audit-claims' },
      (o.claims ?? []).map((/** @type {Claim} */ c) =>
        h('li', {}, `${partnerLabel(c.partnerId)} · ${c.dealId} · ${m.registered} ${formatInstantWithOffset(c.registeredAt, zone())} · ${labelOf(m.stages, c.stage)} · ${labelOf(m.claimStatus, c.status)}`),
      ),
    ),
    cut.asOf
      ? later.length === 0
        ? h('p', { class: 'hint', 'data-why': 'later' }, m.auditNoLater)
        : h(
            'div',
            { 'data-why': 'later' },
            h('h4', {}, m.auditLater),
            h(
              'ul',
              {},
              later.map((c) =>
                h('li', {}, `#${c.position} ${labelOf(m.eventTypes, c.type)} · ${m.recordedAt} ${formatInstantWithOffset(c.recordedAt, zone())} → ${c.ownerAfter ?? '—'} (${labelOf(m.rules, c.rule)})`),
              ),
            ),
          )
      : null,
  );
}

/** @param {string} customerKey */
async function openAudit(customerKey) {
  const dialog = /** @type {HTMLDialogElement} */ (byId('audit-dialog'));
  const m = t();
  byId('audit-title').textContent = `${m.auditTitle} ${customerNameOf(customerKey)}`;
  const body = /** @type {HTMLElement} */ (dialog.querySelector('.dialog-body'));
  replace(body, h('p', { class: 'hint' }, m.loading));
  if (!dialog.open) dialog.showModal();
  try {
    const answer = await api().get(`/audit/customers/${encodeURIComponent(customerKey)}`, clocks());
    const name = customerNameOf(customerKey, answer);
    byId('audit-title').textContent = `${m.auditTitle} ${name}`;
    dialog.setAttribute('data-customer', customerKey);
    const events = auditEvents(answer);
    replace(
      body,
      auditWhy(answer),
      dataTable({
        id: 'table-audit',
        caption: `${m.auditTitle} ${name}`,
        rows: events,
        rowKey: (e) => String(e.position),
        rowClass: (e) => (e.counts ? null : 'not-counted'),
        csvName: `ledger-audit-${customerKey.replace(/[^A-Za-z0-9_-]+/g, '-')}.csv`,
        ...tableText(),
        columns: [
          { key: 'position', label: m.position, kind: 'count', value: (e) => Number(e.position) },
          { key: 'type', label: m.type, kind: 'text', value: (e) => labelOf(m.eventTypes, e.type) },
          { key: 'occurredAt', label: m.occurredAt, kind: 'instant', value: (e) => e.occurredAt },
          { key: 'recordedAt', label: m.recordedAt, kind: 'instant', value: (e) => e.recordedAt },
          { key: 'actor', label: m.actor, kind: 'text', value: (e) => e.actor },
          { key: 'owner', label: m.ownerAfter, kind: 'text', wrap: true, value: (e) => e.owner },
          { key: 'rule', label: m.rule, kind: 'text', wrap: true, value: (e) => labelOf(m.rules, e.rule) },
          { key: 'hash', label: m.hash, kind: 'text', value: (e) => e.hash, render: (e) => h('code', { title: e.hash }, e.hash.slice(0, 12)) },
        ],
      }),
    );
  } catch (error) {
    replace(body, h('p', { class: 'error', role: 'alert' }, `${m.failed}: ${errorText(error)}`));
  }
}

/**
 * The auditor's account, row by row, whatever the exact envelope around it.
 * @param {any} answer
 * @returns {Array<{ position: string, type: string, occurredAt: string, recordedAt: string, actor: string, owner: string, rule: string | null, hash: string, counts: boolean }>}
 */
function auditEvents(answer) {
  const events = Array.isArray(answer) ? answer : (answer?.events ?? []);
  return events.map((/** @type {any} */ e) => {
    const ownership = e.ownershipAfter ?? e.ownership ?? {};
    return {
      position: String(e.position),
      type: String(e.type),
      occurredAt: e.occurredAt,
      recordedAt: e.recordedAt,
      actor: e.actor ? `${labelOf(t().roles, e.actor.role)}:${e.actor.id}` : '',
      owner: ownerText(ownership.ownerPartnerId ?? null, ownership.ownerDealId ?? null),
      rule: ownership.rule ?? null,
      hash: String(e.hash ?? ''),
      counts: e.inValidTime !== false,
    };
  });
}

function closeAudit() {
  const dialog = /** @type {HTMLDialogElement} */ (byId('audit-dialog'));
  if (dialog.open) dialog.close();
}

// ---- wiring --------------------------------------------------------------------------------

function wire() {
  byId('lang-toggle').addEventListener('click', () => setLang(state.lang === 'zh' ? 'en' : 'zh'));
  byId('sign-out').addEventListener('click', signOut);
  byId('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = /** @type {HTMLInputElement} */ (byId('token')).value.trim();
    if (token) void signIn(token);
  });
  byId('timeline').addEventListener('input', onSliderInput);
  byId('timeline-latest').addEventListener('click', () => {
    const slider = /** @type {HTMLInputElement} */ (byId('timeline'));
    slider.value = slider.max;
    onSliderInput();
  });
  byId('valid-date').addEventListener('change', (event) => {
    state.validDate = /** @type {HTMLInputElement} */ (event.target).value;
    state.pages = {};
    renderTimelineValue();
    scheduleLoad();
  });
  byId('valid-now').addEventListener('click', () => {
    /** @type {HTMLInputElement} */ (byId('valid-date')).value = '';
    state.validDate = '';
    state.pages = {};
    renderTimelineValue();
    scheduleLoad();
  });
  for (const link of document.querySelectorAll('.panel-nav a')) {
    link.addEventListener('click', (event) => {
      event.preventDefault();
      const name = /** @type {PanelName} */ (link.closest('li')?.getAttribute('data-panel'));
      if (name) choosePanel(name);
    });
  }
  byId('compare-form').addEventListener('submit', (event) => void onCompare(/** @type {SubmitEvent} */ (event)));
  wireWhatIf(/** @type {HTMLFormElement} */ (byId('whatif-form')), whatIfView);
  byId('audit-close').addEventListener('click', closeAudit);
  byId('audit-dialog').addEventListener('close', () => {
    if (location.hash.startsWith('#audit=')) history.replaceState(null, '', location.pathname + location.search);
  });
  window.addEventListener('hashchange', openAuditFromHash);
}

wire();
applyLabels();
if (state.token) void signIn(state.token);
else showSignIn('');
