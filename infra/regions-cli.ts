/**
 * `npm run regions -- load <grouping> <file.csv>`: loads another regional grouping (for example the
 * woningmarktregio's) through the running API. The CSV has the columns
 * `municipality_code,region_code,region_name`, one row for each of the 342 municipalities.
 * Set REGION_GROUPING=<grouping> for the API and workers to run steps 1 and 2 per region of that grouping.
 */
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { apiClient } from './api-client';

async function main(): Promise<void> {
  const [command, grouping, file] = process.argv.slice(2);
  if (command !== 'load' || !grouping || !file) throw new Error('usage: npm run regions -- load <grouping> <file.csv>');
  const rows: Record<string, string>[] = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true });
  const regions = new Map<string, { code: string; name: string; municipalities: string[] }>();
  for (const row of rows) {
    const code = row.region_code;
    if (!regions.has(code)) regions.set(code, { code, name: row.region_name, municipalities: [] });
    regions.get(code)!.municipalities.push(row.municipality_code);
  }
  const result = await apiClient().request('PUT', `/regions/groupings/${encodeURIComponent(grouping)}`, { regions: [...regions.values()] });
  console.log(`Grouping ${result.grouping}: ${result.regions} regions, ${result.municipalities} municipalities loaded.`);
}

main().catch((err) => {
  console.error(`[regions] ${err.message}`);
  process.exit(1);
});
