import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  DEFAULT_LANGUAGE,
  Delivery,
  isOneOf,
  Language,
  MUNICIPALITY_ROLES,
  OrganisationKind,
  Role,
  STAKEHOLDER_KINDS,
} from '../../../../libs/contracts';
import { Keyset, keysetPage, Page, PageRequest } from '../edge/paging';
import { RegieError } from '../errors/regie-error';
import { ContactDto, LoadOrganisationsDto, PutContactsDto, PutOrganisationDto } from './organisations.dto';

/** The public bodies stand for a reference code; their table decides whether it exists. */
const CODE_TABLE: Partial<Record<OrganisationKind, { table: string; example: string }>> = {
  municipality: { table: 'municipality', example: 'GM0363' },
  region: { table: 'region', example: 'CR23' },
  province: { table: 'province', example: 'PV27' },
};

/** The roles a contact can have in each kind: only these receive notifications (VNG's receive none yet). */
const ROLES_BY_KIND: Record<OrganisationKind, readonly Role[] | 'any'> = {
  municipality: MUNICIPALITY_ROLES,
  region: ['regional-coordinator'],
  province: ['province'],
  'housing-corporation': ['housing-corporation'],
  'tenant-organisation': ['tenant-organisation'],
  'care-welfare-organisation': ['care-welfare-organisation'],
  vng: 'any',
};

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The list's order: kind, then key (the primary key). */
const BY_KIND_AND_KEY = new Keyset([
  { sql: 'o.kind', type: 'text' },
  { sql: 'o.key', type: 'text' },
]);

export interface OrganisationView {
  key: string;
  kind: OrganisationKind;
  name: string;
  code: string | null;
  municipalities: string[];
  /** `delivery` is the address's preference (`mail_preference`), immediate when it has none. */
  contacts: { email: string; name: string | null; role: Role; language: Language; delivery: Delivery }[];
}

const invalid = (field: string, problem: string, code = 'invalid-input') =>
  new RegieError(code, 'invalid-input', `Ongeldige invoer in veld ${field}: ${problem}`, field);

/** Where a field sits in the request: `code` alone, or `organisations.2.code` in a load of several. */
type FieldPath = (field: string) => string;
const topLevel: FieldPath = (field) => field;

/** The delivery each address got earlier in the same request: a preference holds per address, so two must agree. */
type DeliveriesSeen = Map<string, { delivery: Delivery; field: string }>;

/** Organisations, the municipalities stakeholders work in, and their contacts; each write is one transaction. */
@Injectable()
export class OrganisationsService {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  put(key: string, dto: PutOrganisationDto): Promise<OrganisationView & { created: boolean }> {
    checkKey(key, topLevel);
    return this.dataSource.transaction((tx) => this.putIn(tx, key, dto, topLevel));
  }

  putContacts(key: string, dto: PutContactsDto): Promise<OrganisationView> {
    checkKey(key, topLevel);
    return this.dataSource.transaction(async (tx) => {
      await this.putContactsIn(tx, key, dto.contacts, topLevel, new Map());
      return (await this.view(tx, key))!;
    });
  }

  /**
   * Several organisations with their contacts, in order and in one transaction: one refusal (naming
   * `organisations.<i>.<field>`) stores nothing of the whole request, so a file is loaded entirely or not at all.
   */
  async load(dto: LoadOrganisationsDto): Promise<{ organisations: (OrganisationView & { created: boolean })[] }> {
    const firstIndex = new Map<string, number>();
    dto.organisations.forEach(({ key }, i) => {
      checkKey(key, (field) => `organisations.${i}.${field}`);
      if (firstIndex.has(key)) throw invalid(`organisations.${i}.key`, `this key is already organisations.${firstIndex.get(key)}`);
      firstIndex.set(key, i);
    });
    return this.dataSource.transaction(async (tx) => {
      const deliveries: DeliveriesSeen = new Map();
      const organisations: (OrganisationView & { created: boolean })[] = [];
      for (const [i, { key, contacts, ...organisation }] of dto.organisations.entries()) {
        const at: FieldPath = (field) => `organisations.${i}.${field}`;
        const { created } = await this.putIn(tx, key, organisation, at);
        if (contacts) await this.putContactsIn(tx, key, contacts, at, deliveries);
        organisations.push({ created, ...(await this.view(tx, key))! });
      }
      return { organisations };
    });
  }

