import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The running API's address and admin token, as `npm start` leaves them, for the command-line tools:
 * `request` sends one call, `all` reads every page of a list.
 */
export function apiClient() {
  const root = path.resolve(__dirname, '..', '..');
  const baseUrl = process.env.REGIE_API_URL ?? `http://localhost:${process.env.PORT ?? 3000}`;
  const tokenFile = path.join(process.env.REGIE_DATA_DIR ?? path.join(root, '.data'), 'admin-token');
  const token = process.env.ADMIN_TOKEN ?? (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const request = async (method: string, url: string, body?: unknown): Promise<any> => {
    if (!token) throw new Error(`no admin token: start the system with npm start first (it writes ${tokenFile}) or set ADMIN_TOKEN`);
    const res = await fetch(`${baseUrl}${url}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).catch((err) => {
      throw new Error(`cannot reach the API at ${baseUrl} (${err.cause?.code ?? err.message}): is npm start running?`);
    });
    const json = (await res.json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${json.message ?? JSON.stringify(json)}`);
    return json;
  };
  return { baseUrl, request, all: <T>(path: string) => allPages<T>((page) => request('GET', page), path) };
}

/** One page of a list as the API answers it (apps/api/src/edge/paging.ts). */
export interface ApiPage<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Every row of a paged list: asks for the largest page (`limit=500`) and follows `nextCursor` until the last
 * page. `get` fetches one page's path (the caller's client, which authenticates and fails on an error).
 */
export async function allPages<T>(get: (path: string) => Promise<ApiPage<T>>, path: string, limit = 500): Promise<T[]> {
  const items: T[] = [];
  const separator = path.includes('?') ? '&' : '?';
  let cursor: string | null = null;
  do {
    const page: ApiPage<T> = await get(`${path}${separator}limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return items;
}
