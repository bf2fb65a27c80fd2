import { parse } from 'csv-parse/sync';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';

export const MUNICIPALITIES_FILE = 'municipalities-2026.csv';
export const REGIONS_FILE = 'regions-2026.csv';
/** The CBS municipal boundaries of the same year with the provinces, as TopoJSON (libs/overview/map.ts draws them). */
export const MAP_FILE = 'municipalities-2026.topojson';

export interface ReferenceData {
  provinces: { code: string; name: string }[];
  municipalities: { code: string; name: string; provinceCode: string }[];
  regions: { code: string; name: string; grouping: string }[];
  members: { regionCode: string; municipalityCode: string }[];
}

function readCsv(dir: string, file: string, columns: string[]): Record<string, string>[] {
  const source = path.join(dir, file);
  if (!existsSync(source)) {
    throw new Error(`Reference data file ${source} not found (set REFERENCE_DATA_DIR to the folder holding ${file})`);
  }
  const rows: Record<string, string>[] = parse(readFileSync(source, 'utf8'), { columns: true, skip_empty_lines: true, trim: true });
  const header = rows.length ? Object.keys(rows[0]) : [];
  const missing = columns.filter((c) => !header.includes(c));
  if (missing.length) throw new Error(`Reference data file ${source} lacks column(s) ${missing.join(', ')}`);
  rows.forEach((row, i) =>
    columns.forEach((c) => {
      if (!row[c]) throw new Error(`Reference data file ${source}, row ${i + 2}: column ${c} is empty`);
    }),
  );
  return rows;
}

/** Reads and cross-checks the CBS municipality list and the COROP membership from the reference folder. */
export function readReferenceData(dir: string): ReferenceData {
  const municipalityRows = readCsv(dir, MUNICIPALITIES_FILE, ['code', 'name', 'province_code', 'province_name']);
  const regionRows = readCsv(dir, REGIONS_FILE, ['municipality_code', 'corop_code', 'corop_name']);
  const provinces = new Map<string, string>();
  const municipalities = municipalityRows.map((row, i) => {
    if (!/^GM\d{4}$/.test(row.code)) throw new Error(`${MUNICIPALITIES_FILE}, row ${i + 2}: code ${row.code} is not a CBS GM code`);
    if (!/^PV\d{2}$/.test(row.province_code)) throw new Error(`${MUNICIPALITIES_FILE}, row ${i + 2}: bad province_code`);
    const known = provinces.get(row.province_code);
    if (known && known !== row.province_name) throw new Error(`${MUNICIPALITIES_FILE}: province ${row.province_code} has two names`);
    provinces.set(row.province_code, row.province_name);
    return { code: row.code, name: row.name, provinceCode: row.province_code };
  });
  const codes = new Set(municipalities.map((m) => m.code));
  if (codes.size !== municipalities.length) throw new Error(`${MUNICIPALITIES_FILE}: duplicate municipality codes`);
  const regions = new Map<string, string>();
  const members = regionRows.map((row, i) => {
    if (!codes.has(row.municipality_code)) throw new Error(`${REGIONS_FILE}, row ${i + 2}: unknown municipality ${row.municipality_code}`);
    regions.set(row.corop_code, row.corop_name);
    return { regionCode: row.corop_code, municipalityCode: row.municipality_code };
  });
  const withoutRegion = municipalities.filter((m) => !members.some((r) => r.municipalityCode === m.code));
  if (withoutRegion.length) throw new Error(`${REGIONS_FILE}: no COROP region for ${withoutRegion.map((m) => m.code).join(', ')}`);
  return {
    provinces: [...provinces].map(([code, name]) => ({ code, name })),
    municipalities,
    regions: [...regions].map(([code, name]) => ({ code, name, grouping: 'corop' })),
    members,
  };
}

export interface RegionGroupingRow {
  municipalityCode: string;
  regionCode: string;
  regionName: string;
}

