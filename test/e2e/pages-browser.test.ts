/**
 * The pages in a real browser (Debian's Chromium driven by playwright-core, support/browser.ts), every
 * other part real too: the API listens where PUBLIC_BASE_URL says, so the links in the mails the SMTP
 * server receives open as they would for a person. Every action is done by keyboard (Tab to it, Enter or
 * Space), every page is checked with axe-core (no serious or critical WCAG 2.x A/AA violation) and saved as
 * a screenshot in test-artifacts/screenshots/ (axe's findings of every impact in test-artifacts/axe/).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { createPeople, PEOPLE } from '../support/access';
import {
  activateByKeyboard,
  chooseByKeyboard,
  chooseFileByKeyboard,
  pageChecks,
  pressTabUntil,
  removeArtifacts,
  signInByKeyboard as signIn,
  startBrowser,
  TestBrowser,
  typeByKeyboard,
  typeDateByKeyboard,
} from '../support/browser';
import { eventually, outboxSettled } from '../support/outbox';
import { minimalPdf } from '../support/pdf';
import { shippedRulebook, testRulebook } from '../support/rulebooks';
import { CaughtMail } from '../support/smtp';
import { startTestSystem, TestSystem } from '../support/system';
import { advanceTo } from '../support/temporal';

const RULEBOOK = 'browser-2032-07-01';
const PREFIX = 'pages-browser';

let sys: TestSystem;
let browser: TestBrowser;
let db: DataSource;

beforeAll(async () => {
  // This file's artefacts of an earlier run go, so the folder shows this run's pages only.
  removeArtifacts(PREFIX);
  [sys, browser] = await Promise.all([startTestSystem('pages-browser', { publicAtOwnAddress: true }), startBrowser()]);
  db = sys.worker.get(DataSource);
  expect(sys.api.publicBaseUrl).toBe(sys.api.baseUrl);
  await createPeople(sys.api);
  // The law in force on 1 July 2032 (no date passes whenever this runs): the programme, due 3 July 2034 with one
  // reminder a week before, and the Wmo plan (a streefdatum, no reminder) to complete while the programme stays open.
  const programme = testRulebook(RULEBOOK, { effectiveDate: '2032-07-01', reminders: [{ offsetDays: 7, roles: ['programme-manager'], mandatory: false }], escalations: [] }).rulebook;
  const wmo = shippedRulebook('wvrv-2025-07-01.3').steps.find((step) => step.key === 'wmo-beleidsplan')!;
  const rulebook = { ...programme, steps: [...programme.steps, { ...wmo, dependsOn: [] }] };
  expect((await sys.api.request('POST', '/rulebooks', rulebook)).status).toBe(201);
  for (const [code, email] of [
    ['GM0363', PEOPLE['programme-manager'].email],
    ['GM0599', PEOPLE['other-programme-manager'].email],
  ]) {
    expect((await sys.api.request('POST', '/onboardings', { municipalityCode: code, programmeManagerEmail: email, rulebookId: RULEBOOK })).status).toBe(201);
  }
});

afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

/** Every page the tests see: screenshot, axe-core, nothing refused (support/browser.ts). */
const check = pageChecks(PREFIX);

const pathOf = (page: Page) => new URL(page.url()).pathname;
/** The text of the page's status messages (role=status), as a screen reader announces them. */
const statusOf = async (page: Page) => (await page.locator('[role="status"]').allInnerTexts()).join('\n');

let reminderMail: Promise<CaughtMail> | undefined;
/** The programme manager's reminder, a week before the term (3 July 2034): time skipped once, on first use. */
function reminder(): Promise<CaughtMail> {
  reminderMail ??= (async () => {
    await advanceTo(sys.env, '2034-06-27T00:00:00Z');
    await outboxSettled(db);
    const mail = sys.smtp.mails.find((m) => m.envelopeTo.includes(PEOPLE['programme-manager'].email) && /^Herinnering:/.test(m.parsed.subject ?? ''));
    if (!mail) throw new Error(`no reminder for the programme manager; the SMTP server has: ${sys.smtp.mails.map((m) => m.parsed.subject).join(', ')}`);
    return mail;
  })();
  return reminderMail;
}

/** A link in a mail's text, after `label` (an absolute URL at the API's real address). */
function linkIn(mail: CaughtMail, label: RegExp): string {
  const found = new RegExp(`${label.source}\\s*(https?://\\S+)`).exec(mail.parsed.text ?? '');
  if (!found) throw new Error(`no link after ${label} in the mail "${mail.parsed.subject}":\n${mail.parsed.text}`);
  expect(found[1].startsWith(sys.api.baseUrl)).toBe(true);
  return found[1];
}

