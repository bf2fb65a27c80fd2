/**
 * `npm run demo`, against a running `npm start`: publishes a demo rulebook whose first reminder falls
 * about a minute from now, onboards one municipality under it through the API, and waits until the
 * reminder shows up in the mail view. Everything goes through the real API, Temporal, worker and SMTP.
 */
import { addDays, addYears, IsoDate, utcToAmsterdamDate } from '../libs/calendar';
import { rulebookDueDate } from '../libs/rulebook/schedule';
import type { Rulebook } from '../libs/rulebook/rulebook.schema';
import { apiClient } from './api-client';

const { baseUrl: apiUrl, request: api, all } = apiClient();
const mailViewUrl = process.env.REGIE_MAIL_VIEW_URL ?? `http://localhost:${process.env.REGIE_MAIL_VIEW_PORT ?? 1080}`;

/** Amsterdam wall-clock HH:MM of an instant, via Intl (this script is no workflow code). */
function amsterdamTime(epochMs: number): string {
  return new Intl.DateTimeFormat('nl-NL', { timeZone: 'Europe/Amsterdam', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(epochMs);
}

async function main(): Promise<void> {
  const base = await api('GET', `/rulebooks/${process.env.DEFAULT_RULEBOOK_ID ?? 'wvrv-2025-07-01.3'}`);
  // The first full minute at least 15 s ahead (the rulebook's time has minute precision): the reminder fires then.
  const fireAt = Math.ceil((Date.now() + 15_000) / 60_000) * 60_000;
  const reminderDay: IsoDate = utcToAmsterdamDate(fireAt);
  const demo: Rulebook = {
    ...base,
    id: `demo-${new Date(fireAt).toISOString().slice(0, 16).replace(/[-:T]/g, '')}`,
    title: 'Demo: eerste herinnering binnen een minuut',
    // Due a week after today: effective date = that day minus the two-year term.
    effectiveDate: addYears(addDays(reminderDay, 7), -2),
    reminderSchedule: { time: amsterdamTime(fireAt), timeZone: 'Europe/Amsterdam', workingDaysOnly: false },
    steps: [],
  };
  delete (demo as { hash?: string }).hash;
  const programme = base.steps.find((s: { key: string }) => s.key === 'volkshuisvestingsprogramma');
  const due = rulebookDueDate(demo, programme)!.date;
  // The one reminder's offset is the distance from today to the due date (a term in years never shifts).
  const offsetDays = Math.round((Date.parse(due) - Date.parse(reminderDay)) / 86_400_000);
  demo.steps = [{ ...programme, dependsOn: [], reminders: [{ offsetDays, roles: ['programme-manager'], mandatory: false }], escalations: [] }];
  await api('POST', '/rulebooks', demo);

  const requested = process.argv[2];
  const candidates = await all<{ code: string; name: string }>('/municipalities?onboarded=false');
  const municipality = requested ? candidates.find((m) => m.code === requested) : candidates.find((m) => m.code === 'GM0363') ?? candidates[0];
  if (!municipality) throw new Error(requested ? `${requested} is unknown or already onboarded; name another code` : 'every municipality is already onboarded');
  const onboarding = await api('POST', '/onboardings', {
    municipalityCode: municipality.code,
    programmeManagerEmail: `programmamanager@${municipality.code.toLowerCase()}.example`,
    rulebookId: demo.id,
  });
  console.log(`Onboarded ${municipality.name} (${municipality.code}) under rulebook ${demo.id}: workflow ${onboarding.workflowId}`);
  // The programme manager as a contact of the municipality's organisation, so they can sign in; a sign-in link by mail.
  const organisationKey = `gemeente-${municipality.code.toLowerCase()}`;
  const programmeManager = `programmamanager@${municipality.code.toLowerCase()}.example`;
  await api('PUT', `/organisations/${organisationKey}`, { kind: 'municipality', name: `Gemeente ${municipality.name}`, code: municipality.code });
  await api('PUT', `/organisations/${organisationKey}/contacts`, { contacts: [{ email: programmeManager, name: `Programmamanager ${municipality.name}`, role: 'programme-manager' }] });
  const signIn = await fetch(`${apiUrl}/auth/sign-in`, { method: 'POST', body: new URLSearchParams({ email: programmeManager }) });
  if (signIn.status !== 202) throw new Error(`asking for a sign-in link answered ${signIn.status}`);
  console.log(`Sign-in link sent to ${programmeManager}: open it from the mail view (valid 15 minutes; ${apiUrl}/auth/sign-in asks for another).`);
  // Its province as a contact too, so the demo can grant an extension as the province.
  const { province } = await api('GET', `/municipalities/${municipality.code}`);
  const provinceKey = `provincie-${province.code.toLowerCase()}`;
  const provinceOfficer = `termijnen@${province.code.toLowerCase()}.example`;
  await api('PUT', `/organisations/${provinceKey}`, { kind: 'province', name: `Provincie ${province.name}`, code: province.code });
  await api('PUT', `/organisations/${provinceKey}/contacts`, { contacts: [{ email: provinceOfficer, name: `Termijnen ${province.name}`, role: 'province' }] });
  console.log(`As the province: ask a sign-in link for ${provinceOfficer} at ${apiUrl}/auth/sign-in; the step page then shows the extension form.`);
  console.log(`Due date ${due}; the reminder fires at ${amsterdamTime(fireAt)} Europe/Amsterdam (${Math.round((fireAt - Date.now()) / 1000)} s from now).`);
  console.log(`Steps:       ${apiUrl}/municipalities/${municipality.code}/steps`);
  console.log(`Temporal UI: http://localhost:${process.env.REGIE_TEMPORAL_UI_PORT ?? 8233}/namespaces/default/workflows/${onboarding.workflowId}`);
  console.log(`Mail view:   ${mailViewUrl}`);

  for (const end = fireAt + 90_000; Date.now() < end; await new Promise((r) => setTimeout(r, 2000))) {
    const mails: { subject: string; to: { address: string }[] }[] = await fetch(`${mailViewUrl}/api/email`)
      .then((r) => (r.ok ? (r.json() as Promise<{ subject: string; to: { address: string }[] }[]>) : []))
      .catch(() => []);
    const mail = mails.find((m) => m.subject.includes(municipality.name) && m.to.some((t) => t.address === `programmamanager@${municipality.code.toLowerCase()}.example`));
    if (mail) {
      console.log(`\nThe reminder arrived: "${mail.subject}". Read it at ${mailViewUrl}`);
      return;
    }
  }
  throw new Error(`no reminder mail for ${municipality.name} in the mail view by ${new Date(fireAt + 90_000).toISOString()}; check the worker's log`);
}

main().catch((err) => {
  console.error(`[demo] ${err.message}`);
  process.exit(1);
});
