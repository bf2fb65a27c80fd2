import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { actorLabel, decide, ownerRef } from '../../../../libs/access/policy';
import type { Action, Principal } from '../../../../libs/access/policy';
import { csrfToken } from '../../../../libs/access/secrets';
import type { RegieConfig } from '../../../../libs/config/config';
import { REGIE_CONFIG } from '../../../../libs/config/config.module';
import { CLOSED_STEP_STATUSES, EVIDENCE_KINDS, OWNER_COLLECTIONS, PROGRESS_STATUSES } from '../../../../libs/contracts';
import type { Language, OwnerKind } from '../../../../libs/contracts';
import { findRulebook } from '../../../../libs/db/rulebook-store';
import type { IsoDate } from '../../../../libs/calendar';
import { formatDate } from '../../../../libs/mail/notification-mail';
import { DATE_RANGE, TEXT_LIMITS } from '../../../../libs/programme/limits';
import type { RequestAccess } from '../access/access.guard';
import { formatMoment } from '../mail-links/mail-links.service';
import { ownerNotFound } from '../edge/path-params';
import { RegieError } from '../errors/regie-error';
import { StepsService } from '../steps/steps.service';
import { langQuery } from './page-render';

/** The step as `StepsService.step` answers it (the JSON of the API), as far as the pages read it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type StepView = Record<string, any>;

/** What a refused form leaves on the page: which form, which field, the step model's message, what was typed. */
export interface FormProblem {
  form: StepForm;
  field: string;
  message: string;
  values: Record<string, string>;
}

/** The forms of a step page, each posting to `/app/<collection>/<code>/steps/<step>/<form>`, with the action the policy decides it by. */
export const STEP_FORMS = {
  progress: 'step:progress',
  checklist: 'step:progress',
  complete: 'step:complete',
  'target-date': 'step:target-date',
  extension: 'step:extension',
  waiver: 'step:waiver',
} as const satisfies Record<string, Action>;
export type StepForm = keyof typeof STEP_FORMS;

/** A checklist item's form field: `checklist.<item key>` (flat: the form parser takes no nested syntax). */
export const CHECKLIST_FIELD_PREFIX = 'checklist.';

const date = (value: string | null | undefined, language: Language) => (value ? formatDate(value as IsoDate, language) : null);
const moment = (value: string | Date | null | undefined, language: Language) => (value ? formatMoment(new Date(value), language) : null);

/**
 * The view models of the pages: what each template shows, from the same reads the JSON API answers
 * (StepsService, with the personal data the caller may see) and the one access policy for which forms
 * appear. No rule is decided here that the policy or the step model decides.
 */
