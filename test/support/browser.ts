import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { signInLink } from './access';
import type { SmtpCatcher } from './smtp';

/**
 * A real browser for the page tests: Debian's Chromium (installed by infra/install-browser.sh; REGIE_CHROMIUM
 * names another) driven by playwright-core, headless. Every page gets its own context (own cookies, own
 * locale), so people signed in side by side never share a session. Also: axe-core run inside the page,
 * a full-page screenshot per page, and keyboard helpers that prove an action works without a mouse.
 */

/** Where each run's screenshots go (git-ignored): `test-artifacts/screenshots/<name>.png` at the repo root. */
export const SCREENSHOT_DIR = path.resolve(__dirname, '../../test-artifacts/screenshots');
/** And axe-core's findings per page, of every impact: `test-artifacts/axe/<name>.json`. */
export const AXE_DIR = path.resolve(__dirname, '../../test-artifacts/axe');
const fileName = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, '-');

// Without the background-networking flags Chromium keeps calling Google's services, which a closed network
// refuses many at a time; --no-sandbox because tests may run as root in a container. playwright-core gives
// each launch a fresh, temporary user-data dir of its own and removes it on close.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// The functions passed to page.evaluate run inside the page (serialised: they may use nothing of this module)
// and see the DOM there; this project compiles without the DOM types, so they reach it as `globalThis as InPage`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type InPage = any;

export interface PageOptions {
  /** A session cookie (`name=value`, as `Browser.cookie` of support/access.ts holds it) for `url`'s site. */
  cookie?: { url: string; value: string };
  /** The browser's language: its Accept-Language header and `navigator.language` (default nl-NL). */
  locale?: string;
}

export interface TestBrowser {
  newPage(opts?: PageOptions): Promise<Page>;
  close(): Promise<void>;
}

export async function startBrowser(): Promise<TestBrowser> {
  const executablePath = process.env.REGIE_CHROMIUM ?? '/usr/bin/chromium';
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  } catch (e) {
    throw new Error(`Chromium at ${executablePath} did not start (run bash infra/install-browser.sh, or set REGIE_CHROMIUM): ${(e as Error).message}`);
  }
  const contexts: BrowserContext[] = [];
  return {
    async newPage(opts = {}) {
      const context = await browser.newContext({ locale: opts.locale ?? 'nl-NL', viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      if (opts.cookie) {
        const [name, ...rest] = opts.cookie.value.split('=');
        await context.addCookies([{ name, value: rest.join('='), url: opts.cookie.url }]);
      }
      const page = await context.newPage();
      watch(page);
      return page;
    },
    async close() {
      await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
      await browser.close();
    },
  };
}

const problems = new WeakMap<Page, string[]>();

/** Keeps what went wrong while a page loaded: a file it needs refused (a style sheet's 404), a CSP block, a script error. */
function watch(page: Page): void {
  const seen: string[] = [];
  problems.set(page, seen);
  page.on('response', (res) => {
    const req = res.request();
    // The browser asks for /favicon.ico on its own; the pages name none.
    if (res.status() >= 400 && !req.isNavigationRequest() && !new URL(res.url()).pathname.endsWith('/favicon.ico')) seen.push(`${res.status()} ${req.resourceType()} ${res.url()}`);
  });
  page.on('requestfailed', (req) => {
    if (!req.isNavigationRequest()) seen.push(`failed ${req.resourceType()} ${req.url()}: ${req.failure()?.errorText}`);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/favicon\.ico/.test(msg.location().url ?? '') && !/status of 4\d\d/.test(msg.text())) seen.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => seen.push(`script error: ${err.message}`));
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) seen.length = 0;
  });
}

/** What went wrong on the page shown now (since its last navigation): refused files, CSP blocks, script errors. */
export function loadProblems(page: Page): string[] {
  return [...(problems.get(page) ?? [])];
}

/** The page's style sheets that hold no rule the browser could read (a sheet served as something else than CSS). */
export async function emptyStyleSheets(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from((globalThis as InPage).document.styleSheets as InPage[])
      .filter((sheet) => {
        try {
          return sheet.cssRules.length === 0;
        } catch {
          return true;
        }
      })
      .map((sheet) => String(sheet.href ?? '(inline)')),
  );
}

/** The WCAG 2.0, 2.1 and 2.2 rules at levels A and AA (axe-core tags). */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; html: string; failureSummary?: string }[];
}

let axeSource: string | undefined;


