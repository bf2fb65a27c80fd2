import * as path from 'node:path';
import { readReferenceData } from '../db/reference-data';
import { MAP_HEIGHT, MAP_WIDTH, mapGeometry, regionShapes, renderMapSvg } from './map';

const dir = process.env.REFERENCE_DATA_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'domain');

describe('the overview map from the shipped TopoJSON', () => {
  const geometry = mapGeometry(dir);
  const numbers = (d: string) => (d.match(/-?\d+(\.\d+)?/g) ?? []).map(Number);

  it('projects all 342 municipalities of the reference list into the map, none covering the globe', () => {
    const codes = readReferenceData(dir).municipalities.map((m) => m.code).sort();
    expect([...geometry.municipalities.keys()].sort()).toEqual(codes);
    for (const [code, d] of geometry.municipalities) {
      const xy = numbers(d);
      expect({ code, inside: xy.every((v, i) => v >= -1 && v <= (i % 2 ? MAP_HEIGHT : MAP_WIDTH) + 1) }).toEqual({ code, inside: true });
    }
    expect(geometry.provinceOutlines.length).toBeGreaterThan(1000);
  });

  it('merges the municipalities of each region into one shape and draws the borders between regions', () => {
    const data = readReferenceData(dir);
    const corop = new Map(data.members.filter((m) => data.regions.find((r) => r.code === m.regionCode)?.grouping === 'corop').map((m) => [m.municipalityCode, m.regionCode]));
    const { regions, outlines } = regionShapes(geometry, corop);
    expect(regions.size).toBe(new Set(corop.values()).size);
    expect(outlines.length).toBeGreaterThan(1000);
  });

  it('draws a link per shape with its words, escaped, and no link for a shape without one', () => {
    const svg = renderMapSvg({
      title: 'Kaart',
      kind: 'municipality',
      paths: geometry.municipalities,
      outlines: [geometry.provinceOutlines],
      shapes: [
        { code: 'GM0363', state: 'overdue', label: 'Amsterdam: <programma> "x"', href: '/municipalities/GM0363', out: false },
        { code: 'GM0599', state: 'late', label: 'Rotterdam', href: null, out: true },
      ],
    });
    expect(svg).toContain('<a class="regie-map__area" href="/municipalities/GM0363" aria-label="Amsterdam: &#60;programma&#62; &#34;x&#34;"');
    expect(svg).toContain('<g class="regie-map__area regie-map__area--out" data-label="Rotterdam"><path class="regie-map__shape regie-state--late"');
    expect(svg.match(/<path class="regie-map__shape/g)).toHaveLength(2);
  });
});
