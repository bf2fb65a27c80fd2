/**
 * The organisations and contacts API on a real Postgres (a fresh clone of the migrated template) and a
 * real Temporal server: create and update, who works in a municipality, contacts replaced at once, and
 * bad input refused with the field named.
 */
import { DataSource } from 'typeorm';
import { TestApi } from '../support/api';
import { startTestApi } from '../support/system';

let sys: Awaited<ReturnType<typeof startTestApi>>;
let api: TestApi;

beforeAll(async () => {
  sys = await startTestApi('integration');
  ({ api } = sys);
});

afterAll(() => sys?.stop());

describe('organisations', () => {
  it('creates, updates and lists who works in a municipality', async () => {
    expect(await api.request('PUT', '/organisations/amsterdam', { kind: 'municipality', name: 'Gemeente Amsterdam', code: 'GM0363' })).toMatchObject({
      status: 201,
      body: { key: 'amsterdam', kind: 'municipality', code: 'GM0363', municipalities: [], contacts: [] },
    });
    await api.request('PUT', '/organisations/noord-holland', { kind: 'province', name: 'Provincie Noord-Holland', code: 'PV27' });
    await api.request('PUT', '/organisations/groot-amsterdam', { kind: 'region', name: 'Regio Groot-Amsterdam', code: 'CR23' });
    const created = await api.request('PUT', '/organisations/ymere', { kind: 'housing-corporation', name: 'Ymere', municipalities: ['GM0363', 'GM0384'] });
    expect(created).toMatchObject({ status: 201, body: { kind: 'housing-corporation', code: null, municipalities: ['GM0363', 'GM0384'] } });
    await api.request('PUT', '/organisations/woonbond-rotterdam', { kind: 'tenant-organisation', name: 'Huurders Rotterdam', municipalities: ['GM0599'] });

    // Put again: an update (200) that replaces the links.
    expect(await api.request('PUT', '/organisations/ymere', { kind: 'housing-corporation', name: 'Ymere N.V.', municipalities: ['GM0384'] })).toMatchObject({
      status: 200,
      body: { name: 'Ymere N.V.', municipalities: ['GM0384'] },
    });
    const inAmsterdam = await api.request('GET', '/organisations?municipality=GM0363');
    expect(inAmsterdam.status).toBe(200);
    expect(inAmsterdam.body.nextCursor).toBeNull();
    expect(inAmsterdam.body.items.map((o: { key: string }) => o.key)).toEqual(['amsterdam', 'noord-holland', 'groot-amsterdam']);
    const inDiemen = (await api.request('GET', '/organisations?municipality=GM0384')).body.items.map((o: { key: string }) => o.key);
    // Ordered by kind, then key.
    expect(inDiemen).toEqual(['ymere', 'noord-holland', 'groot-amsterdam']);
    expect((await api.request('GET', '/organisations')).body).toEqual({ items: expect.any(Array), nextCursor: null });
    expect((await api.request('GET', '/organisations')).body.items).toHaveLength(5);
    expect(await api.request('GET', '/organisations?municipality=GM9999')).toMatchObject({ status: 404, body: { field: 'municipality' } });
    expect(await api.request('GET', '/organisations?municipality=Amsterdam')).toMatchObject({ status: 400, body: { field: 'municipality' } });
  });

  it('replaces the contacts in one go, normalised, and shows them', async () => {
    await api.request('PUT', '/organisations/utrecht', { kind: 'municipality', name: 'Gemeente Utrecht', code: 'GM0344' });
    const first = await api.request('PUT', '/organisations/utrecht/contacts', {
      contacts: [
        { email: 'Wethouder@Utrecht.example', name: 'Wethouder Wonen', role: 'alderman' },
        { email: 'programma@utrecht.example', role: 'programme-manager', language: 'en' },
      ],
    });
    expect(first).toMatchObject({
      status: 200,
      body: {
        contacts: [
          { email: 'wethouder@utrecht.example', name: 'Wethouder Wonen', role: 'alderman', language: 'nl', delivery: 'immediate' },
          { email: 'programma@utrecht.example', name: null, role: 'programme-manager', language: 'en', delivery: 'immediate' },
        ],
      },
    });
    await api.request('PUT', '/organisations/utrecht/contacts', { contacts: [{ email: 'nieuw@utrecht.example', role: 'alderman' }] });
    expect((await api.request('GET', '/organisations/utrecht')).body.contacts).toEqual([
      { email: 'nieuw@utrecht.example', name: null, role: 'alderman', language: 'nl', delivery: 'immediate' },
    ]);

    // A refused list changes nothing: the write is one transaction.
    const refused = await api.request('PUT', '/organisations/utrecht/contacts', {
      contacts: [{ email: 'ander@utrecht.example', role: 'alderman' }, { email: 'corp@utrecht.example', role: 'housing-corporation' }],
    });
    expect(refused).toMatchObject({ status: 400, body: { field: 'contacts.1.role' } });
    expect((await api.request('GET', '/organisations/utrecht')).body.contacts).toHaveLength(1);
    const dataSource = api.app.get(DataSource);
    expect(await dataSource.query(`SELECT email FROM contact WHERE organisation_key = 'utrecht'`)).toEqual([{ email: 'nieuw@utrecht.example' }]);
  });

  it("records a contact's delivery preference per address, in the same transaction, leaving a stop of optional mail alone", async () => {
    const dataSource = api.app.get(DataSource);
    const preferences = () => dataSource.query(`SELECT recipient, delivery, optional_stopped_at, updated_via FROM mail_preference WHERE recipient LIKE '%@zwolle.example' ORDER BY recipient`);
    await api.request('PUT', '/organisations/zwolle', { kind: 'municipality', name: 'Gemeente Zwolle', code: 'GM0193' });
    const stoppedAt = new Date('2026-01-05T08:00:00Z');
    await dataSource.query(`INSERT INTO mail_preference (recipient, delivery, optional_stopped_at, updated_via) VALUES ('wethouder@zwolle.example', 'immediate', $1, 'unsubscribe-link')`, [stoppedAt]);

    const put = await api.request('PUT', '/organisations/zwolle/contacts', {
      contacts: [
        { email: 'Wethouder@Zwolle.example', role: 'alderman', delivery: 'digest' },
        { email: 'programma@zwolle.example', role: 'programme-manager', language: 'en', delivery: 'digest' },
        { email: 'wethouder@zwolle.example', role: 'programme-manager' },
      ],
    });
    expect(put).toMatchObject({ status: 200 });
    expect(put.body.contacts.map((c: { email: string; role: string; delivery: string }) => `${c.role} ${c.email} ${c.delivery}`)).toEqual([
      'alderman wethouder@zwolle.example digest',
      'programme-manager programma@zwolle.example digest',
      'programme-manager wethouder@zwolle.example digest',
    ]);
    expect(await preferences()).toEqual([
      { recipient: 'programma@zwolle.example', delivery: 'digest', optional_stopped_at: null, updated_via: 'api' },
      { recipient: 'wethouder@zwolle.example', delivery: 'digest', optional_stopped_at: stoppedAt, updated_via: 'api' },
    ]);

    // Without delivery the preference stays; back to immediate when stated.
    await api.request('PUT', '/organisations/zwolle/contacts', {
      contacts: [{ email: 'wethouder@zwolle.example', role: 'alderman' }, { email: 'programma@zwolle.example', role: 'programme-manager', delivery: 'immediate' }],
    });
    expect((await api.request('GET', '/organisations/zwolle')).body.contacts).toEqual([
      { email: 'wethouder@zwolle.example', name: null, role: 'alderman', language: 'nl', delivery: 'digest' },
      { email: 'programma@zwolle.example', name: null, role: 'programme-manager', language: 'nl', delivery: 'immediate' },
    ]);

    // A refused list changes no preference either.
    const before = await preferences();
    const contacts = (list: unknown[]) => api.request('PUT', '/organisations/zwolle/contacts', { contacts: list });
    expect(await contacts([{ email: 'wethouder@zwolle.example', role: 'alderman', delivery: 'weekly' }])).toMatchObject({
      status: 400,
      body: { field: 'contacts.0.delivery', message: expect.stringContaining('delivery must be one of immediate, digest') },
    });
    expect(await contacts([{ email: 'wethouder@zwolle.example', role: 'alderman', delivery: 'immediate' }, { email: 'WETHOUDER@zwolle.example', role: 'programme-manager', delivery: 'digest' }])).toMatchObject({
      status: 400,
      body: { field: 'contacts.1.delivery' },
    });
    expect(await contacts([{ email: 'wethouder@zwolle.example', role: 'alderman', delivery: 'immediate' }, { email: 'corp@zwolle.example', role: 'housing-corporation' }])).toMatchObject({
      status: 400,
      body: { field: 'contacts.1.role' },
    });
    expect(await preferences()).toEqual(before);
  });

  it('refuses bad input with a 4xx that names the field', async () => {
    const put = (key: string, body: unknown) => api.request('PUT', `/organisations/${key}`, body);
    expect(await put('x1', { kind: 'bank', name: 'X' })).toMatchObject({ status: 400, body: { field: 'kind' } });
    expect(await put('x1', { kind: 'municipality', name: 'X' })).toMatchObject({ status: 400, body: { field: 'code' } });
    expect(await put('x1', { kind: 'municipality', name: 'X', code: 'GM9999' })).toMatchObject({ status: 400, body: { field: 'code' } });
    expect(await put('x1', { kind: 'region', name: 'X', code: 'CR99' })).toMatchObject({ status: 400, body: { field: 'code' } });
    expect(await put('x1', { kind: 'housing-corporation', name: 'X', code: 'GM0363' })).toMatchObject({ status: 400, body: { field: 'code' } });
    expect(await put('x1', { kind: 'province', name: 'X', code: 'PV27', municipalities: ['GM0363'] })).toMatchObject({ status: 400, body: { field: 'municipalities' } });
    expect(await put('x1', { kind: 'housing-corporation', name: 'X', municipalities: ['GM0363', 'GM9999'] })).toMatchObject({ status: 400, body: { field: 'municipalities.1' } });
    expect(await put('x1', { kind: 'housing-corporation', name: 'X', municipalities: ['Amsterdam'] })).toMatchObject({ status: 400, body: { field: 'municipalities' } });
    expect(await put('x1', { kind: 'housing-corporation', name: '' })).toMatchObject({ status: 400, body: { field: 'name' } });
    expect(await put('x1', { kind: 'housing-corporation', name: 'X', extra: 1 })).toMatchObject({ status: 400, body: { field: 'extra' } });
    // A key that cannot exist is a path that cannot exist.
    expect(await put('bad%20key', { kind: 'vng', name: 'VNG' })).toMatchObject({ status: 404, body: { error: 'not-found', field: 'key' } });
    // Nothing of the refused writes was stored.
    expect(await api.request('GET', '/organisations/x1')).toMatchObject({ status: 404, body: { field: 'key' } });

    // A second organisation for the same municipality, and a change of kind, are conflicts.
    await put('gm0599', { kind: 'municipality', name: 'Gemeente Rotterdam', code: 'GM0599' });
    expect(await put('rotterdam', { kind: 'municipality', name: 'Rotterdam', code: 'GM0599' })).toMatchObject({ status: 409, body: { field: 'code' } });
    expect(await put('gm0599', { kind: 'vng', name: 'Rotterdam' })).toMatchObject({ status: 409, body: { field: 'kind' } });

    const contacts = (body: unknown) => api.request('PUT', '/organisations/gm0599/contacts', body);
    expect(await contacts({ contacts: [{ email: 'geen-adres', role: 'alderman' }] })).toMatchObject({ status: 400, body: { field: 'contacts.0.email' } });
    expect(await contacts({ contacts: [{ email: 'a@r.example', role: 'mayor' }] })).toMatchObject({ status: 400, body: { field: 'contacts.0.role' } });
    expect(await contacts({ contacts: [{ email: 'a@r.example', role: 'alderman', language: 'de' }] })).toMatchObject({ status: 400, body: { field: 'contacts.0.language' } });
    expect(await contacts({ contacts: [{ email: 'a@r.example', role: 'alderman' }, { email: 'A@r.example', role: 'alderman' }] })).toMatchObject({
      status: 400,
      body: { field: 'contacts.1.email' },
    });
    expect(await contacts({})).toMatchObject({ status: 400, body: { field: 'contacts' } });
    expect(await api.request('PUT', '/organisations/onbekend/contacts', { contacts: [] })).toMatchObject({ status: 404, body: { field: 'key' } });
  });

  it('needs the admin token', async () => {
    expect(await api.request('GET', '/organisations', undefined, null)).toMatchObject({ status: 401 });
    expect(await api.request('PUT', '/organisations/vng', { kind: 'vng', name: 'VNG' }, 'wrong')).toMatchObject({ status: 401 });
  });
});