export class RegionGroupingError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = 'RegionGroupingError';
  }
}

/**
 * Loads (or replaces) one regional grouping as data: every municipality in exactly one region, region
 * codes not used by another grouping. Regions are upserted, memberships replaced in one transaction.
 */
export async function loadRegionGrouping(dataSource: DataSource, grouping: string, rows: RegionGroupingRow[]): Promise<{ regions: number; municipalities: number }> {
  if (!/^[a-z][a-z0-9-]{1,39}$/.test(grouping)) throw new RegionGroupingError('grouping', 'grouping must be lower-case letters, digits and dashes');
  const known: { code: string }[] = await dataSource.query(`SELECT code FROM municipality`);
  const seen = new Map<string, string>();
  const regions = new Map<string, string>();
  rows.forEach((row, i) => {
    if (!known.some((m) => m.code === row.municipalityCode)) throw new RegionGroupingError(`rows.${i}.municipalityCode`, `unknown municipality ${row.municipalityCode}`);
    if (seen.has(row.municipalityCode)) throw new RegionGroupingError(`rows.${i}.municipalityCode`, `${row.municipalityCode} appears twice`);
    if (!/^[A-Z]{2}\d{2,3}$/.test(row.regionCode)) throw new RegionGroupingError(`rows.${i}.regionCode`, 'regionCode must be two capitals and 2-3 digits, e.g. WM12');
    if (!row.regionName?.trim()) throw new RegionGroupingError(`rows.${i}.regionName`, 'regionName is required');
    const name = regions.get(row.regionCode);
    if (name && name !== row.regionName) throw new RegionGroupingError(`rows.${i}.regionName`, `region ${row.regionCode} has two names`);
    seen.set(row.municipalityCode, row.regionCode);
    regions.set(row.regionCode, row.regionName);
  });
  const missing = known.filter((m) => !seen.has(m.code));
  if (missing.length) throw new RegionGroupingError('rows', `no region for ${missing.length} municipalities, e.g. ${missing[0].code}`);
  const clash: { code: string; grouping: string }[] = await dataSource.query(`SELECT code, grouping FROM region WHERE code = ANY($1) AND grouping <> $2`, [[...regions.keys()], grouping]);
  if (clash.length) throw new RegionGroupingError('rows', `region code ${clash[0].code} belongs to grouping ${clash[0].grouping}`);
  await dataSource.transaction(async (tx) => {
    for (const [code, name] of regions) {
      await tx.query(`INSERT INTO region (code, name, grouping) VALUES ($1, $2, $3) ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name`, [code, name, grouping]);
    }
    await tx.query(`DELETE FROM region_member WHERE region_code IN (SELECT code FROM region WHERE grouping = $1)`, [grouping]);
    for (const row of rows) await tx.query(`INSERT INTO region_member (region_code, municipality_code) VALUES ($1, $2)`, [row.regionCode, row.municipalityCode]);
  });
  return { regions: regions.size, municipalities: rows.length };
}

/** Upserts the reference data; running it again changes nothing. COROP is loaded like any other grouping. */
export async function loadReferenceData(dataSource: DataSource, dir: string): Promise<ReferenceData> {
  const data = readReferenceData(dir);
  await dataSource.transaction(async (tx) => {
    for (const p of data.provinces) {
      await tx.query(`INSERT INTO province (code, name) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name`, [p.code, p.name]);
    }
    for (const m of data.municipalities) {
      await tx.query(
        `INSERT INTO municipality (code, name, province_code) VALUES ($1, $2, $3)
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, province_code = EXCLUDED.province_code`,
        [m.code, m.name, m.provinceCode],
      );
    }
  });
  const names = new Map(data.regions.map((r) => [r.code, r.name]));
  await loadRegionGrouping(
    dataSource,
    'corop',
    data.members.map((m) => ({ municipalityCode: m.municipalityCode, regionCode: m.regionCode, regionName: names.get(m.regionCode)! })),
  );
  return data;
}
