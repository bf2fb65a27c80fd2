import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

export interface TestAccount {
  /** Also the login to type on the provider's sign-in page. */
  sub: string;
  email?: string;
  email_verified?: boolean;
  preferred_username?: string;
  name?: string;
}

export interface OidcProviderOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  accounts: TestAccount[];
  /** Default a free one. */
  port?: number;
  /** Put the scope's claims in the ID token too; by default the provider sends them through userinfo only. */
  claimsInIdToken?: boolean;
}

export interface RunningOidcProvider {
  issuer: string;
  stop(): Promise<void>;
}

// Not oidc-provider.mjs: Jest resolves .mjs before .ts, so that name would shadow this module.
const SCRIPT = path.join(__dirname, 'oidc-provider-server.mjs');
const READY = /^oidc-provider ready (\S+)$/m;

/**
 * Starts `oidc-provider-server.mjs` as its own Node process (the package is ESM-only; Jest runs CommonJS) and
 * resolves once it prints its issuer. Under Jest `process.execPath` is the project's Node 24.
 */
export async function startOidcProvider(options: OidcProviderOptions): Promise<RunningOidcProvider> {
  const child = spawn(process.execPath, [SCRIPT], {
    env: { ...process.env, OIDC_TEST_PROVIDER: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('oidc-provider did not get ready within 20 s')), 20_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n${stderr}`));
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const ready = READY.exec(stdout);
      if (!ready) return;
      clearTimeout(timer);
      resolve(ready[1]);
    });
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`oidc-provider exited (${signal ?? code}) before it was ready`)));
  });
  child.stdout!.resume();
  return { issuer, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Signs in as `login` on the provider's real pages, as a browser would: follows its redirects by hand,
 * keeps its cookies, fills in the login form (any password), then the consent form. Returns the URL the
 * provider finally redirects to, off the provider (the client's redirect URI with `code` and `state`, or an
 * `error`), without fetching it.
 */
export async function signInAt(authorizationUrl: string, login: string, password = 'any-password'): Promise<string> {
  const providerOrigin = new URL(authorizationUrl).origin;
  const cookies = new Map<string, string>();
  let next: { url: URL; body?: URLSearchParams } = { url: new URL(authorizationUrl) };
  const seenForms = new Set<string>();

  for (let hop = 0; hop < 20; hop++) {
    if (next.url.origin !== providerOrigin) return next.url.href;
    const response = await fetch(next.url, {
      method: next.body ? 'POST' : 'GET',
      body: next.body,
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    keepCookies(cookies, response.headers.getSetCookie());
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      next = { url: new URL(location, next.url) };
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) throw new Error(`provider answered ${response.status} at ${next.url.pathname}: ${pageText(html)}`);
    const action = /<form[^>]*\baction="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    if (!action || !prompt) throw new Error(`no interaction form at ${next.url.pathname}: ${pageText(html)}`);
    // The dev interactions show the same prompt again when the previous answer did not satisfy it.
    const form = `${prompt} ${next.url.pathname}`;
    if (seenForms.has(form)) throw new Error(`provider asked for ${prompt} again (unknown login "${login}"?)`);
    seenForms.add(form);
    const body = prompt === 'login' ? new URLSearchParams({ prompt, login, password }) : new URLSearchParams({ prompt });
    next = { url: new URL(unescapeHtml(action), next.url), body };
  }
  throw new Error('more than 20 redirects at the provider');
}

function keepCookies(jar: Map<string, string>, setCookies: string[]): void {
  for (const header of setCookies) {
    const [pair, ...attributes] = header.split(';');
    const at = pair.indexOf('=');
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    const expires = attributes.map((a) => /^\s*expires=(.*)$/i.exec(a)?.[1]).find(Boolean);
    const removed = value === '' || (expires !== undefined && Date.parse(expires) <= Date.now()) || attributes.some((a) => /^\s*max-age=(0|-)/i.test(a));
    if (removed) jar.delete(name);
    else jar.set(name, value);
  }
}

const unescapeHtml = (s: string) =>
  s.replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16))).replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec))).replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

const pageText = (html: string) => unescapeHtml(html.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim().slice(0, 500);
