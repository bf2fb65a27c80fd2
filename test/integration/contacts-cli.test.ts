/**
 * `npm run contacts -- load <file>` end to end: the CLI's own code (file reading, apiClient finding the API
 * through REGIE_API_URL and ADMIN_TOKEN, as an operator's shell would set them) against the real API on a real
 * Postgres. A good file lands whole (organisations, links, contacts with language, delivery preferences); a bad
 * one is refused naming the field, and nothing of it is stored.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { runContactsCli } from '../../infra/contacts-cli';
import { TestApi } from '../support/api';
import { TEST_ADMIN_TOKEN } from '../support/config';
import { startTestApi } from '../support/system';

let sys: Awaited<ReturnType<typeof startTestApi>>;
let api: TestApi;
let db: DataSource;
let dir: string;
const savedEnv = { REGIE_API_URL: process.env.REGIE_API_URL, ADMIN_TOKEN: process.env.ADMIN_TOKEN };

beforeAll(async () => {
  sys = await startTestApi('contacts-cli');
  ({ api } = sys);
  db = api.app.get(DataSource);
  dir = mkdtempSync(path.join(tmpdir(), 'regie-contacts-'));
  process.env.REGIE_API_URL = api.baseUrl;
  process.env.ADMIN_TOKEN = TEST_ADMIN_TOKEN;
});

afterAll(async () => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  await sys?.stop();
});

let files = 0;
function contactsFile(content: unknown): string {
  const file = path.join(dir, `contacts-${++files}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}
const load = (file: string) => runContactsCli(['load', file]);

const goodFile = {
  organisations: [
    {
      key: 'amsterdam',
      kind: 'municipality',
      name: 'Gemeente Amsterdam',
      code: 'GM0363',
      contacts: [
        { email: 'Wethouder@Amsterdam.example', name: 'Wethouder Wonen', role: 'alderman' },
        { email: 'programma@amsterdam.example', role: 'programme-manager', language: 'en', delivery: 'digest' },
      ],
    },
    {
      key: 'ymere',
      kind: 'housing-corporation',
      name: 'Ymere',
      municipalities: ['GM0384', 'GM0363'],
      contacts: [
        { email: 'stopped@ymere.example', role: 'housing-corporation', delivery: 'digest' },
        { email: 'keeps@ymere.example', role: 'housing-corporation', language: 'en' },
      ],
    },
    { key: 'noord-holland', kind: 'province', name: 'Provincie Noord-Holland', code: 'PV27' },
  ],
};

/** Everything a load may write, to compare before and after a refused one. */
async function snapshot() {
  return {
    organisations: await db.query(`SELECT key, kind, name, code FROM organisation ORDER BY key`),
    links: await db.query(`SELECT organisation_key, municipality_code FROM organisation_municipality ORDER BY 1, 2`),
    contacts: await db.query(`SELECT organisation_key, email, role, name, language FROM contact ORDER BY 1, 2, 3`),
    preferences: await db.query(`SELECT recipient, delivery, optional_stopped_at, updated_at, updated_via FROM mail_preference ORDER BY recipient`),
  };
}

