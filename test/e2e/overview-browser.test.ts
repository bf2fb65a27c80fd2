/**
 * The national overview in a real browser (Debian's Chromium driven by playwright-core, support/browser.ts),
 * on the whole system with the time-skipping Temporal server: VNG signs in by the link in a real mail and sees
 * the map of all 342 municipalities, each shape filled with the colour of its legend swatch and its state the
 * same as the JSON overview says (an overdue statutory term and a passed streefdatum among them, in two
 * different colours); the filter form narrows map and table alike; the map works by keyboard (focus, the live
 * box, Enter opens the municipality); the CSV and XLSX downloads read back (csv-parse, support/xlsx.ts) with
 * the table's rows; the province of Noord-Holland downloads the whole overview with its own municipalities'
 * contacts and none of Zuid-Holland's. Every action by keyboard, every page checked with axe-core and saved as
 * a screenshot; the map's screenshot also goes to docs/screenshots/overview-map.png for the README.
 */
import { parse } from 'csv-parse/sync';
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { allPages } from '../../infra/api-client';
import { addDays, addYears, utcToAmsterdamDate, type IsoDate } from '../../libs/calendar';
import { actorToken, createPeople, PEOPLE, tokenFor } from '../support/access';
import { activateByKeyboard, chooseByKeyboard, pageChecks, pressTabUntil, removeArtifacts, signInByKeyboard, startBrowser, TestBrowser } from '../support/browser';
import { withEnv } from '../support/config';
import { eventually } from '../support/outbox';
import { shippedRulebook, testRulebook } from '../support/rulebooks';
import { startTestSystem, TestSystem } from '../support/system';
import { advanceTo } from '../support/temporal';
import { readXlsx } from '../support/xlsx';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type InPage = any;

const PREFIX = 'overview-browser';
const RULEBOOK = 'overview-browser-soon';
const PROGRAMME = 'volkshuisvestingsprogramma';
const WMO = 'wmo-beleidsplan';
/** The map as the README shows it: written by this test on every run, so it stays current. */
const DOCS_MAP = path.resolve(__dirname, '../../docs/screenshots/overview-map.png');
const NOT_IN_SCOPE = '(niet in uw bereik)';

// The real today, as the overview reads it ("due soon" is within 90 days of it); Temporal's clock moves on alone.
const TODAY = utcToAmsterdamDate(Date.now());
/** The programme's term, about 40 days ahead: due soon before the clock is skipped, overdue after. */
const PROGRAMME_NOMINAL = addDays(TODAY, 40);
/** Rotterdam's streefdatum for the Wmo plan: passed once the clock is skipped (late against plan). */
const ROTTERDAM_TARGET = addDays(TODAY, 5);
/** Diemen's streefdatum: still ahead after the skip, and within 90 days of today (due soon). */
const DIEMEN_TARGET = addDays(TODAY, 80);

/** Onboarded: two of Noord-Holland besides Amsterdam, one of Utrecht; Rotterdam (Zuid-Holland) is another province's. */
const ONBOARDED: [code: string, email: string][] = [
  ['GM0363', PEOPLE['programme-manager'].email],
  ['GM0599', PEOPLE['other-programme-manager'].email],
  ['GM0358', 'programma@aalsmeer.example'],
  ['GM0384', 'programma@diemen.example'],
  ['GM0344', 'programma@utrecht.example'],
];
/** What the data must show once the clock has passed both dates (the rest: not onboarded). */
const EXPECTED: Record<string, Record<string, string>> = {
  [PROGRAMME]: { GM0363: 'overdue', GM0599: 'done', GM0358: 'waived', GM0384: 'overdue', GM0344: 'overdue' },
  [WMO]: { GM0363: 'on-track', GM0599: 'late', GM0358: 'on-track', GM0384: 'due-soon', GM0344: 'on-track' },
};

interface Cell {
  state: string;
  step: string | null;
  dueDate: string | null;
}
interface OverviewJson {
  today: string;
  steps: { key: string; scope: string; nameNl: string }[];
  municipalities: { code: string; name: string; provinceCode: string; onboarded: boolean; cells: Record<string, Cell> }[];
  regions: { code: string; cells: Record<string, Cell> }[];
}

