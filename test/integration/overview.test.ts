/**
 * The national overview over HTTP on the real system: the data for all 342 municipalities in one answer
 * with an ETag that changes exactly when the read model does; the page with the map and the table; the
 * exports as CSV and XLSX, read back by independent readers (csv-parse, and the OOXML reader of
 * support/xlsx.ts), with contacts only within the caller's scope; who may see the overview at all.
 */
import { parse } from 'csv-parse/sync';
import { DataSource } from 'typeorm';
import { createPeople, PEOPLE, tokenFor } from '../support/access';
import { withEnv } from '../support/config';
import { readModelSettled } from '../support/outbox';
import { startTestSystem, TestSystem } from '../support/system';
import { readXlsx } from '../support/xlsx';

let sys: TestSystem;
let vng: string;
let province: string;
let db: DataSource;

beforeAll(async () => {
  sys = await withEnv({ REGIE_RATE_LIMIT: '100000' }, () => startTestSystem('overview'));
  db = sys.worker.get(DataSource);
  await createPeople(sys.api);
  for (const [code, email] of [
    ['GM0363', PEOPLE['programme-manager'].email],
    ['GM0599', PEOPLE['other-programme-manager'].email],
  ]) {
    expect((await sys.api.request('POST', '/onboardings', { municipalityCode: code, programmeManagerEmail: email })).status).toBe(201);
  }
  // Both municipalities' steps and their regions' (the region workflows write after the municipal ones).
  await readModelSettled(db, 10);
  vng = await tokenFor(sys.api, 'vng', 'read');
  province = await tokenFor(sys.api, 'province', 'read-write');
});

afterAll(async () => {
  await sys?.stop();
});

const url = (path: string) => `${sys.api.baseUrl}${path}`;
const get = (path: string, token: string, headers: Record<string, string> = {}) => fetch(url(path), { headers: { authorization: `Bearer ${token}`, ...headers } });

interface Cell {
  state: string;
  step: string | null;
  dueDate: string | null;
}
interface OverviewJson {
  today: string;
  steps: { key: string; scope: string }[];
  municipalities: { code: string; provinceCode: string; onboarded: boolean; cells: Record<string, Cell> }[];
  regions: { code: string; cells: Record<string, Cell> }[];
}