/** Signs in by keyboard on the sign-in page the browser shows (support/browser.ts), checking each page. */
const signInByKeyboard = (page: Page, email: string, name: string) => signIn(page, { baseUrl: sys.api.baseUrl, smtp: sys.smtp, email, name, check });

test('signing in by the link in a real mail and signing out, all by keyboard, in Dutch and English', async () => {
  const page = await browser.newPage();
  expect((await page.goto(`${sys.api.baseUrl}/auth/sign-in`))?.status()).toBe(200);
  expect(await page.getAttribute('html', 'lang')).toBe('nl');
  expect(await signInByKeyboard(page, PEOPLE['programme-manager'].email, 'pm')).toBe(200);
  expect(pathOf(page)).toBe('/auth/session');
  expect(await page.locator('main').first().innerText()).toMatch(PEOPLE['programme-manager'].email);
  expect(await page.locator('main').first().innerText()).toMatch('Gemeente Amsterdam');
  await check(page, 'pm-session');

  expect(await activateByKeyboard(page, 'form[action^="/auth/sign-out"] button[type="submit"]', 'Enter')).toBe(200);
  expect(await statusOf(page)).toMatch(/beëindigd/);
  await check(page, 'signed-out');
  // The session is over on the server: the session page now asks to sign in.
  const after = await page.goto(`${sys.api.baseUrl}/auth/session`);
  expect(after?.status()).not.toBe(200);

  // The same page in English (the pages' language is chosen by ?lang=en, not by the browser's).
  const english = await browser.newPage({ locale: 'en-GB' });
  expect((await english.goto(`${sys.api.baseUrl}/auth/sign-in?lang=en`))?.status()).toBe(200);
  expect(await english.getAttribute('html', 'lang')).toBe('en');
  await check(english, 'sign-in-en');
});

test('the pages behind the links in a real reminder: confirm receipt, unsubscribe, preferences, all by keyboard', async () => {
  const mail = await reminder();
  expect(mail.parsed.text).toContain(`${sys.api.baseUrl}/municipalities/GM0363/steps/volkshuisvestingsprogramma`);
  const page = await browser.newPage();

  // Confirm receipt: opening the link asks first; the button confirms; opening it again says it was done.
  const receipt = linkIn(mail, /Bevestig ontvangst:/);
  expect((await page.goto(receipt))?.status()).toBe(200);
  expect(await page.locator('h1').first().innerText()).toBe('Ontvangst bevestigen');
  await check(page, 'receipt');
  expect(await activateByKeyboard(page, 'main form[method="post"] button[type="submit"]', 'Enter')).toBe(200);
  expect(await statusOf(page)).toMatch(/ontvangstbevestiging is vastgelegd/);
  await check(page, 'receipt-done');
  await page.goto(receipt);
  expect(await statusOf(page)).toMatch(/Al bevestigd/);
  await check(page, 'receipt-again');

  // Unsubscribe from optional reminders, then turn them on again on the preferences page it links to.
  const unsubscribe = linkIn(mail, /Afmelden:/);
  expect((await page.goto(unsubscribe))?.status()).toBe(200);
  await check(page, 'unsubscribe');
  expect(await activateByKeyboard(page, 'main form[method="post"] button[type="submit"]', 'Space')).toBe(200);
  expect(await statusOf(page)).toMatch(/geen optionele herinneringen meer/);
  await check(page, 'unsubscribed');
  expect(await activateByKeyboard(page, 'main a[href*="/mail/preferences/"]', 'Enter')).toBe(200);
  await check(page, 'preferences-stopped');
  expect(await activateByKeyboard(page, 'button[name="optional"][value="resume"]', 'Enter')).toBe(200);
  expect(await statusOf(page)).toMatch(/opgeslagen/);
  await check(page, 'preferences-saved');
  // The weekly digest and back, so the later mails of this file still come one by one.
  expect(await activateByKeyboard(page, 'button[name="delivery"][value="digest"]', 'Enter')).toBe(200);
  expect(await page.locator('main').first().innerText()).toMatch(/gebundeld in een wekelijks overzicht/);
  expect(await activateByKeyboard(page, 'button[name="delivery"][value="immediate"]', 'Space')).toBe(200);
  expect(await page.locator('main').first().innerText()).toMatch(/elke mail van Regie direct/);
  const [preference] = await db.query(`SELECT optional_stopped_at IS NULL AS receiving FROM mail_preference WHERE recipient = $1`, [PEOPLE['programme-manager'].email]);
  expect(preference).toEqual({ receiving: true });
});

const mainText = (page: Page) => page.locator('main').innerText();

