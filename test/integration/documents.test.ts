/**
 * Evidence documents on the real API, Postgres, Temporal and worker: stored through the service as the
 * complete form stores them, downloaded within scope only, linked from the step's history by the
 * completion's evidence, removed again; and the HTTP edge's bound on the document form's multipart body.
 */
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DOCUMENT_LIMITS, DocumentsService } from '../../apps/api/src/documents/documents.service';
import { BODY_LIMITS } from '../../apps/api/src/edge/inputs';
import { RegieError } from '../../apps/api/src/errors/regie-error';
import { createPeople, PEOPLE, tokenFor } from '../support/access';
import { TEST_ADMIN_TOKEN } from '../support/config';
import { minimalPdf } from '../support/pdf';
import { until } from '../support/outbox';
import { startTestSystem, TestSystem } from '../support/system';

let sys: TestSystem;
let documents: DocumentsService;
let db: DataSource;
/** Read-write tokens of Amsterdam's programme manager (GM0363) and of Rotterdam's (GM0599). */
let pm: string;
let otherPm: string;

const STEP = 'volkshuisvestingsprogramma';
const STEP_PATH = `/municipalities/GM0363/steps/${STEP}`;
const PDF = minimalPdf('Raadsbesluit 2027/88');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(512, 7)]);
const sha256 = (bytes: Buffer | Uint8Array) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  sys = await startTestSystem('documents');
  documents = sys.api.app.get(DocumentsService);
  db = sys.worker.get(DataSource);
  await createPeople(sys.api);
  const onboarded = await sys.api.request('POST', '/onboardings', { municipalityCode: 'GM0363', programmeManagerEmail: PEOPLE['programme-manager'].email });
  expect(onboarded.status).toBe(201);
  await until('the onboarded step in the read model', async () => (await db.query(`SELECT count(*)::int AS n FROM step_state WHERE owner_code = 'GM0363' AND step = $1`, [STEP]))[0].n === 1, 20_000);
  pm = await tokenFor(sys.api, 'programme-manager');
  otherPm = await tokenFor(sys.api, 'other-programme-manager');
});

afterAll(() => sys?.stop());

const store = (overrides: Partial<Parameters<DocumentsService['store']>[0]> = {}) =>
  documents.store({ ownerKind: 'municipality', ownerCode: 'GM0363', step: STEP, filename: 'Raadsbesluit 2027-88.pdf', content: PDF, uploadedBy: 'Pim Programma (Gemeente Amsterdam, programme-manager)', ...overrides });

