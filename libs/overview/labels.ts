import type { DateKind, Language, OverviewState } from '../contracts/enums';

/** The words of the overview's states, in the legend, the table, the map's labels and the exports (one place). */
export const STATE_LABELS: Record<OverviewState, Record<Language, string>> = {
  done: { nl: 'Afgerond', en: 'Done' },
  waived: { nl: 'Vrijgesteld', en: 'Waived' },
  'not-onboarded': { nl: 'Nog niet aangesloten', en: 'Not onboarded' },
  'on-track': { nl: 'Op schema', en: 'On track' },
  'due-soon': { nl: 'Binnen 90 dagen', en: 'Due within 90 days' },
  overdue: { nl: 'Termijn verstreken', en: 'Overdue' },
  late: { nl: 'Achter op planning', en: 'Late against plan' },
};

/** What each state means, for the legend and the export's notes. */
export const STATE_DEFINITIONS: Record<OverviewState, Record<Language, string>> = {
  done: { nl: 'De stap is afgerond met bewijs (raadsbesluit, publicatie of document).', en: 'The step is done, with evidence.' },
  waived: { nl: 'De provincie heeft vrijstelling verleend.', en: 'The province granted a waiver.' },
  'not-onboarded': { nl: 'De gemeente of regio is nog niet in Regie aangesloten.', en: 'The municipality or region is not onboarded yet.' },
  'on-track': { nl: 'Open; de datum ligt meer dan 90 dagen vooruit (of is nog niet gepland).', en: 'Open; the date is more than 90 days ahead (or not planned yet).' },
  'due-soon': { nl: 'Open; de datum valt binnen 90 dagen.', en: 'Open; due within 90 days.' },
  overdue: { nl: 'Een wettelijke termijn is verstreken.', en: 'A statutory term has passed.' },
  late: { nl: 'Een streefdatum is verstreken; dat is geen termijnoverschrijding in de zin van de wet.', en: 'A target date has passed; not overdue in law.' },
};

export const DATE_KIND_LABELS: Record<DateKind, Record<Language, string>> = {
  statutory: { nl: 'wettelijke termijn', en: 'statutory term' },
  target: { nl: 'streefdatum', en: 'target date' },
};

/** The attribution the map and every export carry (CC BY 4.0 asks to name CBS; ../shared/domain/SOURCES.md section 4). */
export const ATTRIBUTION: Record<Language, string> = {
  nl: 'Bron: CBS, Gemeentelijke indeling op 1 januari 2026; gemeentegrenzen: CBS/PDOK, CBS Gebiedsindelingen 2026 (vereenvoudigd), CC BY 4.0',
  en: 'Bron: CBS, Gemeentelijke indeling op 1 januari 2026; boundaries: CBS/PDOK, CBS Gebiedsindelingen 2026 (simplified), CC BY 4.0',
};
