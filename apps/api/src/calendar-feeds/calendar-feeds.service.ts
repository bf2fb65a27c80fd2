import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createEvents, type DateArray, type EventAttributes } from 'ics';
import { DataSource } from 'typeorm';
import { decide, OrganisationFacts, ownerRef, OwnerRef, Principal } from '../../../../libs/access/policy';
import { loadReach } from '../../../../libs/access/reach';
import { sameSecret } from '../../../../libs/access/secrets';
import { addDays, dateParts, type DateDerivation, type IsoDate } from '../../../../libs/calendar';
import { utcToAmsterdamDate } from '../../../../libs/calendar/amsterdam-time';
import type { RegieConfig } from '../../../../libs/config/config';
import { REGIE_CONFIG } from '../../../../libs/config/config.module';
import { DEFAULT_LANGUAGE, isOneOf, LANGUAGES, type Language, type OwnerKind, type Role, type StepInstance } from '../../../../libs/contracts';
import { calendarUid } from '../../../../libs/contracts/keys';
import { changedRows } from '../../../../libs/db/returning';
import { findRulebook } from '../../../../libs/db/rulebook-store';
import { inviteMethod } from '../../../../libs/mail/calendar-invite';
import { mailTemplates } from '../../../../libs/mail/mail-templates';
import { formatDate, oneLine, templateContext } from '../../../../libs/mail/notification-mail';
import { stepUrlOf } from '../../../../libs/mail/notification-message';
import type { RulebookStep } from '../../../../libs/rulebook/rulebook.schema';
import { RegieError } from '../errors/regie-error';
import { feedPath, feedSecret, feedSecretHash } from './feed-secret';

/** What a feed covers: everything its organisation reaches, or one municipality with its region's steps. */
export const FEED_COVERAGES = ['organisation', 'municipality'] as const;
export type FeedCoverage = (typeof FEED_COVERAGES)[number];

/** The form's `covers` field: `organisation`, or a municipality's code. */
export const COVERS_PATTERN = /^(organisation|GM\d{4})$/;

/** One of a person's live feeds, as the session page (and its JSON) shows it. */
export interface FeedView {
  id: string;
  organisationKey: string;
  organisationName: string;
  covers: FeedCoverage;
  municipality: { code: string; name: string } | null;
  /** The URL to subscribe to (PUBLIC_BASE_URL), and the same as `webcal://` for calendar apps that open it. */
  url: string;
  webcalUrl: string;
  createdAt: string;
  /** The creation day in the page's language (`woensdag 2 december 2026`). */
  createdOn: string;
}

/** What the create form offers the person for the organisation they act for. */
export interface FeedChoice {
  value: string;
  organisation: boolean;
  name: string;
  code: string | null;
}

const PRODUCT_ID = '-//Regie//Wvrv deadlines//NL';
const CALENDAR_NAME: Record<Language, (what: string) => string> = {
  nl: (what) => `Regie: termijnen ${what}`,
  en: (what) => `Regie: deadlines ${what}`,
};

/** Unknown, revoked, derived under another LINK_SECRET, or its person no longer a contact: one answer for all. */
const feedNotFound = () => new RegieError('calendar-feed-not-found', 'not-found', 'Agenda niet gevonden / Calendar feed not found', 'feed');
const coversInvalid = () =>
  new RegieError('calendar-feed-covers-invalid', 'invalid-input', 'Kies uw organisatie of een gemeente die zij bereikt / Choose your organisation or a municipality it reaches', 'covers');

interface FeedRow {
  id: string;
  email: string;
  organisation_key: string;
  organisation_name: string;
  organisation_kind: OrganisationFacts['kind'];
  organisation_code: string | null;
  covers: FeedCoverage;
  municipality_code: string | null;
  municipality_name: string | null;
  secret_hash: string;
  created_at: Date;
}

interface StepRow {
  owner_kind: OwnerKind;
  owner_code: string;
  owner_name: string;
  step: string;
  step_key: string;
  cycle_year: number | null;
  workflow_id: string;
  status: StepInstance['status'];
  date_kind: StepInstance['dateKind'];
  due_date: IsoDate;
  derivation: DateDerivation | null;
  detail: Partial<StepInstance> | null;
  rulebook_id: string;
  last_event_at: Date;
}

const FEED_COLUMNS = `f.id, f.email, f.organisation_key, o.name AS organisation_name, o.kind AS organisation_kind, o.code AS organisation_code,
  f.covers, f.municipality_code, m.name AS municipality_name, f.secret_hash, f.created_at`;
