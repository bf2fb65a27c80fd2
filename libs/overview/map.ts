import type * as D3Geo from 'd3-geo';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as topojson from 'topojson-client';
import type { GeometryCollection, MultiPolygon, Polygon, Topology } from 'topojson-specification';
import type { OverviewState } from '../contracts/enums';
import { MAP_FILE } from '../db/reference-data';

/**
 * The overview's map: the shipped CBS TopoJSON (municipalities and provinces) projected once per process
 * with d3-geo into SVG paths; each request only chooses classes (the state colours live in the theme's
 * `.regie-state--<state>`), labels and links. Drawn on the server, so the map needs no script and the same
 * SVG is what the browser tests count.
 *
 * d3-geo 3.1 is an ES module: Node 24 `require`s it as one; Jest, which cannot, maps it (and its d3-array)
 * to the UMD builds of the same releases (jest.config.js).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const d3: typeof D3Geo = require('d3-geo');

export const MAP_WIDTH = 560;
export const MAP_HEIGHT = 660;

interface MunicipalityProps {
  code: string;
  name: string;
  province_code: string;
}

export interface MapGeometry {
  /** Municipality code to its SVG path. */
  municipalities: Map<string, string>;
  provinceOutlines: string;
  topology: Topology;
  projectionPath: D3Geo.GeoPath;
}

const cache = new Map<string, MapGeometry>();

/** The projected map of a reference data folder, read once per process. */
export function mapGeometry(referenceDataDir: string): MapGeometry {
  const file = path.join(referenceDataDir, MAP_FILE);
  const known = cache.get(file);
  if (known) return known;
  let topology: Topology;
  try {
    topology = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`map ${file} cannot be read (set REFERENCE_DATA_DIR to the folder holding ${MAP_FILE}): ${(err as Error).message}`);
  }
  const municipalities = topology.objects.municipalities as GeometryCollection<MunicipalityProps> | undefined;
  const provinces = topology.objects.provinces as GeometryCollection | undefined;
  if (!municipalities || !provinces) throw new Error(`map ${file} lacks the objects "municipalities" and "provinces"`);
  const features = topojson.feature(topology, municipalities);
  for (const f of features.features) rewind(f);
  const projection = d3.geoMercator().fitExtent(
    [
      [4, 4],
      [MAP_WIDTH - 4, MAP_HEIGHT - 4],
    ],
    features,
  );
  const projectionPath = d3.geoPath(projection).digits(1);
  const paths = new Map<string, string>();
  for (const f of features.features) {
    const code = f.properties?.code ?? String(f.id);
    paths.set(code, projectionPath(f) ?? '');
  }
  const geometry: MapGeometry = { municipalities: paths, provinceOutlines: projectionPath(topojson.mesh(topology, provinces)) ?? '', topology, projectionPath };
  cache.set(file, geometry);
  return geometry;
}

/** d3-geo draws a polygon's inside by spherical winding: a ring drawn the other way round covers the globe. */
function rewind(f: GeoJSON.Feature) {
  if (d3.geoArea(f) <= 2 * Math.PI) return;
  const g = f.geometry;
  if (g.type === 'Polygon') g.coordinates = g.coordinates.map((ring) => [...ring].reverse());
  if (g.type === 'MultiPolygon') g.coordinates = g.coordinates.map((poly) => poly.map((ring) => [...ring].reverse()));
}

/** The outlines between regions of a grouping (municipality code to region code), and each region's merged shape. */
export function regionShapes(geometry: MapGeometry, regionOf: ReadonlyMap<string, string>): { outlines: string; regions: Map<string, string> } {
  const collection = geometry.topology.objects.municipalities as GeometryCollection<MunicipalityProps>;
  const regionOfGeometry = (g: { properties?: Partial<MunicipalityProps> | null; id?: string | number }) => regionOf.get(g.properties?.code ?? String(g.id));
  const outlines = geometry.projectionPath(topojson.mesh(geometry.topology, collection, (a, b) => regionOfGeometry(a) !== regionOfGeometry(b))) ?? '';
  const byRegion = new Map<string, (Polygon | MultiPolygon)[]>();
  for (const g of collection.geometries) {
    const region = regionOfGeometry(g);
    if (region && (g.type === 'Polygon' || g.type === 'MultiPolygon')) (byRegion.get(region) ?? byRegion.set(region, []).get(region)!).push(g);
  }
  const regions = new Map<string, string>();
  for (const [code, members] of byRegion) {
    const merged = topojson.merge(geometry.topology, members);
    rewind({ type: 'Feature', properties: {}, geometry: merged });
    regions.set(code, geometry.projectionPath(merged) ?? '');
  }
  return { outlines, regions };
}

/** One shape on the map: its state, the words a hover or focus shows, and where a click goes. */
export interface MapShape {
  code: string;
  /** The class `regie-state--<state>`: an overview state, or another page's own (the rulebook preview's moves). */
  state: OverviewState | (string & {});
  label: string;
  /** Where a click goes; null where the caller may not open the owner's page, or it is outside the filter. */
  href: string | null;
  /** Outside the filter: drawn pale. */
  out: boolean;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The SVG: one `<path>` per shape (inside a focusable link when it has one, with a `<title>` for hover),
 * the outlines on top. `shapes` are drawn with their paths from `paths` (municipalities or merged regions).
 */
export function renderMapSvg(opts: { title: string; paths: ReadonlyMap<string, string>; shapes: MapShape[]; outlines: string[]; kind: 'municipality' | 'region' }): string {
  const body = opts.shapes
    .map((s) => {
      const d = opts.paths.get(s.code);
      if (!d) return '';
      const shape = `<path class="regie-map__shape regie-state--${s.state}" d="${d}" data-code="${s.code}" data-state="${s.state}" data-kind="${opts.kind}"><title>${escape(s.label)}</title></path>`;
      const area = `regie-map__area${s.out ? ' regie-map__area--out' : ''}`;
      return s.href
        ? `<a class="${area}" href="${escape(s.href)}" aria-label="${escape(s.label)}" data-label="${escape(s.label)}">${shape}</a>`
        : `<g class="${area}" data-label="${escape(s.label)}">${shape}</g>`;
    })
    .join('');
  const outlines = opts.outlines.filter(Boolean).map((d, i) => `<path class="regie-map__outline regie-map__outline--${i}" d="${d}" aria-hidden="true"/>`).join('');
  return `<svg class="regie-map" viewBox="0 0 ${MAP_WIDTH} ${MAP_HEIGHT}" role="group" aria-label="${escape(opts.title)}" xmlns="http://www.w3.org/2000/svg">${body}${outlines}</svg>`;
}
