import { DUTCH_MONTHS } from '../../../../libs/calendar/dates';
import type { IsoDate } from '../../../../libs/calendar';
import { OVERVIEW_STATES, OWNER_COLLECTIONS, type Language, type OverviewState } from '../../../../libs/contracts/enums';
import { formatDate } from '../../../../libs/mail/notification-mail';
import { ATTRIBUTION, DATE_KIND_LABELS, STATE_DEFINITIONS, STATE_LABELS } from '../../../../libs/overview/labels';
import { regionShapes, renderMapSvg, type MapGeometry, type MapShape } from '../../../../libs/overview/map';
import { select, stateCounts, timeline, totals, type Overview, type OverviewFilter, type SelectedOwner } from '../../../../libs/overview/overview';
import type { OverviewQuery } from './overview.dto';

/** The filter a query makes, with its defaults; `notice` when the query asked what cannot be shown (the region view of a municipal step). */
export function filterOf(overview: Overview, q: OverviewQuery): { filter: OverviewFilter; notice: string | null } {
  const step = overview.steps.find((s) => s.key === q.step) ?? overview.steps.find((s) => s.scope === 'municipality') ?? overview.steps[0];
  const regionsAsked = q.view === 'regions';
  const view = regionsAsked && step?.scope === 'region' ? 'regions' : 'municipalities';
  const notice = q.step && !overview.steps.some((s) => s.key === q.step) ? 'unknown-step' : regionsAsked && view !== 'regions' ? 'no-region-view' : null;
  return {
    filter: {
      step: step?.key ?? '',
      view,
      province: q.province || undefined,
      region: q.region || undefined,
      state: q.state || undefined,
      sort: q.sort || 'name',
      descending: q.dir === 'desc',
    },
    notice,
  };
}

const NOTICES: Record<string, Record<Language, string>> = {
  'unknown-step': { nl: 'Die stap kent het overzicht niet; het toont de eerste stap van de gemeente.', en: 'The overview has no such step; it shows the first municipal step.' },
  'no-region-view': { nl: "De regioweergave is er voor de stappen van de regio (1 en 2); het overzicht toont de gemeenten.", en: 'The region view is for the region steps (1 and 2); the overview shows municipalities.' },
};

/** A link to the page with this filter changed (filters live in the URL, so a view can be shared). */
export function overviewHref(filter: OverviewFilter, language: Language, change: Partial<Record<string, string | undefined>> = {}, base = '/overview'): string {
  const params: Record<string, string | undefined> = {
    step: filter.step,
    view: filter.view === 'regions' ? 'regions' : undefined,
    province: filter.province,
    region: filter.region,
    state: filter.state,
    sort: filter.sort === 'name' ? undefined : filter.sort,
    dir: filter.descending ? 'desc' : undefined,
    lang: language === 'nl' ? undefined : language,
    ...change,
  };
  const query = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => !!e[1]));
  const text = query.toString();
  return text ? `${base}?${text}` : base;
}

export interface ViewContext {
  overview: Overview;
  geometry: MapGeometry;
  query: OverviewQuery;
  language: Language;
  /** Whether the caller may open this owner's page (the policy's owner:read). */
  readable: (kind: SelectedOwner['kind'], code: string) => boolean;
}