@Injectable()
export class PagesService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(StepsService) private readonly steps: StepsService,
    @Inject(REGIE_CONFIG) private readonly config: RegieConfig,
  ) {}

  /** The header's navigation: who acts, the CSRF token of the sign-out form, links kept in the page's language. */
  nav(access: RequestAccess, language: Language) {
    const p = access.principal;
    const lq = langQuery(language);
    const links: { href: string; label: string }[] = [];
    if (p && (p.kind === 'person' || p.kind === 'token')) {
      const { kind, code } = p.organisation;
      if (code && (kind === 'municipality' || kind === 'region' || kind === 'province')) {
        const collection = kind === 'province' ? 'provinces' : OWNER_COLLECTIONS[kind];
        links.push({ href: `/${collection}/${code}${lq}`, label: p.organisation.name });
      }
    }
    // The national pages, where the policy lets this caller in.
    if (p && decide(p, 'overview:read').allow) links.push({ href: `/overview${lq}`, label: language === 'en' ? 'National overview' : 'Landelijk overzicht' });
    if (p && decide(p, 'rulebook:pages').allow) links.push({ href: `/app/rulebooks${lq}`, label: language === 'en' ? 'Rulebook versions' : 'Regelboekversies' });
    const otherLanguage = language === 'en' ? { href: '?lang=nl', label: 'Nederlands' } : { href: '?lang=en', label: 'English' };
    return {
      who: p ? actorLabel(p) : '',
      csrfToken: this.csrf(access) ?? '',
      langQuery: lq,
      links: [...links, otherLanguage],
    };
  }

  /**
   * The access of a reference route (`GET /municipalities/:code`, 'reference:read') as the page of that
   * owner needs it: the policy's `owner:read` decision for it, refused as the policy says (out of reach is
   * the 404 of an unknown code).
   */
  ownerAccess(access: RequestAccess, kind: OwnerKind, code: string): RequestAccess {
    const decision = decide(access.principal, 'owner:read', { owner: ownerRef(kind, code) });
    if (decision.allow) return { ...access, decision };
    if (decision.refusal === 'not-found') throw ownerNotFound(kind, code);
    if (decision.refusal === 'unauthenticated') throw new RegieError('sign-in-required', 'unauthorized', 'Meld u aan / Sign in');
    throw new RegieError('forbidden', 'forbidden', 'Uw rol mag dit niet / Your role may not do this');
  }

  /** The session's CSRF token (libs/access/secrets.ts), for the forms of a page; none for a token or the operator. */
  csrf(access: RequestAccess): string | null {
    return access.credential.via === 'session' ? csrfToken(this.config.links.secret, access.credential.sessionIdHash) : null;
  }

  async ownerName(kind: OwnerKind, code: string): Promise<string> {
    const [row] = await this.db.query(`SELECT name FROM ${kind === 'municipality' ? 'municipality' : 'region'} WHERE code = $1`, [code]);
    if (!row) throw ownerNotFound(kind, code);
    return row.name;
  }

  /** The names of steps in a language, from the rulebook versions the steps run under (each read once). */
  private async stepNames(steps: StepView[], language: Language) {
    const books = new Map<string, Awaited<ReturnType<typeof findRulebook>>>();
    for (const id of new Set(steps.map((s) => s.rulebook.id as string))) books.set(id, await findRulebook(this.db, id));
    return (s: StepView) => {
      const def = books.get(s.rulebook.id)?.rulebook.steps.find((d) => d.key === s.stepKey);
      const name = def ? (language === 'en' ? def.nameEn : def.nameNl) : s.stepKey;
      return { name: s.cycleYear ? `${name} ${s.cycleYear}` : name, definition: def ?? null };
    };
  }

  /** One row of a list of steps: name, state, due date, the link to its page. */
  private async stepRows(steps: StepView[], language: Language) {
    const named = await this.stepNames(steps, language);
    return steps.map((s) => ({
      name: named(s).name,
      href: `/${OWNER_COLLECTIONS[s.owner.kind as OwnerKind]}/${s.owner.code}/steps/${encodeURIComponent(s.step)}${langQuery(language)}`,
      ownerKind: s.owner.kind,
      ownerCode: s.owner.code,
      status: s.status,
      overdue: s.overdue || s.late,
      statutory: s.dateKind === 'statutory',
      dueDate: date(s.dueDate, language),
      dueIso: s.dueDate,
    }));
  }

  async stepPage(access: RequestAccess, kind: OwnerKind, code: string, step: string, language: Language, problem: FormProblem | null = null) {
    const personal = access.decision.personalData;
    const view = (await this.steps.step(kind, code, step, personal)) as StepView;
    const ownerName = await this.ownerName(kind, code);
    const { name, definition } = (await this.stepNames([view], language))(view);
    const owner = { owner: ownerRef(kind, code) };
    const closed = (CLOSED_STEP_STATUSES as readonly string[]).includes(view.status);
    // Which forms: the policy decides for this caller and owner; a closed step takes no more work.
    const may = (form: StepForm) => !closed && !!access.principal && decide(access.principal as Principal, STEP_FORMS[form], owner).allow;
    const typed = (form: StepForm, field: string, fallback = '') => (problem?.form === form ? (problem.values[field] ?? fallback) : fallback);
    const fieldError = (form: StepForm, field: string) => (problem?.form === form && problem.field === field ? problem.message : null);
    const labelOf = (key: string) => {
      const item = definition?.checklist.find((c) => c.key === key);
      return item ? (language === 'en' ? item.en : item.nl) : key;
    };
    const checklist = Object.entries(view.checklist as Record<string, boolean>).map(([key, done]) => ({
      key,
      field: `${CHECKLIST_FIELD_PREFIX}${key}`,
      id: `checklist-${key}`,
      label: labelOf(key),
      done: problem?.form === 'checklist' ? problem.values[`${CHECKLIST_FIELD_PREFIX}${key}`] === 'true' : done,
    }));
    const notifications = (view.notifications as StepView[]).map((n) => ({
      kind: n.kind,
      rung: n.rung,
      dueDate: date(n.dueDate, language),
      recordedAt: moment(n.recordedAt, language),
      status: n.status,
      recipients: Array.isArray(n.recipients) ? (n.recipients as string[]).join(', ') : null,
      recipientCount: n.recipientCount ?? (Array.isArray(n.recipients) ? n.recipients.length : 0),
      deliveries: Array.isArray(n.deliveries) ? (n.deliveries as StepView[]).map((d) => ({ recipient: d.recipient, status: d.status })) : null,
    }));
    const acknowledgements = (view.acknowledgements as StepView[]).map((a) => ({
      businessKey: a.businessKey,
      recipient: a.recipient ?? null,
      action: a.action,
      kind: a.kind,
      rung: a.rung,
      at: moment(a.acknowledgedAt, language),
    }));
    // An escalation is open while nobody acknowledged it (the sent log and the acknowledgements, read above).
    const acknowledged = new Set(acknowledgements.filter((a) => a.action === 'acknowledge').map((a) => a.businessKey));
    const escalations = (view.notifications as StepView[])
      .filter((n) => n.kind === 'escalation')
      .map((n) => ({
        rung: n.rung,
        dueDate: date(n.dueDate, language),
        recordedAt: moment(n.recordedAt, language),
        recipients: Array.isArray(n.recipients) ? (n.recipients as string[]).join(', ') : null,
        recipientCount: n.recipientCount ?? (Array.isArray(n.recipients) ? n.recipients.length : 0),
        open: !acknowledged.has(n.businessKey),
        acknowledgedBy: acknowledgements.filter((a) => a.businessKey === n.businessKey && a.action === 'acknowledge'),
      }));
    const status = typed('progress', 'status', view.status);
    const kindTyped = typed('complete', 'kind', 'council-decision');
    const forms = {
      progress: may('progress'),
      checklist: may('checklist') && checklist.length > 0,
      complete: may('complete'),
      targetDate: may('target-date') && view.dateKind === 'target',
      extension: may('extension'),
      waiver: may('waiver'),
    };
    const collection = OWNER_COLLECTIONS[kind];
    const lq = langQuery(language);
    const csrf = this.csrf(access) ?? '';
    return {
      title: `${name} – ${ownerName}`,
      nav: this.nav(access, language),
      owner: { kind, code, name: ownerName, isRegion: kind === 'region', href: `/${collection}/${code}${lq}` },
      name,
      step: view.step,
      status: view.status,
      closed,
      overdue: !!(view.overdue || view.late),
      overdueSince: date(view.overdueSince, language),
      statutory: view.dateKind === 'statutory',
      dueDate: date(view.dueDate, language),
      // The derivation in words, as the mail says it (libs/calendar: `DateDerivation.text`).
      derivation: (view.derivation as { text?: string } | null)?.text ?? null,
      legalBasis: definition?.legalBasis ?? null,
      checklist,
      evidence: (view.evidence as StepView[]).map((e) => ({ kind: e.kind, reference: e.reference, url: e.url ?? null, date: date(e.date, language) })),
      extensions: (view.extensions as StepView[]).map((e) => ({ to: date(e.to, language), reason: e.reason, grantedBy: e.grantedBy ?? null })),
      waiver: view.waiver ? { reason: view.waiver.reason, grantedBy: view.waiver.grantedBy ?? null } : null,
      warnings: view.warnings as string[],
      history: (view.history as StepView[])
        .slice()
        .reverse()
        .map((h) => ({
          event: h.event,
          at: moment(h.occurredAt, language),
          by: h.detail?.by ?? h.detail?.grantedBy ?? null,
          note: h.detail?.note ?? h.detail?.reason ?? null,
          status: h.detail?.status ?? null,
          date: date(h.detail?.date ?? h.detail?.to ?? null, language),
        })),
      notifications,
      personal,
      escalations,
      openEscalations: escalations.filter((e) => e.open).length,
      acknowledgements,
      forms,
      anyForm: Object.values(forms).some(Boolean),
      csrf,
      actions: Object.fromEntries((Object.keys(STEP_FORMS) as StepForm[]).map((f) => [f, `/app/${collection}/${code}/steps/${encodeURIComponent(step)}/${f}${lq}`])),
      // The upload form is multipart: its body is read after the access check, so its CSRF token rides in the query (access.guard.ts).
      completeAction: `/app/${collection}/${code}/steps/${encodeURIComponent(step)}/complete?${lq ? `${lq.slice(1)}&` : ''}_csrf=${encodeURIComponent(csrf)}`,
      problem: problem ? { message: problem.message, field: problem.field, form: problem.form, anchor: fieldId(problem.form, problem.field) } : null,
      progressStatuses: PROGRESS_STATUSES.map((value) => ({ value, selected: value === status })),
      evidenceKinds: EVIDENCE_KINDS.map((value) => ({ value, selected: value === kindTyped, id: `complete-kind-${value}` })),
      limits: { ...TEXT_LIMITS, dateMin: DATE_RANGE.min, dateMax: DATE_RANGE.max },
      values: {
        note: typed('progress', 'note'),
        reference: typed('complete', 'reference'),
        url: typed('complete', 'url'),
        evidenceDate: typed('complete', 'date'),
        targetDate: typed('target-date', 'date'),
        extensionTo: typed('extension', 'to'),
        extensionReason: typed('extension', 'reason'),
        waiverReason: typed('waiver', 'reason'),
      },
      errors: {
        status: fieldError('progress', 'status'),
        note: fieldError('progress', 'note'),
        checklist: problem?.form === 'checklist' ? problem.message : null,
        kind: fieldError('complete', 'kind'),
        reference: fieldError('complete', 'reference'),
        url: fieldError('complete', 'url'),
        evidenceDate: fieldError('complete', 'date'),
        document: fieldError('complete', 'document'),
        targetDate: fieldError('target-date', 'date'),
        extensionTo: fieldError('extension', 'to'),
        extensionReason: fieldError('extension', 'reason'),
        waiverReason: fieldError('waiver', 'reason'),
      },
    };
  }

  /** A municipality's page: its own steps and its region's, each with its state, due date and link. */
  async municipalityPage(access: RequestAccess, code: string, language: Language) {
    const personal = access.decision.personalData;
    const name = await this.ownerName('municipality', code);
    const steps = (await this.steps.stepsOf('municipality', code, personal)) as StepView[];
    const rows = await this.stepRows(steps, language);
    const [region] = await this.db.query(
      `SELECT r.code, r.name FROM region_member rm JOIN region r ON r.code = rm.region_code WHERE rm.municipality_code = $1 AND r.grouping = $2`,
      [code, this.config.regionGrouping],
    );
    return {
      title: name,
      nav: this.nav(access, language),
      name,
      code,
      region: region ? { code: region.code, name: region.name, href: `/regions/${region.code}${langQuery(language)}` } : null,
      own: rows.filter((r) => r.ownerKind === 'municipality'),
      regional: rows.filter((r) => r.ownerKind === 'region'),
    };
  }

  /** A region's page: its own steps, and its members' states side by side (municipality x step). */
  async regionPage(access: RequestAccess, code: string, language: Language) {
    const personal = access.decision.personalData;
    const name = await this.ownerName('region', code);
    const own = await this.stepRows((await this.steps.stepsOf('region', code, personal)) as StepView[], language);
    const members: { code: string; name: string }[] = await this.db.query(
      `SELECT m.code, m.name FROM region_member rm JOIN municipality m ON m.code = rm.municipality_code WHERE rm.region_code = $1 ORDER BY m.name`,
      [code],
    );
    const matrix = await this.matrix(access, members, language);
    return { title: name, nav: this.nav(access, language), name, code, own, ...matrix };
  }

  /**
   * Municipalities x steps: one column per step key the municipalities run, one row per municipality; a
   * cell links to the step page when the caller may read that municipality (the policy's `owner:read`).
   */
  async matrix(access: RequestAccess, municipalities: { code: string; name: string }[], language: Language) {
    const codes = municipalities.map((m) => m.code);
    const rows: StepView[] = codes.length
      ? await this.db.query(
          `SELECT owner_code, step, step_key, cycle_year, status, overdue, late, due_date::text, date_kind, rulebook_id FROM step_state
            WHERE owner_kind = 'municipality' AND owner_code = ANY($1) ORDER BY step`,
          [codes],
        )
      : [];
    const asView = rows.map((r) => ({ owner: { kind: 'municipality', code: r.owner_code }, step: r.step, stepKey: r.step_key, cycleYear: r.cycle_year, status: r.status, overdue: r.overdue, late: r.late, dueDate: r.due_date, dateKind: r.date_kind, rulebook: { id: r.rulebook_id } }));
    const named = await this.stepRows(asView, language);
    const columns = [...new Map(named.map((r, i) => [asView[i].step, { step: asView[i].step, name: r.name }])).values()];
    const readable = (c: string) => !!access.principal && decide(access.principal, 'owner:read', { owner: ownerRef('municipality', c) }).allow;
    return {
      columns,
      members: municipalities.map((m) => ({
        code: m.code,
        name: m.name,
        href: readable(m.code) ? `/municipalities/${m.code}${langQuery(language)}` : null,
        cells: columns.map((col) => {
          const i = asView.findIndex((v) => v.owner.code === m.code && v.step === col.step);
          return i < 0 ? { none: true } : { none: false, ...named[i], href: readable(m.code) ? named[i].href : null };
        }),
      })),
    };
  }

  /** A province: its municipalities and the regions they belong to, states side by side, and who was escalated to. */
  async province(code: string, personal: boolean) {
    const [province] = await this.db.query(`SELECT code, name FROM province WHERE code = $1`, [code]);
    if (!province) throw provinceNotFound(code);
    const municipalities: { code: string; name: string }[] = await this.db.query(`SELECT code, name FROM municipality WHERE province_code = $1 ORDER BY name`, [code]);
    const regions: { code: string; name: string }[] = await this.db.query(
      `SELECT DISTINCT r.code, r.name FROM region r JOIN region_member rm ON rm.region_code = r.code JOIN municipality m ON m.code = rm.municipality_code
        WHERE m.province_code = $1 AND r.grouping = $2 ORDER BY r.name`,
      [code, this.config.regionGrouping],
    );
    const steps: StepView[] = await this.db.query(
      `SELECT owner_kind, owner_code, step, status, overdue, late, due_date::text, date_kind FROM step_state
        WHERE (owner_kind = 'municipality' AND owner_code = ANY($1)) OR (owner_kind = 'region' AND owner_code = ANY($2)) ORDER BY owner_code, step`,
      [municipalities.map((m) => m.code), regions.map((r) => r.code)],
    );
    const escalations: StepView[] = await this.db.query(
      `SELECT n.owner_kind, n.owner_code, n.step, n.rung, n.due_date::text, n.recipients, n.recorded_at,
         EXISTS (SELECT 1 FROM mail_acknowledgement a WHERE a.business_key = n.business_key AND a.action = 'acknowledge') AS acknowledged
       FROM notification n
       WHERE n.kind = 'escalation' AND ((n.owner_kind = 'municipality' AND n.owner_code = ANY($1)) OR (n.owner_kind = 'region' AND n.owner_code = ANY($2)))
       ORDER BY n.recorded_at DESC`,
      [municipalities.map((m) => m.code), regions.map((r) => r.code)],
    );
    return {
      code: province.code as string,
      name: province.name as string,
      municipalities,
      regions,
      steps: steps.map((s) => ({ owner: { kind: s.owner_kind, code: s.owner_code }, step: s.step, status: s.status, overdue: s.overdue || s.late, dueDate: s.due_date, dateKind: s.date_kind })),
      escalations: escalations.map((e) => ({
        owner: { kind: e.owner_kind, code: e.owner_code },
        step: e.step,
        rung: e.rung,
        dueDate: e.due_date,
        recordedAt: e.recorded_at,
        acknowledged: e.acknowledged,
        // Addresses only for the province itself and the operator (libs/access/privacy.ts's rule: counts for others).
        ...(personal ? { recipients: e.recipients } : { recipientCount: Array.isArray(e.recipients) ? e.recipients.length : 0 }),
      })),
    };
  }

  async provincePage(access: RequestAccess, code: string, language: Language) {
    const data = await this.province(code, access.decision.personalData);
    const matrix = await this.matrix(access, data.municipalities, language);
    const regionRows = await Promise.all(
      data.regions.map(async (r) => ({
        ...r,
        href: `/regions/${r.code}${langQuery(language)}`,
        steps: await this.stepRows((await this.steps.stepsOf('region', r.code, false)) as StepView[], language),
      })),
    );
    const names = new Map([...data.municipalities, ...data.regions].map((o) => [o.code, o.name]));
    return {
      title: data.name,
      nav: this.nav(access, language),
      name: data.name,
      code: data.code,
      ...matrix,
      regions: regionRows,
      escalations: data.escalations.map((e) => ({
        ownerName: names.get(e.owner.code) ?? e.owner.code,
        href: `/${OWNER_COLLECTIONS[e.owner.kind as OwnerKind]}/${e.owner.code}/steps/${encodeURIComponent(e.step)}${langQuery(language)}`,
        step: e.step,
        rung: e.rung,
        dueDate: date(e.dueDate, language),
        recordedAt: moment(e.recordedAt, language),
        acknowledged: e.acknowledged,
        recipients: 'recipients' in e && Array.isArray(e.recipients) ? (e.recipients as string[]).join(', ') : null,
        recipientCount: 'recipientCount' in e ? e.recipientCount : null,
      })),
    };
  }
}

/** The id of a form field on the step page (the error summary links to it). */
export const fieldId = (form: StepForm, field: string) => `${form}-${field.replace(/[^a-z0-9-]/gi, '-')}`;

export function provinceNotFound(code: string) {
  return new RegieError('province-not-found', 'not-found', `Provincie ${code} bestaat niet / Unknown province`, 'code');
}
