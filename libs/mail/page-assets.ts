import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The style sheets of every page (mail-link pages, sign-in, the step and overview pages) and the two small
 * scripts (`page-assets/regie-map.js`, the overview map's; `regie-rollout.js`, the rulebook page's live
 * rollout progress), served
 * same-origin under `/assets/` (apps/api/src/pages/assets.controller.ts): the NL Design System components
 * (`@utrecht/component-library-css`, EUPL-1.2) and Regie's own neutral theme (`page-assets/regie-theme.css`:
 * the tokens the components read). Each file's URL carries a hash of its content, so it may be cached for a
 * year and a new version is a new URL. Read once per process.
 */
export interface PageAsset {
  /** `/assets/utrecht-components.3f2a9c1b.css` */
  path: string;
  body: Buffer;
  contentType: string;
}

const compiled = path.basename(path.resolve(__dirname, '..', '..')) === 'dist';
const ROOT = path.resolve(__dirname, '..', '..', compiled ? '..' : '');

/** The sheets in the order the layout links them: components first, the theme's tokens and frame after. */
const SOURCES = {
  components: path.join(ROOT, 'node_modules', '@utrecht', 'component-library-css', 'dist', 'index.css'),
  theme: path.join(ROOT, 'libs', 'mail', 'page-assets', 'regie-theme.css'),
  // The overview map's hover and focus box (also on the rulebook page's map).
  map: path.join(ROOT, 'libs', 'mail', 'page-assets', 'regie-map.js'),
  // The rulebook page's live rollout progress (EventSource on the page's own event stream).
  rollout: path.join(ROOT, 'libs', 'mail', 'page-assets', 'regie-rollout.js'),
} as const;
export type PageAssetName = keyof typeof SOURCES;
const FILE_NAMES: Record<PageAssetName, string> = { components: 'utrecht-components', theme: 'regie-theme', map: 'regie-map', rollout: 'regie-rollout' };

let cached: { byName: Record<PageAssetName, PageAsset>; byFile: Map<string, PageAsset> } | undefined;

function load() {
  if (cached) return cached;
  const byName = {} as Record<PageAssetName, PageAsset>;
  const byFile = new Map<string, PageAsset>();
  for (const name of Object.keys(SOURCES) as PageAssetName[]) {
    let body: Buffer;
    try {
      body = readFileSync(SOURCES[name]);
    } catch {
      throw new Error(`page asset ${SOURCES[name]} cannot be read (npm ci installs @utrecht/component-library-css)`);
    }
    const extension = path.extname(SOURCES[name]);
    const file = `${FILE_NAMES[name]}.${createHash('sha256').update(body).digest('hex').slice(0, 12)}${extension}`;
    const asset = { path: `/assets/${file}`, body, contentType: extension === '.js' ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8' };
    byName[name] = asset;
    byFile.set(file, asset);
  }
  cached = { byName, byFile };
  return cached;
}

/** The URL of a sheet, for the page layout (`{{asset "components"}}`). */
export function pageAssetPath(name: string): string {
  const assets = load().byName;
  if (!Object.hasOwn(assets, name)) throw new Error(`no page asset ${name}: choose ${Object.keys(assets).join(', ')}`);
  return assets[name as PageAssetName].path;
}

/** The asset a `/assets/<file>` request names, or undefined. */
export const pageAsset = (file: string): PageAsset | undefined => load().byFile.get(file);

/** Reads every sheet now, so a missing one stops the start instead of the first page. */
export const loadPageAssets = (): void => void load();
