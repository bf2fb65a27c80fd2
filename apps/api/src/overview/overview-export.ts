import { stringify } from 'csv-stringify/sync';
import type WriteExcelFile from 'write-excel-file/node' with { 'resolution-mode': 'import' };
import type { ExportFormat, Language, OverviewState } from '../../../../libs/contracts/enums';
import { OVERVIEW_STATES } from '../../../../libs/contracts/enums';
import { ATTRIBUTION, DATE_KIND_LABELS, STATE_DEFINITIONS, STATE_LABELS } from '../../../../libs/overview/labels';
import type { Overview, OverviewFilter, OverviewStep, SelectedOwner } from '../../../../libs/overview/overview';

/**
 * The overview's exports: one row per owner and step, the same selection as the table (or every step when
 * the export names none), with the date's derivation, the rulebook version it runs under, and the contacts
 * only where the caller may see personal data for that owner (the policy decides, per row: a province sees
 * its own municipalities' contacts, not another province's). CSV by `csv-stringify`; XLSX by
 * `write-excel-file` (maintained, one dependency, writes from plain rows; `exceljs` has had no release since
 * 2023), with a second sheet that says what the file is: when, which filter, which rulebook, the source.
 */

// write-excel-file's types are an ES module's; its CommonJS build (`require` of write-excel-file/node) is the same release.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const writeExcelFile: typeof WriteExcelFile = require('write-excel-file/node').default;

/** What the read model holds per instance beyond the overview: the derivation in words and the rulebook. */
export interface InstanceDetail {
  derivation: string | null;
  rulebookId: string;
}

export interface ExportInput {
  overview: Overview;
  /** Each step's selection (the filter with that step). */
  selections: { step: OverviewStep; owners: SelectedOwner[] }[];
  /** `owner_kind:owner_code:step` to its detail. */
  details: ReadonlyMap<string, InstanceDetail>;
  /** Contacts per `kind:code` (programme managers, regional coordinators). */
  contacts: ReadonlyMap<string, string[]>;
  /** Whether the caller may see personal data of this owner (libs/access/policy.ts). */
  personal: (kind: SelectedOwner['kind'], code: string) => boolean;
  filter: Partial<OverviewFilter>;
  generatedAt: Date;
  language: Language;
}

const HEADERS: Record<Language, string[]> = {
  nl: ['Code', 'Naam', 'Soort', 'Provincie', 'Regio', 'Stap', 'Stapnummer', 'Instantie', 'Stand', 'Standcode', 'Datum', 'Soort datum', 'Afleiding', 'Regelboekversie', 'Contactpersonen', 'Bron'],
  en: ['Code', 'Name', 'Kind', 'Province', 'Region', 'Step', 'Step number', 'Instance', 'State', 'State code', 'Date', 'Date kind', 'Derivation', 'Rulebook version', 'Contacts', 'Source'],
};
const KIND: Record<Language, Record<SelectedOwner['kind'], string>> = { nl: { municipality: 'gemeente', region: 'regio' }, en: { municipality: 'municipality', region: 'region' } };
const NOT_IN_SCOPE: Record<Language, string> = { nl: '(niet in uw bereik)', en: '(not within your scope)' };

/** The rows of an export, header first: strings only, the same for CSV and XLSX. */
export function exportRows(input: ExportInput): string[][] {
  const { overview, language } = input;
  const provinceName = new Map(overview.provinces.map((p) => [p.code, p.name]));
  const regionName = new Map(overview.regions.map((r) => [r.code, r.name]));
  const rows: string[][] = [HEADERS[language]];
  for (const { step, owners } of input.selections) {
    for (const o of owners) {
      const cell = o.cell;
      const detail = cell.step ? input.details.get(`${cell.owner.kind}:${cell.owner.code}:${cell.step}`) : undefined;
      const contacts = input.personal(cell.owner.kind, cell.owner.code) ? (input.contacts.get(`${cell.owner.kind}:${cell.owner.code}`) ?? []).join('; ') : NOT_IN_SCOPE[language];
      rows.push([
        o.code,
        o.name,
        KIND[language][o.kind],
        o.provinceCodes.map((c) => provinceName.get(c) ?? c).join(', '),
        o.regionCode ? `${regionName.get(o.regionCode) ?? o.regionCode} (${o.regionCode})` : '',
        language === 'en' ? step.nameEn : step.nameNl,
        String(step.number),
        cell.step ?? '',
        STATE_LABELS[cell.state][language],
        cell.state,
        cell.dueDate ?? '',
        cell.dateKind ? DATE_KIND_LABELS[cell.dateKind][language] : '',
        detail?.derivation ?? '',
        detail?.rulebookId ?? '',
        contacts,
        ATTRIBUTION[language],
      ]);
    }
  }
  return rows;
}

/** The second sheet of the XLSX: what the file holds. */
function aboutRows(input: ExportInput, rowCount: number): string[][] {
  const nl = input.language === 'nl';
  const filter = Object.entries(input.filter)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return [
    [nl ? 'Regie: landelijk overzicht Wet versterking regie volkshuisvesting' : 'Regie: national overview, Wet versterking regie volkshuisvesting', ''],
    [nl ? 'Gemaakt op' : 'Generated at', input.generatedAt.toISOString()],
    [nl ? 'Stand per datum (Amsterdam)' : 'State as of (Amsterdam)', input.overview.today],
    [nl ? 'Filter' : 'Filter', filter || (nl ? 'geen: alle stappen, alle gemeenten en regio\'s' : 'none: every step, municipality and region')],
    [nl ? 'Regelboekversies in gebruik' : 'Rulebook versions in use', input.overview.rulebookIds.join(', ')],
    [nl ? 'Rijen' : 'Rows', String(rowCount)],
    [nl ? 'Contactpersonen' : 'Contacts', nl ? 'alleen voor gemeenten en regio\'s binnen uw bereik' : 'only for municipalities and regions within your scope'],
    ...OVERVIEW_STATES.map((s: OverviewState) => [STATE_LABELS[s][input.language], STATE_DEFINITIONS[s][input.language]]),
    [nl ? 'Bron' : 'Source', ATTRIBUTION[input.language]],
  ];
}

export const EXPORT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The file: CSV with a byte order mark (so spreadsheet programs read it as UTF-8), or XLSX. */
export async function exportFile(format: ExportFormat, input: ExportInput): Promise<Buffer> {
  const rows = exportRows(input);
  if (format === 'csv') return Buffer.from(`\uFEFF${stringify(rows, { record_delimiter: '\r\n' })}`, 'utf8');
  const widths = rows[0].map((_, i) => ({ width: Math.min(60, Math.max(8, ...rows.slice(0, 200).map((r) => r[i].length))) }));
  return writeExcelFile([
    { data: rows, sheet: input.language === 'nl' ? 'Overzicht' : 'Overview', columns: widths, stickyRowsCount: 1 },
    { data: aboutRows(input, rows.length - 1), sheet: input.language === 'nl' ? 'Over dit bestand' : 'About this file', columns: [{ width: 34 }, { width: 100 }] },
  ]).toBuffer();
}