const FEED_FROM = `calendar_feed f JOIN organisation o ON o.key = f.organisation_key LEFT JOIN municipality m ON m.code = f.municipality_code`;

/**
 * Calendar feeds per person: an ICS feed of the dated steps an organisation reaches (or of one municipality
 * and its region), at a secret URL. The secret is the authority, as a mail link's signature is: the feed
 * answers while the row is not revoked and its person is still a contact of the organisation, and every
 * owner in it is one the policy lets that contact read (`decide(…, 'owner:read', …)`, libs/access/policy.ts).
 * Each entry is the mail invite's: the same UID (`calendarUid`), the same SEQUENCE (the step's number of
 * date moves, one higher once waived, as a CANCEL is), the same Dutch (or English) wording.
 */
@Injectable()
export class CalendarFeedsService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(REGIE_CONFIG) private readonly config: RegieConfig,
  ) {}

  private secretOf(id: string) {
    return feedSecret(this.config.links.secret, id);
  }

  /** A row whose stored hash is not what the current LINK_SECRET derives was made under an earlier key: dead. */
  private live(row: Pick<FeedRow, 'id' | 'secret_hash'>) {
    return sameSecret(row.secret_hash, feedSecretHash(this.secretOf(row.id)));
  }

  /** The person's live feeds of organisations they are still a contact of, newest first. */
  async feedsOf(email: string, language: Language): Promise<FeedView[]> {
    const rows: FeedRow[] = await this.db.query(
      `SELECT ${FEED_COLUMNS} FROM ${FEED_FROM}
        WHERE f.email = $1 AND f.revoked_at IS NULL AND EXISTS (SELECT 1 FROM contact c WHERE c.organisation_key = f.organisation_key AND c.email = f.email)
        ORDER BY f.created_at DESC, f.id`,
      [email],
    );
    return rows.filter((row) => this.live(row)).map((row) => this.view(row, language));
  }

  private view(row: FeedRow, language: Language): FeedView {
    const url = `${this.config.http.publicBaseUrl}${feedPath(this.secretOf(row.id))}`;
    return {
      id: row.id,
      organisationKey: row.organisation_key,
      organisationName: row.organisation_name,
      covers: row.covers,
      municipality: row.municipality_code ? { code: row.municipality_code, name: row.municipality_name ?? row.municipality_code } : null,
      url,
      webcalUrl: url.replace(/^https?:/, 'webcal:'),
      createdAt: row.created_at.toISOString(),
      createdOn: formatDate(utcToAmsterdamDate(row.created_at.getTime()), language),
    };
  }

  /** What the signed-in person may make a feed of: their organisation (when it reaches any owner) and each municipality it reaches. */
  async choicesFor(principal: Principal): Promise<FeedChoice[]> {
    if (principal.kind !== 'person') return [];
    const codes = principal.reach.reads.filter((o) => o.startsWith('municipality:')).map((o) => o.slice('municipality:'.length));
    const municipalities: { code: string; name: string }[] = codes.length
      ? await this.db.query(`SELECT code, name FROM municipality WHERE code = ANY($1) ORDER BY name, code`, [codes])
      : [];
    const organisation = principal.reach.reads.length ? [{ value: 'organisation', organisation: true, name: principal.organisation.name, code: null }] : [];
    return [...organisation, ...municipalities.map((m) => ({ value: m.code, organisation: false, name: m.name, code: m.code }))];
  }

  /**
   * Makes a feed for the person's current organisation (asking again for the same coverage gives the same
   * feed). Only a person signed in: an API token or the operator is no person to subscribe.
   */
  async create(principal: Principal, covers: unknown): Promise<FeedView> {
    if (principal.kind !== 'person') {
      throw new RegieError('calendar-feed-person-only', 'forbidden', 'Alleen een aangemelde persoon kan een agenda maken / Only a signed-in person can create a calendar feed');
    }
    if (typeof covers !== 'string' || !COVERS_PATTERN.test(covers)) throw coversInvalid();
    const coverage: FeedCoverage = covers === 'organisation' ? 'organisation' : 'municipality';
    const municipalityCode = coverage === 'municipality' ? covers : null;
    if (coverage === 'organisation' ? !principal.reach.reads.length : !decide(principal, 'owner:read', { owner: ownerRef('municipality', covers) }).allow) {
      throw coversInvalid();
    }
    const email = principal.actor;
    const organisationKey = principal.organisation.key;
    const id = await this.db.transaction(async (tx) => {
      const existing: Pick<FeedRow, 'id' | 'secret_hash'>[] = await tx.query(
        `SELECT id, secret_hash FROM calendar_feed
          WHERE email = $1 AND organisation_key = $2 AND covers = $3 AND coalesce(municipality_code, '') = coalesce($4, '') AND revoked_at IS NULL
          FOR UPDATE`,
        [email, organisationKey, coverage, municipalityCode],
      );
      const [current] = existing;
      if (current && this.live(current)) return current.id;
      // Made under an earlier LINK_SECRET: it answers nobody any more, so it is ended and a new one made.
      if (current) await tx.query(`UPDATE calendar_feed SET revoked_at = now() WHERE id = $1`, [current.id]);
      const fresh = randomUUID();
      const [row] = await tx.query(
        `INSERT INTO calendar_feed (id, email, organisation_key, covers, municipality_code, secret_hash) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT DO NOTHING RETURNING id`,
        [fresh, email, organisationKey, coverage, municipalityCode, feedSecretHash(this.secretOf(fresh))],
      );
      if (row) return row.id as string;
      // A second request for the same feed won the race: its feed is this one.
      const [other] = await tx.query(
        `SELECT id FROM calendar_feed WHERE email = $1 AND organisation_key = $2 AND covers = $3 AND coalesce(municipality_code, '') = coalesce($4, '') AND revoked_at IS NULL`,
        [email, organisationKey, coverage, municipalityCode],
      );
      return other.id as string;
    });
    const [row] = await this.db.query(`SELECT ${FEED_COLUMNS} FROM ${FEED_FROM} WHERE f.id = $1`, [id]);
    return this.view(row, DEFAULT_LANGUAGE);
  }

  /** Ends one of the person's own feeds at once (again: the same); another person's, or none, is a 404. */
  async revoke(email: string, id: string): Promise<void> {
    const [row] = await changedRows(this.db, `UPDATE calendar_feed SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND email = $2 RETURNING id`, [id, email]);
    if (!row) throw feedNotFound();
  }

  /** The feed behind a secret, as an iCalendar object (RFC 5545, METHOD:PUBLISH); a 404 for any feed that does not answer. */
  async feed(secret: string): Promise<string> {
    const [row]: (FeedRow & { roles: Role[]; language: string | null })[] = await this.db.query(
      `SELECT ${FEED_COLUMNS},
         (SELECT array_agg(c.role ORDER BY c.role) FROM contact c WHERE c.organisation_key = f.organisation_key AND c.email = f.email) AS roles,
         (SELECT c.language FROM contact c WHERE c.organisation_key = f.organisation_key AND c.email = f.email ORDER BY c.role LIMIT 1) AS language
       FROM ${FEED_FROM} WHERE f.secret_hash = $1 AND f.revoked_at IS NULL`,
      [feedSecretHash(secret)],
    );
    // No contact any more (removed from the organisation), or a row of an earlier LINK_SECRET: as unknown.
    if (!row || !row.roles?.length || !sameSecret(secret, this.secretOf(row.id))) throw feedNotFound();
    const organisation: OrganisationFacts = { key: row.organisation_key, kind: row.organisation_kind, name: row.organisation_name, code: row.organisation_code };
    const reach = await loadReach(this.db, organisation);
    // The contact as the policy sees it, in each of its roles: an owner is in the feed when one of them may read it.
    const reads = (owner: OwnerRef) =>
      row.roles.some((role) => decide({ kind: 'person', actor: row.email, name: null, organisation, role, scope: 'read', reach }, 'owner:read', { owner }).allow);
    let owners: OwnerRef[];
    if (row.covers === 'municipality') {
      const code = row.municipality_code!;
      if (!reads(ownerRef('municipality', code))) throw feedNotFound();
      // The municipality's page's set (StepsService.stepsOf): its own steps and its regions'.
      const regions: { code: string }[] = await this.db.query(`SELECT region_code AS code FROM region_member WHERE municipality_code = $1`, [code]);
      owners = [ownerRef('municipality', code), ...regions.map((r) => ownerRef('region', r.code))];
    } else {
      owners = reach.reads.filter(reads);
    }
    const language: Language = isOneOf(LANGUAGES, row.language) ? row.language : DEFAULT_LANGUAGE;
    const what = row.covers === 'municipality' ? `${row.municipality_name ?? row.municipality_code} (${row.municipality_code})` : row.organisation_name;
    return this.calendar(await this.datedSteps(owners), language, CALENDAR_NAME[language](what));
  }

  /** Every step of these owners that has a due date, open or closed, from the read model. */
  private async datedSteps(owners: OwnerRef[]): Promise<StepRow[]> {
    const codes = (kind: OwnerKind) => owners.filter((o) => o.startsWith(`${kind}:`)).map((o) => o.slice(kind.length + 1));
    if (!owners.length) return [];
    return this.db.query(
      `SELECT s.owner_kind, s.owner_code, coalesce(m.name, r.name, s.owner_code) AS owner_name, s.step, s.step_key, s.cycle_year, s.workflow_id,
         s.status, s.date_kind, s.due_date::text AS due_date, s.derivation, s.detail, s.rulebook_id, s.last_event_at
       FROM step_state s
       LEFT JOIN municipality m ON s.owner_kind = 'municipality' AND m.code = s.owner_code
       LEFT JOIN region r ON s.owner_kind = 'region' AND r.code = s.owner_code
       WHERE s.due_date IS NOT NULL
         AND ((s.owner_kind = 'municipality' AND s.owner_code = ANY($1)) OR (s.owner_kind = 'region' AND s.owner_code = ANY($2)))
       ORDER BY s.due_date, s.owner_kind DESC, s.owner_code, s.step`,
      [codes('municipality'), codes('region')],
    );
  }

  private async calendar(steps: StepRow[], language: Language, name: string): Promise<string> {
    const rulebooks = new Map<string, Promise<RulebookStep[]>>();
    const definitions = (id: string) => {
      if (!rulebooks.has(id)) rulebooks.set(id, findRulebook(this.db, id).then((r) => r?.rulebook.steps ?? []));
      return rulebooks.get(id)!;
    };
    const events: EventAttributes[] = [];
    for (const step of steps) {
      const definition = (await definitions(step.rulebook_id)).find((d) => d.key === step.step_key);
      events.push(this.event(step, definition, language));
    }
    const { error, value } = createEvents(events, { productId: PRODUCT_ID, method: 'PUBLISH', calName: name });
    if (error || !value) throw new Error(`calendar feed: ${error?.message ?? 'no output'}`);
    return value;
  }

  /**
   * One step as the mail invite has it (libs/mail/calendar-invite.ts, notification-message.ts): the same UID
   * (workflow and step instance, whatever the date), SEQUENCE the step's count of date moves (one higher for
   * a waived step, as the invite's CANCEL goes), an all-day event, the invite's summary and description
   * templates. No ORGANIZER or ATTENDEE: a feed is published, nobody is invited, and it names no one.
   */
  private event(step: StepRow, definition: RulebookStep | undefined, language: Language): EventAttributes {
    const owner = { kind: step.owner_kind, code: step.owner_code, name: step.owner_name };
    const stepUrl = stepUrlOf(this.config.http.publicBaseUrl, owner, step.step);
    // The read model writes the derivation with the date; the templates read only its day and its text.
    const due = step.derivation?.date === step.due_date ? step.derivation : ({ date: step.due_date, text: step.derivation?.text ?? '' } as DateDerivation);
    const context = templateContext({
      language,
      kind: 'reminder',
      ownerName: owner.name,
      ownerCode: owner.code,
      ownerKind: owner.kind,
      stepNameNl: definition?.nameNl ?? step.step_key,
      stepNameEn: definition?.nameEn ?? step.step_key,
      cycleYear: step.cycle_year,
      legalBasis: definition?.legalBasis ?? { citation: '', verified: true },
      offsetDays: 0,
      dateKind: step.date_kind,
      due,
      previousDue: null,
      overdueSince: null,
      checklist: [],
      stepUrl,
      rulebookId: step.rulebook_id,
    });
    const templates = mailTemplates();
    const cancelled = inviteMethod(step.status === 'waived' ? 'cancellation' : 'reminder') === 'CANCEL';
    const sequence = step.detail?.sequence ?? 0;
    return {
      uid: calendarUid(step.workflow_id, step.step),
      sequence: cancelled ? sequence + 1 : sequence,
      // DTSTAMP without METHOD semantics of a request: when this entry last changed (RFC 5545 3.8.7.2).
      timestamp: step.last_event_at.getTime(),
      start: dateArray(step.due_date),
      end: dateArray(addDays(step.due_date, 1)),
      title: oneLine(templates.render(language, 'invite.summary', context)),
      description: templates.render(language, 'invite.description', context).trim(),
      url: stepUrl,
      status: cancelled ? 'CANCELLED' : 'CONFIRMED',
      transp: 'TRANSPARENT',
    } as EventAttributes;
  }
}

function dateArray(date: IsoDate): DateArray {
  const { year, month, day } = dateParts(date);
  return [year, month, day];
}