  private async putIn(tx: EntityManager, key: string, dto: PutOrganisationDto, at: FieldPath): Promise<OrganisationView & { created: boolean }> {
    const codeTable = CODE_TABLE[dto.kind];
    if (codeTable && !dto.code) throw invalid(at('code'), `a ${dto.kind} organisation needs the code it stands for, such as ${codeTable.example}`);
    if (!codeTable && dto.code !== undefined) throw invalid(at('code'), `only municipality, region and province organisations have a code`);
    const stakeholder = isOneOf(STAKEHOLDER_KINDS, dto.kind);
    if (!stakeholder && dto.municipalities?.length) {
      throw invalid(at('municipalities'), 'only housing corporations, tenant organisations and care-welfare organisations are linked to municipalities');
    }
    const municipalities = [...new Set(dto.municipalities ?? [])].sort();

    if (codeTable) {
      const [known] = await tx.query(`SELECT 1 FROM ${codeTable.table} WHERE code = $1`, [dto.code]);
      if (!known) throw invalid(at('code'), `no ${dto.kind} has this code`, `unknown-${dto.kind}`);
      const [other] = await tx.query(`SELECT key FROM organisation WHERE kind = $1 AND code = $2 AND key <> $3`, [dto.kind, dto.code, key]);
      if (other) {
        throw new RegieError('organisation-code-taken', 'conflict', `Veld ${at('code')}: deze ${dto.kind} heeft al een organisatie (${other.key}) / already has an organisation`, at('code'));
      }
    }
    if (municipalities.length) {
      const known: { code: string }[] = await tx.query(`SELECT code FROM municipality WHERE code = ANY($1::text[])`, [municipalities]);
      const knownCodes = new Set(known.map((r) => r.code));
      const index = (dto.municipalities ?? []).findIndex((c) => !knownCodes.has(c));
      if (index >= 0) throw invalid(at(`municipalities.${index}`), 'no municipality has this code', 'unknown-municipality');
    }
    const [existing] = await tx.query(`SELECT kind FROM organisation WHERE key = $1 FOR UPDATE`, [key]);
    if (existing && existing.kind !== dto.kind) {
      // Its contacts' roles belong to its kind; a different kind is a different organisation.
      throw new RegieError(
        'organisation-kind-fixed',
        'conflict',
        `Veld ${at('kind')}: een organisatie verandert niet van soort (nu ${existing.kind}) / an organisation's kind cannot change`,
        at('kind'),
      );
    }
    await tx.query(
      `INSERT INTO organisation (key, kind, name, code) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, code = EXCLUDED.code, updated_at = now()`,
      [key, dto.kind, dto.name, dto.code ?? null],
    );
    await tx.query(`DELETE FROM organisation_municipality WHERE organisation_key = $1`, [key]);
    if (municipalities.length) {
      await tx.query(`INSERT INTO organisation_municipality (organisation_key, municipality_code) SELECT $1, unnest($2::text[])`, [key, municipalities]);
    }
    return { created: !existing, ...(await this.view(tx, key))! };
  }

  /**
   * Replaces the organisation's contacts and records the delivery preference of each address that states one.
   * The preference belongs to the address, not the contact: an absent `delivery` leaves it alone, and a stop of
   * optional mail (`optional_stopped_at`) is the recipient's own and never touched here.
   */
  private async putContactsIn(tx: EntityManager, key: string, list: ContactDto[], at: FieldPath, deliveries: DeliveriesSeen): Promise<void> {
    const seen = new Set<string>();
    const contacts = list.map((c, i) => {
      const email = c.email.trim().toLowerCase();
      if (seen.has(`${email} ${c.role}`)) throw invalid(at(`contacts.${i}.email`), 'this address already has this role in the list');
      seen.add(`${email} ${c.role}`);
      if (c.delivery) {
        const earlier = deliveries.get(email);
        if (earlier && earlier.delivery !== c.delivery) {
          throw invalid(at(`contacts.${i}.delivery`), `${earlier.field} gives this address ${earlier.delivery}; a preference holds per address`);
        }
        if (!earlier) deliveries.set(email, { delivery: c.delivery, field: at(`contacts.${i}.delivery`) });
      }
      return { email, name: c.name ?? null, role: c.role, language: c.language ?? DEFAULT_LANGUAGE, delivery: c.delivery, index: i };
    });
    const [organisation] = await tx.query(`SELECT kind FROM organisation WHERE key = $1 FOR UPDATE`, [key]);
    if (!organisation) throw notFound(key, at);
    const allowed = ROLES_BY_KIND[organisation.kind as OrganisationKind];
    const misfit = contacts.find((c) => allowed !== 'any' && !allowed.includes(c.role));
    if (misfit) throw invalid(at(`contacts.${misfit.index}.role`), `a ${organisation.kind} organisation has contacts with role ${(allowed as readonly Role[]).join(' or ')}`);
    await tx.query(`DELETE FROM contact WHERE organisation_key = $1`, [key]);
    for (const c of contacts) {
      await tx.query(`INSERT INTO contact (organisation_key, email, role, name, language) VALUES ($1, $2, $3, $4, $5)`, [key, c.email, c.role, c.name, c.language]);
    }
    const stated = new Map(contacts.filter((c) => c.delivery).map((c) => [c.email, c.delivery!]));
    if (stated.size) {
      // Only a change counts as an update, so loading the same file again keeps who set the preference and when.
      await tx.query(
        `INSERT INTO mail_preference (recipient, delivery, updated_via) SELECT unnest($1::text[]), unnest($2::text[]), 'api'
         ON CONFLICT (recipient) DO UPDATE SET delivery = EXCLUDED.delivery, updated_at = now(), updated_via = EXCLUDED.updated_via
         WHERE mail_preference.delivery IS DISTINCT FROM EXCLUDED.delivery`,
        [[...stated.keys()], [...stated.values()]],
      );
    }
    await tx.query(`UPDATE organisation SET updated_at = now() WHERE key = $1`, [key]);
  }