let sys: TestSystem;
let browser: TestBrowser;
let vngToken: string;
/** The overview's data once the clock has passed both dates. */
let data: OverviewJson;
let programmeDue: IsoDate;

beforeAll(async () => {
  removeArtifacts(PREFIX);
  // The page loads, its style sheets and script, and the polling below come from one address: the default 300 a minute is too few.
  [sys, browser] = await Promise.all([withEnv({ REGIE_RATE_LIMIT: '100000' }, () => startTestSystem(PREFIX, { publicAtOwnAddress: true })), startBrowser()]);
  expect(sys.api.publicBaseUrl).toBe(sys.api.baseUrl);
  await createPeople(sys.api);
  vngToken = await tokenFor(sys.api, 'vng', 'read');

  // The law as if in force two years before a date 40 days ahead: the programme (a fixed date, on a weekend the
  // next working day) and the Wmo plan (a streefdatum the municipality sets), no reminders or rungs to wait for.
  const programme = testRulebook(RULEBOOK, { effectiveDate: addYears(PROGRAMME_NOMINAL, -2), reminders: [], escalations: [] }).rulebook;
  const wmo = shippedRulebook('wvrv-2025-07-01.3').steps.find((step) => step.key === WMO)!;
  const rulebook = { ...programme, steps: [...programme.steps, { ...wmo, dependsOn: [], reminders: [] }] };
  expect((await sys.api.request('POST', '/rulebooks', rulebook)).status).toBe(201);
  for (const [code, email] of ONBOARDED) {
    const res = await sys.api.request('POST', '/onboardings', { municipalityCode: code, programmeManagerEmail: email, rulebookId: RULEBOOK });
    expect({ code, status: res.status }).toEqual({ code, status: 201 });
  }

  // Before any write and before the clock moves: every onboarded programme is due soon, on the same date.
  const before = await overviewWhere('the five programmes in the read model, due soon', (o) =>
    ONBOARDED.every(([code]) => cellOf(o, code, PROGRAMME)?.state === 'due-soon'),
  );
  programmeDue = cellOf(before, 'GM0363', PROGRAMME)!.dueDate as IsoDate;
  expect(programmeDue >= PROGRAMME_NOMINAL && programmeDue <= addDays(PROGRAMME_NOMINAL, 5)).toBe(true);

  // Rotterdam's programme manager sets the Wmo plan's streefdatum a few days ahead and completes the programme;
  // Diemen's sets one 80 days ahead; the province of Noord-Holland waives Aalsmeer's programme.
  const rotterdam = await tokenFor(sys.api, 'other-programme-manager');
  await write(rotterdam, `/municipalities/GM0599/steps/${WMO}/target-date`, { date: ROTTERDAM_TARGET }, 'rotterdam-target');
  await write(rotterdam, `/municipalities/GM0599/steps/${PROGRAMME}/complete`, { evidence: { kind: 'council-decision', reference: 'Raadsbesluit Rotterdam 2026/41' } }, 'rotterdam-done');
  await write(await actorToken(sys.api, 'programme-manager', 'GM0384'), `/municipalities/GM0384/steps/${WMO}/target-date`, { date: DIEMEN_TARGET }, 'diemen-target');
  await write(await tokenFor(sys.api, 'province'), `/municipalities/GM0358/steps/${PROGRAMME}/waiver`, { reason: 'Herindeling van Aalsmeer' }, 'aalsmeer-waiver');

  // Past both dates (the deadline fires at 09:00 on the first working day after a date), not yet at Diemen's.
  const skipTo = addDays(programmeDue, 10);
  expect(skipTo < DIEMEN_TARGET).toBe(true);
  await advanceTo(sys.env, `${skipTo}T12:00:00Z`);
  data = await overviewWhere('the states after the skip (overdue, late, done, waived, due soon)', (o) =>
    Object.entries(EXPECTED).every(([step, states]) => Object.entries(states).every(([code, state]) => cellOf(o, code, step)?.state === state)),
  );
  expect(data.municipalities).toHaveLength(342);
  expect(data.today).toBe(utcToAmsterdamDate(Date.now()));
});

afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

async function write(token: string, route: string, body: unknown, key: string): Promise<void> {
  const res = await sys.api.request('POST', route, body, token, { 'idempotency-key': `${PREFIX}-${key}` });
  if (res.status !== 201) throw new Error(`POST ${route} answered ${res.status}: ${JSON.stringify(res.body)}`);
}

const cellOf = (o: OverviewJson, code: string, step: string): Cell | undefined => o.municipalities.find((m) => m.code === code)?.cells[step];

async function overviewJson(): Promise<OverviewJson> {
  const res = await fetch(`${sys.api.baseUrl}/overview`, { headers: { authorization: `Bearer ${vngToken}` } });
  if (res.status !== 200) throw new Error(`GET /overview answered ${res.status}`);
  return (await res.json()) as OverviewJson;
}

/** Polls the overview's JSON until `holds`, failing with what it last showed for the onboarded five. */
async function overviewWhere(what: string, holds: (o: OverviewJson) => boolean): Promise<OverviewJson> {
  let last: OverviewJson | undefined;
  try {
    return await eventually(
      what,
      async () => {
        last = await overviewJson();
        return holds(last) ? last : undefined;
      },
      60_000,
    );
  } catch (err) {
    const shown = last ? ONBOARDED.map(([code]) => `${code}: ${[PROGRAMME, WMO].map((s) => `${s}=${cellOf(last!, code, s)?.state}`).join(' ')}`).join('; ') : '(nothing)';
    throw new Error(`${(err as Error).message}; the overview showed ${shown}`);
  }
}

/** Every page the tests see: screenshot, axe-core, nothing refused (support/browser.ts). */
const check = pageChecks(PREFIX);

const pathOf = (page: Page) => new URL(page.url()).pathname;

/**
 * Opens `target` (a page of the overview) as a browser without a session, which goes to sign-in with
 * `next`, signs in as `email` by keyboard there and lands on `target` again.
 */
async function signedInAt(target: string, email: string, name: string): Promise<Page> {
  const page = await browser.newPage();
  expect((await page.goto(`${sys.api.baseUrl}${target}`))?.status()).toBe(200);
  expect(`${pathOf(page)}${new URL(page.url()).search}`).toBe(`/auth/sign-in?next=${encodeURIComponent(target)}`);
  expect(await signInByKeyboard(page, { baseUrl: sys.api.baseUrl, smtp: sys.smtp, email, name, check })).toBe(200);
  expect(`${pathOf(page)}${new URL(page.url()).search}`).toBe(target);
  return page;
}

interface Shape {
  code: string;
  state: string;
  classes: string;
  fill: string;
  /** Inside an `a` (a link), or a `g` (no link). */
  link: string | null;
  out: boolean;
}

/** Every shape on the map as the browser draws it: its code, state, classes, computed fill and what holds it. */
function shapesOf(page: Page): Promise<Shape[]> {
  return page.$$eval('svg.regie-map path.regie-map__shape', (paths) =>
    paths.map((p: InPage) => {
      const area = p.closest('.regie-map__area');
      return {
        code: String(p.getAttribute('data-code')),
        state: String(p.getAttribute('data-state')),
        classes: String(p.getAttribute('class')),
        fill: String((globalThis as InPage).getComputedStyle(p).fill),
        link: area && area.tagName.toLowerCase() === 'a' ? String(area.getAttribute('href')) : null,
        out: !!area?.classList.contains('regie-map__area--out'),
      };
    }),
  );
}

/** The legend: per state, its swatch's computed background and the count it shows. */
async function legendOf(page: Page): Promise<Record<string, { colour: string; count: number }>> {
  const entries = await page.$$eval('.regie-legend li', (items) =>
    items.map((li: InPage) => {
      const swatch = li.querySelector('.regie-swatch');
      const state = String(swatch.getAttribute('data-state'));
      return {
        state,
        swatchClass: String(swatch.getAttribute('class')),
        colour: String((globalThis as InPage).getComputedStyle(swatch).backgroundColor),
        count: Number(li.querySelector(`[data-count="${state}"]`)?.textContent),
      };
    }),
  );
  for (const e of entries) expect(e.swatchClass).toContain(`regie-state--${e.state}`);
  return Object.fromEntries(entries.map((e) => [e.state, { colour: e.colour, count: e.count }]));
}