describe('npm run contacts -- load', () => {
  it('loads organisations, their municipalities, contacts with language and delivery preferences', async () => {
    // Earlier choices of two recipients: one stopped optional mail, one asked for the digest.
    const stoppedAt = new Date('2026-03-02T09:00:00Z');
    await db.query(
      `INSERT INTO mail_preference (recipient, delivery, optional_stopped_at, updated_at, updated_via)
       VALUES ('stopped@ymere.example', 'immediate', $1, $1, 'unsubscribe-link'), ('keeps@ymere.example', 'digest', $1, $1, 'recipient')`,
      [stoppedAt],
    );

    expect(await load(contactsFile(goodFile))).toBe('Loaded 3 organisations (3 new) with 4 contacts.');

    expect(await db.query(`SELECT key, kind, name, code FROM organisation ORDER BY key`)).toEqual([
      { key: 'amsterdam', kind: 'municipality', name: 'Gemeente Amsterdam', code: 'GM0363' },
      { key: 'noord-holland', kind: 'province', name: 'Provincie Noord-Holland', code: 'PV27' },
      { key: 'ymere', kind: 'housing-corporation', name: 'Ymere', code: null },
    ]);
    expect(await db.query(`SELECT organisation_key, municipality_code FROM organisation_municipality ORDER BY 1, 2`)).toEqual([
      { organisation_key: 'ymere', municipality_code: 'GM0363' },
      { organisation_key: 'ymere', municipality_code: 'GM0384' },
    ]);
    expect((await api.request('GET', '/organisations/amsterdam')).body.contacts).toEqual([
      { email: 'wethouder@amsterdam.example', name: 'Wethouder Wonen', role: 'alderman', language: 'nl', delivery: 'immediate' },
      { email: 'programma@amsterdam.example', name: null, role: 'programme-manager', language: 'en', delivery: 'digest' },
    ]);
    expect((await api.request('GET', '/organisations/ymere')).body.contacts).toEqual([
      { email: 'keeps@ymere.example', name: null, role: 'housing-corporation', language: 'en', delivery: 'digest' },
      { email: 'stopped@ymere.example', name: null, role: 'housing-corporation', language: 'nl', delivery: 'digest' },
    ]);
    // Ymere works in Diemen too: the link is what the recipients' lookup follows.
    expect((await api.request('GET', '/organisations?municipality=GM0384')).body.items.map((o: { key: string }) => o.key)).toEqual(['ymere', 'noord-holland']);

    const preferences = await db.query(`SELECT recipient, delivery, optional_stopped_at, updated_via FROM mail_preference ORDER BY recipient`);
    expect(preferences).toEqual([
      // Not stated in the file: the recipient's own choice stays, also who made it.
      { recipient: 'keeps@ymere.example', delivery: 'digest', optional_stopped_at: stoppedAt, updated_via: 'recipient' },
      { recipient: 'programma@amsterdam.example', delivery: 'digest', optional_stopped_at: null, updated_via: 'api' },
      // Stated: delivery changes, the recipient's stop of optional mail does not.
      { recipient: 'stopped@ymere.example', delivery: 'digest', optional_stopped_at: stoppedAt, updated_via: 'api' },
    ]);
    // No preference is made up for an address that states none (the default, immediate, applies).
    expect(await db.query(`SELECT 1 FROM mail_preference WHERE recipient = 'wethouder@amsterdam.example'`)).toEqual([]);
  });

  it('loads the same file again without changing anything', async () => {
    const before = await snapshot();
    expect(await load(contactsFile(goodFile))).toBe('Loaded 3 organisations (0 new) with 4 contacts.');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a bad file naming the field, and stores nothing of it', async () => {
    const before = await snapshot();
    // Each begins with writes the API accepts (a new organisation, amsterdam's contacts replaced) before the refusal.
    const leading = [
      { key: 'eigen-haard', kind: 'housing-corporation', name: 'Eigen Haard', municipalities: ['GM0363'], contacts: [{ email: 'info@eigenhaard.example', role: 'housing-corporation', delivery: 'digest' }] },
      { key: 'amsterdam', kind: 'municipality', name: 'Amsterdam (hernoemd)', code: 'GM0363', contacts: [{ email: 'ander@amsterdam.example', role: 'alderman', delivery: 'digest' }] },
    ];
    const refusals: [unknown, RegExp][] = [
      // Refused by validation: a delivery that does not exist, a language neither nl nor en.
      [{ organisations: [...leading, { key: 'x', kind: 'vng', name: 'VNG', contacts: [{ email: 'a@vng.example', role: 'alderman', delivery: 'weekly' }] }] }, /veld organisations\.2\.contacts\.0\.delivery: delivery must be one of immediate, digest/],
      [{ organisations: [...leading, { key: 'x', kind: 'vng', name: 'VNG', contacts: [{ email: 'a@vng.example', role: 'alderman', language: 'de' }] }] }, /veld organisations\.2\.contacts\.0\.language/],
      // Refused inside the transaction, after the leading organisations were written: an unknown municipality,
      // a role that does not fit the kind, one address given two deliveries, a key twice.
      [{ organisations: [...leading, { key: 'x', kind: 'tenant-organisation', name: 'X', municipalities: ['GM0363', 'GM9999'] }] }, /veld organisations\.2\.municipalities\.1/],
      [{ organisations: [...leading, { key: 'x', kind: 'province', name: 'X', code: 'PV26', contacts: [{ email: 'a@x.example', role: 'alderman' }] }] }, /veld organisations\.2\.contacts\.0\.role/],
      [{ organisations: [...leading, { key: 'x', kind: 'vng', name: 'VNG', contacts: [{ email: 'Info@EigenHaard.example', role: 'alderman', delivery: 'immediate' }] }] }, /veld organisations\.2\.contacts\.0\.delivery: organisations\.0\.contacts\.0\.delivery gives this address digest/],
      [{ organisations: [...leading, { key: 'eigen-haard', kind: 'vng', name: 'VNG' }] }, /veld organisations\.2\.key: this key is already organisations\.0/],
    ];
    for (const [content, field] of refusals) {
      await expect(load(contactsFile(content))).rejects.toThrow(field);
    }
    await expect(load(contactsFile({ organisations: [{ key: 'x', kind: 'vng', name: 'VNG', extra: 1 }] }))).rejects.toThrow(/veld organisations\.0\.extra/);
    expect(await snapshot()).toEqual(before);

    // A file that is not what the loader reads is refused before the API is asked, naming the file.
    const notJson = contactsFile('{ "organisations": [ ');
    await expect(load(notJson)).rejects.toThrow(new RegExp(`^${notJson.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    await expect(load(contactsFile({ organisaties: [] }))).rejects.toThrow(/expected \{ "organisations": \[ \.\.\. \] \}/);
    await expect(runContactsCli(['load'])).rejects.toThrow(/usage: npm run contacts -- load <file.json>/);
    expect(await snapshot()).toEqual(before);
  });
});
