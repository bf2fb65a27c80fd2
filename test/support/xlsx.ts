import { strFromU8, unzipSync } from 'fflate';

/**
 * Reads the first sheet (or the sheet named) of an XLSX file into rows of strings, by its OOXML parts
 * (workbook, shared strings, sheet XML) and nothing of the library that wrote it: the tests' independent
 * reader of the exports.
 */
export function readXlsx(file: Buffer | Uint8Array, sheetName?: string): { sheets: string[]; rows: string[][] } {
  const parts = unzipSync(new Uint8Array(file));
  const text = (name: string) => {
    const part = parts[name];
    if (!part) throw new Error(`the XLSX has no part ${name}: ${Object.keys(parts).join(', ')}`);
    return strFromU8(part);
  };
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n))).replace(/&amp;/g, '&');
  const attribute = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1] ?? '';
  const sheets = [...text('xl/workbook.xml').matchAll(/<sheet\b[^>]*>/g)].map((m) => ({ name: unescape(attribute(m[0], 'name')), rid: attribute(m[0], 'r:id') }));
  const rels = new Map([...text('xl/_rels/workbook.xml.rels').matchAll(/<Relationship\b[^>]*\bId="([^"]*)"[^>]*\bTarget="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  const sheet = sheetName ? sheets.find((s) => s.name === sheetName) : sheets[0];
  if (!sheet) throw new Error(`no sheet ${sheetName}; the XLSX has ${sheets.map((s) => s.name).join(', ')}`);
  const target = rels.get(sheet.rid)!.replace(/^\//, '').replace(/^(?!xl\/)/, 'xl/');
  const shared = parts['xl/sharedStrings.xml']
    ? [...text('xl/sharedStrings.xml').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => unescape([...m[1].matchAll(/<t\b[^>]*>([\s\S]*?)<\/t>/g)].map((t) => t[1]).join('')))
    : [];
  const column = (ref: string) => [...ref.replace(/\d+$/, '')].reduce((n, c) => n * 26 + c.charCodeAt(0) - 64, 0) - 1;
  const rows = [...text(target).matchAll(/<row\b[^>]*>([\s\S]*?)<\/row>/g)].map((row) => {
    const cells: string[] = [];
    for (const c of row[1].matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const ref = /\br="([A-Z]+\d+)"/.exec(c[1])?.[1];
      const type = /\bt="([^"]*)"/.exec(c[1])?.[1];
      const inner = c[2] ?? '';
      const v = /<v>([\s\S]*?)<\/v>/.exec(inner)?.[1];
      const value = type === 's' ? shared[Number(v)] : type === 'inlineStr' ? unescape([...inner.matchAll(/<t\b[^>]*>([\s\S]*?)<\/t>/g)].map((t) => t[1]).join('')) : unescape(v ?? '');
      cells[ref ? column(ref) : cells.length] = value ?? '';
    }
    return Array.from(cells, (c) => c ?? '');
  });
  return { sheets: sheets.map((s) => s.name), rows };
}