  async get(key: string): Promise<OrganisationView> {
    checkKey(key, topLevel);
    const found = await this.view(this.dataSource.manager, key);
    if (!found) throw notFound(key, topLevel);
    return found;
  }

  /**
   * A page of organisations, by kind and key (the key unique); with a municipality, who works there: its own
   * organisation, its region's and province's, and the linked stakeholders.
   */
  async list(municipality: string | undefined, page: PageRequest): Promise<Page<OrganisationView>> {
    if (municipality) {
      const [known] = await this.dataSource.query(`SELECT 1 FROM municipality WHERE code = $1`, [municipality]);
      if (!known) throw new RegieError('municipality-not-found', 'not-found', 'Veld municipality: onbekende gemeente / unknown municipality', 'municipality');
    }
    const keys = await keysetPage<{ key: string }>(
      this.dataSource,
      municipality
        ? {
            select: 'o.key',
            from: 'organisation o JOIN municipality m ON m.code = $1',
            where: [
              `(o.kind = 'municipality' AND o.code = m.code)
                OR (o.kind = 'province' AND o.code = m.province_code)
                OR (o.kind = 'region' AND o.code IN (SELECT region_code FROM region_member WHERE municipality_code = m.code))
                OR EXISTS (SELECT 1 FROM organisation_municipality om WHERE om.organisation_key = o.key AND om.municipality_code = m.code)`,
            ],
            params: [municipality],
          }
        : { select: 'o.key', from: 'organisation o' },
      BY_KIND_AND_KEY,
      page,
    );
    return { items: await Promise.all(keys.items.map(async (k) => (await this.view(this.dataSource.manager, k.key))!)), nextCursor: keys.nextCursor };
  }

  private async view(manager: EntityManager, key: string): Promise<OrganisationView | null> {
    const [organisation] = await manager.query(`SELECT key, kind, name, code FROM organisation WHERE key = $1`, [key]);
    if (!organisation) return null;
    const links: { municipality_code: string }[] = await manager.query(
      `SELECT municipality_code FROM organisation_municipality WHERE organisation_key = $1 ORDER BY municipality_code`,
      [key],
    );
    const contacts = await manager.query(
      `SELECT c.email, c.name, c.role, c.language, coalesce(p.delivery, 'immediate') AS delivery
       FROM contact c LEFT JOIN mail_preference p ON p.recipient = c.email
       WHERE c.organisation_key = $1 ORDER BY c.role, c.email`,
      [key],
    );
    return { ...organisation, municipalities: links.map((l) => l.municipality_code), contacts };
  }
}

function checkKey(key: string, at: FieldPath): void {
  if (!KEY_PATTERN.test(key)) throw invalid(at('key'), 'a key is 1 to 64 letters, digits, dots, dashes or underscores');
}

function notFound(key: string, at: FieldPath): RegieError {
  return organisationNotFound(key, at('key'));
}

/** No organisation under this key; also what a caller gets for an organisation out of its reach. */
export function organisationNotFound(key: string, field = 'key'): RegieError {
  return new RegieError('organisation-not-found', 'not-found', `Veld ${field}: onbekende organisatie ${key} / unknown organisation`, field);
}
