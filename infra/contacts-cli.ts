/**
 * `npm run contacts -- load <file.json>`: loads organisations and their contacts through the running API
 * (POST /organisations/load: one transaction, so a refused file stores nothing). The file:
 *   { "organisations": [ { "key": "ymere", "kind": "housing-corporation", "name": "Ymere",
 *       "municipalities": ["GM0363", "GM0384"],
 *       "contacts": [ { "email": "prestatieafspraken@ymere.example", "role": "housing-corporation",
 *                       "language": "nl", "delivery": "digest" } ] } ] }
 * An organisation without "contacts" keeps the contacts it has; a contact without "delivery" keeps its
 * address's preference. A refusal names the field (`organisations.1.contacts.0.delivery`).
 */
import { readFileSync } from 'node:fs';
import { apiClient } from './api-client';

interface LoadResult {
  organisations: { key: string; created: boolean; contacts: unknown[] }[];
}

/** Runs one command line (`load <file>`) against the API that `apiClient` finds; returns the summary it prints. */
export async function runContactsCli(args: string[]): Promise<string> {
  const [command, file] = args;
  if (command !== 'load' || !file) throw new Error('usage: npm run contacts -- load <file.json>');
  let parsed: { organisations?: unknown };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed?.organisations)) throw new Error(`${file}: expected { "organisations": [ ... ] }`);
  const { request } = apiClient();
  // The API checks every field; the file is sent whole so that it lands entirely or not at all.
  const result: LoadResult = await request('POST', '/organisations/load', { organisations: parsed.organisations }).catch((err) => {
    throw new Error(`${file}: nothing loaded: ${err.message}`);
  });
  const created = result.organisations.filter((o) => o.created).length;
  const contacts = result.organisations.reduce((n, o) => n + o.contacts.length, 0);
  return `Loaded ${result.organisations.length} organisations (${created} new) with ${contacts} contacts.`;
}

if (require.main === module) {
  runContactsCli(process.argv.slice(2)).then(
    (summary) => console.log(summary),
    (err) => {
      console.error(`[contacts] ${err.message}`);
      process.exit(1);
    },
  );
}