/** The pages of the app (apps/api/src/pages, their templates in libs/mail/templates): fails, naming what is missing, rather than skipping. */
function requireAppPages(): void {
  const missing = ['page-step', 'page-municipality']
    .flatMap((t) => ['nl', 'en'].map((l) => path.join(__dirname, '../../libs/mail/templates', l, `${t}.html.hbs`)))
    .filter((f) => !existsSync(f));
  if (missing.length) throw new Error(`the app's pages are not there yet: ${missing.join(', ')}`);
}

/** Fails clearly when the page the browser shows lacks what the flow needs next (a form not built yet, a page of another kind). */
async function expectOnPage(page: Page, selector: string, what: string): Promise<void> {
  if ((await page.locator(selector).count()) === 0) throw new Error(`${what}: no ${selector} on ${page.url()} (HTTP page "${await page.title()}")`);
}

test('the whole flow in the browser by keyboard: a reminder to the step page, progress, a PDF, the province extends, the stakeholder is kept out', async () => {
  requireAppPages();
  const pmEmail = PEOPLE['programme-manager'].email;
  const programmePath = '/municipalities/GM0363/steps/volkshuisvestingsprogramma';
  const mail = await reminder();
  const stepUrl = linkIn(mail, /vast bij de stap:/);
  expect(new URL(stepUrl).pathname).toBe(programmePath);

  // The programme manager opens the step from the reminder: not signed in, so the sign-in page first, then back to the step.
  const pm = await browser.newPage();
  await pm.goto(stepUrl);
  expect(await signInByKeyboard(pm, pmEmail, 'pm-from-reminder')).toBe(200);
  expect(pathOf(pm)).toBe(programmePath);
  await check(pm, 'programme-step-pm');

  // Progress, by keyboard: the state with the arrow keys, a note typed, the button pressed.
  await expectOnPage(pm, 'form[action*="/progress"]', 'the progress form');
  await chooseByKeyboard(pm, 'select[name="status"]', 'in-progress');
  await typeByKeyboard(pm, 'textarea[name="note"]', 'Concept besproken met de corporaties');
  expect(await activateByKeyboard(pm, 'form[action*="/progress"] button[type="submit"]', 'Enter')).toBe(200);
  expect(pathOf(pm)).toBe(programmePath);
  expect(await mainText(pm)).toMatch(/in behandeling/);
  expect(await mainText(pm)).toContain('Concept besproken met de corporaties');
  await check(pm, 'programme-step-progress');

  // The checklist: the first item ticked with Space, saved with Enter.
  await expectOnPage(pm, 'form[action*="/checklist"]', 'the checklist form');
  const item = await pm.locator('form[action*="/checklist"] input[type="checkbox"]').first().getAttribute('id');
  await pressTabUntil(pm, `[id="${item}"]`);
  await pm.keyboard.press('Space');
  expect(await activateByKeyboard(pm, 'form[action*="/checklist"] button[type="submit"]', 'Enter')).toBe(200);
  expect(await pm.locator(`[id="${item}"]`).isChecked()).toBe(true);
  await check(pm, 'programme-step-checklist');

  // To the municipality's page and from there to the Wmo plan, by links; completed with an uploaded PDF.
  expect(await activateByKeyboard(pm, 'main a[href^="/municipalities/GM0363"]:not([href*="/steps/"])', 'Enter')).toBe(200);
  expect(pathOf(pm)).toBe('/municipalities/GM0363');
  await check(pm, 'municipality-pm');
  expect(await activateByKeyboard(pm, 'main a[href*="/steps/wmo-beleidsplan"]', 'Enter')).toBe(200);
  await expectOnPage(pm, 'form[action*="/complete"] input[type="file"][name="document"]', 'the completion form with a document');
  await check(pm, 'wmo-step-pm');
  const pdf = minimalPdf('Raadsbesluit Wmo-beleidsplan 2034');
  await chooseFileByKeyboard(pm, 'input[type="file"][name="document"]', { name: 'raadsbesluit-wmo-2034.pdf', mimeType: 'application/pdf', buffer: pdf });
  expect(await activateByKeyboard(pm, 'form[action*="/complete"] button[type="submit"]', 'Enter')).toBe(200);
  expect(pathOf(pm)).toBe('/municipalities/GM0363/steps/wmo-beleidsplan');
  expect(await mainText(pm)).toMatch(/afgerond/);
  const evidence = pm.locator('main a', { hasText: 'raadsbesluit-wmo-2034.pdf' });
  expect(await evidence.count()).toBe(1);
  await check(pm, 'wmo-step-done');
  // The evidence link serves the very file, to the signed-in browser.
  const download = await pm.request.get(new URL((await evidence.getAttribute('href'))!, sys.api.baseUrl).toString());
  expect(download.status()).toBe(200);
  expect(download.headers()['content-type']).toMatch(/^application\/pdf/);
  expect(Buffer.compare(await download.body(), pdf)).toBe(0);

  // The province signs in from the same step link and grants an extension on the step page.
  const before = sys.smtp.mails.length;
  const province = await browser.newPage();
  await province.goto(stepUrl);
  expect(await signInByKeyboard(province, PEOPLE.province.email, 'province')).toBe(200);
  expect(pathOf(province)).toBe(programmePath);
  await check(province, 'programme-step-province');
  await expectOnPage(province, 'form[action*="/extension"]', 'the extension form');
  await typeDateByKeyboard(province, 'input[name="to"]', '2034-12-01');
  await typeByKeyboard(province, 'form[action*="/extension"] textarea[name="reason"]', 'Herindeling met Weesp');
  expect(await activateByKeyboard(province, 'form[action*="/extension"] button[type="submit"]', 'Enter')).toBe(200);
  expect(pathOf(province)).toBe(programmePath);
  expect(await mainText(province)).toMatch(/1 december 2034/);
  await check(province, 'programme-step-extended');
  // The province's own page: its municipalities and regions side by side, Amsterdam with its new date.
  expect((await province.goto(`${sys.api.baseUrl}/provinces/PV27`))?.status()).toBe(200);
  expect(await mainText(province)).toMatch(/Amsterdam/);
  await check(province, 'province-page');

  // The change notice at the SMTP server names the new date and the province officer; its receipt is confirmed by keyboard.
  const change = await eventually('the change notice to the programme manager', async () =>
    sys.smtp.mails.slice(before).find((m) => m.envelopeTo.includes(pmEmail) && /^Nieuwe datum:/.test(m.parsed.subject ?? '')),
  );
  expect(change.parsed.subject).toMatch(/1 december 2034/);
  expect(change.parsed.text).toContain('Piet Provincie (Provincie Noord-Holland, province)');
  await pm.goto(linkIn(change, /Bevestig ontvangst:/));
  await check(pm, 'change-notice-receipt');
  expect(await activateByKeyboard(pm, 'main form[method="post"] button[type="submit"]', 'Enter')).toBe(200);
  expect(await statusOf(pm)).toMatch(/ontvangstbevestiging is vastgelegd/);

  // The programme manager sees the new date on the municipality's page, and how it was set on the step's.
  expect((await pm.goto(`${sys.api.baseUrl}/municipalities/GM0363`))?.status()).toBe(200);
  expect(await mainText(pm)).toMatch(/1 december 2034/);
  await check(pm, 'municipality-extended');
  // Its region's page: the region's own steps and its members side by side.
  expect((await pm.goto(`${sys.api.baseUrl}/regions/CR23`))?.status()).toBe(200);
  expect(await mainText(pm)).toMatch(/Amsterdam/);
  await check(pm, 'region-page');
  await pm.goto(`${sys.api.baseUrl}/municipalities/GM0363`);
  expect(await activateByKeyboard(pm, `main a[href^="${programmePath}"]`, 'Enter')).toBe(200);
  expect(await mainText(pm)).toMatch(/verlenging verleend door Piet Provincie \(Provincie Noord-Holland, province\): Herindeling met Weesp/);
  await check(pm, 'programme-step-derivation');

  // A stakeholder of Amsterdam opening Rotterdam's step gets the very page a municipality that does not exist gets.
  const stakeholder = await browser.newPage();
  await stakeholder.goto(`${sys.api.baseUrl}/municipalities/GM0599/steps/volkshuisvestingsprogramma`);
  const otherStatus = await signInByKeyboard(stakeholder, PEOPLE.stakeholder.email, 'stakeholder');
  expect(pathOf(stakeholder)).toBe('/municipalities/GM0599/steps/volkshuisvestingsprogramma');
  // The same answer, the code it names aside.
  const other = { status: otherStatus, title: await stakeholder.title(), text: (await mainText(stakeholder)).replaceAll('GM0599', 'GMxxxx') };
  await check(stakeholder, 'stakeholder-other-municipality');
  const missing = await stakeholder.goto(`${sys.api.baseUrl}/municipalities/GM9999/steps/volkshuisvestingsprogramma`);
  expect({ status: missing?.status() ?? null, title: await stakeholder.title(), text: (await mainText(stakeholder)).replaceAll('GM9999', 'GMxxxx') }).toEqual(other);
  expect(other.status).toBe(404);
  await check(stakeholder, 'stakeholder-no-such-municipality');
  // Its own municipality's step it may read.
  expect((await stakeholder.goto(stepUrl))?.status()).toBe(200);
  await check(stakeholder, 'programme-step-stakeholder');
});