/** The overview table's rows: code and state, in the order shown. */
const tableRowsOf = (page: Page) =>
  page.$$eval('table[data-table="overview"] tbody tr[data-code]', (rows) => rows.map((r: InPage) => ({ code: String(r.getAttribute('data-code')), state: String(r.getAttribute('data-state')) })));

/**
 * The map of one step against the data: 342 shapes, each filled exactly as its legend swatch, its state the
 * JSON overview's; the legend's counts those of the map; the seven states in seven colours. Answers the shapes.
 */
async function expectMapMatchesData(page: Page, step: string): Promise<Shape[]> {
  const shapes = await shapesOf(page);
  expect(shapes).toHaveLength(342);
  expect(new Set(shapes.map((s) => s.code)).size).toBe(342);
  const legend = await legendOf(page);
  expect(Object.keys(legend).sort()).toEqual(['done', 'due-soon', 'late', 'not-onboarded', 'on-track', 'overdue', 'waived']);
  expect(new Set(Object.values(legend).map((l) => l.colour)).size).toBe(7);
  const wrong = shapes.filter((s) => s.state !== cellOf(data, s.code, step)?.state || s.fill !== legend[s.state]?.colour || !s.classes.includes(`regie-state--${s.state}`));
  expect(wrong.map((s) => ({ ...s, data: cellOf(data, s.code, step)?.state, swatch: legend[s.state]?.colour }))).toEqual([]);
  const counted = Object.fromEntries(Object.keys(legend).map((state) => [state, shapes.filter((s) => s.state === state).length]));
  expect(Object.fromEntries(Object.entries(legend).map(([state, l]) => [state, l.count]))).toEqual(counted);
  for (const [code, state] of Object.entries(EXPECTED[step])) expect({ code, state: shapes.find((s) => s.code === code)?.state }).toEqual({ code, state });
  return shapes;
}

/** Tabs to a download link and presses Enter on it, as a keyboard user does; answers the file the browser got. */
async function downloadByKeyboard(page: Page, selector: string): Promise<{ name: string; body: Buffer }> {
  await pressTabUntil(page, selector);
  const download = page.waitForEvent('download', { timeout: 15_000 });
  await page.evaluate(() => true);
  await page.keyboard.press('Enter');
  const file = await download;
  expect(await file.failure()).toBeNull();
  return { name: file.suggestedFilename(), body: readFileSync(await file.path()) };
}

