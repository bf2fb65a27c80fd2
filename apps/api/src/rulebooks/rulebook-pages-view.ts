import type { IsoDate } from '../../../../libs/calendar';
import { daysBetween } from '../../../../libs/calendar/dates';
import { OWNER_COLLECTIONS, type Language, type OwnerKind } from '../../../../libs/contracts/enums';
import { formatDate } from '../../../../libs/mail/notification-mail';
import { TEXT_LIMITS } from '../../../../libs/programme/limits';
import { ATTRIBUTION } from '../../../../libs/overview/labels';
import { renderMapSvg, type MapGeometry } from '../../../../libs/overview/map';
import type { Rulebook, RulebookStep } from '../../../../libs/rulebook/rulebook.schema';
import { isYearly, rulebookDueDate } from '../../../../libs/rulebook/schedule';
import type { MovedStep, RulebookPreview } from './rulebook-preview';
import type { RolloutProgress, RolloutStatus } from './rulebook-rollout.service';

/**
 * The view models of the rulebook pages (rulebook-pages.controller.ts): the versions, one version with its
 * steps, what it would move (the preview as a table and on the map) and its rollout's progress. Pure: the
 * controller reads, the policy decides the forms, this only shapes what the templates show.
 */

/** How a municipality's dates would move: the map's classes (`regie-state--preview-*` in the theme). */
export const PREVIEW_CLASSES = ['preview-earlier', 'preview-later', 'preview-unchanged', 'preview-not-onboarded'] as const;
export type PreviewClass = (typeof PREVIEW_CLASSES)[number];

export const PREVIEW_LABELS: Record<PreviewClass, Record<Language, string>> = {
  'preview-earlier': { nl: 'Datum komt eerder', en: 'Date moves earlier' },
  'preview-later': { nl: 'Datum komt later', en: 'Date moves later' },
  'preview-unchanged': { nl: 'Ongewijzigd', en: 'Unchanged' },
  'preview-not-onboarded': { nl: 'Nog niet aangesloten', en: 'Not onboarded' },
};

export const PREVIEW_DEFINITIONS: Record<PreviewClass, Record<Language, string>> = {
  'preview-earlier': {
    nl: 'Minstens één datum van de gemeente zelf komt eerder te liggen (ook als een andere later komt: de eerdere vraagt aandacht).',
    en: "At least one of the municipality's own dates moves earlier (also when another moves later: the earlier one needs attention).",
  },
  'preview-later': { nl: 'Alleen latere datums.', en: 'Only later dates.' },
  'preview-unchanged': { nl: 'Aangesloten; deze versie verschuift geen van haar datums.', en: 'Onboarded; this version moves none of its dates.' },
  'preview-not-onboarded': { nl: 'Niet in Regie aangesloten: er verschuift niets.', en: 'Not onboarded in Regie: nothing moves.' },
};

/** Days a step moves (negative: earlier); null when it had no date before. */
export const daysMoved = (m: Pick<MovedStep, 'from' | 'to'>): number | null => (m.from ? daysBetween(m.from, m.to) : null);

/**
 * A municipality's class on the map, from its own moved steps: a date that comes earlier wins (a step
 * that had no date and gets one counts as earlier: a deadline appears); else later; else unchanged.
 */
export function previewClassOf(onboarded: boolean, moves: Pick<MovedStep, 'from' | 'to'>[]): PreviewClass {
  if (!onboarded) return 'preview-not-onboarded';
  if (moves.some((m) => { const d = daysMoved(m); return d === null || d < 0; })) return 'preview-earlier';
  if (moves.some((m) => (daysMoved(m) ?? 0) > 0)) return 'preview-later';
  return 'preview-unchanged';
}

const date = (d: IsoDate | null | undefined, language: Language) => (d ? formatDate(d, language) : null);
const lq = (language: Language) => (language === 'nl' ? '' : `?lang=${language}`);
export const rulebookHref = (id: string, language: Language, tail = '') => `/app/rulebooks/${encodeURIComponent(id)}${tail}${lq(language)}`;

/** The rollout's state in the list, from the tables (no Temporal call per version). */
export type ListedRolloutState = RolloutStatus | 'not-applied';

export interface VersionRow {
  id: string;
  title: string;
  effectiveDate: IsoDate;
  source: 'file' | 'operator';
  publishedAt: Date;
  owners: number;
  rollout: { state: ListedRolloutState; total: number | null; applied: number; failed: number };
}

export function versionsPage(rows: VersionRow[], ctx: { defaultRulebookId: string; language: Language; truncated: boolean }) {
  const { language } = ctx;
  return {
    title: language === 'en' ? 'Rulebook versions' : 'Regelboekversies',
    defaultRulebookId: ctx.defaultRulebookId,
    truncated: ctx.truncated,
    versions: rows.map((r) => ({
      id: r.id,
      href: rulebookHref(r.id, language),
      title: r.title,
      effectiveDate: date(r.effectiveDate, language),
      effectiveIso: r.effectiveDate,
      publishedAt: date(r.publishedAt.toISOString().slice(0, 10), language),
      shipped: r.source === 'file',
      isDefault: r.id === ctx.defaultRulebookId,
      owners: r.owners,
      rollout: { ...r.rollout, ...stateFlags(r.rollout.state), counted: r.rollout.total !== null },
    })),
  };
}