describe('the overview data', () => {
  it('holds all 342 municipalities and the regions, each step key with its state, and answers 304 while nothing changed', async () => {
    const res = await get('/overview', vng);
    expect(res.status).toBe(200);
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const data = (await res.json()) as OverviewJson;
    expect(data.municipalities).toHaveLength(342);
    expect(data.regions.length).toBeGreaterThanOrEqual(40);
    const amsterdam = data.municipalities.find((m) => m.code === 'GM0363')!;
    expect(amsterdam.onboarded).toBe(true);
    // The default rulebook's programme is due 1 July 2027: more than 90 days ahead of today, or within them.
    expect(['on-track', 'due-soon']).toContain(amsterdam.cells.volkshuisvestingsprogramma.state);
    expect(amsterdam.cells.volkshuisvestingsprogramma.dueDate).toBe('2027-07-01');
    // A region step counts for its members: Amsterdam shows its region's (Groot-Amsterdam, CR23).
    const regionStep = data.steps.find((s) => s.scope === 'region')!.key;
    expect(amsterdam.cells[regionStep].step).toBe(data.regions.find((r) => r.code === 'CR23')!.cells[regionStep].step);
    expect(data.municipalities.find((m) => m.code === 'GM0014')!.cells.volkshuisvestingsprogramma.state).toBe('not-onboarded');

    const again = await get('/overview', vng, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('changes its ETag when the read model changes: a waiver makes the step waived', async () => {
    const before = await get('/overview', vng);
    const etag = before.headers.get('etag')!;
    const waiver = await sys.api.request('POST', '/municipalities/GM0363/steps/wmo-beleidsplan/waiver', { reason: 'Getest' }, province, { 'idempotency-key': 'overview-waiver-1' });
    expect(waiver.status).toBe(201);
    let data: OverviewJson | undefined;
    for (let i = 0; i < 100; i++) {
      const res = await get('/overview', vng, { 'if-none-match': etag });
      if (res.status === 200) {
        data = (await res.json()) as OverviewJson;
        if (data.municipalities.find((m) => m.code === 'GM0363')!.cells['wmo-beleidsplan'].state === 'waived') break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(data?.municipalities.find((m) => m.code === 'GM0363')!.cells['wmo-beleidsplan'].state).toBe('waived');
  });

  it('is for VNG, the provinces and the operator only', async () => {
    expect((await get('/overview', await tokenFor(sys.api, 'stakeholder', 'read'))).status).toBe(403);
    expect((await get('/overview', await tokenFor(sys.api, 'programme-manager', 'read'))).status).toBe(403);
    expect((await fetch(url('/overview'))).status).toBe(401);
    expect((await get('/overview', province)).status).toBe(200);
  });
});

describe('the overview page', () => {
  it('draws 342 municipalities coloured by state, the legend counts them, and the table lists the same', async () => {
    const res = await get('/overview?step=volkshuisvestingsprogramma', vng, { accept: 'text/html' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    const shapes = [...html.matchAll(/<path class="regie-map__shape regie-state--([a-z-]+)"[^>]*data-code="(GM\d{4})"/g)];
    expect(shapes).toHaveLength(342);
    const counts = Object.fromEntries([...html.matchAll(/data-count="([a-z-]+)">(\d+)</g)].map((m) => [m[1], Number(m[2])]));
    const onMap = shapes.reduce<Record<string, number>>((acc, m) => ({ ...acc, [m[1]]: (acc[m[1]] ?? 0) + 1 }), {});
    for (const [state, n] of Object.entries(onMap)) expect(counts[state]).toBe(n);
    expect(counts['not-onboarded']).toBe(340);
    expect([...html.matchAll(/<tr class="utrecht-table__row" data-code="GM\d{4}"/g)]).toHaveLength(342);
    expect(html).toContain('Bron: CBS');
  });

  it('narrows map and table alike by province, and keeps the filter in its links', async () => {
    const html = await (await get('/overview?step=volkshuisvestingsprogramma&province=PV27', vng, { accept: 'text/html' })).text();
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM municipality WHERE province_code = 'PV27'`);
    expect([...html.matchAll(/<tr class="utrecht-table__row" data-code="GM\d{4}"/g)]).toHaveLength(n);
    // All 342 are drawn; those outside the province are pale and no link.
    expect([...html.matchAll(/class="regie-map__area regie-map__area--out"/g)]).toHaveLength(342 - n);
    const links = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1].replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'));
    expect(links).toContain('/overview/export?step=volkshuisvestingsprogramma&province=PV27&format=csv');
  });

  it('sends a browser that is not signed in to sign-in and back to the same view', async () => {
    const res = await fetch(url('/overview?step=woonzorganalyse&view=regions'), { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/auth/sign-in?next=${encodeURIComponent('/overview?step=woonzorganalyse&view=regions')}`);
  });

  it('draws the 40 regions in the region view of a region step', async () => {
    const html = await (await get('/overview?step=woonzorganalyse&view=regions', vng, { accept: 'text/html' })).text();
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM region WHERE grouping = 'corop'`);
    expect([...html.matchAll(/<path class="regie-map__shape [^"]*"[^>]*data-kind="region"/g)]).toHaveLength(n);
    expect([...html.matchAll(/<tr class="utrecht-table__row" data-code="CR\d+"/g)]).toHaveLength(n);
  });

  it('refuses a filter that is not one, naming the field', async () => {
    const res = await get('/overview?state=kwijt', vng);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'state' });
  });
});

describe('the exports', () => {
  it('gives the filtered table as CSV, with derivation, rulebook and source, and contacts only within the caller\'s scope', async () => {
    const res = await get('/overview/export?step=volkshuisvestingsprogramma&format=csv', province);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="regie-overzicht-\d{4}-\d{2}-\d{2}-volkshuisvestingsprogramma\.csv"$/);
    const rows: Record<string, string>[] = parse(Buffer.from(await res.arrayBuffer()), { columns: true, bom: true });
    expect(rows).toHaveLength(342);
    const amsterdam = rows.find((r) => r.Code === 'GM0363')!;
    expect(amsterdam).toMatchObject({ Naam: 'Amsterdam', Provincie: 'Noord-Holland', Datum: '2027-07-01', Standcode: expect.stringMatching(/^(on-track|due-soon)$/) });
    expect(amsterdam.Afleiding).not.toBe('');
    expect(amsterdam.Regelboekversie).not.toBe('');
    expect(amsterdam.Bron).toContain('Bron: CBS');
    // Noord-Holland's own municipality: its programme manager; Rotterdam (Zuid-Holland) is another province's.
    expect(amsterdam.Contactpersonen).toContain(PEOPLE['programme-manager'].email);
    const rotterdam = rows.find((r) => r.Code === 'GM0599')!;
    expect(rotterdam.Contactpersonen).toBe('(niet in uw bereik)');
    expect(JSON.stringify(rows)).not.toContain(PEOPLE['other-programme-manager'].email);
  });

  it('gives the whole overview as XLSX: every step of every municipality and region, and a sheet about the file', async () => {
    const res = await get('/overview/export?steps=all&format=xlsx', vng);
    expect(res.status).toBe(200);
    const { sheets, rows } = readXlsx(Buffer.from(await res.arrayBuffer()));
    expect(sheets).toEqual(['Overzicht', 'Over dit bestand']);
    const [header, ...data] = rows;
    expect(header[0]).toBe('Code');
    const overview = (await (await get('/overview', vng)).json()) as OverviewJson;
    const regionSteps = overview.steps.filter((s) => s.scope === 'region').length;
    expect(data).toHaveLength(342 * overview.steps.length + overview.regions.length * regionSteps);
    // VNG sees no personal data at all.
    const contacts = header.indexOf('Contactpersonen');
    expect(new Set(data.map((r) => r[contacts]))).toEqual(new Set(['(niet in uw bereik)']));
    const about = readXlsx(Buffer.from(await (await get('/overview/export?steps=all&format=xlsx', vng)).arrayBuffer()), 'Over dit bestand').rows;
    expect(about.map((r) => r[0])).toContain('Regelboekversies in gebruik');
  });
});
