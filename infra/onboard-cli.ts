/**
 * `npm run onboard -- [state.json] [--rulebook <id>]`: onboards all 342 municipalities and the regions
 * through the running API, idempotently. The optional JSON file gives contacts and each step's current
 * state (see README, "Onboarding everyone"), so nothing from the past is sent.
 */
import { readFileSync } from 'node:fs';
import { apiClient } from './api-client';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const rulebookAt = args.indexOf('--rulebook');
  const rulebookId = rulebookAt >= 0 ? args.splice(rulebookAt, 2)[1] : undefined;
  const [file] = args;
  const state = file ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const { request, baseUrl } = apiClient();
  const started = Date.now();
  const result = await request('POST', '/onboardings/all', { ...state, ...(rulebookId ? { rulebookId } : {}) });
  console.log(`Rulebook ${result.rulebookId}: ${result.municipalities.created} of ${result.municipalities.total} municipalities and ` +
    `${result.regions.created} of ${result.regions.total} regions newly onboarded, ${result.alreadyOnboarded} already were ` +
    `(${((Date.now() - started) / 1000).toFixed(1)} s).`);
  for (const failure of result.failed) console.log(`  not onboarded: ${failure.kind} ${failure.code}: ${failure.error}`);
  if (result.failed.length) process.exitCode = 1;
  await vngContact(request, baseUrl);
}

/** VNG's organisation with one demo contact (kept beside any others), so the national overview can be seen signed in. */
async function vngContact(request: ReturnType<typeof apiClient>['request'], baseUrl: string): Promise<void> {
  const email = process.env.REGIE_VNG_EMAIL ?? 'overzicht@vng.example';
  const existing = await request('GET', '/organisations/vng').catch(() => null);
  if (!existing) await request('PUT', '/organisations/vng', { kind: 'vng', name: 'VNG' });
  const contacts: { email: string; name?: string | null; role: string; language?: string; delivery?: string }[] = existing?.contacts ?? [];
  if (!contacts.some((c) => c.email === email)) {
    const kept = contacts.map(({ name, ...c }) => ({ ...c, ...(name ? { name } : {}) }));
    await request('PUT', '/organisations/vng/contacts', { contacts: [...kept, { email, name: 'VNG landelijk overzicht', role: 'programme-manager' }] });
  }
  console.log(`The national overview: ${baseUrl}/overview; sign in at ${baseUrl}/auth/sign-in as ${email} (the link arrives in the mail view).`);
}

main().catch((err) => {
  console.error(`[onboard] ${err.message}`);
  process.exit(1);
});