/** One flag per state, for templates that only test (`{{#if running}}`). */
const stateFlags = (state: ListedRolloutState) => ({
  state,
  notApplied: state === 'not-applied',
  starting: state === 'starting',
  running: state === 'running',
  completed: state === 'completed',
  interrupted: state === 'interrupted',
});

const stepName = (s: { nameNl: string; nameEn: string }, language: Language) => (language === 'en' ? s.nameEn : s.nameNl);

/** A step of the version with the date the version gives it (a yearly step: this year's cycle; a target-date step: none). */
function stepRow(rulebook: Rulebook, step: RulebookStep, today: IsoDate, language: Language) {
  const year = Number(today.slice(0, 4));
  const yearly = isYearly(step);
  const due = rulebookDueDate(rulebook, step, yearly ? year : undefined);
  return {
    key: step.key,
    number: step.number ?? null,
    name: stepName(step, language),
    scope: step.scope,
    region: step.scope === 'region',
    citation: step.legalBasis.citation,
    verified: step.legalBasis.verified,
    target: step.date.kind === 'target',
    yearly,
    year: yearly ? year : null,
    dueDate: date(due?.date, language),
    dueIso: due?.date ?? null,
    // The derivation in words, as the step page and the mail say it (Dutch: libs/calendar).
    derivation: due?.text ?? null,
    reminders: step.reminders.map((r) => r.offsetDays).join(', '),
    escalations: step.escalations.length,
  };
}

export interface ProgressView {
  status: RolloutStatus;
  total: number | null;
  applied: number;
  failed: number;
  pending: number | null;
  /** Applied and failed together: the `<progress>` value. */
  done: number;
  final: boolean;
  failures: { workflowId: string; error: string }[];
  /** From the tables only: Temporal did not answer, so `running` may be a rollout that stopped. */
  fromTables: boolean;
}

export function progressView(p: Pick<RolloutProgress, 'status' | 'total' | 'applied' | 'failed' | 'pending'> & { failures?: RolloutProgress['failures'] }, fromTables = false): ProgressView {
  return {
    status: p.status,
    total: p.total,
    applied: p.applied,
    failed: p.failed,
    pending: p.pending,
    done: p.applied + p.failed,
    final: p.status === 'completed' || p.status === 'interrupted',
    failures: (p.failures ?? []).map((f) => ({ workflowId: f.workflowId, error: f.error })),
    fromTables,
  };
}

export interface RulebookPageInput {
  rulebook: Rulebook;
  hash: string;
  source: 'file' | 'operator';
  publishedAt: Date;
  defaultRulebookId: string;
  owners: number;
  preview: RulebookPreview;
  progress: ProgressView | null;
  /** Every municipality (code, name): the map draws all of them. */
  municipalities: { code: string; name: string }[];
  /** The municipalities with steps in the read model (what the preview reads). */
  onboarded: ReadonlySet<string>;
  geometry: MapGeometry;
  language: Language;
  /** Whether the caller may open an owner's page (the policy's owner:read). */
  readable: (kind: OwnerKind, code: string) => boolean;
  /** The rollout form, when the policy gives the caller `rulebook:write`. */
  form: { csrfToken: string } | null;
  /** A refused rollout form: its message, the field, what was typed. */
  problem?: { message: string; field: string | null; reason: string; override: boolean } | null;
}

