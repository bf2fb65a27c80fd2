import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The running API's address and admin token, as `npm start` leaves them, for the command-line tools. */
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
  return { baseUrl, request };
}
