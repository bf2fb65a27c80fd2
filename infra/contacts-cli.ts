/**
 * `npm run contacts -- load <file.json>`: loads organisations and their contacts through the running API
 * (PUT /organisations/:key and PUT /organisations/:key/contacts, each one transaction). The file:
 *   { "organisations": [ { "key": "ymere", "kind": "housing-corporation", "name": "Ymere",
 *       "municipalities": ["GM0363", "GM0384"],
 *       "contacts": [ { "email": "prestatieafspraken@ymere.example", "role": "housing-corporation" } ] } ] }
 * An organisation without "contacts" keeps the contacts it has. Stops at the first refusal, naming it.
 */
import { readFileSync } from 'node:fs';
import { apiClient } from './api-client';

interface OrganisationEntry {
  key: string;
  kind: string;
  name: string;
  code?: string;
  municipalities?: string[];
  contacts?: { email: string; name?: string; role: string; language?: string }[];
}

async function main(): Promise<void> {
  const [command, file] = process.argv.slice(2);
  if (command !== 'load' || !file) throw new Error('usage: npm run contacts -- load <file.json>');
  const { organisations } = JSON.parse(readFileSync(file, 'utf8')) as { organisations?: OrganisationEntry[] };
  if (!Array.isArray(organisations)) throw new Error(`${file}: expected { "organisations": [ ... ] }`);
  const { request } = apiClient();
  let contacts = 0;
  for (const [i, { key, contacts: list, ...organisation }] of organisations.entries()) {
    if (!key) throw new Error(`${file}: organisations.${i}.key is required`);
    await request('PUT', `/organisations/${encodeURIComponent(key)}`, organisation).catch((err) => {
      throw new Error(`organisations.${i} (${key}): ${err.message}`);
    });
    if (list) {
      await request('PUT', `/organisations/${encodeURIComponent(key)}/contacts`, { contacts: list }).catch((err) => {
        throw new Error(`organisations.${i}.contacts (${key}): ${err.message}`);
      });
      contacts += list.length;
    }
  }
  console.log(`Loaded ${organisations.length} organisations and ${contacts} contacts.`);
}

main().catch((err) => {
  console.error(`[contacts] ${err.message}`);
  process.exit(1);
});
