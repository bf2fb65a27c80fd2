/**
 * The shapes of the codes and keys the API takes, in a path or in a body, defined once: path parameters
 * are checked against them (a path that cannot exist is a 404), DTOs validate with them and show them in
 * the OpenAPI. The limits of what a person writes on a step (texts, dates, links, list sizes) are the step
 * model's (`libs/programme/limits.ts`); this file holds only what the step model does not know.
 */
import { SECRET_PATTERN } from '../../../../libs/access/secrets';
import { CONTROL_CLASS } from '../../../../libs/programme/limits';
import { DOCUMENT_LIMITS } from '../documents/document-rules';

export interface CodeFormat {
  pattern: RegExp;
  /** What the code is, for a message: "a CBS municipality code", and in Dutch. */
  what: string;
  wat: string;
  example: string;
}

/** A UUID as Postgres writes it (`gen_random_uuid()`): the ids of API tokens and evidence documents. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const CODE_FORMATS = {
  municipality: { pattern: /^GM\d{4}$/, what: 'a CBS municipality code', wat: 'een CBS-gemeentecode', example: 'GM0363' },
  /** COROP (CR01..CR40) and the regions of another grouping (WM05): two capitals and 2-3 digits. */
  region: { pattern: /^[A-Z]{2}\d{2,3}$/, what: 'a region code', wat: 'een regiocode', example: 'CR23' },
  province: { pattern: /^PV\d{2}$/, what: 'a CBS province code', wat: 'een CBS-provinciecode', example: 'PV27' },
  /** The code in a step route: a municipality's or a region's (`ownerFromPath` checks the one its collection needs). */
  ownerCode: { pattern: /^(GM\d{4}|[A-Z]{2}\d{2,3})$/, what: 'a municipality or region code', wat: 'een gemeente- of regiocode', example: 'GM0363' },
  /**
   * A mail link's token: bounded, nothing more. Its own format is checked by the mail-link service, so a
   * malformed token still gets its page and its refusal row (apps/api/src/mail-links/README.md).
   */
  mailToken: { pattern: new RegExp(`^[^${CONTROL_CLASS}]{1,4096}$`), what: 'a link token', wat: 'een linktoken', example: 'eyJhY3QiOi….c2lnbmF0dXJl' },
  /** A sign-in link's secret (libs/access/secrets.ts SECRET_PATTERN): 32 random bytes, base64url. */
  signInToken: { pattern: SECRET_PATTERN, what: 'a sign-in link token', wat: 'een aanmeldlinktoken', example: 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c' },
  /** An API token's id. */
  tokenId: { pattern: UUID, what: 'a token id', wat: 'een sleutel-id', example: '0b6f2c1e-5d4a-4f3b-9c2d-1e0f9a8b7c6d' },
  /** An evidence document's id (apps/api/src/documents). */
  documentId: { pattern: UUID, what: 'a document id', wat: 'een document-id', example: '5a7c1e2b-9d3f-4b6a-8e0c-2f1d3b4a5c6e' },
  /** A rulebook step (`volkshuisvestingsprogramma`) or a checklist item: the rulebook schema's key. */
  stepKey: { pattern: /^[a-z][a-z0-9-]*$/, what: 'a step key', wat: 'een stapsleutel', example: 'volkshuisvestingsprogramma' },
  /** A step instance: a step, and for a yearly step its cycle (`prestatieafspraken:2027`, libs/contracts/keys.ts). */
  stepInstance: { pattern: /^[a-z][a-z0-9-]*(:\d{4})?$/, what: 'a step or step instance key', wat: 'een stapsleutel', example: 'prestatieafspraken:2027' },
  checklistItem: { pattern: /^[a-z][a-z0-9-]*$/, what: 'a checklist item key', wat: 'een onderdeelsleutel', example: 'doorstroming' },
  /** A rulebook version id (the rulebook schema's `id`). */
  rulebookId: { pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, what: 'a rulebook version id', wat: 'een regelboekversie', example: 'wvrv-2025-07-01.3' },
  /** An organisation's key (the organisations service's KEY_PATTERN). */
  organisationKey: { pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, what: 'an organisation key', wat: 'een organisatiesleutel', example: 'ymere' },
  /** A regional grouping (libs/db/reference-data.ts: `corop`, `woningmarkt`). */
  grouping: { pattern: /^[a-z][a-z0-9-]{1,39}$/, what: 'a regional grouping name', wat: 'een regio-indeling', example: 'woningmarkt' },
  /** A page style sheet under /assets/: its name and a hash of its content (libs/mail/page-assets.ts). */
  assetFile: { pattern: /^[a-z][a-z0-9-]{0,40}\.[0-9a-f]{12}\.(css|js)$/, what: 'a style sheet or script name', wat: 'een stijlblad- of scriptnaam', example: 'regie-theme.0123456789ab.css' },
  /** What an organisation of a public kind stands for: a municipality, region or province code. */
  publicBody: { pattern: /^(GM\d{4}|[A-Z]{2}\d{2,3}|PV\d{2})$/, what: 'a municipality, region or province code', wat: 'een gemeente-, regio- of provinciecode', example: 'GM0363' },
} as const satisfies Record<string, CodeFormat>;
export type CodeKind = keyof typeof CODE_FORMATS;

/** The sizes of lists and maps outside the step model: generous for real use, bounded for every caller. */
export const LIST_LIMITS = {
  /** Municipalities in one list (a stakeholder's, a region's): there are 342. */
  municipalities: 400,
  /** Regions of one grouping. */
  regions: 400,
  /** Contacts of one organisation. */
  contacts: 100,
  /** Organisations in one load. */
  organisations: 2000,
  /** Step states at onboarding, per owner (steps and yearly instances). */
  initialSteps: 200,
  /** Owners in one bulk onboarding map (342 municipalities, 40 COROP regions). */
  owners: 400,
  /** An e-mail address (RFC 5321's path limit). */
  email: 254,
} as const;

/**
 * What the body parsers take. JSON 1 MB by default (a route that needs more would say so here); form
 * bodies only on the page routes, which post a field or two; one page form takes a file.
 */
export const BODY_LIMITS = {
  json: 1024 * 1024,
  /** A form on a page route, urlencoded or multipart. */
  form: 16 * 1024,
  /**
   * The one page form that carries a file: a step's completion with its evidence document (the PDF's own
   * limit) plus room for the form's other fields and the multipart framing.
   */
  documentForm: DOCUMENT_LIMITS.bytes + 64 * 1024,
  formParameters: 50,
  /** Nesting of a JSON body; the deepest DTO (bulk onboarding) needs 7. */
  jsonDepth: 32,
} as const;