/**
 * Runs axe-core in the page as it is, under the page's own Content-Security-Policy (the source goes in
 * through the DevTools protocol, not as a script element the CSP would refuse), and fails with every
 * violation of impact serious or critical: rule, help and the elements it found. Returns all violations,
 * the moderate and minor ones too, and keeps them in `test-artifacts/axe/<name>.json`.
 */
export async function checkAccessibility(page: Page, name: string): Promise<AxeViolation[]> {
  const violations = await axeViolations(page);
  // Every finding, the moderate and minor ones too, kept beside the screenshot for whoever fixes the markup.
  mkdirSync(AXE_DIR, { recursive: true });
  writeFileSync(path.join(AXE_DIR, `${fileName(name)}.json`), `${JSON.stringify({ url: page.url(), tags: AXE_TAGS, violations }, null, 2)}\n`);
  const grave = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (grave.length > 0) {
    const list = grave.map((v) => `- ${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${JSON.stringify(n.target)} ${n.html.slice(0, 160)}`).join('\n')}`).join('\n');
    throw new Error(`axe-core: ${grave.length} serious or critical violation(s) on ${name} (${page.url()}):\n${list}`);
  }
  return violations;
}

/** All of axe-core's WCAG A/AA violations on the page as it is now, of any impact. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  return (await page.evaluate(async (tags) => {
    const { axe, document } = globalThis as InPage;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      nodes: v.nodes.map((n: any) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
    }));
  }, AXE_TAGS)) as AxeViolation[];
}

/** A full-page PNG of the page as it is now, saved as `test-artifacts/screenshots/<name>.png`; answers the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${fileName(name)}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** What has the keyboard focus now, as a short description for messages. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const { document } = globalThis as InPage;
    const el = document.activeElement;
    if (!el || el === document.body) return '(nothing)';
    const text = String(el.getAttribute('aria-label') ?? el.innerText ?? '').trim().slice(0, 40);
    return `<${el.tagName.toLowerCase()}${el.id ? ` id="${el.id}"` : ''}${el.getAttribute('name') ? ` name="${el.getAttribute('name')}"` : ''}>${text}`;
  });
}

/**
 * Presses Tab (from wherever the focus is) until the element matching `selector` has the focus, as a
 * keyboard user reaches it; fails after `max` presses, naming what got the focus on the way. Answers the
 * number of presses.
 */
export async function pressTabUntil(page: Page, selector: string, max = 60): Promise<number> {
  const seen: string[] = [];
  for (let presses = 0; presses <= max; presses++) {
    if (await page.evaluate((sel) => !!(globalThis as InPage).document.activeElement?.matches(sel), selector)) return presses;
    if (presses === max) break;
    await page.keyboard.press('Tab');
    seen.push(await focused(page));
  }
  throw new Error(`${selector} never got the keyboard focus in ${max} presses of Tab on ${page.url()}; focus went to:\n  ${seen.join('\n  ')}`);
}

/** Tabs to a field and types into it, key by key. */
export async function typeByKeyboard(page: Page, selector: string, text: string): Promise<void> {
  await pressTabUntil(page, selector);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(text);
}

/**
 * Tabs to a date field and types the date digit by digit, part by part, as a keyboard user fills it in;
 * fails unless the field then holds `iso`. Chromium orders the parts by its own language, whatever the
 * page's locale (headless it is mm/dd/jjjj), so a first try in Dutch order that comes out wrong is typed
 * again in the next order, after the arrow keys go back to the first part.
 */
export async function typeDateByKeyboard(page: Page, selector: string, iso: string): Promise<void> {
  await pressTabUntil(page, selector);
  const [year, month, day] = iso.split('-');
  const parts = { day, month, year };
  const orders: (keyof typeof parts)[][] = [
    ['day', 'month', 'year'],
    ['month', 'day', 'year'],
    ['year', 'month', 'day'],
  ];
  let value = '';
  for (const [i, order] of orders.entries()) {
    if (i > 0) for (let k = 0; k < 2; k++) await page.keyboard.press('ArrowLeft');
    for (const part of order) await page.keyboard.type(parts[part]);
    value = await page.$eval(selector, (el: InPage) => String(el.value));
    if (value === iso) return;
  }
  throw new Error(`${selector} holds "${value}" after typing ${iso} by keyboard in every order of its parts`);
}

/** Tabs to a `<select>` and moves its choice with the arrow keys until it holds `value`. */
export async function chooseByKeyboard(page: Page, selector: string, value: string, max = 30): Promise<void> {
  await pressTabUntil(page, selector);
  const options = await page.$$eval(`${selector} option`, (os) => os.map((o: InPage) => String(o.value)));
  if (!options.includes(value)) throw new Error(`${selector} has no option ${value} (has ${options.join(', ')})`);
  for (let i = 0; i < max; i++) {
    const current = await page.$eval(selector, (el: InPage) => String(el.value));
    if (current === value) return;
    await page.keyboard.press(options.indexOf(current) < options.indexOf(value) ? 'ArrowDown' : 'ArrowUp');
  }
  throw new Error(`${selector} did not reach ${value} by arrow keys`);
}

/** Tabs to a file input and opens it with Enter, as a keyboard user does, then picks the file in the chooser. */
export async function chooseFileByKeyboard(page: Page, selector: string, file: { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  await pressTabUntil(page, selector);
  // Playwright turns on catching the chooser when the first listener appears, in a message of its own: let it
  // arrive (one round trip) before the key, or the key may open a chooser nobody catches.
  const chooser = page.waitForEvent('filechooser', { timeout: 10_000 });
  await page.evaluate(() => true);
  await page.keyboard.press('Enter');
  await (await chooser).setFiles(file);
}

/**
 * Tabs to a button (or link) and presses `key` on it, waiting for the page it leads to; answers that
 * page's HTTP status (null when the action stayed on the page).
 */
export async function activateByKeyboard(page: Page, selector: string, key: 'Enter' | 'Space' = 'Enter'): Promise<number | null> {
  await pressTabUntil(page, selector);
  const [response] = await Promise.all([page.waitForNavigation({ timeout: 15_000 }).catch(() => null), page.keyboard.press(key)]);
  return response?.status() ?? null;
}

/**
 * A test file's check of every page it sees: a screenshot first (so a failing page is still on file, named
 * `<prefix>-<nn>-<name>`), then axe-core, and nothing the page needs refused on the way (its style sheets and
 * script, under its own CSP).
 */
export function pageChecks(prefix: string): (page: Page, name: string) => Promise<void> {
  let shot = 0;
  return async (page, name) => {
    await page.waitForLoadState('load');
    const file = `${prefix}-${String(++shot).padStart(2, '0')}-${name}`;
    await screenshot(page, file);
    await checkAccessibility(page, file);
    expect({ page: name, problems: loadProblems(page), emptyStyleSheets: await emptyStyleSheets(page) }).toEqual({ page: name, problems: [], emptyStyleSheets: [] });
  };
}

/**
 * Signs in on the page the browser shows (the sign-in page, maybe with `next`) by keyboard: types the
 * address, asks for a link, opens the link from the real mail (at the API's own address) and presses its
 * button, checking each page on the way. Answers the HTTP status of the page the browser lands on.
 */
export async function signInByKeyboard(
  page: Page,
  opts: { baseUrl: string; smtp: SmtpCatcher; email: string; name: string; check: (page: Page, name: string) => Promise<void> },
): Promise<number | null> {
  expect(new URL(page.url()).pathname).toBe('/auth/sign-in');
  await opts.check(page, `${opts.name}-sign-in`);
  const before = opts.smtp.mails.length;
  await typeByKeyboard(page, 'input[name="email"]', opts.email);
  expect(await activateByKeyboard(page, 'form[action^="/auth/sign-in"] button[type="submit"]', 'Enter')).toBe(202);
  expect((await page.locator('[role="status"]').allInnerTexts()).join('\n')).toMatch(/aanmeldlink/);
  await opts.check(page, `${opts.name}-sign-in-sent`);
  const link = await signInLink(opts.smtp, opts.email, before);
  expect(link.startsWith(opts.baseUrl)).toBe(true);
  expect((await page.goto(link))?.status()).toBe(200);
  await opts.check(page, `${opts.name}-sign-in-link`);
  return activateByKeyboard(page, 'main form[method="post"] button[type="submit"]', 'Space');
}

/** Removes a test file's screenshots and axe findings of an earlier run, so the folders show this run's pages only. */
export function removeArtifacts(prefix: string): void {
  for (const dir of [SCREENSHOT_DIR, AXE_DIR]) {
    let files: string[] = [];
    try {
      files = readdirSync(dir);
    } catch {
      /* no folder yet */
    }
    for (const f of files) if (f.startsWith(`${prefix}-`)) rmSync(path.join(dir, f));
  }
}