const get = (path: string, token: string | null) => fetch(`${sys.api.baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('storing', () => {
  it('keeps the PDF with its checksum, sanitised name and uploader, and says where to download it', async () => {
    const stored = await store({ filename: '..\\C:\\tmp\\Raads\u202Ebesluit\u0000.pdf' });
    expect(stored).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      sha256: sha256(PDF),
      size: PDF.length,
      filename: 'Raadsbesluit.pdf',
      downloadPath: `${STEP_PATH}/documents/${stored.id}`,
    });
    const [row] = await db.query(`SELECT owner_kind, owner_code, step, filename, content_type, size, sha256, content, uploaded_by FROM evidence_document WHERE id = $1`, [stored.id]);
    expect(row).toMatchObject({ owner_kind: 'municipality', owner_code: 'GM0363', step: STEP, filename: 'Raadsbesluit.pdf', content_type: 'application/pdf', size: PDF.length, sha256: sha256(PDF) });
    expect(Buffer.compare(row.content, PDF)).toBe(0);
    expect(row.uploaded_by).toBe('Pim Programma (Gemeente Amsterdam, programme-manager)');
  });

  it('refuses what is no PDF by its content, whatever its name, an empty file and one over 20 MB; and keeps none of them', async () => {
    const [{ n: before }] = await db.query(`SELECT count(*)::int AS n FROM evidence_document`);
    const refusal = (content: Buffer, filename = 'besluit.pdf') => store({ content, filename }).then(() => null, (e: unknown) => e);
    const html = Buffer.from('<!doctype html><html><body>%PDF-1.4<script>alert(1)</script></body></html>\n%%EOF\n');
    for (const [content, code, category] of [
      [PNG, 'document-not-pdf', 'invalid-input'],
      [html, 'document-not-pdf', 'invalid-input'],
      [Buffer.alloc(0), 'document-empty', 'invalid-input'],
      [Buffer.concat([PDF, Buffer.alloc(DOCUMENT_LIMITS.bytes)]), 'document-too-large', 'too-large'],
    ] as const) {
      const error = await refusal(content);
      expect(error).toBeInstanceOf(RegieError);
      expect(error).toMatchObject({ code, category, field: 'document' });
      expect((error as RegieError).userMessage).toMatch(/^[^/]+ \/ [^/]+$/);
    }
    expect(await db.query(`SELECT count(*)::int AS n FROM evidence_document`)).toEqual([{ n: before }]);
  });
});

describe('downloading', () => {
  it('serves the PDF within scope as a download, with its checksum', async () => {
    const stored = await store({ filename: 'Woonvisie één.pdf' });
    const res = await get(stored.downloadPath, pm);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(Buffer.compare(bytes, PDF)).toBe(0);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="Woonvisie __n.pdf"; filename*=UTF-8''Woonvisie%20%C3%A9%C3%A9n.pdf`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-length')).toBe(String(PDF.length));
    expect(res.headers.get('etag')).toBe(`"${sha256(bytes)}"`);
    const digest = /^sha-256=:([A-Za-z0-9+/=]+):$/.exec(res.headers.get('repr-digest') ?? '')?.[1];
    expect(Buffer.from(digest ?? '', 'base64').toString('hex')).toBe(sha256(bytes));
    // Anyone who may read the municipality may read its evidence: the operator too.
    expect((await get(stored.downloadPath, TEST_ADMIN_TOKEN)).status).toBe(200);
  });

  it('gives another municipality the same 404 for a real document as for one that does not exist, and nobody signed in a 401', async () => {
    const stored = await store();
    const real = await get(stored.downloadPath, otherPm);
    const none = await get(`${STEP_PATH}/documents/00000000-0000-4000-8000-000000000000`, otherPm);
    expect([real.status, none.status]).toEqual([404, 404]);
    expect(await real.json()).toEqual(await none.json());
    expect((await get(stored.downloadPath, null)).status).toBe(401);
  });

  it('finds a document only under its own owner and step', async () => {
    const stored = await store();
    for (const path of [
      `/municipalities/GM0363/steps/huisvestingsverordening/documents/${stored.id}`,
      `/municipalities/GM0599/steps/${STEP}/documents/${stored.id}`,
      `/regions/CR23/steps/${STEP}/documents/${stored.id}`,
    ]) {
      const res = await get(path, TEST_ADMIN_TOKEN);
      expect({ path, status: res.status, body: await res.json() }).toMatchObject({ path, status: 404, body: { error: 'document-not-found', field: 'id' } });
    }
    const malformed = await get(`${STEP_PATH}/documents/not-a-uuid`, pm);
    expect(malformed.status).toBe(404);
    expect(await malformed.json()).toMatchObject({ error: 'not-found', field: 'id' });
  });

  it('is linked from the step’s history once the step is completed with it as evidence', async () => {
    const stored = await store({ filename: 'Vastgesteld programma.pdf' });
    const url = documents.urlOf(stored.downloadPath);
    expect(url).toBe(`${sys.api.publicBaseUrl}${stored.downloadPath}`);
    const done = await sys.api.request('POST', `${STEP_PATH}/complete`, { evidence: { kind: 'document', reference: stored.filename, url } }, pm);
    expect(done.status).toBe(201);
    const step = (await sys.api.request('GET', STEP_PATH, undefined, pm)).body;
    expect(step.evidence).toEqual([expect.objectContaining({ kind: 'document', reference: 'Vastgesteld programma.pdf', url })]);
    expect(step.history).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'done', detail: expect.objectContaining({ evidence: { kind: 'document', reference: 'Vastgesteld programma.pdf', url } }) })]));
    const res = await get(new URL(url).pathname, pm);
    expect(res.status).toBe(200);
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(stored.sha256);
  });

  it('is gone after remove(), and removing what is not there is harmless', async () => {
    const stored = await store();
    expect((await get(stored.downloadPath, pm)).status).toBe(200);
    await documents.remove(stored.id);
    const gone = await get(stored.downloadPath, pm);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: 'document-not-found' });
    expect(await db.query(`SELECT count(*)::int AS n FROM evidence_document WHERE id = $1`, [stored.id])).toEqual([{ n: 0 }]);
    await expect(documents.remove(stored.id)).resolves.toBeUndefined();
    await expect(documents.remove('not-a-uuid')).resolves.toBeUndefined();
  });
});

describe('the edge and the document form', () => {
  const BOUNDARY = 'regie-test-boundary';
  /** A multipart form with one file part of `bytes` bytes, sent with its Content-Length as a browser sends it. */
  const multipart = (bytes: number) =>
    new Uint8Array(
      Buffer.concat([
        Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="document"; filename="groot.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
        Buffer.alloc(bytes, 0x25),
        Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
      ]),
    );
  const post = async (path: string, body: Uint8Array) => {
    const res = await fetch(`${sys.api.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, body });
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> | null };
  };

  it('refuses a 21 MB multipart post to the complete form with 413 body-too-large, before anything else looks at it', async () => {
    const answer = await post(`/app/municipalities/GM0363/steps/${STEP}/complete`, multipart(21 * 1024 * 1024));
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ error: 'body-too-large' });
    expect(String(answer.body?.message)).toContain(String(BODY_LIMITS.documentForm));
  });

  it('lets a document form within its limit through the edge, and keeps every other page form at BODY_LIMITS.form', async () => {
    expect((await post(`/app/municipalities/GM0363/steps/${STEP}/complete`, multipart(2 * 1024 * 1024))).status).not.toBe(413);
    for (const path of [`/app/municipalities/GM0363/steps/${STEP}/progress`, '/mail/unsubscribe/not-a-token', '/auth/sign-in']) {
      const answer = await post(path, multipart(BODY_LIMITS.form));
      expect({ path, ...answer }).toMatchObject({ path, status: 413, body: { error: 'body-too-large' } });
    }
  });
});
