import { parse } from 'csv-parse/sync';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';

export const MUNICIPALITIES_FILE = 'municipalities-2026.csv';
export const REGIONS_FILE = 'regions-2026.csv';

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

/** Upserts the reference data in one transaction; running it again changes nothing. */
export async function loadReferenceData(dataSource: DataSource, dir: string): Promise<ReferenceData> {
  const data = readReferenceData(dir);
  await dataSource.transaction(async (tx) => {
    const upsert = async (sql: string, rows: unknown[][]) => {
      for (const row of rows) await tx.query(sql, row);
    };
    await upsert(
      `INSERT INTO province (code, name) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name`,
      data.provinces.map((p) => [p.code, p.name]),
    );
    await upsert(
      `INSERT INTO municipality (code, name, province_code) VALUES ($1, $2, $3)
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, province_code = EXCLUDED.province_code`,
      data.municipalities.map((m) => [m.code, m.name, m.provinceCode]),
    );
    await upsert(
      `INSERT INTO region (code, name, grouping) VALUES ($1, $2, $3) ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name`,
      data.regions.map((r) => [r.code, r.name, r.grouping]),
    );
    // The COROP grouping is replaced as a whole, so a municipality that moved region leaves no stale row.
    await tx.query(`DELETE FROM region_member WHERE region_code IN (SELECT code FROM region WHERE grouping = 'corop')`);
    await upsert(
      `INSERT INTO region_member (region_code, municipality_code) VALUES ($1, $2)`,
      data.members.map((m) => [m.regionCode, m.municipalityCode]),
    );
  });
  return data;
}