/** The page's view model: the map, the legend with counts, the table, the totals, the timeline, the form, the export links. */
export function overviewPage(ctx: ViewContext) {
  const { overview, language } = ctx;
  const { filter, notice } = filterOf(overview, ctx.query);
  const step = overview.steps.find((s) => s.key === filter.step)!;
  const stepName = (s: { nameNl: string; nameEn: string }) => (language === 'en' ? s.nameEn : s.nameNl);
  const date = (d: IsoDate | null) => (d ? formatDate(d, language) : null);
  const { all, shown } = select(overview, filter);
  const shownCodes = new Set(shown.map((o) => o.code));
  const provinceName = new Map(overview.provinces.map((p) => [p.code, p.name]));
  const regionName = new Map(overview.regions.map((r) => [r.code, r.name]));
  const collection = (kind: SelectedOwner['kind']) => OWNER_COLLECTIONS[kind];
  const lq = language === 'nl' ? '' : `?lang=${language}`;
  const hrefOf = (o: SelectedOwner) => (ctx.readable(o.kind, o.code) ? `/${collection(o.kind)}/${o.code}${lq}` : null);
  const labelOf = (o: SelectedOwner) => {
    const when = o.cell.dueDate ? `, ${date(o.cell.dueDate)} (${DATE_KIND_LABELS[o.cell.dateKind ?? 'statutory'][language]})` : '';
    return `${o.name}: ${stepName(step)}${when}, ${STATE_LABELS[o.cell.state][language]}`;
  };

  // The map: every municipality (or region) drawn; those outside the filter pale and without a link.
  const everyone = select(overview, { ...filter, province: undefined, region: undefined, state: undefined }).all;
  const shapes: MapShape[] = everyone.map((o) => ({ code: o.code, state: o.cell.state, label: labelOf(o), href: shownCodes.has(o.code) ? hrefOf(o) : null, out: !shownCodes.has(o.code) }));
  const regionOf = new Map(overview.municipalities.filter((m) => m.regionCode).map((m) => [m.code, m.regionCode!]));
  const regional = filter.view === 'regions' || step.scope === 'region' ? regionShapes(ctx.geometry, regionOf) : null;
  const map = renderMapSvg({
    title: language === 'en' ? `Map: ${stepName(step)} per ${filter.view === 'regions' ? 'region' : 'municipality'}` : `Kaart: ${stepName(step)} per ${filter.view === 'regions' ? 'regio' : 'gemeente'}`,
    kind: filter.view === 'regions' ? 'region' : 'municipality',
    paths: filter.view === 'regions' ? regional!.regions : ctx.geometry.municipalities,
    shapes,
    outlines: [regional?.outlines ?? '', ctx.geometry.provinceOutlines],
  });

  const counts = stateCounts(all);
  const legend = OVERVIEW_STATES.map((state: OverviewState) => ({
    state,
    label: STATE_LABELS[state][language],
    definition: STATE_DEFINITIONS[state][language],
    count: counts[state],
    href: overviewHref(filter, language, { state: filter.state === state ? undefined : state }),
    selected: filter.state === state,
  }));
  const rows = shown.map((o) => ({
    code: o.code,
    name: o.name,
    href: hrefOf(o),
    province: o.provinceCodes.map((c) => provinceName.get(c) ?? c).join(', '),
    region: o.regionCode ? (regionName.get(o.regionCode) ?? o.regionCode) : '',
    state: o.cell.state,
    stateLabel: STATE_LABELS[o.cell.state][language],
    dueDate: date(o.cell.dueDate),
    dueIso: o.cell.dueDate,
    dateKind: o.cell.dateKind ? DATE_KIND_LABELS[o.cell.dateKind][language] : null,
  }));
  const sortLink = (sort: OverviewFilter['sort']) => ({
    href: overviewHref(filter, language, { sort: sort === 'name' ? undefined : sort, dir: filter.sort === sort && !filter.descending ? 'desc' : undefined }),
    aria: filter.sort === sort ? (filter.descending ? 'descending' : 'ascending') : 'none',
  });
  const sum = totals(overview, filter);
  const stepIndex = overview.steps.findIndex((s) => s.key === step.key);
  const months = timeline(overview, filter);
  const maxMonth = Math.max(1, ...months.map((m) => m.total));
  const exportQuery = overviewHref(filter, language, {}, '/overview/export').replace(/^\/overview\/export\??/, '');
  const exportHref = (format: string, everything = false) =>
    everything ? `/overview/export?format=${format}&steps=all${language === 'nl' ? '' : `&lang=${language}`}` : `/overview/export?${exportQuery ? `${exportQuery}&` : ''}format=${format}`;

  return {
    title: language === 'en' ? 'National overview' : 'Landelijk overzicht',
    notice: notice ? NOTICES[notice][language] : null,
    today: date(overview.today),
    step: { key: step.key, number: step.number, name: stepName(step), region: step.scope === 'region' },
    view: filter.view,
    regionView: filter.view === 'regions',
    map,
    attribution: ATTRIBUTION[language],
    legend,
    rows,
    shownCount: shown.length,
    allCount: all.length,
    sort: Object.fromEntries((['name', 'province', 'region', 'state', 'due'] as const).map((s) => [s, sortLink(s)])),
    form: {
      steps: overview.steps.map((s) => ({ value: s.key, label: `${s.number}. ${stepName(s)}`, selected: s.key === step.key })),
      views: [
        { value: '', label: language === 'en' ? 'Municipalities' : 'Gemeenten', selected: filter.view === 'municipalities' },
        { value: 'regions', label: language === 'en' ? 'Regions (steps 1 and 2)' : "Regio's (stap 1 en 2)", selected: filter.view === 'regions' },
      ],
      provinces: overview.provinces.map((p) => ({ value: p.code, label: p.name, selected: p.code === filter.province })),
      regions: overview.regions
        .filter((r) => !filter.province || r.provinceCodes.includes(filter.province))
        .map((r) => ({ value: r.code, label: r.name, selected: r.code === filter.region })),
      states: OVERVIEW_STATES.map((s) => ({ value: s, label: STATE_LABELS[s][language], selected: s === filter.state })),
      sort: filter.sort === 'name' ? '' : filter.sort,
      dir: filter.descending ? 'desc' : '',
      lang: language === 'nl' ? '' : language,
    },
    totals: {
      states: OVERVIEW_STATES.map((s) => ({ state: s, label: STATE_LABELS[s][language] })),
      provinces: sum.provinces.map((p) => ({ name: p.name, total: p.steps[stepIndex].total, counts: OVERVIEW_STATES.map((s) => p.steps[stepIndex].counts[s]) })),
      national: { total: sum.all[stepIndex]?.total ?? 0, counts: OVERVIEW_STATES.map((s) => sum.all[stepIndex]?.counts[s] ?? 0) },
      steps: overview.steps.map((s, i) => ({ name: `${s.number}. ${stepName(s)}`, total: sum.all[i].total, counts: OVERVIEW_STATES.map((st) => sum.all[i].counts[st]) })),
    },
    timeline: months.map((m) => ({
      month: formatMonth(m.month, language),
      total: m.total,
      steps: m.steps.filter((s) => s.count > 0).map((s) => ({ name: stepName(overview.steps.find((d) => d.key === s.step)!), count: s.count })),
    })),
    timelineMax: maxMonth,
    exports: { csv: exportHref('csv'), xlsx: exportHref('xlsx'), allCsv: exportHref('csv', true), allXlsx: exportHref('xlsx', true) },
    shareHref: overviewHref(filter, language),
  };
}

const MONTHS: Record<Language, readonly string[]> = {
  nl: DUTCH_MONTHS,
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
};
const formatMonth = (yearMonth: string, language: Language) => `${MONTHS[language][Number(yearMonth.slice(5, 7)) - 1]} ${yearMonth.slice(0, 4)}`;