const csvRows = (body: Buffer): Record<string, string>[] => parse(body, { columns: true, bom: true });
/** An XLSX's first sheet as records by its header row, read by the independent OOXML reader. */
function xlsxRecords(body: Buffer): Record<string, string>[] {
  const [header, ...rows] = readXlsx(body).rows;
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

/** Noord-Holland's municipalities as the API lists them, every page followed. */
async function municipalitiesOf(province: string): Promise<string[]> {
  const items = await allPages<{ code: string }>(async (p) => {
    const res = await sys.api.request('GET', p, undefined, vngToken);
    if (res.status !== 200) throw new Error(`GET ${p} answered ${res.status}`);
    return res.body;
  }, `/municipalities?province=${province}`, 20);
  return items.map((m) => m.code).sort();
}

const FILTERED = `?step=${PROGRAMME}&province=PV27`;
let vngPage: Page;

describe('the national overview in the browser, as VNG', () => {
  it('draws 342 municipalities, each filled as its legend swatch and in the state the data gives it, overdue and late in two colours', async () => {
    vngPage = await signedInAt('/overview', PEOPLE.vng.email, 'vng');
    const page = vngPage;
    // The default view is the programme, the first step of a municipality.
    expect(await page.$eval('#f-step', (s: InPage) => String(s.value))).toBe(PROGRAMME);
    // The map and its legend for the README, before anything has the focus (the box shows its hint).
    mkdirSync(path.dirname(DOCS_MAP), { recursive: true });
    await page.locator('section[aria-labelledby="kaart-titel"]').screenshot({ path: DOCS_MAP });
    await check(page, 'map-programme');
    const programme = await expectMapMatchesData(page, PROGRAMME);
    // VNG may open every municipality's page: all 342 are links, none drawn outside the filter.
    expect(programme.filter((s) => !s.link || s.out)).toEqual([]);
    const amsterdam = programme.find((s) => s.code === 'GM0363')!;
    expect(amsterdam.state).toBe('overdue');

    // The Wmo plan by the form, by keyboard: Rotterdam's streefdatum has passed (late), which is not overdue.
    await chooseByKeyboard(page, '#f-step', WMO);
    expect(await activateByKeyboard(page, 'form.regie-filters button[type="submit"]', 'Enter')).toBe(200);
    expect(new URL(page.url()).searchParams.get('step')).toBe(WMO);
    await check(page, 'map-wmo');
    const wmo = await expectMapMatchesData(page, WMO);
    const rotterdam = wmo.find((s) => s.code === 'GM0599')!;
    expect(rotterdam.state).toBe('late');
    expect(rotterdam.fill).not.toBe(amsterdam.fill);
    // And the table says it in words, with the kind of date.
    expect(await page.locator('table[data-table="overview"] tr[data-code="GM0599"]').innerText()).toMatch(/Achter op planning[\s\S]*streefdatum/);
  });

  it('narrows map and table alike to a province chosen in the filter form by keyboard', async () => {
    const page = vngPage;
    await page.goto(`${sys.api.baseUrl}/overview`);
    await chooseByKeyboard(page, '#f-province', 'PV27');
    expect(await activateByKeyboard(page, 'form.regie-filters button[type="submit"]', 'Enter')).toBe(200);
    const query = new URL(page.url()).searchParams;
    expect({ step: query.get('step'), province: query.get('province') }).toEqual({ step: PROGRAMME, province: 'PV27' });
    expect(await page.$eval('#f-province', (s: InPage) => String(s.value))).toBe('PV27');
    await check(page, 'filtered-pv27');

    const noordHolland = await municipalitiesOf('PV27');
    expect(noordHolland.length).toBeGreaterThan(20);
    expect(noordHolland).toEqual(expect.arrayContaining(['GM0363', 'GM0358', 'GM0384']));
    const rows = await tableRowsOf(page);
    expect(rows.map((r) => r.code).sort()).toEqual(noordHolland);
    for (const r of rows) expect({ code: r.code, state: r.state }).toEqual({ code: r.code, state: cellOf(data, r.code, PROGRAMME)!.state });
    const shapes = await shapesOf(page);
    expect(shapes).toHaveLength(342);
    expect(shapes.filter((s) => !s.out).map((s) => s.code).sort()).toEqual(noordHolland);
    expect(shapes.filter((s) => s.link).map((s) => s.code).sort()).toEqual(noordHolland);
    // Outside the filter: drawn (pale) in its state, but no link.
    expect(shapes.filter((s) => s.out && s.link)).toEqual([]);
    expect(shapes.find((s) => s.code === 'GM0599')).toMatchObject({ out: true, link: null, state: 'done' });
    // The caption counts what the table shows.
    expect(await page.locator('table[data-table="overview"] caption').innerText()).toContain(`${noordHolland.length} van ${noordHolland.length} gemeenten`);
  });

  it('works by keyboard: Tab reaches each municipality of the filter and no other, the box announces it, Enter opens its page', async () => {
    const page = vngPage;
    expect((await page.goto(`${sys.api.baseUrl}/overview${FILTERED}`))?.status()).toBe(200);
    const noordHolland = await municipalitiesOf('PV27');
    const info = page.locator('#regie-map-info');
    expect(await info.getAttribute('aria-live')).toBe('polite');
    const hint = await info.innerText();

    await pressTabUntil(page, '.regie-map a');
    const reached: string[] = [];
    for (let i = 0; i <= noordHolland.length; i++) {
      const focused = await page.evaluate(() => {
        const el = (globalThis as InPage).document.activeElement;
        return el?.closest('.regie-map') && el.matches('a') ? { href: String(el.getAttribute('href')), label: String(el.getAttribute('data-label')) } : null;
      });
      if (!focused) break;
      // The box beside the map says what has the focus (the name, the step, the date, the state).
      expect(await info.innerText()).toBe(focused.label);
      reached.push(focused.href.replace(/^\/municipalities\//, ''));
      await page.keyboard.press('Tab');
    }
    expect(reached.sort()).toEqual(noordHolland);
    expect(await info.innerText()).not.toBe(hint);

    // Again to Amsterdam: visibly focused, its words in the box, Enter opens its page.
    await page.goto(`${sys.api.baseUrl}/overview${FILTERED}`);
    const amsterdam = '.regie-map a[href="/municipalities/GM0363"]';
    await pressTabUntil(page, amsterdam);
    const label = String(await page.getAttribute(amsterdam, 'data-label'));
    expect(label).toMatch(/^Amsterdam: .*Termijn verstreken$/);
    expect(await info.innerText()).toBe(label);
    const focusStroke = await page.$eval(`${amsterdam} path`, (p: InPage) => String((globalThis as InPage).getComputedStyle(p).strokeWidth));
    const restStroke = await page.$eval('.regie-map a[href="/municipalities/GM0358"] path', (p: InPage) => String((globalThis as InPage).getComputedStyle(p).strokeWidth));
    expect(focusStroke).not.toBe(restStroke);
    await check(page, 'map-focus-amsterdam');
    const [response] = await Promise.all([page.waitForNavigation({ timeout: 15_000 }), page.keyboard.press('Enter')]);
    expect(response?.status()).toBe(200);
    expect(pathOf(page)).toBe('/municipalities/GM0363');
    expect(await page.locator('main').innerText()).toMatch(/Amsterdam/);
    await check(page, 'municipality-from-map');
  });

  it("downloads the table as CSV and as XLSX, by keyboard, and both hold the table's rows", async () => {
    const page = vngPage;
    await page.goto(`${sys.api.baseUrl}/overview${FILTERED}`);
    const table = await tableRowsOf(page);
    expect(table.length).toBeGreaterThan(20);

    const csv = await downloadByKeyboard(page, 'main a[download][href*="format=csv"]:not([href*="steps=all"])');
    expect(csv.name).toMatch(new RegExp(`^regie-overzicht-\\d{4}-\\d{2}-\\d{2}-${PROGRAMME}-PV27\\.csv$`));
    const csvData = csvRows(csv.body);
    expect(csvData.map((r) => ({ code: r.Code, state: r.Standcode }))).toEqual(table);
    const amsterdam = csvData.find((r) => r.Code === 'GM0363')!;
    expect(amsterdam).toMatchObject({ Naam: 'Amsterdam', Provincie: 'Noord-Holland', Instantie: PROGRAMME, Stand: 'Termijn verstreken', Datum: programmeDue, Regelboekversie: RULEBOOK });
    // VNG sees no personal data.
    expect(new Set(csvData.map((r) => r.Contactpersonen))).toEqual(new Set([NOT_IN_SCOPE]));

    const xlsx = await downloadByKeyboard(page, 'main a[download][href*="format=xlsx"]:not([href*="steps=all"])');
    expect(xlsx.name).toMatch(new RegExp(`^regie-overzicht-\\d{4}-\\d{2}-\\d{2}-${PROGRAMME}-PV27\\.xlsx$`));
    expect(readXlsx(xlsx.body).sheets).toEqual(['Overzicht', 'Over dit bestand']);
    const xlsxData = xlsxRecords(xlsx.body);
    expect(xlsxData.map((r) => ({ code: r.Code, state: r.Standcode }))).toEqual(table);
    expect(xlsxData).toEqual(csvData);
    await check(page, 'after-downloads');
  });

  it('shows on a rulebook version page the mails per week it would bring, a chart with its title, and passes axe', async () => {
    const page = vngPage;
    expect((await page.goto(`${sys.api.baseUrl}/app/rulebooks/wvrv-2026-07-01`))?.status()).toBe(200);
    const chart = page.locator('figure.regie-load svg[role="img"]');
    expect(await chart.count()).toBe(1);
    expect(await chart.locator('title#regie-load-title').textContent()).toMatch(/^Mails per week, vanaf /);
    // The version applied today: the stepped line over the bars of things as they stand.
    expect(await page.locator('figure.regie-load svg polyline').count()).toBe(1);
    await check(page, 'rulebook-load');
  });
});

describe('the overview as the province of Noord-Holland', () => {
  it("exports its own municipalities' contacts and none of another province's", async () => {
    const page = await signedInAt('/overview', PEOPLE.province.email, 'province');
    await check(page, 'province-overview');
    // Its own municipalities are links on its map; Rotterdam, another province's, is not.
    const shapes = await shapesOf(page);
    expect(shapes.find((s) => s.code === 'GM0363')?.link).toBe('/municipalities/GM0363');
    expect(shapes.find((s) => s.code === 'GM0599')?.link).toBeNull();

    const steps = data.steps.length;
    const regionSteps = data.steps.filter((s) => s.scope === 'region').length;
    // By the step's name: a row of a step Amsterdam's rulebook lacks has no instance.
    const municipalSteps = new Set(data.steps.filter((s) => s.scope === 'municipality').map((s) => s.nameNl));
    const everyRow = 342 * steps + data.regions.length * regionSteps;
    const expectScoped = (rows: Record<string, string>[], raw: string, what: string) => {
      expect({ what, rows: rows.length }).toEqual({ what, rows: everyRow });
      const amsterdam = rows.filter((r) => r.Code === 'GM0363');
      expect(amsterdam).toHaveLength(steps);
      // Its own steps name its programme manager; a region step's row its region's (Groot-Amsterdam, also Noord-Holland's) coordinator.
      for (const r of amsterdam) {
        const person = municipalSteps.has(r.Stap) ? PEOPLE['programme-manager'] : PEOPLE['regional-coordinator'];
        expect({ step: r.Stap, contacts: r.Contactpersonen }).toEqual({ step: r.Stap, contacts: expect.stringContaining(`${person.name} <${person.email}>`) });
      }
      expect(amsterdam.filter((r) => municipalSteps.has(r.Stap)).length).toBeGreaterThan(0);
      const rotterdam = rows.filter((r) => r.Code === 'GM0599');
      expect(rotterdam).toHaveLength(steps);
      expect(new Set(rotterdam.map((r) => r.Contactpersonen))).toEqual(new Set([NOT_IN_SCOPE]));
      expect(rotterdam.find((r) => r.Instantie === PROGRAMME)?.Standcode).toBe('done');
      expect(raw).not.toContain(PEOPLE['other-programme-manager'].email);
      expect(raw).not.toContain(PEOPLE['other-programme-manager'].name);
    };

    const csv = await downloadByKeyboard(page, 'main a[download][href*="format=csv"][href*="steps=all"]');
    expect(csv.name).toMatch(/^regie-overzicht-\d{4}-\d{2}-\d{2}-alle-stappen\.csv$/);
    expectScoped(csvRows(csv.body), csv.body.toString('utf8'), 'CSV');
    const xlsx = await downloadByKeyboard(page, 'main a[download][href*="format=xlsx"][href*="steps=all"]');
    expect(xlsx.name).toMatch(/^regie-overzicht-\d{4}-\d{2}-\d{2}-alle-stappen\.xlsx$/);
    expectScoped(xlsxRecords(xlsx.body), JSON.stringify(readXlsx(xlsx.body).rows), 'XLSX');

    // Zuid-Holland's table, filtered to it: every row, none with a contact.
    expect((await page.goto(`${sys.api.baseUrl}/overview?step=${PROGRAMME}&province=PV28`))?.status()).toBe(200);
    await check(page, 'province-other-province');
    const other = await downloadByKeyboard(page, 'main a[download][href*="format=csv"]:not([href*="steps=all"])');
    const otherRows = csvRows(other.body);
    expect(otherRows.map((r) => r.Code).sort()).toEqual(await municipalitiesOf('PV28'));
    expect(new Set(otherRows.map((r) => r.Contactpersonen))).toEqual(new Set([NOT_IN_SCOPE]));
    expect(other.body.toString('utf8')).not.toContain(PEOPLE['other-programme-manager'].email);
  });
});