export function rulebookPage(input: RulebookPageInput) {
  const { rulebook, preview, language } = input;
  const names = new Map(rulebook.steps.map((s) => [s.key, stepName(s, language)]));
  const ownerHref = (kind: OwnerKind, code: string) => (input.readable(kind, code) ? `/${OWNER_COLLECTIONS[kind]}/${code}${lq(language)}` : null);
  const moved = preview.moved.map((m) => {
    const days = daysMoved(m);
    return {
      ownerKind: m.owner.kind,
      ownerCode: m.owner.code,
      ownerName: m.owner.name,
      region: m.owner.kind === 'region',
      href: ownerHref(m.owner.kind, m.owner.code),
      step: m.step,
      stepName: `${names.get(m.stepKey) ?? m.stepKey}${m.cycleYear ? ` ${m.cycleYear}` : ''}`,
      from: date(m.from, language),
      fromIso: m.from,
      to: date(m.to, language),
      toIso: m.to,
      days,
      earlier: days === null || days < 0,
      later: days !== null && days > 0,
      absDays: days === null ? null : Math.abs(days),
      becomesOverdue: m.becomesOverdue,
      noLongerOverdue: m.noLongerOverdue,
      currentRulebookId: m.currentRulebookId,
    };
  });

  // The map: every municipality, by how its own dates move (a region's steps are in the table).
  const byMunicipality = new Map<string, MovedStep[]>();
  for (const m of preview.moved) if (m.owner.kind === 'municipality') byMunicipality.set(m.owner.code, [...(byMunicipality.get(m.owner.code) ?? []), m]);
  const counts = Object.fromEntries(PREVIEW_CLASSES.map((c) => [c, 0])) as Record<PreviewClass, number>;
  const shapes = input.municipalities.map((mun) => {
    const moves = byMunicipality.get(mun.code) ?? [];
    const cls = previewClassOf(input.onboarded.has(mun.code), moves);
    counts[cls] += 1;
    const what = moves.length
      ? moves.map((m) => `${names.get(m.stepKey) ?? m.stepKey} ${date(m.from, language) ?? '–'} → ${date(m.to, language)}${movedWords(daysMoved(m), language)}`).join('; ')
      : PREVIEW_LABELS[cls][language];
    return {
      code: mun.code,
      // renderMapSvg writes the class `regie-state--<state>`; the preview's classes sit beside the overview's states in the theme.
      state: cls,
      label: `${mun.name}: ${what}`,
      href: input.onboarded.has(mun.code) ? ownerHref('municipality', mun.code) : null,
      out: false,
    };
  });
  const map = renderMapSvg({
    title: language === 'en' ? `Map: what ${rulebook.id} would move, per municipality` : `Kaart: wat ${rulebook.id} zou verschuiven, per gemeente`,
    kind: 'municipality',
    paths: input.geometry.municipalities,
    shapes,
    outlines: [input.geometry.provinceOutlines],
  });

  return {
    title: `${language === 'en' ? 'Rulebook' : 'Regelboek'} ${rulebook.id}`,
    id: rulebook.id,
    versionTitle: rulebook.title,
    hash: input.hash,
    effectiveDate: date(rulebook.effectiveDate, language),
    publishedAt: date(input.publishedAt.toISOString().slice(0, 10), language),
    shipped: input.source === 'file',
    isDefault: rulebook.id === input.defaultRulebookId,
    owners: input.owners,
    listHref: `/app/rulebooks${lq(language)}`,
    steps: rulebook.steps.map((s) => stepRow(rulebook, s, preview.today, language)),
    today: date(preview.today, language),
    totals: preview.totals,
    moved,
    removed: preview.removed.map((r) => ({ ownerName: r.owner.name, ownerCode: r.owner.code, href: ownerHref(r.owner.kind, r.owner.code), step: r.step, stepKey: r.stepKey, status: r.status })),
    map,
    attribution: ATTRIBUTION[language],
    legend: PREVIEW_CLASSES.map((c) => ({ state: c, label: PREVIEW_LABELS[c][language], definition: PREVIEW_DEFINITIONS[c][language], count: counts[c] })),
    progress: input.progress
      ? {
          ...input.progress,
          ...stateFlags(input.progress.status),
          counted: input.progress.total !== null,
          // A bar needs a maximum above 0; an empty rollout (nobody onboarded) is full at once.
          max: Math.max(input.progress.total ?? 0, 1),
          value: input.progress.total === 0 ? 1 : input.progress.done,
          eventsHref: input.progress.final ? null : rulebookHref(rulebook.id, 'nl', '/rollout/events'),
        }
      : null,
    form: input.form
      ? {
          action: rulebookHref(rulebook.id, language, '/apply'),
          csrfToken: input.form.csrfToken,
          running: !!input.progress && !input.progress.final,
          reason: input.problem?.reason ?? '',
          reasonMax: TEXT_LIMITS.reason,
          override: input.problem?.override ?? false,
          // The field in error, marked in the form (the templates are strict: every name they read is here).
          reasonError: input.problem?.field === 'reason' ? input.problem.message : null,
          overrideError: input.problem?.field === 'override' ? input.problem.message : null,
        }
      : null,
    problem: input.problem
      ? {
          message: input.problem.message,
          field: input.problem.field,
          // The error summary links to the field in error, or to the form (a conflict: another rollout runs, an older version).
          anchor: input.problem.field === 'reason' ? 'apply-reason' : input.problem.field === 'override' ? 'apply-override' : 'apply-form',
        }
      : null,
  };
}

function movedWords(days: number | null, language: Language): string {
  if (days === null) return language === 'en' ? ' (new date)' : ' (nieuwe datum)';
  if (days === 0) return '';
  const n = Math.abs(days);
  if (language === 'en') return ` (${n} ${n === 1 ? 'day' : 'days'} ${days < 0 ? 'earlier' : 'later'})`;
  return ` (${n} ${n === 1 ? 'dag' : 'dagen'} ${days < 0 ? 'eerder' : 'later'})`;
}
